"""Run a CDK app script and count its requests to the jsii runtime (Node), by kind.

``python -m codat_bench.jsii_requests APP OUT`` runs APP as ``__main__`` with the jsii
process provider's `send` wrapped, and writes ``{"total": N, "by_kind": {...}}`` to OUT.
Every request is a round trip over pipes to the Node process, so their number per
environment is what the constructs cost at synth beyond the fixed start-up.
"""

from __future__ import annotations

import atexit
import json
import runpy
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from jsii._kernel.providers import process


def _kind(request: Any) -> str:
    name = type(request).__name__.removesuffix("Request").lstrip("_")
    detail = (
        getattr(request, "fqn", None)
        or getattr(request, "method", None)
        or getattr(request, "property", None)
    )
    return f"{name} {detail}" if detail else name


def main(app: str, out: str) -> None:
    """Run `app` with every jsii request counted; write the counts to `out` at exit."""
    counts: Counter[str] = Counter()
    original = process._NodeProcess.send

    def send(self: Any, request: Any, response_type: Any) -> Any:
        counts[_kind(request)] += 1
        return original(self, request, response_type)

    process._NodeProcess.send = send  # type: ignore[method-assign]

    def write() -> None:
        report = {"total": sum(counts.values()), "by_kind": dict(counts.most_common())}
        Path(out).write_text(json.dumps(report) + "\n")

    atexit.register(write)
    sys.argv = [app]
    runpy.run_path(app, run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
