"""Helpers of the verify tests: stripe-mock on loopback, the test app, running verify."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codat_emulator.process import free_port
from codat_stripe import EnvironmentParameters
from codat_stripe_ops.toolchain import REPO

STRIPE_MOCK_VERSION = "0.203.0"
STRIPE_MOCK = REPO / ".toolchain" / f"stripe-mock-{STRIPE_MOCK_VERSION}" / "stripe-mock"
PARAMS_APP = REPO / "tests" / "apps" / "params_app.py"

# Obviously fake values; stripe-mock accepts any sk_test_/rk_test_ key.
SECRET_TEST = "sk_test_fakeverify7k3q"
SECRET_LIVE = "sk_live_fakeverify9w2z"
RESTRICTED_TEST = "rk_test_fakeverify5m8n"
CLIENT_TEST = "ca_FakeVerifyTestClient01"
CLIENT_LIVE = "ca_FakeVerifyLiveClient02"

HAS_INSTANCE = "codat_instance" in {f.name for f in dataclasses.fields(EnvironmentParameters)}


def build_stripe_mock() -> Path:
    """Build stripe-mock once (cached in .toolchain/), as `make setup-stripe-mock` does."""
    subprocess.run(
        [
            str(REPO / "toolchain" / "build-stripe-mock.sh"),
            STRIPE_MOCK_VERSION,
            str(STRIPE_MOCK.parent),
        ],
        check=True,
        timeout=900,
    )
    return STRIPE_MOCK


@contextmanager
def stripe_mock_server() -> Iterator[str]:
    """Run stripe-mock on a free loopback port; yield its base URL."""
    binary = build_stripe_mock()
    for _ in range(3):
        port = free_port()
        address = f"127.0.0.1:{port}"
        proc = subprocess.Popen(
            # HTTPS too, else stripe-mock also listens on [::]:12112: loopback, any free port.
            [str(binary), "-http-addr", address, "-https-addr", "127.0.0.1:"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://{address}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                request = urllib.request.Request(
                    base + "/v1/balance", headers={"Authorization": "Bearer sk_test_ready"}
                )
                with urllib.request.urlopen(request, timeout=1):
                    break
            except (OSError, urllib.error.URLError):
                time.sleep(0.1)
        if proc.poll() is None:
            try:
                yield base
            finally:
                proc.terminate()
                proc.wait(10)
            return
    raise RuntimeError("stripe-mock did not start")


def environment(
    name: str, mode: str, client_id: str, base_url: str, instance: str
) -> dict[str, Any]:
    """One environment of STACK_PARAMS for tests/apps/params_app.py."""
    env: dict[str, Any] = {
        "name": name,
        "mode": mode,
        "client_id": client_id,
        "codat_base_url": base_url,
    }
    if HAS_INSTANCE:
        env["codat_instance"] = instance
    return env


def two_stacks(base_url: str, shared: dict[str, Any] | None = None, **clients: str) -> str:
    """STACK_PARAMS: test and live on the emulator, each on its own Codat instance."""
    return json.dumps(
        {
            "shared": shared or {},
            "environments": [
                environment(
                    "test", "test", clients.get("test", CLIENT_TEST), base_url, "verify-sandbox"
                ),
                environment(
                    "live", "live", clients.get("live", CLIENT_LIVE), base_url, "verify-production"
                ),
            ],
        }
    )


@dataclass
class VerifyRun:
    """One `python -m codat_stripe_ops.verify` run."""

    returncode: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        """The --format json report."""
        return json.loads(self.stdout)  # type: ignore[no-any-return]

    def status(self, check: str) -> str:
        """The status of one check in the --format json report."""
        return next(c["status"] for c in self.json()["checks"] if c["name"] == check)


OUTPUT: list[str] = []
"""Everything every verify run printed, for the secrets audit."""


def run_verify(stack_params: str, secrets: dict[str, str], *args: str) -> VerifyRun:
    """Run verify as a subprocess on the params app with these TF_VAR_* secrets."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_VAR_", "STACK_PARAMS"))}
    env.update(secrets)
    env["STACK_PARAMS"] = stack_params
    result = subprocess.run(
        [sys.executable, "-m", "codat_stripe_ops.verify", *args, "--app", str(PARAMS_APP)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=REPO,
    )
    OUTPUT.append(result.stdout + result.stderr)
    return VerifyRun(result.returncode, result.stdout, result.stderr)
