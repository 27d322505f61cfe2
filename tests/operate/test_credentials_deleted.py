"""Credentials deleted in the Portal: the drift report and the plan review warn, the next
deploy (no code change) writes them again, and the plan after that is empty.

The real `codat-stripe` CLI (drift, plan, deploy) and terraform against the emulator; the
deletion is made through the Codat API as a Portal user would.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Mapping

import pytest
from operate_support import (
    BOUNDED_SECONDS,
    DEPLOY_FLAGS,
    SECRET_TEST,
    OpsEmulator,
    leaks,
    secrets_env,
    stack_params,
)

from codat_api import assumptions
from codat_stripe_ops.toolchain import CdkProject

pytestmark = pytest.mark.e2e

CREDENTIALS_PATH = "/integrations/credentials/yzth"
CHECK = "stripe_credentials_match"


def _codat_stripe(
    project: CdkProject, command: str, *args: str, env: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run `codat-stripe COMMAND --project-dir <project> ARGS` as a user would (CI unset)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "codat_stripe_ops.cli",
            command,
            "--project-dir",
            str(project.directory),
            *args,
        ],
        env={**project.env, **env, "CI": ""},
        capture_output=True,
        text=True,
        timeout=BOUNDED_SECONDS,
        check=False,
    )


def _plan_exit_code(project: CdkProject, env: Mapping[str, str]) -> int:
    """`terraform plan -detailed-exitcode` of the test stack: 0 no changes, 2 changes."""
    result = project.terraform(
        "test", "plan", "-detailed-exitcode", "-input=false", "-no-color", extra_env=env
    )
    assert result.returncode in (0, 2), result.stdout + result.stderr
    return result.returncode


def test_deleted_credentials_warn_then_the_next_deploy_heals_and_the_plan_is_empty(
    make_project: Callable[..., CdkProject], emulator: OpsEmulator
) -> None:
    project = make_project()
    env = {**secrets_env(), **stack_params(emulator.base_url, ("test",))}
    project.cli("deploy", "test", *DEPLOY_FLAGS, extra_env=env)
    assert _plan_exit_code(project, env) == 0

    # A Portal user deletes the credentials (which also disables the integration).
    assert emulator.client.delete(CREDENTIALS_PATH).status_code == 204
    assert emulator.client.get(CREDENTIALS_PATH).status_code == 404

    drift = _codat_stripe(project, "drift", "--no-synth", env=env)
    assert drift.returncode == 2, drift.stdout + drift.stderr
    assert "DRIFT in stack test (Stripe Test, platform key yzth)" in drift.stdout
    assert f"check {CHECK} failed" in drift.stdout, drift.stdout
    assert "the credentials were deleted outside Terraform" in drift.stdout
    assert "the next deploy of stack test writes them again" in drift.stdout

    review = _codat_stripe(project, "plan", "--no-synth", env=env)
    assert review.returncode == 2, review.stdout + review.stderr
    # The review says the credentials were deleted and will be written again, and why the
    # integration shows as disabled.
    assert (
        "| Stripe credentials | replace | credentials in Codat | `DELETED outside Terraform` "
        "| `written again` |" in review.stdout
    ), review.stdout
    assert "credentials written again because they were deleted in Codat" in review.stdout
    assert "Codat disabled the integration when they were deleted" in review.stdout
    assert _plan_exit_code(project, env) == 2
    assert emulator.client.get(CREDENTIALS_PATH).status_code == 404  # nothing was written

    # The next deploy, with the same code: one PUT of the whole map puts them back.
    logged = len(emulator.requests())
    deploy = _codat_stripe(project, "deploy", "test", "--no-synth", "--auto-approve", env=env)
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    puts = [
        r.get("body")
        for r in emulator.requests()[logged:]
        if (r["method"], r["path"]) == ("PUT", CREDENTIALS_PATH) and r["status"] < 300
    ]
    assert puts == [
        {
            assumptions.CREDENTIAL_CLIENT_ID: "ca_fakeOpsTest",
            assumptions.CREDENTIAL_SECRET_KEY: assumptions.mask_secret(SECRET_TEST),
            assumptions.CREDENTIAL_USE_READ_WRITE_SCOPE: "false",
        }
    ]
    assert emulator.client.get(CREDENTIALS_PATH).json() == {
        "clientId": "ca_fakeOpsTest",
        "secretKey": assumptions.mask_secret(SECRET_TEST),
        "useReadWriteScope": "false",
    }
    assert emulator.client.get("/integrations/yzth").json()["enabled"] is True

    # Healed: the plan after that is empty, and drift finds nothing.
    assert _plan_exit_code(project, env) == 0
    clean = _codat_stripe(project, "drift", "--no-synth", env=env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    for result in (drift, review, deploy, clean):
        assert leaks(result.stdout + result.stderr, SECRET_TEST) == []
