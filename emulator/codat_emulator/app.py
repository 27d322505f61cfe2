"""Build the emulator's Starlette application from an ``EmulatorConfig``."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware

from codat_emulator.backend import Backend
from codat_emulator.control.admin import admin_routes
from codat_emulator.control.faults import FaultInjector
from codat_emulator.control.gate import EmulatorGate
from codat_emulator.control.ratelimit import RateLimiter
from codat_emulator.control.request_log import RequestLog
from codat_emulator.httpkit import EXCEPTION_HANDLERS
from codat_emulator.routes import api_routes
from codat_emulator.runtime import EmulatorConfig, EmulatorOptions, EmulatorState
from codat_emulator.store import Store


def create_app(config: EmulatorConfig) -> Starlette:
    """Open the store, seed every client and return the ASGI application."""
    store = Store(config.db_path)
    state = EmulatorState(
        config=config,
        store=store,
        backend=Backend(store, config.client_keys()),
        faults=FaultInjector(config.faults),
        limiter=RateLimiter(config.rate_limit_per_minute) if config.rate_limit_per_minute else None,
        request_log=RequestLog(config.request_log) if config.request_log else None,
        options=EmulatorOptions(credentials_put_response=config.credentials_put_response),
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        state.close()

    app = Starlette(
        routes=[*admin_routes(config.enable_admin), *api_routes()],
        middleware=[Middleware(EmulatorGate, state=state)],
        exception_handlers=dict(EXCEPTION_HANDLERS),
        lifespan=lifespan,
    )
    app.state.emulator = state
    return app
