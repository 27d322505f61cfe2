"""Opt-in request log: one JSON line per API request (method, path, status, duration).

Bodies, query strings and headers are never written, so no secret or API key can leak.
"""

import json
import threading
import time
from pathlib import Path
from typing import TextIO


class RequestLog:
    """Append-only JSON-lines file, flushed after every line."""

    def __init__(self, path: Path) -> None:
        """Open ``path`` for appending (creating its directory)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._file: TextIO = path.open("a", encoding="utf-8")

    def write(self, method: str, path: str, status: int, duration_ms: float) -> None:
        """Record one request."""
        line = json.dumps(
            {
                "ts": round(time.time(), 3),
                "method": method,
                "path": path,
                "status": status,
                "duration_ms": round(duration_ms, 3),
            },
            separators=(",", ":"),
        )
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._file.close()
