"""`make demo`'s main job, end to end: embedded emulator, and the --codat-base-url path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codat_stripe_ops.toolchain import toolchain_environ
from e2e_support import stack_secrets

pytestmark = pytest.mark.e2e


def _demo(work_dir: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "codat_stripe_ops.demo", "--work-dir", str(work_dir), *args],
        env={**toolchain_environ(), **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _assert_complete(output: str) -> None:
    # Test and live are separate Codat clients: each stack manages its own sync settings.
    assert "test: deployed, 5 resources in state" in output
    assert "live: deployed, 5 resources in state" in output
    assert "for the test stack's client" in output and "for the live stack's client" in output
    assert "Stripe Test (yzth): enabled; sync continuous" in output
    assert "Stripe (exgd): enabled; sync continuous" in output
    assert "Commerce sync settings: 11/11 data types enabled" in output
    assert "test: no changes" in output and "live: no changes" in output
    assert "client_id=ca_ExampleTestClientId&scope=read_only" in output
    assert "Demo complete." in output


def test_demo_runs_the_main_job_on_the_embedded_emulator(tmp_path: Path) -> None:
    output = _demo(tmp_path / "demo")
    assert "Starting the embedded Codat emulator" in output
    assert "Stopped the Codat emulator" in output
    _assert_complete(output)
    assert (tmp_path / "demo" / "project" / "terraform.test.tfstate").exists()


def test_demo_points_at_another_codat_with_the_secrets_from_the_environment(
    tmp_path: Path, codat: Any
) -> None:
    secrets = stack_secrets("sk_test_fakeDem1", "sk_live_fakeDem2")
    output = _demo(tmp_path / "demo", "--codat-base-url", codat.base_url, env=secrets)
    assert "embedded Codat emulator" not in output
    assert f"to {codat.base_url}" in output
    _assert_complete(output)
    assert "secretKey = ********Dem1" in output and "fakeDem1" not in output
    # The deploy really went to that instance.
    assert codat.client.get("/integrations/exgd").json()["enabled"] is True
