"""A private PostgreSQL server for the shared-state tests: initdb in a temp dir, loopback only."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

_GRANTED_ADVISORY = "locktype = 'advisory' AND granted"


def postgres_bindir() -> Path | None:
    """Directory of initdb/pg_ctl/postgres: Debian's newest /usr/lib/postgresql/N/bin, or PATH."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    for candidate in candidates:
        if all((candidate / tool).exists() for tool in ("initdb", "pg_ctl", "postgres", "psql")):
            return candidate
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


@dataclass
class PostgresServer:
    """A private PostgreSQL server on 127.0.0.1, password authentication, in a temp dir."""

    bindir: Path
    base: Path
    port: int
    run_as: str | None
    user: str = "codat_ops"
    password: str = "fake-pg-pass-ops"
    database: str = "codat_state"

    @property
    def datadir(self) -> Path:
        """The cluster's data directory."""
        return self.base / "data"

    def conn_str(self) -> str:
        """Connection string for terraform's `pg` backend (PG_CONN_STR)."""
        return (
            f"postgres://{self.user}:{self.password}@127.0.0.1:{self.port}/"
            f"{self.database}?sslmode=disable"
        )

    def as_server_user(self, *command: str) -> subprocess.CompletedProcess[str]:
        """Run a server tool as the unprivileged user that owns the cluster."""
        prefix = ["runuser", "-u", self.run_as, "--"] if self.run_as else []
        return subprocess.run(
            [*prefix, *command],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=self.base,
        )

    def psql(self, sql: str, database: str | None = None) -> str:
        """Run one SQL statement over TCP as the cluster's superuser; return unaligned rows."""
        result = subprocess.run(
            [
                str(self.bindir / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                self.user,
                "-d",
                database or self.database,
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ],
            env={**os.environ, "PGPASSWORD": self.password},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def advisory_locks(self) -> int:
        """Advisory locks granted right now (terraform's `pg` backend holds one per lock)."""
        return int(self.psql(f"SELECT count(*) FROM pg_locks WHERE {_GRANTED_ADVISORY}"))

    def lock_waiters(self) -> int:
        """Sessions that asked for an advisory lock and do not hold one: runs waiting for it.

        Terraform's `pg` backend locks with `pg_try_advisory_lock`; a run with
        `-lock-timeout` asks again until the holder's session releases the lock, so its
        session's last statement is that call while it holds nothing.
        """
        return int(
            self.psql(
                "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                "AND query ILIKE '%pg_try_advisory_lock%' AND pid NOT IN "
                f"(SELECT pid FROM pg_locks WHERE {_GRANTED_ADVISORY})"
            )
        )

    def start(self) -> None:
        """initdb, then pg_ctl start (waiting until it accepts connections)."""
        pwfile = self.base / "pwfile"
        pwfile.write_text(self.password + "\n")
        self._chown(pwfile)
        initdb = self.as_server_user(
            str(self.bindir / "initdb"),
            "-D",
            str(self.datadir),
            "-U",
            self.user,
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--no-locale",
        )
        pwfile.unlink()
        assert initdb.returncode == 0, initdb.stdout + initdb.stderr
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} "
            f"-c unix_socket_directories={self.base} -c fsync=off"
        )
        started = self.as_server_user(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.datadir),
            "-l",
            str(self.base / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "30",
            "start",
        )
        assert started.returncode == 0, started.stdout + started.stderr + self.server_log()
        self.psql(f"CREATE DATABASE {self.database}", database="postgres")

    def stop(self) -> None:
        """pg_ctl stop (fast shutdown)."""
        self.as_server_user(
            str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop"
        )

    def server_log(self) -> str:
        """The server's log so far."""
        log = self.base / "server.log"
        return log.read_text() if log.exists() else ""

    def _chown(self, path: Path) -> None:
        if self.run_as:
            entry = pwd.getpwnam(self.run_as)
            os.chown(path, entry.pw_uid, entry.pw_gid)


def server_user() -> str | None:
    """None when not root (postgres runs as us); else `postgres`, or `nobody` without it."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    pytest.fail("running as root, and neither a 'postgres' nor a 'nobody' user exists")
