"""The real path: the cdktn CLI deploys the test stack to the emulator, then verify checks it."""

from __future__ import annotations

from typing import Any

import pytest
from verify_support import PARAMS_APP, SECRET_TEST, run_verify, two_stacks

from codat_api import endpoints
from codat_api.platforms import STRIPE_TEST_KEY
from e2e_support import FAKE_CODAT_KEY, EmulatedCodat


@pytest.mark.e2e
def test_verify_after_a_real_deploy_passes_then_catches_portal_drift(
    cdk_project: Any, codat: EmulatedCodat, stripe_mock: str
) -> None:
    params = two_stacks(codat.base_url)
    secrets = {
        "TF_VAR_codat_api_key_test": FAKE_CODAT_KEY,
        "TF_VAR_stripe_secret_key_test": SECRET_TEST,
    }
    preflight = run_verify(params, secrets, "test", "--preflight", "--stripe-api-base", stripe_mock)
    assert preflight.returncode == 0, preflight.stdout + preflight.stderr

    project = cdk_project(PARAMS_APP)
    project.cli(
        "deploy",
        "test",
        "--auto-approve",
        "--skip-provider-lock",
        extra_env={**secrets, "STACK_PARAMS": params},
    )
    after = run_verify(params, secrets, "test", "--link-test", "--format", "json")
    assert after.returncode == 0, after.stdout + after.stderr
    assert after.status("credentials-secret") == "pass"
    assert after.status("commerce-sync") == "pass"
    assert after.status("link-test") == "pass"

    # Someone disables the integration in the Portal: verify says so and exits 2.
    codat.client.put(
        endpoints.integration_enabled(STRIPE_TEST_KEY), json={"enabled": False}
    ).raise_for_status()
    drifted = run_verify(params, secrets, "test", "--format", "json")
    assert drifted.returncode == 2
    assert drifted.status("integration-enabled") == "fail"
