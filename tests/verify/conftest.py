"""Fixtures of the verify tests: one stripe-mock per session, on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from verify_support import stripe_mock_server


@pytest.fixture(scope="session")
def stripe_mock() -> Iterator[str]:
    """Base URL of a running stripe-mock (built once into .toolchain/)."""
    with stripe_mock_server() as base_url:
        yield base_url
