"""Shared by the test packages: paths, the fake Codat key, and the emulator handle.

(Test modules import from here, never `from e2e_support import`: with several conftest.py
files in one session, the name `conftest` is ambiguous.)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codat_stripe_ops.toolchain import REPO

APPS = REPO / "tests" / "apps"
FAKE_CODAT_KEY = "fake-codat-key-e2e"

__all__ = ["APPS", "FAKE_CODAT_KEY", "REPO", "EmulatedCodat", "assert_no_secret", "stack_secrets"]


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
