"""Shared fixtures: the project toolchain environment and a runner for the real CDK CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
TOOLCHAIN_ENV = REPO / ".toolchain" / "env"


def toolchain_environ() -> dict[str, str]:
    """The environment `make setup` prepared: Node 22 and the venv first on PATH, terraform."""
    if not TOOLCHAIN_ENV.exists():
        pytest.fail(f"{TOOLCHAIN_ENV} is missing: run `make setup` (or `make test`) first")
    env = dict(os.environ)
    for line in TOOLCHAIN_ENV.read_text().splitlines():
        key, _, value = line.partition("=")
        if key and not key.startswith("#"):
            env[key] = value
    path_prefix = [str(REPO / "node_modules" / ".bin"), str(Path(sys.executable).parent)]
    env["PATH"] = os.pathsep.join([*path_prefix, env.get("PATH", "")])
    env.pop("TF_LOG", None)
    return env


@dataclass
class CdkProject:
    """A throw-away CDK project directory whose app is a Python script of this repo."""

    directory: Path
    env: dict[str, str]

    def cli(
        self, *args: str, check: bool = True, extra_env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run the real `cdktn` CLI in the project directory and capture its output."""
        env = {**self.env, **(extra_env or {})}
        result = subprocess.run(
            ["cdktn", *args],
            cwd=self.directory,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"cdktn {' '.join(args)} exited {result.returncode}\n"
                f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
            )
        return result

    def terraform(
        self, stack: str, *args: str, extra_env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run terraform/tofu directly in a synthesized stack's working directory."""
        env = {**self.env, **(extra_env or {})}
        return subprocess.run(
            [env["TERRAFORM_BINARY_NAME"], *args],
            cwd=self.directory / "cdktf.out" / "stacks" / stack,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )


@pytest.fixture
def cdk_project(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Factory: `cdk_project(app_script)` makes a project running that script with this venv."""

    def make(app_script: Path) -> CdkProject:
        directory = tmp_path / "project"
        directory.mkdir()
        (directory / "cdktf.json").write_text(
            json.dumps(
                {
                    "language": "python",
                    "app": f"{sys.executable} {app_script}",
                    "terraformProviders": [],
                    "terraformModules": [],
                    "sendCrashReports": "false",
                }
            )
        )
        return CdkProject(directory=directory, env=toolchain_environ())

    return make


APPS = REPO / "tests" / "apps"
FAKE_CODAT_KEY = "fake-codat-key-e2e"


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


@pytest.fixture
def codat(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A fresh Codat emulator on a free loopback port with its own SQLite file."""
    import httpx
    from codat_emulator.process import EmulatorProcess

    log = tmp_path / "requests.jsonl"
    process = EmulatorProcess(
        tmp_path / "codat.db", [FAKE_CODAT_KEY], request_log=log, enable_admin=True
    )
    with (
        process,
        httpx.Client(
            base_url=process.base_url, headers=process.auth_headers(), timeout=30
        ) as client,
    ):
        yield EmulatedCodat(process=process, client=client, request_log=log)
