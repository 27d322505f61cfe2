"""Opt-in request log: one JSON line per API request.

Fields: ``ts``, ``method``, ``path``, ``status``, ``duration_ms``, ``client`` (the NAME of the
client whose key authenticated the request, ``null`` when none did), ``query`` (the query
parameters, when any) and, for writes carrying a JSON body, ``body``: that body with every
value under a secret key (``codat_api.assumptions.SECRET_CREDENTIAL_KEYS``, plus the
deprecated profile ``apiKey``) replaced by ``assumptions.mask_secret`` of it. Headers and API
keys are never written; a body that is not JSON, or larger than ``MAX_LOGGED_BODY_BYTES``, is
left out.
"""

import json
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from codat_api.assumptions import SECRET_CREDENTIAL_KEYS, mask_secret

MASKED_KEYS: frozenset[str] = SECRET_CREDENTIAL_KEYS | {"apiKey"}
"""Keys whose values the log masks, at any depth of a body."""

MAX_LOGGED_BODY_BYTES = 256 * 1024
"""Largest request body the log records."""

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
"""Methods whose JSON body the log records."""


def mask_secrets(value: Any) -> Any:
    """Return ``value`` with every value under a key in ``MASKED_KEYS`` masked, recursively."""
    if isinstance(value, dict):
        return {
            key: mask_secret(str(item)) if key in MASKED_KEYS else mask_secrets(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [mask_secrets(item) for item in value]
    return value


def loggable_body(raw: bytes | None) -> tuple[bool, Any]:
    """Return ``(True, masked JSON body)``, or ``(False, None)`` when nothing may be logged."""
    if not raw or not raw.strip() or len(raw) > MAX_LOGGED_BODY_BYTES:
        return False, None
    try:
        parsed = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False, None
    return True, mask_secrets(parsed)


class RequestLog:
    """Append-only JSON-lines file, flushed after every line."""

    def __init__(self, path: Path) -> None:
        """Open ``path`` for appending (creating its directory)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._file: TextIO = path.open("a", encoding="utf-8")

    def write(
        self,
        method: str,
        path: str,
        status: int,
        duration_ms: float,
        *,
        client: str | None = None,
        query: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> None:
        """Record one request (``body``: the raw request body of a write, or None)."""
        entry: dict[str, Any] = {
            "ts": round(time.time(), 3),
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round(duration_ms, 3),
            "client": client,
        }
        if query:
            entry["query"] = dict(query)
        if method in WRITE_METHODS:
            has_body, masked = loggable_body(body)
            if has_body:
                entry["body"] = masked
        line = json.dumps(entry, separators=(",", ":"), sort_keys=True)
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._file.close()
