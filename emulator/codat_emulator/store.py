"""SQLite persistence: one file of JSON documents, each write one atomic transaction.

Every document has a ``kind`` (e.g. ``company``), an ``id`` unique within its kind, an optional
``parent`` id and a JSON body; documents list in creation order. One connection guarded by a
lock serializes access, so concurrent requests are safe; a write is committed whole or not at
all (WAL journal, ``synchronous=FULL``), so a killed process never leaves half a write.
"""

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    parent TEXT,
    body TEXT NOT NULL,
    UNIQUE (kind, id)
);
CREATE INDEX IF NOT EXISTS docs_parent ON docs (kind, parent);
"""

Doc = dict[str, Any]


class Store:
    """Thread-safe JSON document store on one SQLite file."""

    def __init__(self, path: Path) -> None:
        """Open (creating if needed) the database at ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)
        self._depth = 0

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator["Store"]:
        """Run the enclosed reads and writes as one atomic, isolated transaction.

        Nested uses join the outer transaction.
        """
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    def get(self, kind: str, doc_id: str) -> Doc | None:
        """Return the body of one document, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM docs WHERE kind = ? AND id = ?", (kind, doc_id)
            ).fetchone()
        return None if row is None else _load(row[0])

    def list(self, kind: str, parent: str | None = None) -> list[Doc]:
        """Return the bodies of every document of ``kind`` (under ``parent`` if given)."""
        with self._lock:
            if parent is None:
                rows = self._db.execute(
                    "SELECT body FROM docs WHERE kind = ? ORDER BY seq", (kind,)
                ).fetchall()
            else:
                rows = self._db.execute(
                    "SELECT body FROM docs WHERE kind = ? AND parent = ? ORDER BY seq",
                    (kind, parent),
                ).fetchall()
        return [_load(row[0]) for row in rows]

    def count(self, kind: str) -> int:
        """Return how many documents of ``kind`` exist."""
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM docs WHERE kind = ?", (kind,)).fetchone()
        return int(row[0])

    def put(self, kind: str, doc_id: str, body: Doc, parent: str | None = None) -> None:
        """Insert or replace one document (keeping its creation order)."""
        text = json.dumps(body, separators=(",", ":"), sort_keys=True)
        with self.transaction():
            self._db.execute(
                "INSERT INTO docs (kind, id, parent, body) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (kind, id) DO UPDATE "
                "SET body = excluded.body, parent = excluded.parent",
                (kind, doc_id, parent, text),
            )

    def put_if_absent(self, kind: str, doc_id: str, body: Doc, parent: str | None = None) -> None:
        """Insert a document unless one with the same kind and id exists."""
        text = json.dumps(body, separators=(",", ":"), sort_keys=True)
        with self.transaction():
            self._db.execute(
                "INSERT OR IGNORE INTO docs (kind, id, parent, body) VALUES (?, ?, ?, ?)",
                (kind, doc_id, parent, text),
            )

    def delete(self, kind: str, doc_id: str) -> bool:
        """Delete one document; return whether it existed."""
        with self.transaction():
            cursor = self._db.execute("DELETE FROM docs WHERE kind = ? AND id = ?", (kind, doc_id))
        return cursor.rowcount > 0

    def delete_children(self, kind: str, parent: str) -> None:
        """Delete every document of ``kind`` under ``parent``."""
        with self.transaction():
            self._db.execute("DELETE FROM docs WHERE kind = ? AND parent = ?", (kind, parent))


def _load(text: str) -> Doc:
    value = json.loads(text)
    assert isinstance(value, dict)
    return value
