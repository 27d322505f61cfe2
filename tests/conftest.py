"""Shared fixtures: CDK projects run by the real CLI, and a fresh Codat emulator."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from codat_stripe_ops.toolchain import REPO, CdkProject, ToolchainMissingError, toolchain_environ

APPS = REPO / "tests" / "apps"
FAKE_CODAT_KEY = "fake-codat-key-e2e"

__all__ = ["APPS", "FAKE_CODAT_KEY", "REPO", "CdkProject", "EmulatedCodat"]


@pytest.fixture
def cdk_project(tmp_path: Path) -> Callable[[Path], CdkProject]:
    """Factory: `cdk_project(app_script)` makes a project dir running that script."""

    def make(app_script: Path) -> CdkProject:
        try:
            env = toolchain_environ()
        except ToolchainMissingError as missing:
            pytest.fail(str(missing))
        project = CdkProject(directory=tmp_path / "project", app_script=app_script, env=env)
        project.write_config()
        return project

    return make


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
def codat(tmp_path: Path) -> Iterator[EmulatedCodat]:
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
