"""Run the emulator as a real subprocess on a free loopback port (for tests and demos).

Example::

    with EmulatorProcess(tmp_path / "codat.db", ["test-key"]) as emulator:
        httpx.get(emulator.base_url + "/integrations", headers=emulator.auth_headers())

    # Two Codat clients (instances) behind one base URL, each with its own state:
    with EmulatorProcess(db, [], clients={"acme-test": "key-a", "acme-prod": "key-b"}) as emu:
        httpx.get(emu.base_url + "/profile", headers=emu.client_headers("acme-prod"))
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from codat_emulator.auth import basic_header

HOST = "127.0.0.1"
HEALTH_PATH = "/_emulator/health"


def free_port() -> int:
    """Return a TCP port free on the loopback interface right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class EmulatorError(RuntimeError):
    """The emulator process failed to start or died."""


class EmulatorProcess:
    """One emulator subprocess (``python -m codat_emulator``) bound to 127.0.0.1.

    Attributes:
        db_path: SQLite file of the emulator.
        port: TCP port (chosen free when not given).
        startup_seconds: Seconds from spawn to the first healthy answer, after ``start``.

    """

    def __init__(
        self,
        db_path: Path | str,
        api_keys: Sequence[str],
        port: int | None = None,
        request_log: Path | str | None = None,
        enable_admin: bool = False,
        rate_limit_per_minute: int = 0,
        faults: Sequence[str] = (),
        log_level: str = "info",
        startup_timeout: float = 15.0,
        clients: Mapping[str, str | Sequence[str]] | None = None,
        credentials_put_response: str = "body",
    ) -> None:
        """Describe the process; nothing runs before ``start``.

        ``api_keys`` belong to the default client; ``clients`` maps a client NAME to its API
        key (or keys), each client with its own state.
        """
        self.clients: dict[str, tuple[str, ...]] = {
            name: (keys,) if isinstance(keys, str) else tuple(keys)
            for name, keys in (clients or {}).items()
        }
        if not api_keys and not any(self.clients.values()):
            raise ValueError("at least one API key is required (api_keys or clients)")
        self.db_path = Path(db_path)
        self.api_keys = tuple(api_keys)
        self.credentials_put_response = credentials_put_response
        self._fixed_port = port is not None
        self.port = port or free_port()
        self.request_log = Path(request_log) if request_log else None
        self.enable_admin = enable_admin
        self.rate_limit_per_minute = rate_limit_per_minute
        self.faults = tuple(faults)
        self.log_level = log_level
        self.startup_timeout = startup_timeout
        self.startup_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        """Base URL of the API, e.g. ``http://127.0.0.1:51234``."""
        return f"http://{HOST}:{self.port}"

    def auth_headers(self, api_key: str | None = None) -> dict[str, str]:
        """Return the ``Authorization`` header for ``api_key`` (default: the first key)."""
        first = self.api_keys[0] if self.api_keys else next(iter(self.clients.values()))[0]
        return {"Authorization": basic_header(api_key or first)}

    def client_headers(self, client: str) -> dict[str, str]:
        """Return the ``Authorization`` header for the first API key of ``client``."""
        if client not in self.clients:
            raise KeyError(f"unknown client {client!r}; known: {', '.join(self.clients)}")
        return self.auth_headers(self.clients[client][0])

    def command(self) -> list[str]:
        """Return the command line that starts the emulator."""
        cmd = [sys.executable, "-m", "codat_emulator", "--host", HOST, "--port", str(self.port)]
        cmd += ["--db", str(self.db_path), "--log-level", self.log_level]
        for key in self.api_keys:
            cmd += ["--api-key", key]
        for name, keys in self.clients.items():
            for key in keys:
                cmd += ["--client", f"{name}={key}"]
        if self.credentials_put_response != "body":
            cmd += ["--credentials-put-response", self.credentials_put_response]
        if self.request_log:
            cmd += ["--request-log", str(self.request_log)]
        if self.enable_admin:
            cmd.append("--enable-admin")
        if self.rate_limit_per_minute:
            cmd += ["--rate-limit-per-minute", str(self.rate_limit_per_minute)]
        for fault in self.faults:
            cmd += ["--fault", fault]
        return cmd

    @property
    def running(self) -> bool:
        """Whether the process is alive."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """Process id, once started."""
        return None if self._proc is None else self._proc.pid

    def stderr_text(self) -> str:
        """Return what the process wrote to stderr so far."""
        if self._stderr is None:
            return ""
        self._stderr.flush()
        with open(self._stderr.name, "rb") as handle:
            return handle.read().decode("utf-8", "replace")

    def start(self) -> Self:
        """Spawn the process and wait until it answers its health route.

        When the port was chosen automatically and another process grabbed it first, retries
        on a new free port.

        Raises:
            EmulatorError: If it exits or does not answer within ``startup_timeout``; the
                message carries its stderr.

        """
        if self.running:
            raise EmulatorError("the emulator is already running")
        attempts = 1 if self._fixed_port else 3
        for attempt in range(1, attempts + 1):
            try:
                return self._start_once()
            except EmulatorError:
                if attempt == attempts:
                    raise
                self.port = free_port()
        raise AssertionError("unreachable")

    def _start_once(self) -> Self:
        if self._stderr is not None:
            self._stderr.close()
        self._stderr = tempfile.NamedTemporaryFile(prefix="codat-emulator-", suffix=".log")  # noqa: SIM115
        started = time.perf_counter()
        self._proc = proc = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=self._stderr,
            stderr=self._stderr,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        deadline = started + self.startup_timeout
        while time.perf_counter() < deadline:
            if proc.poll() is not None:
                raise EmulatorError(
                    f"emulator exited with {proc.returncode}:\n{self.stderr_text()}"
                )
            if self._healthy(proc.pid):
                self.startup_seconds = time.perf_counter() - started
                return self
            time.sleep(0.02)
        self.kill()
        raise EmulatorError(
            f"emulator not ready after {self.startup_timeout}s:\n{self.stderr_text()}"
        )

    def _healthy(self, pid: int) -> bool:
        """Tell whether this process (not another one on the port) answers as healthy."""
        try:
            with urllib.request.urlopen(self.base_url + HEALTH_PATH, timeout=0.5) as response:
                body = json.load(response)
                return bool(body.get("status") == "ok" and body.get("pid") == pid)
        except (OSError, urllib.error.URLError, ValueError):
            return False

    def stop(self, timeout: float = 10.0) -> int | None:
        """Stop gracefully (SIGTERM), escalating to SIGKILL; return the exit code."""
        return self._end(signal.SIGTERM, timeout)

    def kill(self) -> int | None:
        """Kill at once (SIGKILL), as a crash would; return the exit code."""
        return self._end(signal.SIGKILL, 10.0)

    def _end(self, sig: signal.Signals, timeout: float) -> int | None:
        proc = self._proc
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return proc.returncode

    def __enter__(self) -> Self:
        """Start the process."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the process."""
        self.stop()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
