"""Shared by the test packages: paths, the fake Codat key, and the emulator handle.

(Test modules import from here, never `from e2e_support import`: with several conftest.py
files in one session, the name `conftest` is ambiguous.)
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codat_stripe_ops.toolchain import REPO

APPS = REPO / "tests" / "apps"
FAKE_CODAT_KEY = "fake-codat-key-e2e"

__all__ = [
    "APPS",
    "FAKE_CODAT_KEY",
    "REPO",
    "EmulatedCodat",
    "assert_no_secret",
    "plan_exit_code",
    "run_codat_stripe",
    "stack_secrets",
]


def stack_secrets(
    secret_test: str, secret_live: str, codat_key: str = FAKE_CODAT_KEY, **overrides: str
) -> dict[str, str]:
    """The TF_VAR_* secrets of the `test` and `live` stacks (fake values), plus overrides."""
    return {
        "TF_VAR_codat_api_key_test": codat_key,
        "TF_VAR_codat_api_key_live": codat_key,
        "TF_VAR_stripe_secret_key_test": secret_test,
        "TF_VAR_stripe_secret_key_live": secret_live,
        **overrides,
    }


@dataclass
class EmulatedCodat:
    """A running emulator plus a client authenticated with the fake API key."""

    process: Any
    client: Any
    request_log: Path

    @property
    def base_url(self) -> str:
        """Base URL of the emulator."""
        return str(self.process.base_url)

    def requests(self) -> list[dict[str, Any]]:
        """The request log so far: method, path, status and duration of each call."""
        if not self.request_log.exists():
            return []
        return [json.loads(line) for line in self.request_log.read_text().splitlines() if line]


def assert_no_secret(text: str, *values: str) -> None:
    """Neither a secret nor a recognisable tail of it is in `text`."""
    for value in values:
        assert value not in text
        assert value[-8:] not in text


def plan_exit_code(project: Any, stack: str, env: Mapping[str, str]) -> int:
    """`terraform plan -detailed-exitcode` of one stack: 0 no changes, 2 changes (else fail)."""
    result = project.terraform(
        stack, "plan", "-detailed-exitcode", "-input=false", "-no-color", extra_env=env
    )
    assert result.returncode in (0, 2), result.stdout + result.stderr
    return int(result.returncode)


def run_codat_stripe(
    project: Any,
    command: str,
    *args: str,
    env: Mapping[str, str] | None = None,
    stdin: int = subprocess.DEVNULL,
) -> subprocess.CompletedProcess[str]:
    """Run `codat-stripe COMMAND --project-dir <project> ARGS` as a user would.

    CI is unset unless `env` sets it (these projects keep local state on purpose); stdin is
    /dev/null, never a terminal, as in CI, unless `stdin` is given (e.g. a pseudo-terminal).
    Bounded: after 300 s the whole process group (the CLI, terraform and the provider) is
    killed and the test fails.
    """
    argv = [
        sys.executable,
        "-m",
        "codat_stripe_ops.cli",
        command,
        "--project-dir",
        str(project.directory),
        *args,
    ]
    with subprocess.Popen(
        argv,
        env={**project.env, "CI": "", **(env or {})},
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
    return subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)


def deploy_stack(runner: Any, stack: str) -> dict[str, Any]:
    """Deploy one stack as `codat-stripe deploy` does, without the summary: plan, then apply
    exactly that saved plan. Returns the applied plan's JSON."""
    shown: dict[str, Any] = runner.plan_for_deploy(stack)
    runner.apply_saved_plan(stack, "deploy.tfplan")
    return shown
