"""When a review may skip `terraform show -json`: the plan's machine-readable messages
(`plan_stream`) and the summary of a plan that reports nothing (`unchanged_plan`), on
messages in Terraform's documented format and on the synthesized snapshots. No CLI, no
emulator; the end-to-end equivalence is in test_unchanged_plan_e2e.py."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from codat_stripe_ops import plan_stream
from codat_stripe_ops.plan_changes import unchanged_plan
from e2e_support import REPO

SNAPSHOTS = REPO / "tests" / "snapshots"

SUMMARY = {"type": "change_summary", "changes": {"add": 0, "change": 0, "import": 0, "remove": 0}}
OUTPUTS = {"type": "outputs", "outputs": {"stripe_mode": {"sensitive": False, "action": "noop"}}}


def _stream(*messages: dict[str, Any]) -> str:
    lines = [{"type": "version", "terraform": "1.11.4"}, *messages]
    return "\n".join(json.dumps(m) for m in lines) + "\n"


def _snapshot(stack: str) -> dict[str, Any]:
    return dict(json.loads((SNAPSHOTS / f"{stack}.json").read_text()))


def test_a_plan_with_a_zero_summary_and_unchanged_outputs_reports_nothing() -> None:
    assert not plan_stream.reports_anything(_stream(SUMMARY, OUTPUTS))


@pytest.mark.parametrize(
    "message",
    [
        {"type": "planned_change", "change": {"action": "update"}},
        {"type": "resource_drift", "change": {"action": "update"}},
        {
            "type": "diagnostic",
            "@level": "warn",
            "diagnostic": {"severity": "warning", "summary": "Check block assertion failed"},
        },
        {"type": "change_summary", "changes": {"add": 0, "change": 0, "import": 1, "remove": 0}},
        {"type": "outputs", "outputs": {"stripe_mode": {"sensitive": False, "action": "update"}}},
    ],
    ids=["change", "drift", "failed-check", "import", "output-change"],
)
def test_any_change_drift_diagnostic_or_output_change_is_reported(
    message: dict[str, Any],
) -> None:
    assert plan_stream.reports_anything(_stream(SUMMARY, OUTPUTS, message))


def test_output_without_a_change_summary_counts_as_reporting() -> None:
    assert plan_stream.reports_anything(_stream(OUTPUTS))
    assert plan_stream.reports_anything("No changes. Your infrastructure matches.\n")


def test_errors_are_rendered_for_people_with_plain_text_kept() -> None:
    failed = _stream(
        {
            "type": "diagnostic",
            "diagnostic": {
                "severity": "error",
                "summary": "Update API returns 401",
                "detail": "unauthorized",
                "address": "restful_resource.Stripe_Enabled_66A313F8",
                "range": {"filename": "cdk.tf.json", "start": {"line": 41, "column": 3}},
            },
        }
    )
    text = plan_stream.error_text(failed + "Usage: terraform plan\n", "stderr line\n")
    assert text.splitlines() == [
        "stderr line",
        "Usage: terraform plan",
        "Error: Update API returns 401",
        "  with restful_resource.Stripe_Enabled_66A313F8, on cdk.tf.json line 41",
        "unauthorized",
    ]


@pytest.mark.parametrize(
    ("stack", "key", "mode"), [("test", "yzth", "test"), ("live", "exgd", "live")]
)
def test_the_summary_of_an_unchanged_plan_comes_from_the_synthesized_outputs(
    stack: str, key: str, mode: str
) -> None:
    plan = unchanged_plan(stack, _snapshot(stack))
    assert plan is not None
    assert (plan.platform_key, plan.stripe_mode) == (key, mode)
    assert plan.is_empty and not plan.needs_apply
    assert plan.environments_on_instance == (stack,)
    assert plan.manages_sync_settings is True


def test_the_platform_key_falls_back_to_the_credentials_path() -> None:
    config = _snapshot("live")
    del config["output"]["stripe_platform_key"]
    plan = unchanged_plan("live", config)
    assert plan is not None and plan.platform_key == "exgd"


@pytest.mark.parametrize(
    "output",
    [
        {"value": "${restful_resource.x.output}"},
        {"value": ["a", "${var.y}"]},
        {"value": "constant", "sensitive": True},
    ],
    ids=["reference", "nested-reference", "sensitive"],
)
def test_an_output_that_is_not_a_plain_constant_needs_the_rendered_plan(
    output: dict[str, Any],
) -> None:
    config = copy.deepcopy(_snapshot("test"))
    config["output"]["extra"] = output
    assert unchanged_plan("test", config) is None
