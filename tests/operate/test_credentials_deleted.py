"""Credentials deleted in the Portal: the drift report and the plan review warn, the next
deploy (no code change) writes them again, and the plan after that is empty.

The real `codat-stripe` CLI (drift, plan, deploy) and terraform against the emulator; the
deletion is made through the Codat API as a Portal user would.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from operate_support import (
    DEPLOY_FLAGS,
    SECRET_TEST,
    OpsEmulator,
    leaks,
    secrets_env,
    stack_params,
)

from codat_api import assumptions
from codat_stripe_ops.toolchain import CdkProject
from e2e_support import plan_exit_code, run_codat_stripe

pytestmark = pytest.mark.e2e

CREDENTIALS_PATH = "/integrations/credentials/yzth"
CHECK = "stripe_credentials_match"


def test_deleted_credentials_warn_then_the_next_deploy_heals_and_the_plan_is_empty(
    make_project: Callable[..., CdkProject], emulator: OpsEmulator
) -> None:
    project = make_project()
    env = {**secrets_env(), **stack_params(emulator.base_url, ("test",))}
    project.cli("deploy", "test", *DEPLOY_FLAGS, extra_env=env)
    assert plan_exit_code(project, "test", env) == 0

    # A Portal user deletes the credentials (which also disables the integration).
    assert emulator.client.delete(CREDENTIALS_PATH).status_code == 204
    assert emulator.client.get(CREDENTIALS_PATH).status_code == 404

    drift = run_codat_stripe(project, "drift", "--no-synth", env=env)
    assert drift.returncode == 2, drift.stdout + drift.stderr
    assert "DRIFT in stack test (Stripe Test, platform key yzth)" in drift.stdout
    assert f"check {CHECK} failed" in drift.stdout, drift.stdout
    assert "the credentials were deleted outside Terraform" in drift.stdout
    assert "the next deploy of stack test writes them again" in drift.stdout

    review = run_codat_stripe(project, "plan", "--no-synth", env=env)
    assert review.returncode == 2, review.stdout + review.stderr
    # The review says the credentials were deleted and will be written again, and why the
    # integration shows as disabled.
    assert (
        "| Stripe credentials | replace | credentials in Codat | `DELETED outside Terraform` "
        "| `written again` |" in review.stdout
    ), review.stdout
    assert "credentials written again because they were deleted in Codat" in review.stdout
    assert "Codat disabled the integration when they were deleted" in review.stdout
    assert plan_exit_code(project, "test", env) == 2
    assert emulator.client.get(CREDENTIALS_PATH).status_code == 404  # nothing was written

    # The next deploy, with the same code: one PUT of the whole map puts them back.
    logged = len(emulator.requests())
    deploy = run_codat_stripe(project, "deploy", "test", "--no-synth", "--auto-approve", env=env)
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
    assert plan_exit_code(project, "test", env) == 0
    clean = run_codat_stripe(project, "drift", "--no-synth", env=env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    for result in (drift, review, deploy, clean):
        assert leaks(result.stdout + result.stderr, SECRET_TEST) == []
