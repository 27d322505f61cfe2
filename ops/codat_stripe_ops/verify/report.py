"""Print check results as plain text or JSON (never a secret: results carry none)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from codat_stripe_ops.verify.results import CheckResult, Status

MARKS = {Status.PASS: "PASS", Status.FAIL: "FAIL", Status.NOT_CHECKABLE: "----"}


def summary(results: Sequence[CheckResult]) -> dict[str, int]:
    """How many checks passed, failed and could not be checked."""
    return {status.value: sum(r.status is status for r in results) for status in Status}


def render_text(title: str, results: Sequence[CheckResult]) -> str:
    """One line per check (and a `to do:` line when it did not pass), then a summary."""
    lines = [title]
    for result in results:
        lines.append(f"  [{MARKS[result.status]}] {result.name}: {result.detail}")
        if result.action and result.status is not Status.PASS:
            lines.append(f"         to do: {result.action}")
    counts = summary(results)
    lines.append(
        f"{counts['pass']} passed, {counts['fail']} failed, "
        f"{counts['not-checkable']} not checkable."
    )
    return "\n".join(lines) + "\n"


def render_json(stack: str, phase: str, results: Sequence[CheckResult]) -> str:
    """The results as one JSON document: stack, phase, checks and summary."""
    document = {
        "stack": stack,
        "phase": phase,
        "checks": [
            {"name": r.name, "status": r.status.value, "detail": r.detail, "action": r.action}
            for r in results
        ],
        "summary": summary(results),
        "ok": not any(r.status is Status.FAIL for r in results),
    }
    return json.dumps(document, indent=2) + "\n"
