"""Fixtures of the workflow test: PostgreSQL for the shared state, the emulator, a checkout."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from codat_emulator.process import free_port
from operate.postgres_support import PostgresServer, postgres_bindir, server_user


@pytest.fixture
def shared_postgres() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server on a free 127.0.0.1 port: the workflow's shared backend."""
    bindir = postgres_bindir()
    if bindir is None:
        pytest.fail("PostgreSQL server binaries not found: run `make setup-postgres`")
    base = Path(tempfile.mkdtemp(prefix="codat-workflow-pg-"))
    server = PostgresServer(bindir=bindir, base=base, port=free_port(), run_as=server_user())
    server._chown(base)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
