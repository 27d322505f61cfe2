"""Run one job per stack on a bounded pool, in dependency order, each result kept apart.

A stack starts once every stack it depends on has succeeded and the rate budget admits its
declared request cost; a failed stack is reported, the others still run, and a stack whose
dependency failed is reported as skipped without running.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from codat_stripe_ops.rate_budget import RateBudget

T = TypeVar("T")


def default_parallelism() -> int:
    """The machine's cores (at least one)."""
    return max(1, os.cpu_count() or 1)


@dataclass
class StackResults(Generic[T]):
    """What each stack's job returned, and why each failed stack failed."""

    results: dict[str, T] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)


def run_stacks(
    stacks: Sequence[str],
    dependencies: Mapping[str, Sequence[str]],
    job: Callable[[str], T],
    *,
    parallelism: int,
    budget: RateBudget | None = None,
    cost: Callable[[str], int] = lambda _stack: 0,
) -> StackResults[T]:
    """Run `job(stack)` for every stack, at most `parallelism` at once, dependencies first.

    Only dependencies among `stacks` are waited for (a stack outside the selection is
    assumed to be in place already).
    """
    if parallelism < 1:
        raise ValueError(f"parallelism must be at least 1, got {parallelism}")
    selected = list(dict.fromkeys(stacks))
    wanted = set(selected)
    needs = {s: [d for d in dependencies.get(s, ()) if d in wanted] for s in selected}
    outcome: StackResults[T] = StackResults()
    pending = list(selected)
    done: set[str] = set()

    def guarded(stack: str) -> T:
        entry = budget.acquire(cost(stack)) if budget is not None else None
        try:
            return job(stack)
        finally:
            if budget is not None and entry is not None:
                budget.release(entry)

    with ThreadPoolExecutor(max_workers=parallelism, thread_name_prefix="stack") as pool:
        running: dict[Future[T], str] = {}
        while pending or running:
            _skip_dependents(pending, needs, outcome.failures)
            for stack in list(pending):
                if all(d in done for d in needs[stack]) and len(running) < parallelism:
                    pending.remove(stack)
                    running[pool.submit(guarded, stack)] = stack
            if not running:
                if pending:  # a dependency cycle among the selected stacks
                    for stack in pending:
                        outcome.failures[stack] = f"dependency cycle among {sorted(pending)}"
                    pending.clear()
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                stack = running.pop(future)
                error = future.exception()
                if error is None:
                    outcome.results[stack] = future.result()
                    done.add(stack)
                else:
                    outcome.failures[stack] = str(error) or type(error).__name__
    outcome.results = {s: outcome.results[s] for s in selected if s in outcome.results}
    return outcome


def dependency_waves(
    stacks: Sequence[str], dependencies: Mapping[str, Sequence[str]]
) -> list[list[str]]:
    """The stacks grouped in dependency order: each group needs only earlier groups.

    Only dependencies among `stacks` count (a stack outside the selection is assumed to be
    in place already); the order within a group is the order given. ValueError names the
    stacks of a dependency cycle.
    """
    remaining = list(dict.fromkeys(stacks))
    selected, placed, waves = set(remaining), set[str](), []
    while remaining:
        wave = [
            stack
            for stack in remaining
            if all(d in placed or d not in selected for d in dependencies.get(stack, ()))
        ]
        if not wave:
            raise ValueError(f"dependency cycle among stacks {sorted(remaining)}")
        waves.append(wave)
        placed.update(wave)
        remaining = [stack for stack in remaining if stack not in placed]
    return waves


def _skip_dependents(
    pending: list[str], needs: Mapping[str, Sequence[str]], failures: dict[str, str]
) -> None:
    """Mark every pending stack that (transitively) depends on a failed one as skipped."""
    changed = True
    while changed:
        changed = False
        for stack in list(pending):
            failed = [d for d in needs[stack] if d in failures]
            if failed:
                pending.remove(stack)
                failures[stack] = f"skipped: depends on failed stack(s) {failed}"
                changed = True
