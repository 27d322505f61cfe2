"""SQLite persistence: one file of JSON documents for every Codat client, atomic writes.

Every document belongs to a ``client`` (a named Codat client), has a ``kind`` (e.g.
``company``), an ``id`` unique within its client and kind, an optional ``parent`` id and a
JSON body; documents list in creation order. One connection guarded by a lock serializes
access, so concurrent requests are safe; a transaction is committed whole or not at all (WAL
journal, ``synchronous=FULL``), so a killed process never leaves half a write.

A file written before clients existed (table ``docs``) is migrated once into the default
client.
"""

import builtins
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

DEFAULT_CLIENT = "default"
"""Name of the client that owns the ``--api-key`` keys (and any pre-client database)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    client TEXT NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    parent TEXT,
    body TEXT NOT NULL,
    UNIQUE (client, kind, id)
);
CREATE INDEX IF NOT EXISTS documents_parent ON documents (client, kind, parent);
"""

_MIGRATE_LEGACY = """
INSERT OR IGNORE INTO documents (client, kind, id, parent, body)
SELECT ?, kind, id, parent, body FROM docs ORDER BY seq;
"""

Doc = dict[str, Any]
WriteHook = Callable[[], None]
"""Called after every write statement, inside its transaction (crash tests use it)."""


class Store:
    """Thread-safe JSON document store on one SQLite file, partitioned by client."""

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
        self.after_write: WriteHook | None = None
        self._migrate_legacy()

    def _migrate_legacy(self) -> None:
        legacy = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'docs'"
        ).fetchone()
        if legacy:
            with self.transaction():
                self._db.execute(_MIGRATE_LEGACY, (DEFAULT_CLIENT,))
                self._db.execute("DROP TABLE docs")

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def scope(self, client: str) -> "ClientStore":
        """Return the view of this store holding only ``client``'s documents."""
        return ClientStore(self, client)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the enclosed reads and writes as one atomic, isolated transaction.

        Nested uses join the outer transaction.
        """
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    def _write(self, sql: str, params: tuple[Any, ...]) -> int:
        with self.transaction():
            rowcount = self._db.execute(sql, params).rowcount
            if self.after_write is not None:
                self.after_write()
        return int(rowcount)

    def get(self, client: str, kind: str, doc_id: str) -> Doc | None:
        """Return the body of one document, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM documents WHERE client = ? AND kind = ? AND id = ?",
                (client, kind, doc_id),
            ).fetchone()
        return None if row is None else _load(row[0])

    def list(self, client: str, kind: str, parent: str | None = None) -> builtins.list[Doc]:
        """Return the bodies of every document of ``kind`` (under ``parent`` if given)."""
        sql = "SELECT body FROM documents WHERE client = ? AND kind = ?"
        params: tuple[str, ...] = (client, kind)
        if parent is not None:
            sql += " AND parent = ?"
            params += (parent,)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY seq", params).fetchall()
        return [_load(row[0]) for row in rows]

    def list_all_clients(self, kind: str) -> builtins.list[tuple[str, Doc]]:
        """Return ``(client, body)`` of every document of ``kind``, whatever its client."""
        with self._lock:
            rows = self._db.execute(
                "SELECT client, body FROM documents WHERE kind = ? ORDER BY seq", (kind,)
            ).fetchall()
        return [(str(row[0]), _load(row[1])) for row in rows]

    def count(self, client: str, kind: str) -> int:
        """Return how many documents of ``kind`` the client has."""
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*) FROM documents WHERE client = ? AND kind = ?", (client, kind)
            ).fetchone()
        return int(row[0])

    def put(
        self, client: str, kind: str, doc_id: str, body: Doc, parent: str | None = None
    ) -> None:
        """Insert or replace one document (keeping its creation order)."""
        self._write(
            "INSERT INTO documents (client, kind, id, parent, body) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (client, kind, id) DO UPDATE "
            "SET body = excluded.body, parent = excluded.parent",
            (client, kind, doc_id, parent, _dump(body)),
        )

    def put_if_absent(
        self, client: str, kind: str, doc_id: str, body: Doc, parent: str | None = None
    ) -> None:
        """Insert a document unless one with the same client, kind and id exists."""
        self._write(
            "INSERT OR IGNORE INTO documents (client, kind, id, parent, body) "
            "VALUES (?, ?, ?, ?, ?)",
            (client, kind, doc_id, parent, _dump(body)),
        )

    def delete(self, client: str, kind: str, doc_id: str) -> bool:
        """Delete one document; return whether it existed."""
        return (
            self._write(
                "DELETE FROM documents WHERE client = ? AND kind = ? AND id = ?",
                (client, kind, doc_id),
            )
            > 0
        )

    def delete_children(self, client: str, kind: str, parent: str) -> None:
        """Delete every document of ``kind`` under ``parent``."""
        self._write(
            "DELETE FROM documents WHERE client = ? AND kind = ? AND parent = ?",
            (client, kind, parent),
        )


class ClientStore:
    """The documents of one client: the ``Store`` methods without the client argument."""

    def __init__(self, store: Store, client: str) -> None:
        """Bind ``store`` to ``client``."""
        self.store = store
        self.client = client

    def transaction(self) -> AbstractContextManager[None]:
        """Return the store's transaction context manager (see ``Store.transaction``)."""
        return self.store.transaction()

    def get(self, kind: str, doc_id: str) -> Doc | None:
        """Return the body of one document, or None."""
        return self.store.get(self.client, kind, doc_id)

    def list(self, kind: str, parent: str | None = None) -> list[Doc]:
        """Return every document of ``kind`` (under ``parent`` if given), oldest first."""
        return self.store.list(self.client, kind, parent)

    def count(self, kind: str) -> int:
        """Return how many documents of ``kind`` exist."""
        return self.store.count(self.client, kind)

    def put(self, kind: str, doc_id: str, body: Doc, parent: str | None = None) -> None:
        """Insert or replace one document."""
        self.store.put(self.client, kind, doc_id, body, parent)

    def put_if_absent(self, kind: str, doc_id: str, body: Doc, parent: str | None = None) -> None:
        """Insert a document unless it exists."""
        self.store.put_if_absent(self.client, kind, doc_id, body, parent)

    def delete(self, kind: str, doc_id: str) -> bool:
        """Delete one document; return whether it existed."""
        return self.store.delete(self.client, kind, doc_id)

    def delete_children(self, kind: str, parent: str) -> None:
        """Delete every document of ``kind`` under ``parent``."""
        self.store.delete_children(self.client, kind, parent)


def _dump(body: Doc) -> str:
    return json.dumps(body, separators=(",", ":"), sort_keys=True)


def _load(text: str) -> Doc:
    value = json.loads(text)
    assert isinstance(value, dict)
    return value
