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

__all__ = ["APPS", "FAKE_CODAT_KEY", "REPO", "EmulatedCodat"]


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
