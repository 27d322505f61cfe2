"""Secrets audit: a whole life cycle leaves the Stripe secret and Codat API key nowhere.

Deploy, update, rotate the secret, check for drift, destroy; then search every synthesized
file, state file (and backup), saved plan (unzipped) and its `show -json`, all CLI output at
the default log level, and the emulator's stderr and request log. Each text is searched as
is and decoded: JSON escapes undone and base64-looking runs decoded, nested up to three
levels (`secret_search`), for the secret, its last 8 characters and its base64.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable

import pytest
from operate_support import (
    CODAT_KEY,
    DEPLOY_FLAGS,
    ROTATED_TEST,
    SECRET_LIVE,
    SECRET_TEST,
    OpsEmulator,
    leaks,
    readable_files,
    secrets_env,
    stack_params,
)

from codat_stripe_ops.toolchain import CdkProject

pytestmark = pytest.mark.e2e

SECRETS = (SECRET_TEST, ROTATED_TEST, SECRET_LIVE, CODAT_KEY)


def test_no_secret_in_files_plans_state_output_or_emulator_logs(
    make_project: Callable[..., CdkProject], emulator: OpsEmulator
) -> None:
    project = make_project()
    outputs: list[subprocess.CompletedProcess[str]] = []
    first = {
        **secrets_env(),
        **stack_params(emulator.base_url, ("test", "live"), removal_policy="destroy"),
    }
    updated = {
        **secrets_env(),
        **stack_params(
            emulator.base_url,
            ("test", "live"),
            shared={"use_read_write_scope": True},
            removal_policy="destroy",
        ),
    }
    rotated = {**updated, "TF_VAR_stripe_secret_key_test": ROTATED_TEST}

    outputs.append(project.cli("deploy", "test", "live", *DEPLOY_FLAGS, extra_env=first))
    outputs.append(project.cli("deploy", "test", *DEPLOY_FLAGS, extra_env=updated))
    outputs.append(project.cli("deploy", "test", *DEPLOY_FLAGS, extra_env=rotated))
    stored = emulator.client.get("/integrations/credentials/yzth").json()
    assert stored["secretKey"] == "********" + ROTATED_TEST[-4:]  # the rotation happened

    # Drift: someone turns the integration off in the Portal; a refresh-only plan sees it.
    assert emulator.client.put("/integrations/yzth/enabled", json={"enabled": False}).is_success
    drift = project.terraform(
        "test", "plan", "-refresh-only", "-out=drift.tfplan", "-input=false", extra_env=rotated
    )
    assert drift.returncode == 0, drift.stdout + drift.stderr
    assert "changed outside of Terraform" in drift.stdout
    outputs.append(drift)
    outputs.append(project.terraform("test", "show", "-json", "drift.tfplan", extra_env=rotated))
    saved = project.terraform(
        "test", "plan", "-out=saved.tfplan", "-input=false", extra_env=rotated
    )
    outputs += [
        saved,
        project.terraform("test", "show", "-json", "saved.tfplan", extra_env=rotated),
    ]
    outputs.append(project.cli("diff", "test", "--skip-provider-lock", extra_env=rotated))

    outputs.append(project.cli("destroy", "test", "live", *DEPLOY_FLAGS, extra_env=rotated))
    assert emulator.client.get("/integrations/credentials/yzth").status_code == 404

    files = readable_files(project.directory)
    names = "\n".join(files)
    # The audit saw what it is meant to audit.
    for expected in (
        "terraform.test.tfstate",
        "terraform.live.tfstate",
        "drift.tfplan!tfplan",
        "saved.tfplan!tfplan",
        "cdktf.out/stacks/test/cdk.tf.json",
    ):
        assert expected in names, expected
    assert all(o.returncode == 0 for o in outputs)

    found = {name: leaks(text, *SECRETS) for name, text in files.items()}
    assert {name: hit for name, hit in found.items() if hit} == {}
    for index, output in enumerate(outputs):
        assert leaks(output.stdout + output.stderr, *SECRETS) == [], f"output #{index}"
    emulator_logs = emulator.logs_text()
    assert "PUT /integrations/credentials/yzth" in emulator_logs
    assert leaks(emulator_logs, *SECRETS) == []
