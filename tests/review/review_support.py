"""Helpers of the review tests: fake secrets and running the ops commands as a user would."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from typing import Any

from e2e_support import assert_no_secret, stack_secrets

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


def run_cli(
    project: Any, command: str, *args: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `codat-stripe <command> --project-dir <project> ...` with the toolchain.

    CI is unset unless `env` sets it: these projects keep local state on purpose. stdin is
    /dev/null (never a terminal), as in CI.
    """
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
        env={**project.env, "CI": "", **(env or {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


__all__ = [
    "SECRET_LIVE",
    "SECRET_TEST",
    "SYNTH_ONLY_CODAT",
    "assert_no_secret",
    "run_cli",
    "secrets",
]
