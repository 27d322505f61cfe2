"""Emulator holds for the shared-state tests: freeze a deploy at a known request, then let go.

A hold keeps the next matching API request waiting inside the emulator (after auth, before
any state change) until it is released, so a test can observe a deploy that is provably in
the middle of its apply, holding its state lock, for as long as it needs.
"""

from __future__ import annotations

import httpx

HOLDS = "/_emulator/holds"
HOLD_SECONDS = 600
"""Longest a held request waits (the emulator's maximum) before it is served anyway."""


def hold(client: httpx.Client, method: str, path_prefix: str) -> int:
    """Hold the next `method` request under `path_prefix`; return the hold's id."""
    response = client.post(
        HOLDS,
        json={
            "method": method,
            "path_prefix": path_prefix,
            "count": 1,
            "timeout_seconds": HOLD_SECONDS,
        },
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def held(client: httpx.Client) -> int:
    """Requests waiting in a hold right now."""
    response = client.get(HOLDS)
    assert response.status_code == 200, response.text
    return int(response.json()["held"])


def release(client: httpx.Client, hold_id: int) -> None:
    """Release the hold: its waiting request is served normally."""
    response = client.delete(f"{HOLDS}/{hold_id}")
    assert response.status_code in (204, 404), response.text
