"""Configuration and shared run-time objects of one emulator, reachable from every request."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from starlette.requests import Request

from codat_emulator.backend import Backend
from codat_emulator.control.faults import FaultInjector, FaultRule
from codat_emulator.control.holds import HoldRegistry
from codat_emulator.control.ratelimit import RateLimiter
from codat_emulator.control.request_log import RequestLog
from codat_emulator.store import DEFAULT_CLIENT, Store

CLIENT_SCOPE_KEY = "codat_client"
"""ASGI scope key under which the gate records the name of the authenticated client."""

CredentialsPutResponse = Literal["body", "empty"]
CREDENTIALS_PUT_RESPONSES: tuple[CredentialsPutResponse, ...] = ("body", "empty")
"""How ``PUT /integrations/credentials/{key}`` answers: the masked map (200) or 204, no body."""


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything ``create_app`` needs to build the emulator.

    Attributes:
        db_path: SQLite file holding every client's state (created if missing).
        api_keys: API keys of the default client (``--api-key``).
        clients: Named clients as ``(name, api_key)`` pairs (``--client NAME=KEY``); a name
            may repeat to give a client several keys.
        rate_limit_per_minute: Requests allowed per minute; 0 turns limiting off.
        request_log: File receiving one JSON line per API request, or None.
        enable_admin: Mount the ``/_emulator/...`` admin routes (faults, holds, state).
        faults: Fault rules active from start-up.
        credentials_put_response: ``body`` (default) or ``empty`` (204, no body).

    """

    db_path: Path
    api_keys: tuple[str, ...] = ()
    clients: tuple[tuple[str, str], ...] = ()
    rate_limit_per_minute: int = 0
    request_log: Path | None = None
    enable_admin: bool = False
    faults: tuple[FaultRule, ...] = field(default_factory=tuple)
    credentials_put_response: CredentialsPutResponse = "body"

    def client_keys(self) -> dict[str, list[str]]:
        """Return every configured client's start-up keys (the default client first)."""
        result: dict[str, list[str]] = {}
        if self.api_keys:
            result[DEFAULT_CLIENT] = list(self.api_keys)
        for name, key in self.clients:
            keys = result.setdefault(name, [])
            if key not in keys:
                keys.append(key)
        return result


@dataclass
class EmulatorOptions:
    """Switches an admin may flip while the emulator runs."""

    credentials_put_response: CredentialsPutResponse = "body"


@dataclass
class EmulatorState:
    """Backend, store, faults, holds, rate limiter, request log and options of one emulator."""

    config: EmulatorConfig
    store: Store
    backend: Backend
    faults: FaultInjector
    limiter: RateLimiter | None
    request_log: RequestLog | None
    options: EmulatorOptions
    holds: HoldRegistry = field(default_factory=HoldRegistry)

    def close(self) -> None:
        """Release the database and the request log."""
        self.store.close()
        if self.request_log is not None:
            self.request_log.close()


def state_of(request: Request) -> EmulatorState:
    """Return the emulator state of the app serving ``request``."""
    state = request.app.state.emulator
    assert isinstance(state, EmulatorState)
    return state
