"""Retries: the statuses and count the docs state are the provider's, and `Retry-After` is waited.

`RETRY_STATUS_CODES` and `DEFAULT_RETRY_COUNT` (constructs/codat_stripe/connection.py) are
what the restful provider is configured with; docs/behaviour.md and the README must state
the same list. Whether magodo/restful 0.25.2 (resty underneath) waits for `Retry-After` is
measured: a 429 with `Retry-After: N` is injected, and the request log shows the retry no
sooner than N seconds after the 429 was answered (the log records a request before the
last byte of its answer, so the gap between the two log times is a lower bound of the
client's wait: a consequence, not a timing threshold).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from operate_support import (
    DEPLOY_FLAGS,
    OpsEmulator,
    assert_converged,
    secrets_env,
    stack_params,
)

from codat_stripe.connection import DEFAULT_RETRY_COUNT, RETRY_STATUS_CODES
from codat_stripe_ops.toolchain import REPO, CdkProject

CREDENTIALS_PATH = "/integrations/credentials/yzth"
RETRY_AFTER_SECONDS = 10
"""Far above resty's first backoff without the header (1 to 2 s): a build that ignored the
header would need an 8 s stall of the machine to pass."""

LOG_RESOLUTION = 0.002
"""The request log's times are rounded to the millisecond."""


def _stated_statuses(text: str, where: str) -> tuple[int, ...]:
    """The statuses named in the one line of `text` that says which statuses are retried."""
    lines = [line for line in text.splitlines() if re.search(r"\bretr(y|ies)\b.*\b408\b", line)]
    assert len(lines) == 1, f"{where}: expected one line naming the retried statuses: {lines}"
    assert not re.search(r"\b5xx\b", lines[0]), f"{where}: '5xx' is not the list: {lines[0]}"
    return tuple(int(status) for status in re.findall(r"\b([45]\d\d)\b", lines[0]))


@pytest.mark.parametrize(
    "doc",
    [
        "docs/behaviour.md",
        "README.md",
    ],
)
def test_the_docs_state_the_retried_statuses_of_the_provider(doc: str) -> None:
    assert _stated_statuses((REPO / doc).read_text(), doc) == RETRY_STATUS_CODES


def test_the_docs_state_the_default_retry_count() -> None:
    text = " ".join((REPO / "docs" / "behaviour.md").read_text().split())
    assert f"up to {DEFAULT_RETRY_COUNT} times" in text


@pytest.mark.e2e
def test_a_429_retry_waits_for_retry_after(
    make_project: Callable[..., CdkProject], emulator: OpsEmulator, tmp_path: Path
) -> None:
    project = make_project()
    env = {**secrets_env(), **stack_params(emulator.base_url, ("test",))}
    emulator.add_fault(
        429, 1, method="PUT", path_prefix=CREDENTIALS_PATH, retry_after_seconds=RETRY_AFTER_SECONDS
    )

    project.cli("deploy", "test", *DEPLOY_FLAGS, extra_env=env)

    assert emulator.active_faults() == []
    attempts = [
        r for r in emulator.requests() if (r["method"], r["path"]) == ("PUT", CREDENTIALS_PATH)
    ]
    assert [r["status"] for r in attempts] == [429, 200], attempts
    waited = attempts[1]["ts"] - attempts[0]["ts"]
    print(f"retry {waited:.3f}s after a 429 with Retry-After: {RETRY_AFTER_SECONDS}")
    assert waited >= RETRY_AFTER_SECONDS - LOG_RESOLUTION, (
        f"the retry came {waited:.3f}s after a 429 with Retry-After: {RETRY_AFTER_SECONDS}"
    )
    assert_converged(project, "test", env)
