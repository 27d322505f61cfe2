"""Fixtures for the emulator tests: a shared running emulator and spec-validating clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from emulator_support import API_KEY, METRICS, OTHER_API_KEY, ApiClient, raw_spec

from codat_emulator.process import EmulatorProcess


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    return raw_spec()


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """One shared emulator (admin on) for the functional tests."""
    raw_spec()  # fail early, before starting anything, if the spec is missing
    directory = tmp_path_factory.mktemp("shared-emulator")
    process = EmulatorProcess(
        directory / "codat.db",
        [API_KEY, OTHER_API_KEY],
        request_log=directory / "requests.jsonl",
        enable_admin=True,
    )
    with process:
        yield process


@pytest.fixture
def api(emulator: EmulatorProcess) -> Iterator[ApiClient]:
    with ApiClient(emulator) as client:
        yield client


@pytest.fixture
def anon(emulator: EmulatorProcess) -> Iterator[ApiClient]:
    with ApiClient(emulator, api_key=None) as client:
        yield client


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if METRICS:
        terminalreporter.section("codat emulator metrics")
        for name, value in METRICS.items():
            terminalreporter.write_line(f"{name}: {value}")
