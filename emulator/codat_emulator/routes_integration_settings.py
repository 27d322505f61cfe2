"""Integration settings (not in the spec): ``oneTimeSync`` per integration id."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from codat_api import endpoints
from codat_api.assumptions import DEFAULT_ONE_TIME_SYNC, ONE_TIME_SYNC_VALUES
from codat_emulator import integration_state, kinds
from codat_emulator.errors import ApiError
from codat_emulator.jsonio import JsonResponse, read_object
from codat_emulator.state import state_of


async def get_settings(request: Request) -> Response:
    """``GET``: ``{"oneTimeSync": "true"|"false"}``, continuous (``"false"``) by default."""
    integration_id = request.path_params["integrationId"]
    integration_state.require_integration_id(integration_id)
    stored = state_of(request).store.get(kinds.INTEGRATION_SETTINGS, integration_id)
    return JsonResponse(stored or {"oneTimeSync": DEFAULT_ONE_TIME_SYNC})


async def patch_settings(request: Request) -> Response:
    """``PATCH`` (or ``PUT``) body ``{"oneTimeSync": "true"|"false"}`` -> the stored object."""
    integration_id = request.path_params["integrationId"]
    integration_state.require_integration_id(integration_id)
    body = await read_object(request)
    value = body.get("oneTimeSync")
    if (
        set(body) != {"oneTimeSync"}
        or not isinstance(value, str)
        or value not in ONE_TIME_SYNC_VALUES
    ):
        raise ApiError(
            400,
            'The body must be {"oneTimeSync": "true"|"false"}.',
            [("oneTimeSync", 'Expected "true" or "false".')],
        )
    stored = {"oneTimeSync": value}
    state_of(request).store.put(kinds.INTEGRATION_SETTINGS, integration_id, stored)
    return JsonResponse(stored)


def routes() -> list[Route]:
    """Return the routes of this module."""
    path = endpoints.integration_settings("{integrationId}")
    return [
        Route(path, get_settings, methods=["GET"]),
        Route(path, patch_settings, methods=["PATCH", "PUT"]),
    ]
