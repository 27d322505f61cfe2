"""A review or drift check that finds nothing skips `terraform show -json`, and says exactly
what the rendered plan would have said; anything terraform reports (a failed check block
included) is still rendered.

main.py's two stacks deployed to the emulator with the real terraform and provider; the
Codat change is made through the Codat API, as in the Portal.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from review_support import secrets

from codat_stripe_ops.plan_changes import StackPlan, parse_plan
from codat_stripe_ops.stack_runner import DRIFT_PLAN, REVIEW_PLAN, StackRunner
from e2e_support import REPO

pytestmark = pytest.mark.e2e

STACKS = ["live", "test"]


def _rendered(runner: StackRunner, stack: str, refresh_only: bool) -> StackPlan:
    """The saved plan rendered with `show -json` and parsed: the slow path's answer."""
    plan_file = DRIFT_PLAN if refresh_only else REVIEW_PLAN
    rendered = parse_plan(stack, runner.show_saved_plan(stack, plan_file))
    # Terraform calls a refresh-only plan of a stack with data sources applyable even when
    # it finds nothing; the unrendered summary leaves that unknown (never applied here).
    return dataclasses.replace(rendered, applyable=None) if refresh_only else rendered


def test_nothing_to_report_is_not_rendered_and_matches_the_rendered_plan(
    cdk_project: Any, codat: Any
) -> None:
    project = cdk_project(REPO / "main.py")
    project.env.update(
        {"CODAT_BASE_URL_TEST": codat.base_url, "CODAT_BASE_URL_LIVE": codat.base_url, **secrets()}
    )
    deployer = StackRunner(project=project)
    deployer.apply_saved_plans(list(deployer.plans_for_deploy(STACKS)))

    for refresh_only in (False, True):
        runner = StackRunner(project=project, synth=False)
        reviews = runner.review_stacks(STACKS, refresh_only=refresh_only)
        assert runner.rendered == [], refresh_only
        for stack in STACKS:
            assert reviews[stack].is_empty
            assert reviews[stack] == _rendered(runner, stack, refresh_only), (stack, refresh_only)

    # Only the credentials change in Codat (another client ID): no resource drifts, the
    # credentials check fails (a warning), so the drift check renders test's plan and
    # reports the check; the review plans the healing write.
    credentials = {
        "clientId": "ca_fakeOther1",
        "secretKey": "sk_test_fakeO",
        "useReadWriteScope": "false",
    }
    assert codat.client.put("/integrations/credentials/yzth", json=credentials).is_success
    drift_runner = StackRunner(project=project, synth=False)
    drifted = drift_runner.review_stacks(STACKS, refresh_only=True)
    assert drift_runner.rendered == ["test"]
    assert not drifted["test"].drift
    assert [check.name for check in drifted["test"].failed_checks] == ["stripe_credentials_match"]
    assert drifted["live"].is_empty

    review_runner = StackRunner(project=project, synth=False)
    reviewed = review_runner.review_stacks(STACKS)
    assert review_runner.rendered == ["test"]
    assert reviewed["test"].needs_apply and reviewed["live"].is_empty
