"""Integrations: list (paged), get, branding, and the enabled toggle (not in the spec)."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from codat_api import endpoints
from codat_api.assumptions import ENABLE_REQUIRES_CREDENTIALS
from codat_api.platforms import COMMERCE_INTEGRATIONS
from codat_emulator import catalog, integration_state, kinds
from codat_emulator.errors import ApiError
from codat_emulator.jsonio import JsonResponse, read_object
from codat_emulator.paging import paginate
from codat_emulator.state import state_of


async def list_integrations(request: Request) -> Response:
    """``GET /integrations``: every integration, paged."""
    store = state_of(request).store
    views = integration_state.all_views(store)
    return JsonResponse(paginate(request.url.path, request.query_params, views))


async def get_integration(request: Request) -> Response:
    """``GET /integrations/{platformKey}``."""
    key = request.path_params["platformKey"]
    integration_state.require_known(key)
    return JsonResponse(integration_state.view(state_of(request).store, key))


async def get_branding(request: Request) -> Response:
    """``GET /integrations/{platformKey}/branding``."""
    key = request.path_params["platformKey"]
    integration_state.require_known(key)
    return JsonResponse(catalog.branding_view(key))


async def put_enabled(request: Request) -> Response:
    """``PUT /integrations/{platformKey}/enabled`` body ``{"enabled": bool}`` -> Integration.

    Enabling an integration with no stored credentials is refused with 400 (ASSUMED).
    """
    key = request.path_params["platformKey"]
    integration_state.require_known(key)
    body = await read_object(request)
    enabled = body.get("enabled")
    if not isinstance(enabled, bool) or set(body) != {"enabled"}:
        raise ApiError(400, 'The body must be {"enabled": true|false}.', [("enabled", "bool")])
    store = state_of(request).store
    with store.transaction():
        if (
            enabled
            and ENABLE_REQUIRES_CREDENTIALS
            and integration_state.credentials(store, key) is None
        ):
            name = COMMERCE_INTEGRATIONS[key]
            raise ApiError(
                400,
                f"Integration '{name}' ({key}) cannot be enabled: no credentials are stored.",
                [("enabled", "Store the integration's credentials first.")],
            )
        store.put(kinds.INTEGRATION_STATE, key, {"enabled": enabled})
        view = integration_state.view(store, key)
    return JsonResponse(view)


def routes() -> list[Route]:
    """Return the routes of this module."""
    key = "{platformKey}"
    return [
        Route(endpoints.INTEGRATIONS, list_integrations, methods=["GET"]),
        Route(endpoints.integration(key), get_integration, methods=["GET"]),
        Route(endpoints.integration_branding(key), get_branding, methods=["GET"]),
        Route(endpoints.integration_enabled(key), put_enabled, methods=["PUT"]),
    ]
