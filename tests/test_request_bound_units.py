"""The request bound's arithmetic (`StackRunner.request_cost`) on hand-written stack JSON.

tests/operate/test_request_cost.py holds the bounds to the emulator's request log for the
constructs' stacks; this covers what those stacks never contain (a literal `count`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codat_stripe_ops.stack_runner import StackRunner, Work
from codat_stripe_ops.toolchain import CdkProject


def _meta(path: str) -> dict[str, object]:
    return {"//": {"metadata": {"path": path}}}


DOCUMENT = {
    "data": {
        "restful_resource": {
            "Read": {"id": "/a"},
            "ThreeReads": {"id": "/b", "count": 3},
            "MaybeRead": {"id": "/c", "count": "${var.on ? 1 : 0}"},
            "ReadBack": {"id": "/d", "count": "${x ? 0 : 1}", **_meta("s/I/StoredCredentials")},
        },
        "other_provider": {"Ignored": {"id": "/e"}},
    },
    "check": {"c": {"data": {"restful_resource": {"Scoped": {"id": "/f"}}}}},
    "resource": {
        "restful_resource": {"One": {"path": "/g"}, "Two": {"path": "/h", "count": 2}},
        "restful_operation": {"Write": {"path": "/i"}},
        "terraform_data": {"Marker": {"input": "x"}},
    },
}


@pytest.fixture
def runner(tmp_path: Path) -> StackRunner:
    project = CdkProject(directory=tmp_path, env={})
    project.stack_dir("s").mkdir(parents=True)
    (project.stack_dir("s") / "cdk.tf.json").write_text(json.dumps(DOCUMENT))
    return StackRunner(project=project)


def test_a_plan_reads_each_object_once_but_not_the_operation_nor_the_read_back(
    runner: StackRunner,
) -> None:
    # resources 1 + 2, data 1 + 3 + 1 (expression) + 1 (scoped check); the read-back and
    # the operation are not read by a plan.
    assert runner.request_cost("s", Work.PLAN) == 3 + 6


def test_a_drift_check_may_read_the_read_back(runner: StackRunner) -> None:
    assert runner.request_cost("s", Work.DRIFT) == 3 + 6 + 1


def test_an_apply_writes_and_reads_back_each_resource_and_reads_every_data_source(
    runner: StackRunner,
) -> None:
    assert runner.request_cost("s", Work.APPLY) == 2 * (3 + 1) + 7


def test_an_unreadable_stack_declares_nothing(tmp_path: Path) -> None:
    assert StackRunner(project=CdkProject(directory=tmp_path, env={})).request_cost("s") == 0
