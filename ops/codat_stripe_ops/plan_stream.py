"""Read the machine-readable output of `terraform plan -json` (and OpenTofu's, the same format).

The runner plans with `-json` so that it can tell, without a second terraform process,
whether a plan reports anything: a change, drift, an output change or a diagnostic (a failed
check block is a warning). The exit code cannot tell: a refresh-only plan of a stack with data
sources exits 2 under `-detailed-exitcode` even when it finds nothing. The message types are
Terraform's documented machine-readable UI: `change_summary`, `outputs`, `planned_change`,
`resource_drift` and `diagnostic`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

REPORTING_TYPES = frozenset({"planned_change", "resource_drift", "diagnostic"})
"""Messages that always mean the plan has something to say."""


def messages(output: str) -> Iterator[Mapping[str, Any]]:
    """Each JSON message of the output; lines that are not JSON objects are skipped."""
    for line in output.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if isinstance(message, Mapping):
            yield message


def reports_anything(output: str) -> bool:
    """Whether the plan changes, drifts, changes an output or diagnosed anything.

    Conservative: an output without a change summary (an unexpected format) counts as
    reporting something, so the caller renders the saved plan.
    """
    summarized = False
    for message in messages(output):
        kind = message.get("type")
        if kind in REPORTING_TYPES:
            return True
        if kind == "change_summary":
            summarized = True
            counts = message.get("changes") or {}
            if any(v for k, v in counts.items() if k != "operation"):
                return True
        if kind == "outputs":
            outputs = message.get("outputs") or {}
            if any(o.get("action", "noop") != "noop" for o in outputs.values()):
                return True
    return not summarized


def error_text(output: str, stderr: str = "") -> str:
    """The errors of a failed run for people: each diagnostic's summary, place and detail.

    Text that is not a JSON message (terraform's own usage errors) is kept as it is.
    """
    lines: list[str] = [line for line in stderr.splitlines() if line.strip()]
    lines += _plain_lines(output)
    for message in messages(output):
        diagnostic = message.get("diagnostic")
        if message.get("type") != "diagnostic" or not isinstance(diagnostic, Mapping):
            continue
        severity = str(diagnostic.get("severity", "error")).capitalize()
        lines.append(f"{severity}: {diagnostic.get('summary', '')}")
        where = _where(diagnostic)
        if where:
            lines.append(f"  {where}")
        if diagnostic.get("detail"):
            lines.append(str(diagnostic["detail"]))
    return "\n".join(lines)


def _where(diagnostic: Mapping[str, Any]) -> str:
    """Where terraform places a diagnostic: the resource and the configuration line."""
    parts = []
    if diagnostic.get("address"):
        parts.append(f"with {diagnostic['address']}")
    found = diagnostic.get("range")
    if isinstance(found, Mapping) and found.get("filename"):
        line = (found.get("start") or {}).get("line")
        parts.append(f"on {found['filename']}" + (f" line {line}" if line else ""))
    return ", ".join(parts)


def _plain_lines(output: str) -> Iterable[str]:
    for line in output.splitlines():
        try:
            json.loads(line)
        except ValueError:
            if line.strip():
                yield line
