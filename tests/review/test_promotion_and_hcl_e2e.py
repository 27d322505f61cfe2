"""Promotion check and HCL export with the real cdktn CLI and terraform (mostly synth only)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from review_support import SYNTH_ONLY_CODAT, run_cli, secrets

from codat_stripe_ops import init_reuse, promotion
from codat_stripe_ops.stack_runner import StackRunner
from e2e_support import APPS, REPO, deploy_stack

pytestmark = pytest.mark.e2e


def test_promotion_check_passes_on_the_shipped_main_py(cdk_project: Any) -> None:
    project = cdk_project(REPO / "main.py")
    result = run_cli(project, "promote-check", "--synth-only", env=SYNTH_ONLY_CODAT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Promotion check passed: live is test except the allow-list" in result.stdout


def test_promotion_check_fails_listing_each_parameter_overridden_in_live_only(
    cdk_project: Any,
) -> None:
    project = cdk_project(APPS / "promotion_override_app.py")
    same = run_cli(project, "promote-check", "--synth-only", env={"PROMOTION_LIVE_OVERRIDES": ""})
    assert same.returncode == 0, same.stdout + same.stderr

    overrides = {"use_read_write_scope": True, "data_access": "one-off"}
    result = run_cli(
        project,
        "promote-check",
        "--synth-only",
        env={"PROMOTION_LIVE_OVERRIDES": json.dumps(overrides)},
    )
    assert result.returncode == 2, result.stdout + result.stderr
    listed = re.findall(r"^  - ([^\s:]+)", result.stdout.split("Allowed to differ:")[0], re.M)
    assert listed == [
        "check.stripe_credentials_match.assert[0].condition",
        "data.restful_resource.Stripe_StoredCredentials_D546EEBF.count",
        "output.shared_parameters.value",
        "output.shared_parameters_sha256.value",
        "output.stripe_dashboard_checklist.value[2]",
        "resource.restful_operation.Stripe_Credentials_2515EE05.body.useReadWriteScope",
        "resource.restful_resource.Stripe_DataAccess_8E93AD81.body.oneTimeSync",
        "resource.terraform_data.Stripe_CredentialsInSync.input.credentials",
    ], result.stdout
    assert (
        "resource.restful_resource.Stripe_DataAccess_8E93AD81.body.oneTimeSync "
        '(access to company data): test = "false", live = "true"' in result.stdout
    )
    assert (
        "Stripe_Credentials_2515EE05.body.useReadWriteScope (Stripe credentials): "
        'test = "false", live = "true"' in result.stdout
    )


def _names(document: dict[str, Any]) -> dict[str, list[str]]:
    return {
        "resource": [n for by_type in document.get("resource", {}).values() for n in by_type],
        "data": [n for by_type in document.get("data", {}).values() for n in by_type],
        "variable": list(document.get("variable", {})),
        "output": list(document.get("output", {})),
        "check": list(document.get("check", {})),
    }


_HCL_BLOCK = {
    "resource": r'resource "[^"]+" "{name}"',
    "data": r'data "[^"]+" "{name}"',
    "variable": r'variable "{name}"',
    "output": r'output "{name}"',
    "check": r'check "{name}"',
}


def test_hcl_export_names_every_block_of_both_stacks(cdk_project: Any, tmp_path: Any) -> None:
    project = cdk_project(REPO / "main.py")
    project.cli("synth", extra_env=SYNTH_ONLY_CODAT)
    documents = {
        stack: json.loads((project.stack_dir(stack) / "cdk.tf.json").read_text())
        for stack in ("test", "live")
    }
    result = run_cli(project, "export-hcl", env=SYNTH_ONLY_CODAT)
    assert result.returncode == 0, result.stdout + result.stderr
    for stack, document in documents.items():
        directory = project.stack_dir(stack)
        hcl = (directory / "cdk.tf").read_text()
        extra = json.loads((directory / "stack-blocks.tf.json").read_text())
        assert extra == {
            "check": document["check"],
            "import": document["import"],
            "resource": {"terraform_data": document["resource"]["terraform_data"]},
        }, stack
        assert not (directory / "cdk.tf.json").exists(), stack
        missing = [
            f"{kind} {name}"
            for kind, names in _names(document).items()
            if kind != "check"
            for name in names
            if not re.search(_HCL_BLOCK[kind].format(name=re.escape(name)), hcl)
            and not (kind == "resource" and name in extra["resource"]["terraform_data"])
        ]
        assert missing == [], f"{stack}: not in the HCL nor in stack-blocks.tf.json: {missing}"


def test_hcl_export_is_valid_complete_terraform(cdk_project: Any) -> None:
    project = cdk_project(REPO / "main.py")
    result = run_cli(project, "export-hcl", env=SYNTH_ONLY_CODAT)
    assert result.returncode == 0, result.stdout + result.stderr
    for stack in ("test", "live"):
        hcl = (project.stack_dir(stack) / "cdk.tf").read_text()
        flat = re.sub(r"\s+", " ", hcl)
        assert 'path = "/integrations/credentials/' in flat, stack
        assert "ephemeral_body = { secretKey = " in flat, stack
        init = project.terraform(stack, "init", "-input=false", "-backend=false", "-no-color")
        assert init.returncode == 0, init.stdout + init.stderr
        validate = project.terraform(stack, "validate", "-json")
        assert validate.returncode == 0, validate.stdout + validate.stderr
        assert json.loads(validate.stdout)["valid"] is True


def test_deployed_promotion_check_initialises_the_source_stack_once(
    cdk_project: Any, codat: Any
) -> None:
    environments = [
        {"name": name, "mode": name, "client_id": f"ca_fakePromo{name}"}
        for name in ("test", "live")
    ]
    for environment in environments:
        environment["codat_base_url"] = codat.base_url
    project = cdk_project(APPS / "params_app.py")
    project.env.update(
        {**secrets(), "STACK_PARAMS": json.dumps({"shared": {}, "environments": environments})}
    )
    deploy_stack(StackRunner(project=project, synth_cache=False), "test")

    # A fresh job: nothing initialised yet. Record every terraform command it runs.
    init_reuse.forget(project.stack_dir("test"))
    commands: list[tuple[str, ...]] = []
    run_terraform = project.terraform

    def recording(stack: str, *args: str, **options: Any) -> Any:
        commands.append((stack, *args))
        return run_terraform(stack, *args, **options)

    project.terraform = recording  # type: ignore[method-assign]
    result = promotion.check(StackRunner(project=project, synth=False), "test", "live")
    assert not result.refused, result.report()
    assert result.checked_deployed and result.deployed_sha256
    assert [c for c in commands if c[1] == "init"] == [
        ("test", "init", "-input=false", "-no-color")
    ], commands
    assert [c[:2] for c in commands] == [("test", "init"), ("test", "output")]
