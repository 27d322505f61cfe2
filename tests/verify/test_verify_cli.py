"""`verify` against the Codat emulator and stripe-mock over loopback HTTP: checks, exit codes."""

from __future__ import annotations

import pytest
from codat_state import configure
from verify_support import (
    CLIENT_LIVE,
    CLIENT_TEST,
    HAS_INSTANCE,
    RESTRICTED_TEST,
    SECRET_LIVE,
    SECRET_TEST,
    run_verify,
    two_stacks,
)

from codat_api import endpoints
from codat_api.platforms import STRIPE_LIVE_KEY, STRIPE_TEST_KEY
from e2e_support import FAKE_CODAT_KEY, EmulatedCodat

TEST_KEYS = {"TF_VAR_codat_api_key_test": FAKE_CODAT_KEY}


def secrets(**extra: str) -> dict[str, str]:
    return {**TEST_KEYS, "TF_VAR_stripe_secret_key_test": SECRET_TEST, **extra}


# --- Before a deploy ---


def test_preflight_passes_with_good_keys(codat: EmulatedCodat, stripe_mock: str) -> None:
    run = run_verify(
        two_stacks(codat.base_url),
        secrets(),
        "test",
        "--preflight",
        "--stripe-api-base",
        stripe_mock,
        "--format",
        "json",
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for check in (
        "codat-api-key",
        "codat-integration-available",
        "stripe-key-type",
        "stripe-key-accepted",
        "stripe-key-mode",
        "stripe-key-permissions",
        "client-id-format",
        "client-id-distinct",
    ):
        assert run.status(check) == "pass", check
    assert run.status("codat-instance") == "not-checkable"
    dashboard = [c for c in run.json()["checks"] if c["name"].startswith("dashboard-step-")]
    assert len(dashboard) == 7
    assert any("https://stripe.codat.io/oauth/callback" in c["detail"] for c in dashboard)
    assert {c["status"] for c in dashboard} == {"pass", "not-checkable"}


def test_preflight_text_report_is_plain_language(codat: EmulatedCodat, stripe_mock: str) -> None:
    run = run_verify(
        two_stacks(codat.base_url),
        secrets(),
        "test",
        "--preflight",
        "--stripe-api-base",
        stripe_mock,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "[PASS] stripe-key-mode: Stripe confirms a test-mode key" in run.stdout
    assert "0 failed" in run.stdout


def test_preflight_wrong_codat_key_fails(codat: EmulatedCodat, stripe_mock: str) -> None:
    run = run_verify(
        two_stacks(codat.base_url),
        secrets(TF_VAR_codat_api_key_test="fake-wrong-codat-key"),
        "test",
        "--preflight",
        "--stripe-api-base",
        stripe_mock,
        "--format",
        "json",
    )
    assert run.returncode == 2
    assert run.status("codat-api-key") == "fail"
    assert "refused the API key" in run.stdout


def test_preflight_missing_secrets_fail_by_name(codat: EmulatedCodat, stripe_mock: str) -> None:
    run = run_verify(
        two_stacks(codat.base_url), {}, "test", "--preflight", "--stripe-api-base", stripe_mock
    )
    assert run.returncode == 2
    assert "TF_VAR_codat_api_key_test is not set" in run.stdout
    assert "TF_VAR_stripe_secret_key_test is not set" in run.stdout


def test_preflight_test_key_in_live_stack_fails(codat: EmulatedCodat, stripe_mock: str) -> None:
    run = run_verify(
        two_stacks(codat.base_url),
        {"TF_VAR_codat_api_key_live": FAKE_CODAT_KEY, "TF_VAR_stripe_secret_key_live": SECRET_TEST},
        "live",
        "--preflight",
        "--stripe-api-base",
        stripe_mock,
        "--format",
        "json",
    )
    assert run.returncode == 2
    assert run.status("stripe-key-type") == "fail"
    # Stripe (here stripe-mock) says livemode=false: the mode check fails on its own too.
    assert run.status("stripe-key-mode") == "fail"


def test_preflight_key_stripe_rejects_fails(codat: EmulatedCodat, stripe_mock: str) -> None:
    # stripe-mock accepts only test-mode keys: a live key is answered 401, as a rolled key is.
    run = run_verify(
        two_stacks(codat.base_url),
        {"TF_VAR_codat_api_key_live": FAKE_CODAT_KEY, "TF_VAR_stripe_secret_key_live": SECRET_LIVE},
        "live",
        "--preflight",
        "--stripe-api-base",
        stripe_mock,
        "--format",
        "json",
    )
    assert run.returncode == 2
    assert run.status("stripe-key-type") == "pass"
    assert run.status("stripe-key-accepted") == "fail"
    assert "rejected the key" in run.stdout


def test_preflight_restricted_key_accepted(codat: EmulatedCodat, stripe_mock: str) -> None:
    run = run_verify(
        two_stacks(codat.base_url),
        secrets(TF_VAR_stripe_secret_key_test=RESTRICTED_TEST),
        "test",
        "--preflight",
        "--stripe-api-base",
        stripe_mock,
        "--format",
        "json",
    )
    assert run.returncode == 0, run.stdout
    assert "restricted key" in run.stdout
    assert run.status("stripe-key-permissions") == "pass"


def test_preflight_same_client_id_in_both_modes_fails(
    codat: EmulatedCodat, stripe_mock: str
) -> None:
    run = run_verify(
        two_stacks(codat.base_url, live=CLIENT_TEST),
        secrets(),
        "test",
        "--preflight",
        "--stripe-api-base",
        stripe_mock,
        "--format",
        "json",
    )
    if run.returncode == 1:  # the constructs themselves refuse it at synth
        assert "client ID" in run.stderr
    else:
        assert run.returncode == 2
        assert run.status("client-id-distinct") == "fail"
        assert run.status("client-id-format") == "pass"


def test_preflight_malformed_client_id_fails(codat: EmulatedCodat, stripe_mock: str) -> None:
    run = run_verify(
        two_stacks(codat.base_url, test="ca_short"),
        secrets(),
        "test",
        "--preflight",
        "--stripe-api-base",
        stripe_mock,
        "--format",
        "json",
    )
    assert run.returncode == 2
    assert run.status("client-id-format") == "fail"
    assert "'ca_short'" in run.stdout


def test_preflight_compares_instances_of_both_keys(codat: EmulatedCodat, stripe_mock: str) -> None:
    both = secrets(TF_VAR_codat_api_key_live=FAKE_CODAT_KEY)
    run = run_verify(
        two_stacks(codat.base_url),
        both,
        "test",
        "--preflight",
        "--stripe-api-base",
        stripe_mock,
        "--format",
        "json",
    )
    # One key, one emulator client: right only while the app puts both on one instance.
    if HAS_INSTANCE:
        assert run.returncode == 2
        assert run.status("codat-instance") == "fail"
        assert "reaches the same Codat client as live" in run.stdout
    else:
        assert run.returncode == 0, run.stdout
        assert run.status("codat-instance") == "pass"


def test_unknown_stack_is_an_error(codat: EmulatedCodat) -> None:
    run = run_verify(two_stacks(codat.base_url), secrets(), "staging", "--preflight")
    assert run.returncode == 1
    assert "unknown stack 'staging'" in run.stderr
    assert "['live', 'test']" in run.stderr


def test_broken_app_is_an_error(codat: EmulatedCodat) -> None:
    run = run_verify("{not json", secrets(), "test")
    assert run.returncode == 1
    assert "failed" in run.stderr


# --- After a deploy ---


def test_deployed_state_matching_the_app_passes(codat: EmulatedCodat) -> None:
    configure(codat.client, STRIPE_TEST_KEY, CLIENT_TEST, SECRET_TEST)
    run = run_verify(two_stacks(codat.base_url), secrets(), "test", "--format", "json")
    assert run.returncode == 0, run.stdout + run.stderr
    for check in (
        "integration-enabled",
        "credentials-client-id",
        "credentials-scope",
        "credentials-secret",
        "data-access",
        "commerce-sync",
    ):
        assert run.status(check) == "pass", check
    assert "last four characters of the stored secret match" in run.stdout


def test_deployed_state_differences_fail(codat: EmulatedCodat) -> None:
    configure(
        codat.client,
        STRIPE_TEST_KEY,
        "ca_SomeoneElsesClient0099",
        "sk_test_fakeotherkey1234",
        read_write=True,
        one_time_sync="true",
        sync_hours=48,
    )
    run = run_verify(two_stacks(codat.base_url), secrets(), "test", "--format", "json")
    assert run.returncode == 2
    for check in (
        "credentials-client-id",
        "credentials-scope",
        "credentials-secret",
        "data-access",
        "commerce-sync",
    ):
        assert run.status(check) == "fail", check
    assert "do not match" in run.stdout
    assert "syncSchedule=48 not 24" in run.stdout


def test_nothing_deployed_fails(codat: EmulatedCodat) -> None:
    run = run_verify(two_stacks(codat.base_url), secrets(), "test", "--format", "json")
    assert run.returncode == 2
    assert run.status("integration-enabled") == "fail"
    assert run.status("credentials-stored") == "fail"


def test_live_stack_sync_settings_are_checked_by_their_owner(codat: EmulatedCodat) -> None:
    configure(codat.client, STRIPE_LIVE_KEY, CLIENT_LIVE, SECRET_LIVE)
    run = run_verify(
        two_stacks(codat.base_url),
        {"TF_VAR_codat_api_key_live": FAKE_CODAT_KEY, "TF_VAR_stripe_secret_key_live": SECRET_LIVE},
        "live",
        "--format",
        "json",
    )
    assert run.status("credentials-client-id") == "pass"
    owner = "pass" if HAS_INSTANCE else "not-checkable"  # separate instances: live owns its own
    assert run.status("commerce-sync") == owner
    assert run.returncode == 0, run.stdout


def test_link_test_checks_the_link_url_and_deletes_the_company(codat: EmulatedCodat) -> None:
    configure(codat.client, STRIPE_TEST_KEY, CLIENT_TEST, SECRET_TEST)
    run = run_verify(
        two_stacks(codat.base_url), secrets(), "test", "--link-test", "--format", "json"
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.status("link-test") == "pass"
    assert codat.client.get(endpoints.COMPANIES).json()["results"] == []


def test_link_test_with_disabled_integration_fails_and_cleans_up(codat: EmulatedCodat) -> None:
    run = run_verify(
        two_stacks(codat.base_url), secrets(), "test", "--link-test", "--format", "json"
    )
    assert run.returncode == 2
    assert run.status("link-test") == "fail"
    assert codat.client.get(endpoints.COMPANIES).json()["results"] == []


def test_codat_429_with_retry_after_is_retried(codat: EmulatedCodat) -> None:
    configure(codat.client, STRIPE_TEST_KEY, CLIENT_TEST, SECRET_TEST)
    codat.client.post(
        "/_emulator/faults",
        json={"status": 429, "count": 2, "method": "GET", "retry_after_seconds": 0},
    ).raise_for_status()
    run = run_verify(two_stacks(codat.base_url), secrets(), "test", "--format", "json")
    assert run.returncode == 0, run.stdout + run.stderr
    assert [r["status"] for r in codat.requests()].count(429) == 2


# --- Assumption probes ---


def test_probe_reads_confirm_the_emulated_assumptions(codat: EmulatedCodat) -> None:
    configure(codat.client, STRIPE_TEST_KEY, CLIENT_TEST, SECRET_TEST)
    before = len(codat.requests())
    run = run_verify(
        two_stacks(codat.base_url), secrets(), "test", "--probe-assumptions", "--format", "json"
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for check in (
        "credentials-endpoint",
        "credential-keys",
        "secret-masking",
        "integration-settings",
    ):
        assert run.status(check) == "pass", check
    assert run.status("writes") == "not-checkable"
    assert {r["method"] for r in codat.requests()[before:]} == {"GET"}


def test_probe_writes_confirm_and_restore(codat: EmulatedCodat) -> None:
    configure(codat.client, STRIPE_TEST_KEY, CLIENT_TEST, SECRET_TEST)
    before = codat.client.get(endpoints.integration_credentials(STRIPE_TEST_KEY)).json()
    run = run_verify(
        two_stacks(codat.base_url),
        secrets(),
        "test",
        "--probe-assumptions",
        "--probe-writes",
        "--format",
        "json",
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for check in (
        "enabled-endpoint",
        "integration-settings-patch",
        "reject-masked-secrets",
        "put-replaces-map",
    ):
        assert run.status(check) == "pass", check
    after = codat.client.get(endpoints.integration_credentials(STRIPE_TEST_KEY)).json()
    assert after == before


def test_probe_writes_refused_on_live(codat: EmulatedCodat) -> None:
    run = run_verify(
        two_stacks(codat.base_url),
        {"TF_VAR_codat_api_key_live": FAKE_CODAT_KEY},
        "live",
        "--probe-assumptions",
        "--probe-writes",
    )
    assert run.returncode == 1
    assert "only on the Stripe Test integration" in run.stderr


@pytest.mark.parametrize(
    "args",
    [["--probe-writes"], ["--preflight", "--link-test"], ["--preflight", "--probe-assumptions"]],
)
def test_contradictory_options_are_errors(codat: EmulatedCodat, args: list[str]) -> None:
    run = run_verify(two_stacks(codat.base_url), secrets(), "test", *args)
    assert run.returncode in (1, 2)  # argparse's own usage errors exit 2
    assert run.stderr
