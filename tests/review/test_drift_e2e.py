"""The drift command on both stacks of main.py, deployed to the emulator and changed behind
their back through the Codat API."""

from __future__ import annotations

from typing import Any

import pytest
from review_support import SECRET_LIVE, SECRET_TEST, assert_no_secret, run_cli, secrets

from e2e_support import FAKE_CODAT_KEY, REPO

pytestmark = pytest.mark.e2e


def _codat_state(codat: Any) -> list[Any]:
    return [
        codat.client.get(path).json()
        for path in (
            "/integrations/yzth",
            "/integrations/exgd",
            "/integrations/credentials/yzth",
            "/integrations/credentials/exgd",
            "/profile/syncSettings",
        )
    ]


def test_drift_exits_0_then_2_listing_each_setting_then_1_on_error(
    cdk_project: Any, codat: Any
) -> None:
    project = cdk_project(REPO / "main.py")
    env = {
        "CODAT_BASE_URL_TEST": codat.base_url,
        "CODAT_BASE_URL_LIVE": codat.base_url,
        **secrets(),
    }
    project.cli("deploy", "test", "live", "--auto-approve", "--skip-provider-lock", extra_env=env)

    clean = run_cli(project, "drift", env=env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "No drift in stack live (Stripe, platform key exgd)." in clean.stdout
    assert "No drift in stack test (Stripe Test, platform key yzth)." in clean.stdout

    # Behind the stacks' back: live disabled; test one-off, one commerce type off, and its
    # credentials replaced with another client ID and the read-write scope.
    client = codat.client
    assert client.put("/integrations/exgd/enabled", json={"enabled": False}).is_success
    integration_id = client.get("/integrations/yzth").json()["integrationId"]
    assert client.patch(
        f"/settings/integrations/{integration_id}", json={"oneTimeSync": "true"}
    ).is_success
    sync = client.get("/profile/syncSettings").json()
    for setting in sync["settings"]:
        if setting["dataType"] == "commerce-orders":
            setting["fetchOnFirstLink"] = False
    assert client.post("/profile/syncSettings", json=sync).is_success
    other_secret = "sk_test_fakeOther9"
    credentials = {
        "clientId": "ca_fakeOther1",
        "secretKey": other_secret,
        "useReadWriteScope": "true",
    }
    assert client.put("/integrations/credentials/yzth", json=credentials).is_success
    codat_before = _codat_state(codat)

    drifted = run_cli(project, "drift", "--no-synth", env=env)
    out = drifted.stdout
    assert drifted.returncode == 2, out + drifted.stderr
    live, _, test = out.partition("DRIFT in stack test")
    assert "DRIFT in stack live (Stripe, platform key exgd)" in live
    assert "integration enabled: enabled: last deployed yes, now in Codat no" in live
    assert "sync mode" not in live  # live's own integration setting did not change
    assert (
        "access to company data: sync mode: last deployed continuous, now in Codat one-off" in test
    )
    assert (
        "commerce sync settings: commerce-orders: fetch on first link: last deployed true, "
        "now in Codat false" in test
    )
    assert "check stripe_credentials_match failed" in test
    assert "the next deploy of stack test writes them again" in test
    assert "the next deploy of stack live puts the code's values back" in live
    assert "client ID: code ca_ExampleTestClientId, now in Codat ca_fakeOther1" in test
    assert "scope: code read_only, now in Codat read_write" in test
    assert "commerce-customers" not in test  # only what changed
    assert_no_secret(out + drifted.stderr, other_secret, SECRET_TEST, SECRET_LIVE, FAKE_CODAT_KEY)
    # Detecting drift changes nothing in Codat.
    assert _codat_state(codat) == codat_before

    # Error: a stack's secrets are missing -> 1, naming the problem.
    missing = {**env, "TF_VAR_codat_api_key_live": ""}
    failed = run_cli(project, "drift", "--no-synth", "--stack", "live", env=missing)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert failed.stderr.startswith("codat-stripe drift: "), failed.stderr
    assert "set TF_VAR_codat_api_key_live (missing or empty)" in failed.stderr
    assert failed.stdout == ""
    # Error: Codat refuses the API key -> 1 with terraform's error, not a drift report.
    refused = run_cli(
        project, "drift", "--no-synth", env={**env, "TF_VAR_codat_api_key_live": "wrong-key"}
    )
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "401" in refused.stderr and refused.stdout == ""
