"""The shared objects of a running emulator, reachable from every request."""

from dataclasses import dataclass

from starlette.requests import Request

from codat_emulator import kinds
from codat_emulator.config import EmulatorConfig
from codat_emulator.faults import FaultInjector
from codat_emulator.ratelimit import RateLimiter
from codat_emulator.request_log import RequestLog
from codat_emulator.store import Store


@dataclass
class EmulatorState:
    """Store, fault injector, rate limiter and request log of one emulator."""

    config: EmulatorConfig
    store: Store
    faults: FaultInjector
    limiter: RateLimiter | None
    request_log: RequestLog | None

    def valid_api_keys(self) -> list[str]:
        """Return the start-up keys plus every key created through ``POST /apiKeys``."""
        stored = [str(doc["apiKey"]) for doc in self.store.list(kinds.API_KEY)]
        return [*self.config.api_keys, *stored]

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
