"""Fixtures for the operations tests: a restartable emulator, CDK projects, PostgreSQL."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from operate_support import OPERATE_APP, OpsEmulator, ProcessGroups, new_emulator_process
from postgres_support import PostgresServer, postgres_bindir, server_user

from codat_emulator.process import free_port
from codat_stripe_ops.toolchain import CdkProject, ToolchainMissingError, toolchain_environ


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[OpsEmulator]:
    """A fresh emulator (admin routes, request log, info logging) that tests may restart."""
    directory = tmp_path / "emulator"
    directory.mkdir()
    process = new_emulator_process(directory).start()
    with httpx.Client(
        base_url=process.base_url, headers=process.auth_headers(), timeout=30
    ) as client:
        ops = OpsEmulator(directory=directory, process=process, client=client)
        try:
            yield ops
        finally:
            ops.stop()


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., CdkProject]:
    """Factory: `make_project(name="project", app=OPERATE_APP)`, a CDK project directory.

    Several projects of one app stand for several checkouts (e.g. two CI runners).
    """

    def make(name: str = "project", app: Path = OPERATE_APP) -> CdkProject:
        try:
            env = toolchain_environ()
        except ToolchainMissingError as missing:
            pytest.fail(str(missing))
        project = CdkProject(directory=tmp_path / name, app_script=app, env=env)
        project.write_config()
        return project

    return make


@pytest.fixture
def postgres() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server on a free 127.0.0.1 port, stopped and removed afterwards.

    PostgreSQL refuses to run as root, so as root the cluster belongs to (and the server runs
    as) the `postgres` user, or `nobody`, in a temp dir that user owns.
    """
    bindir = postgres_bindir()
    if bindir is None:
        pytest.fail("PostgreSQL server binaries not found: run `make setup-postgres`")
    run_as = server_user()
    # Not under pytest's tmp_path: the server user must be able to reach the directory.
    base = Path(tempfile.mkdtemp(prefix="codat-ops-pg-"))
    server = PostgresServer(bindir=bindir, base=base, port=free_port(), run_as=run_as)
    server._chown(base)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def process_groups() -> Iterator[ProcessGroups]:
    """Start processes in their own groups; every group is killed when the test ends."""
    groups = ProcessGroups()
    try:
        yield groups
    finally:
        groups.kill_all()
