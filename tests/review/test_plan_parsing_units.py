"""Pure parsing logic on captured plan JSON (saved plans of main.py's test stack on the
emulator: after a deploy, after out-of-band drift, and with a rotated secret on top) and on
the synthesized snapshots. No CLI, no emulator."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from codat_stripe_ops import cli, drift, plan_summary, promotion, saved_plans
from codat_stripe_ops.plan_changes import (
    DELETED_OUTSIDE,
    REDACTED,
    Component,
    PlanFormatError,
    SettingChange,
    component_of,
    parse_plan,
    safe,
)
from codat_stripe_ops.stack_runner import StackRunner
from codat_stripe_ops.toolchain import CdkProject
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


def test_no_change_plan_says_so() -> None:
    plan = parse_plan("test", _plan("nochange"))
    assert plan.is_empty and plan.platform_key == "yzth"
    assert plan.plan_line == "Plan: 0 to add, 0 to change, 0 to destroy."
    assert "## Stack `test`: Stripe Test (platform key `yzth`)\n\nNo changes." in (
        plan_summary.render([plan])
    )
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
        ("client ID", "ca_ExampleTestClientId", "ca_Other1"),
        ("scope", "read_only", "read_write"),
    }
    assert drift.exit_code([plan]) == drift.DRIFT
    text = drift.report([plan])
    assert "DRIFT in stack test (Stripe Test, platform key yzth)" in text
    assert "integration enabled: enabled: last deployed yes, now in Codat no" in text
    # Remediation per kind: settings heal on the next deploy, credentials need a revision bump.
    assert "the next deploy of stack test puts the code's values back" in text
    assert "the next deploy of stack test writes them again" in text
    markdown = plan_summary.render([plan])
    assert "**What to do:**" in markdown


def test_credentials_deleted_in_codat_read_naturally_in_drift_and_summary() -> None:
    plan = parse_plan("test", _plan("drift"))
    (check,) = plan.failed_checks
    deleted = SettingChange("credentials", "set by the code", DELETED_OUTSIDE)
    plan = dataclasses.replace(
        plan, failed_checks=(dataclasses.replace(check, settings=(deleted,)),)
    )
    wording = "credentials: DELETED in Codat outside Terraform (the code sets them)"
    assert f"      {wording}\n" in drift.report([plan])
    assert f"  - {wording}\n" in plan_summary.render([plan])
    assert "set by the code" not in drift.report([plan]) + plan_summary.render([plan])


def test_rotation_shows_rotated_and_never_a_value() -> None:
    plan = parse_plan("test", _plan("rotate"))
    credentials = [c for c in plan.changes if c.component is Component.CREDENTIALS]
    assert [(s.setting, s.after) for s in credentials[0].settings] == [
        ("Stripe secret key", "rotated (new value)")
    ]
    assert plan.counts["change"] == 4
    assert plan.plan_line == "Plan: 0 to add, 4 to change, 0 to destroy."


def _credentials_entry(document: dict[str, Any]) -> dict[str, Any]:
    return next(
        e for e in document["resource_changes"] if e["name"].startswith("Stripe_Credentials_")
    )


def test_a_revision_bump_says_so_and_is_not_called_a_rotation() -> None:
    document = _plan("rotate")
    change = _credentials_entry(document)["change"]
    change["after"]["output_attrs"] = [*change["before"]["output_attrs"], "credentialsRevision1"]
    plan = parse_plan("test", document)
    (credentials,) = [c for c in plan.changes if c.component is Component.CREDENTIALS]
    assert [(s.setting, s.before) for s in credentials.settings] == [("credentials revision", "0")]
    assert "rotated" not in plan_summary.render([plan])


def test_a_client_id_change_is_not_called_a_rotation() -> None:
    document = _plan("rotate")
    change = _credentials_entry(document)["change"]
    change["after"]["body"] = {**change["before"]["body"], "clientId": "ca_fakeNew1"}
    plan = parse_plan("test", document)
    (credentials,) = [c for c in plan.changes if c.component is Component.CREDENTIALS]
    assert [(s.setting, s.after) for s in credentials.settings] == [("client ID", "ca_fakeNew1")]


def test_unknown_resources_forget_and_import_are_listed_and_counted_like_terraform() -> None:
    document = _plan("nochange")
    document["resource_changes"] += [
        {
            "address": "null_resource.extra",
            "mode": "managed",
            "type": "null_resource",
            "name": "extra",
            "change": {
                "actions": ["create"],
                "before": None,
                "after": {"triggers": {"a": "b"}},
                "after_unknown": {"id": True},
            },
        },
        {
            "address": "restful_resource.Stripe_Legacy_0000ABCD",
            "mode": "managed",
            "type": "restful_resource",
            "name": "Stripe_Legacy_0000ABCD",
            "change": {"actions": ["forget"], "before": {"path": "/x"}, "after": None},
        },
        {
            "address": "restful_resource.Adopted_Thing_0000ABCE",
            "mode": "managed",
            "type": "restful_resource",
            "name": "Adopted_Thing_0000ABCE",
            "change": {
                "actions": ["no-op"],
                "before": {"path": "/y"},
                "after": {"path": "/y"},
                "importing": {"id": "/y"},
            },
        },
    ]
    plan = parse_plan("test", document)
    assert plan.plan_line == "Plan: 1 to import, 1 to add, 0 to change, 0 to destroy, 1 to forget."
    markdown = plan_summary.render([plan])
    assert "| null_resource.extra | create | id | `(none)` | `(known after apply)` |" in markdown
    assert "| restful_resource.Stripe_Legacy_0000ABCD | forget |" in markdown
    assert "| restful_resource.Adopted_Thing_0000ABCE | import |" in markdown
    assert "FORGET: restful_resource.Stripe_Legacy_0000ABCD leaves Terraform" in markdown


def _with_outputs(document: dict[str, Any], **outputs: Any) -> dict[str, Any]:
    planned = document["planned_values"].setdefault("outputs", {})
    for name, value in outputs.items():
        planned[name] = {"sensitive": False, "value": value}
    return document


def test_risk_banners_for_live_stacks_sync_mode_and_shared_sync_settings() -> None:
    document = _with_outputs(
        _plan("rotate"),
        stripe_mode="live",
        environments_on_instance=["live", "staging"],
        manages_sync_settings=True,
        codat_instance="example-production",
    )
    plan = parse_plan("live", document)
    risks = "\n".join(plan.risks)
    assert "LIVE stack: 4 change(s)" in risks
    assert "changes access to company data: sync mode one-off -> continuous" in risks
    assert (
        "Codat instance example-production also serves staging, so this change applies to them"
        in risks
    )
    assert "> [!WARNING]" in plan_summary.render([plan])
    quiet = parse_plan("test", _with_outputs(_plan("rotate"), stripe_mode="test"))
    assert not any("LIVE" in r or "shared" in r for r in quiet.risks)


def test_one_row_per_sync_setting_change_naming_the_data_types() -> None:
    document = _plan("nochange")
    entry = next(
        e for e in document["resource_changes"] if e["name"].startswith("CommerceSync_Settings_")
    )
    change = entry["change"]
    change["actions"] = ["update"]
    change["after"] = copy.deepcopy(change["before"])
    for setting in change["after"]["body"]["settings"]:
        if setting["dataType"].startswith("commerce-"):
            setting["syncSchedule"] = 12
            setting["fetchOnFirstLink"] = False
    plan = parse_plan("test", document)
    (sync,) = plan.changes
    assert [(s.setting, s.before, s.after) for s in sync.settings] == [
        ("all 11 commerce data types: fetch on first link", "true", "false"),
        ("all 11 commerce data types: sync schedule (hours)", "24", "12"),
    ]
    assert [r for r in plan.risks if "turns OFF" in r] == [
        "turns OFF all 11 commerce data types (fetch on first link: true -> false)"
    ]


def test_delete_and_replace_are_loud() -> None:
    document = _plan("nochange")
    for entry in document["resource_changes"]:
        if entry["name"].startswith("Stripe_Enabled_"):
            entry["change"]["actions"] = ["delete"]
            entry["change"]["after"] = None
        if entry["name"].startswith("Stripe_Credentials_"):
            entry["change"]["actions"] = ["delete", "create"]
    plan = parse_plan("test", document)
    assert plan.plan_line == "Plan: 1 to add, 0 to change, 2 to destroy."
    markdown = plan_summary.render([plan])
    assert "DELETE: the integration is disabled for new connections" in markdown
    assert "REPLACE: the Stripe credentials are deleted from Codat" in markdown
    assert "> [!WARNING]" in markdown


def test_input_that_is_not_a_saved_plan_is_refused() -> None:
    with pytest.raises(PlanFormatError, match="stack 'test': not the JSON of"):
        parse_plan("test", {"resources": []})


def test_plan_cli_on_a_saved_plan_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["plan", "--plan-json", f"test={PLANS / 'drift.json'}"]) == 2
    assert "### Drift: changed outside the code" in capsys.readouterr().out
    assert cli.main(["plan", "--plan-json", f"test={PLANS / 'nochange.json'}"]) == 0
    assert "No changes." in capsys.readouterr().out
    assert cli.main(["plan", "--format", "json", "--plan-json", "test"]) == 1
    out, err = capsys.readouterr()
    assert "--plan-json 'test': expected STACK=FILE" in err
    assert json.loads(out)["status"] == "error"


def test_plan_json_with_out_dir_is_refused_in_the_json_envelope(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plan = f"test={PLANS / 'nochange.json'}"
    args = ["plan", "--plan-json", plan, "--out-dir", str(tmp_path / "plans")]
    assert cli.main([*args, "--format", "json"]) == 1
    out, err = capsys.readouterr()
    assert "codat-stripe plan: --out-dir saves new plans; not with --plan-json" in err
    envelope = json.loads(out)
    assert envelope["command"] == "plan" and envelope["exit_code"] == 1
    assert envelope["status"] == "error" and "--out-dir" in envelope["error"]
    assert not (tmp_path / "plans").exists()
    assert cli.main(args) == 1
    out, err = capsys.readouterr()
    assert out == "" and "not with --plan-json" in err


def test_pr_comment_shows_marker_commit_run_failures_and_every_stack(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    drifted = tmp_path / "plan-test.json"
    assert (
        cli.main(
            [
                "plan",
                "--format",
                "json",
                "--output",
                str(drifted),
                "--plan-json",
                f"test={PLANS / 'drift.json'}",
            ]
        )
        == 2
    )
    failed = tmp_path / "plan-live.json"
    failed.write_text(json.dumps({"exit_code": 1, "requested": ["live"], "error": "401 boom"}))
    args = ["pr-comment", "--sha", "abc123", "--run-url", "https://ci.example/run/1"]
    args += ["--expect", "test", "--expect", "live", "--expect", "other"]
    assert cli.main([*args, "--result", str(drifted), "--result", str(failed)]) == 0
    body = capsys.readouterr().out
    assert body.startswith(plan_summary.COMMENT_MARKER + "\n")
    assert "Commit `abc123` · [workflow run](https://ci.example/run/1)" in body
    assert "**The plan FAILED for: live, other**" in body
    assert "`live`: 401 boom" in body and "`other`: no result" in body
    assert "## Stack `test`: Stripe Test" in body and "### Drift" in body


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
    changed["provider"]["restful"][0]["client"]["retry"]["count"] = 1  # allow-listed
    differences = [d.describe("test", "live") for d in promotion.compare(test, changed)]
    assert differences == [
        f"resource.restful_resource.{enabled}.body.enabled (integration enabled): "
        "test = true, live = false",
    ]


def test_promotion_allows_a_live_only_credentials_revision_and_needs_test_to_live() -> None:
    test, live = _snapshots()
    bumped = copy.deepcopy(live)
    operations = bumped["resource"]["restful_operation"]
    credentials = next(name for name in operations if name.startswith("Stripe_Credentials_"))
    operations[credentials]["output_attrs"].append("credentialsRevision3")
    assert promotion.compare(test, bumped) == []
    with pytest.raises(promotion.PromotionRefusedError, match="both live-mode stacks"):
        promotion.compare(live, live, ("live", "live"))


def test_shared_parameter_differences_are_named_by_field() -> None:
    deployed = {"enabled": True, "sync_schedule_hours": 24, "use_read_write_scope": False}
    code = {"enabled": True, "sync_schedule_hours": 12, "use_read_write_scope": True}
    assert promotion.shared_differences(deployed, code, ("test", "live")) == [
        "sync_schedule_hours: test deployed 24, live has 12",
        "use_read_write_scope: test deployed false, live has true",
    ]


def test_promotion_compares_sync_settings_when_both_stacks_own_them() -> None:
    test, live = _snapshots()
    both = copy.deepcopy(live)
    for section in ("data", "resource"):
        for name, body in test[section]["restful_resource"].items():
            if name.startswith("CommerceSync_"):
                both[section]["restful_resource"][name] = copy.deepcopy(body)
    both["locals"] = copy.deepcopy(test["locals"])
    both["import"] = [b for b in both.get("import", []) if "CommerceSync_" not in b["to"]] + [
        block for block in test["import"] if "CommerceSync_" in block["to"]
    ]
    assert promotion.compare(test, both) == []
    desired = next(iter(both["locals"]))
    both["locals"][desired]["commerce-orders"]["syncSchedule"] = 12
    (difference,) = promotion.compare(test, both)
    assert difference.path == f"locals.{desired}.commerce-orders.syncSchedule"


def test_an_update_explained_by_a_visible_attribute_is_not_called_a_rotation() -> None:
    document = _plan("rotate")
    change = _credentials_entry(document)["change"]
    change["before"]["delete_method"] = None
    change["after"]["delete_method"] = "DELETE"
    plan = parse_plan("test", document)
    (credentials,) = [c for c in plan.changes if c.component is Component.CREDENTIALS]
    assert [(s.setting, s.before, s.after) for s in credentials.settings] == [
        ("delete_method", "(none)", "DELETE")
    ]
    assert "rotated" not in plan_summary.render([plan])


def _replace_credentials_under_destroy(document: dict[str, Any]) -> None:
    """Make the plan replace the credentials operation, with RemovalPolicy.DESTROY's DELETE."""
    entry = _credentials_entry(document)
    entry["change"]["actions"] = ["delete", "create"]
    entry["change"]["before"]["delete_method"] = "DELETE"


def _add_marker_change(document: dict[str, Any], actions: list[str], **change: Any) -> None:
    """Append a change of the credentials in-sync marker (`terraform_data`) to the plan."""
    document["resource_changes"].append(
        {
            "address": "terraform_data.Stripe_CredentialsInSync",
            "mode": "managed",
            "type": "terraform_data",
            "name": "Stripe_CredentialsInSync",
            "change": {"actions": actions, **change},
        }
    )


def test_a_replacement_under_destroy_says_the_credentials_are_deleted_first() -> None:
    document = _plan("nochange")
    _replace_credentials_under_destroy(document)
    plan = parse_plan("test", document)
    (credentials,) = plan.changes
    assert credentials.effect is not None
    assert credentials.effect.startswith("credentials DELETED from Codat, then written again")
    assert "Codat disables the integration in between" in credentials.effect
    markdown = plan_summary.render([plan])
    assert "REPLACE: the Stripe credentials are deleted from Codat" in markdown
    assert "**What happens in Codat:**" in markdown


def test_a_marker_change_is_named_and_deletes_nothing() -> None:
    document = _plan("nochange")
    _add_marker_change(
        document, ["delete"], before={"input": {"credentials": "in-sync"}}, after=None
    )
    plan = parse_plan("test", document)
    (marker,) = plan.changes
    assert marker.component is Component.CREDENTIALS_IN_SYNC and marker.risks == ()
    assert plan.plan_line == "Plan: 0 to add, 0 to change, 1 to destroy."


def test_output_only_changes_are_shown_and_need_an_apply() -> None:
    document = _plan("nochange")
    document["output_changes"] = {
        "shared_parameters": {"actions": ["update"]},
        "stripe_mode": {"actions": ["no-op"]},
    }
    document.pop("applyable", None)
    plan = parse_plan("test", document)
    assert plan.output_changes == ("shared_parameters",)
    assert plan.needs_apply and not plan.is_empty and not plan.changes
    assert "Outputs recorded in the state change: `shared_parameters`" in plan_summary.render(
        [plan]
    )
    document["applyable"] = False
    assert not parse_plan("test", document).needs_apply


def test_planned_output_is_the_plans_own_value_not_the_prior_states() -> None:
    document = _with_outputs(_plan("nochange"), stripe_mode="live", count=3)
    document.setdefault("prior_state", {}).setdefault("values", {})["outputs"] = {
        "stripe_mode": {"value": "test"},
        "only_before": {"value": "x"},
    }
    assert saved_plans.planned_output(document, "stripe_mode") == "live"
    assert saved_plans.planned_output(document, "only_before") is None
    assert saved_plans.planned_output(document, "count") is None  # not a string


def test_deploy_refuses_a_saved_plan_of_another_stack(tmp_path: Path) -> None:
    project = CdkProject(directory=tmp_path, env={})
    stack_dir = project.stack_dir("live")
    stack_dir.mkdir(parents=True)
    (stack_dir / "cdk.tf.json").write_text(
        json.dumps(
            {
                "variable": {"codat_api_key_live": {}, "stripe_secret_key_live": {}},
                "output": {"stripe_mode": {"value": "live"}},
            }
        )
    )
    runner = StackRunner(project=project)
    test_plan = _with_outputs(_plan("nochange"), stripe_mode="test")
    with pytest.raises(saved_plans.PlanNotForStackError) as refused:
        saved_plans.check_plan_is_for(runner, "live", test_plan, Path("plans/test.tfplan"))
    message = str(refused.value)
    assert "--plan-file plans/test.tfplan is not a plan of stack 'live'" in message
    assert "output stripe_mode 'test' (stack live has 'live')" in message
    assert "Nothing was applied" in message
    live_plan = _with_outputs(_plan("nochange"), stripe_mode="live")
    live_plan["configuration"]["root_module"]["variables"] = {
        "codat_api_key_live": {},
        "stripe_secret_key_live": {},
    }
    saved_plans.check_plan_is_for(runner, "live", live_plan, Path("plans/live.tfplan"))


def test_a_revision_kept_in_the_marker_under_destroy_says_why_the_credentials_are_rewritten() -> (
    None
):
    document = _plan("nochange")
    _replace_credentials_under_destroy(document)
    _add_marker_change(
        document,
        ["update"],
        before={"input": {"credentials": "in-sync"}},
        after={"input": {"credentials": "in-sync", "revision": 1}},
        after_unknown={"output": True},
    )
    plan = parse_plan("test", document)
    credentials, marker = plan.changes
    assert [(s.setting, s.before, s.after) for s in marker.settings] == [
        ("credentials revision", "0", "1 (credentials written again)")
    ]
    assert credentials.effect is not None
    assert "written again because the credentials revision was bumped" in credentials.effect
    assert "rotated" not in plan_summary.render([plan])
