"""Helpers of the review tests: fake secrets and running the ops commands as a user would."""

from __future__ import annotations

from e2e_support import assert_no_secret, run_codat_stripe, stack_secrets

SECRET_TEST = "sk_test_fakeRv1a"
# main.py refuses its example client IDs unless Codat is local: synth-only tests point both
# stacks at a loopback address nothing listens on.
SYNTH_ONLY_CODAT = {
    "CODAT_BASE_URL_TEST": "http://127.0.0.1:9",
    "CODAT_BASE_URL_LIVE": "http://127.0.0.1:9",
}
SECRET_LIVE = "sk_live_fakeRv2b"


def secrets(**overrides: str) -> dict[str, str]:
    """TF_VAR_* for both stacks of main.py and params_app, obviously fake."""
    return stack_secrets(SECRET_TEST, SECRET_LIVE, **overrides)


run_cli = run_codat_stripe
"""`codat-stripe COMMAND --project-dir <project> ARGS`, stdin not a terminal, CI unset unless
`env` sets it, the process group killed after 300 s (`e2e_support.run_codat_stripe`)."""


__all__ = [
    "SECRET_LIVE",
    "SECRET_TEST",
    "SYNTH_ONLY_CODAT",
    "assert_no_secret",
    "run_cli",
    "secrets",
]
