"""Pure parsing logic on captured plan JSON (saved plans of main.py's test stack on the
emulator: after a deploy, after out-of-band drift, and with a rotated secret on top) and on
the synthesized snapshots. No CLI, no emulator."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from codat_stripe_ops import drift, plan_summary, promotion
from codat_stripe_ops.plan_changes import (
    REDACTED,
    Component,
    PlanFormatError,
    component_of,
    parse_plan,
    safe,
)
from e2e_support import REPO

PLANS = Path(__file__).parent / "plans"
SNAPSHOTS = REPO / "tests" / "snapshots"


def _plan(name: str) -> dict[str, Any]:
    return dict(json.loads((PLANS / f"{name}.json").read_text()))


def test_component_comes_from_the_construct_id_not_the_hash() -> None:
    assert component_of("Stripe_Credentials_2515EE05") is Component.CREDENTIALS
    assert component_of("Stripe_Enabled_0000ABCD") is Component.ENABLED
    assert component_of("CommerceSync_Settings_D18521F1") is Component.SYNC_SETTINGS
    assert component_of("Stripe_DataAccess_8E93AD81") is Component.DATA_ACCESS
    assert component_of("Stripe_Integration_F8B9E1E2") is None
    assert component_of("observed") is None


def test_secret_like_values_are_redacted() -> None:
    assert safe("sk_live_abc") == REDACTED
    assert safe("rk_test_abc") == REDACTED
    assert safe("********abcd") == REDACTED
    assert safe("ca_Client") == "ca_Client"
    assert safe(None) == "(none)"


def test_no_change_plan_renders_nothing() -> None:
    plan = parse_plan("test", _plan("nochange"))
    assert plan.is_empty and plan.platform_key == "yzth"
    assert plan_summary.render([plan]) == ""
    assert drift.exit_code([plan]) == drift.NO_DRIFT


def test_drift_plan_lists_drift_and_the_failed_credentials_check() -> None:
    plan = parse_plan("test", _plan("drift"))
    drifted = {(c.component, s.setting, s.before, s.after) for c in plan.drift for s in c.settings}
    assert drifted == {
        (Component.ENABLED, "enabled", "yes", "no"),
        (Component.DATA_ACCESS, "sync mode", "continuous", "one-off"),
        (Component.SYNC_SETTINGS, "commerce-orders: fetch on first link", "true", "false"),
    }
    (check,) = plan.failed_checks
    assert check.name == "stripe_credentials_match"
    assert {(s.setting, s.before, s.after) for s in check.settings} == {
        ("client ID", "ca_TestClientId0000", "ca_Other1"),
        ("scope", "read_only", "read_write"),
    }
    assert drift.exit_code([plan]) == drift.DRIFT
    text = drift.report([plan])
    assert "DRIFT in stack test (Stripe Test, platform key yzth)" in text
    assert "integration enabled: enabled: last deployed yes, now in Codat no" in text


def test_rotation_shows_rotated_and_never_a_value() -> None:
    plan = parse_plan("test", _plan("rotate"))
    credentials = [c for c in plan.changes if c.component is Component.CREDENTIALS]
    assert [(s.setting, s.after) for s in credentials[0].settings] == [
        ("Stripe secret key", "rotated")
    ]
    assert plan.counts["update"] == 4


def test_delete_and_replace_are_loud() -> None:
    document = _plan("nochange")
    for entry in document["resource_changes"]:
        if entry["name"].startswith("Stripe_Enabled_"):
            entry["change"]["actions"] = ["delete"]
            entry["change"]["after"] = None
        if entry["name"].startswith("Stripe_Credentials_"):
            entry["change"]["actions"] = ["delete", "create"]
    plan = parse_plan("test", document)
    assert plan.counts == {"create": 0, "update": 0, "delete": 1, "replace": 1}
    markdown = plan_summary.render([plan])
    assert "DELETE: the integration is disabled for new connections" in markdown
    assert "REPLACE: the Stripe credentials are deleted from Codat" in markdown
    assert "> [!WARNING]" in markdown


def test_input_that_is_not_a_saved_plan_is_refused() -> None:
    with pytest.raises(PlanFormatError, match="stack 'test': not the JSON of"):
        parse_plan("test", {"resources": []})


def test_plan_summary_cli_on_a_saved_plan_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert plan_summary.main(["--plan-json", f"test={PLANS / 'drift.json'}"]) == 0
    assert "### Drift: changed outside the code" in capsys.readouterr().out
    assert plan_summary.main(["--plan-json", "test"]) == 1
    assert "--plan-json 'test': expected STACK=FILE" in capsys.readouterr().err


def _snapshots() -> tuple[dict[str, Any], dict[str, Any]]:
    return (
        json.loads((SNAPSHOTS / "test.json").read_text()),
        json.loads((SNAPSHOTS / "live.json").read_text()),
    )


def test_promotion_snapshots_differ_only_in_the_allow_list() -> None:
    test, live = _snapshots()
    assert promotion.compare(test, live) == []
    assert promotion.compare(live, test, ("live", "test")) == []


def test_promotion_lists_each_difference_outside_the_allow_list() -> None:
    test, live = _snapshots()
    changed = copy.deepcopy(live)
    resources = changed["resource"]["restful_resource"]
    enabled = next(name for name in resources if name.startswith("Stripe_Enabled_"))
    resources[enabled]["body"]["enabled"] = False
    changed["provider"]["restful"][0]["client"]["retry"]["count"] = 1
    differences = [d.describe("test", "live") for d in promotion.compare(test, changed)]
    assert differences == [
        "provider.restful[0].client.retry.count: test = 5, live = 1",
        f"resource.restful_resource.{enabled}.body.enabled (integration enabled): "
        "test = true, live = false",
    ]


def test_promotion_compares_sync_settings_when_both_stacks_own_them() -> None:
    test, live = _snapshots()
    both = copy.deepcopy(live)
    for section in ("data", "resource"):
        for name, body in test[section]["restful_resource"].items():
            if name.startswith("CommerceSync_"):
                both[section]["restful_resource"][name] = copy.deepcopy(body)
    both["locals"] = copy.deepcopy(test["locals"])
    both["import"] = both.get("import", []) + [
        block for block in test["import"] if "CommerceSync_" in block["to"]
    ]
    assert promotion.compare(test, both) == []
    desired = next(iter(both["locals"]))
    both["locals"][desired]["commerce-orders"]["syncSchedule"] = 12
    (difference,) = promotion.compare(test, both)
    assert difference.path == f"locals.{desired}.commerce-orders.syncSchedule"
