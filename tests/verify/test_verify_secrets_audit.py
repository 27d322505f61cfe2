"""Secrets audit of verify: no secret nor its tail in anything verify prints, pass or fail."""

from __future__ import annotations

import base64

from codat_state import configure
from verify_support import CLIENT_TEST, SECRET_LIVE, SECRET_TEST, run_verify, two_stacks

from codat_api.platforms import STRIPE_TEST_KEY
from e2e_support import FAKE_CODAT_KEY, EmulatedCodat, assert_no_secret

WRONG_CODAT_KEY = "fake-codat-key-wrong-audit"
OTHER_SECRET = "sk_test_fakeauditother77"


def test_verify_never_prints_a_secret(codat: EmulatedCodat, stripe_mock: str) -> None:
    configure(codat.client, STRIPE_TEST_KEY, CLIENT_TEST, OTHER_SECRET)
    params = two_stacks(codat.base_url)
    stripe = ("--stripe-api-base", stripe_mock)
    good = {
        "TF_VAR_codat_api_key_test": FAKE_CODAT_KEY,
        "TF_VAR_stripe_secret_key_test": SECRET_TEST,
    }
    live = {
        "TF_VAR_codat_api_key_live": FAKE_CODAT_KEY,
        "TF_VAR_stripe_secret_key_live": SECRET_LIVE,
    }
    runs = [
        run_verify(params, good, "test", "--preflight", *stripe),
        run_verify(params, good, "test", "--preflight", *stripe, "--format", "json"),
        # stripe-mock echoes the Authorization header (the live key, base64) in its 401 body.
        run_verify(params, live, "live", "--preflight", *stripe, "--format", "json"),
        run_verify(params, {**good, "TF_VAR_codat_api_key_test": WRONG_CODAT_KEY}, "test"),
        run_verify(params, good, "test", "--format", "json"),  # secret tails differ: a failure
        run_verify(params, good, "test", "--link-test"),
        run_verify(params, good, "test", "--probe-assumptions", "--format", "json"),
    ]
    assert [r.returncode for r in runs] == [0, 0, 2, 2, 2, 2, 0], [r.stdout for r in runs]
    output = "\n".join(r.stdout + r.stderr for r in runs)
    assert "do not match" in output  # the tail comparison ran, and said so in words only
    assert_no_secret(
        output, SECRET_TEST, SECRET_LIVE, OTHER_SECRET, FAKE_CODAT_KEY, WRONG_CODAT_KEY
    )
    for secret in (SECRET_TEST, SECRET_LIVE, OTHER_SECRET):
        assert secret[-4:] not in output
        for encoded in (secret, f"{secret}:"):  # as Basic/Bearer headers carry them
            assert base64.b64encode(encoded.encode()).decode()[:12] not in output
    request_log = codat.request_log.read_text()
    assert_no_secret(request_log, SECRET_TEST, SECRET_LIVE, FAKE_CODAT_KEY, WRONG_CODAT_KEY)
