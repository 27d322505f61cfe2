"""Stacks in dependency order (`parallel`): the deploy's groups and the pool's start order.
Pure logic, no terraform."""

from __future__ import annotations

import threading

import pytest

from codat_stripe_ops.parallel import dependency_waves, run_stacks

DEPENDENCIES = {"live": ["shared"], "test": ["shared"], "report": ["live", "test"]}


def test_a_stack_comes_in_a_later_group_than_every_selected_stack_it_needs() -> None:
    stacks = ["report", "live", "shared", "test"]
    assert dependency_waves(stacks, DEPENDENCIES) == [["shared"], ["live", "test"], ["report"]]


def test_a_dependency_outside_the_selection_is_assumed_in_place() -> None:
    assert dependency_waves(["report", "live"], DEPENDENCIES) == [["live"], ["report"]]
    assert dependency_waves(["test", "live"], DEPENDENCIES) == [["test", "live"]]


def test_a_cycle_names_its_stacks() -> None:
    with pytest.raises(ValueError, match=r"dependency cycle among stacks \['a', 'b'\]"):
        dependency_waves(["a", "b", "c"], {"a": ["b"], "b": ["a"]})


def test_the_pool_starts_a_stack_only_after_its_dependencies_succeeded() -> None:
    finished: list[str] = []
    lock = threading.Lock()

    def job(stack: str) -> str:
        with lock:
            assert all(d in finished for d in DEPENDENCIES.get(stack, ())), (stack, finished)
        with lock:
            finished.append(stack)
        return stack

    outcome = run_stacks([*DEPENDENCIES, "shared"], DEPENDENCIES, job, parallelism=2)
    assert outcome.failures == {}
    assert finished[0] == "shared" and finished[-1] == "report"


def test_a_failed_stack_skips_its_dependents_and_not_the_others() -> None:
    def job(stack: str) -> str:
        if stack == "live":
            raise RuntimeError("refused")
        return stack

    outcome = run_stacks(["shared", "live", "test", "report"], DEPENDENCIES, job, parallelism=2)
    assert sorted(outcome.results) == ["shared", "test"]
    assert outcome.failures["live"] == "refused"
    assert outcome.failures["report"].startswith("skipped: depends on failed stack(s) ['live']")
