"""Build the emulator's Starlette application from an ``EmulatorConfig``."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Route

from codat_emulator import (
    routes_admin,
    routes_api_keys,
    routes_companies,
    routes_connections,
    routes_credentials,
    routes_integration_settings,
    routes_integrations,
    routes_profile,
    routes_webhooks,
)
from codat_emulator.config import EmulatorConfig
from codat_emulator.errors import (
    ApiError,
    handle_api_error,
    handle_http_exception,
    handle_unexpected,
)
from codat_emulator.faults import FaultInjector
from codat_emulator.middleware import EmulatorMiddleware
from codat_emulator.ratelimit import RateLimiter
from codat_emulator.request_log import RequestLog
from codat_emulator.seed import seed
from codat_emulator.state import EmulatorState
from codat_emulator.store import Store


def all_routes(enable_admin: bool) -> list[Route]:
    """Return every route; credentials come before ``/integrations/{platformKey}/...``."""
    return [
        *routes_admin.routes(enable_admin),
        *routes_credentials.routes(),
        *routes_integrations.routes(),
        *routes_integration_settings.routes(),
        *routes_profile.routes(),
        *routes_companies.routes(),
        *routes_connections.routes(),
        *routes_webhooks.routes(),
        *routes_api_keys.routes(),
    ]


def create_app(config: EmulatorConfig) -> Starlette:
    """Open the store, seed it and return the ASGI application."""
    store = Store(config.db_path)
    seed(store, config.api_keys)
    state = EmulatorState(
        config=config,
        store=store,
        faults=FaultInjector(config.faults),
        limiter=RateLimiter(config.rate_limit_per_minute) if config.rate_limit_per_minute else None,
        request_log=RequestLog(config.request_log) if config.request_log else None,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        state.close()

    app = Starlette(
        routes=all_routes(config.enable_admin),
        middleware=[Middleware(EmulatorMiddleware, state=state)],
        exception_handlers={
            ApiError: handle_api_error,
            HTTPException: handle_http_exception,
            Exception: handle_unexpected,
        },
        lifespan=lifespan,
    )
    app.state.emulator = state
    return app
