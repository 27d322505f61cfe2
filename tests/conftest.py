"""Shared fixtures: CDK projects run by the real CLI, and a fresh Codat emulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from codat_stripe_ops.toolchain import CdkProject, ToolchainMissingError, toolchain_environ
from e2e_support import FAKE_CODAT_KEY, EmulatedCodat


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


@pytest.fixture
def codat(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EmulatedCodat]:
    """A fresh Codat emulator on a free loopback port with its own SQLite file.

    Parametrize it indirectly with "body" or "empty" to choose what the credentials PUT
    answers (the masked map, or 204 with no body).
    """
    import httpx

    from codat_emulator.process import EmulatorProcess

    log = tmp_path / "requests.jsonl"
    process = EmulatorProcess(
        tmp_path / "codat.db",
        [FAKE_CODAT_KEY],
        request_log=log,
        enable_admin=True,
        credentials_put_response=getattr(request, "param", "body"),
    )
    with (
        process,
        httpx.Client(
            base_url=process.base_url, headers=process.auth_headers(), timeout=30
        ) as client,
    ):
        yield EmulatedCodat(process=process, client=client, request_log=log)
