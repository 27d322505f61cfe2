"""Connections of a company: create, list, get, unlink (PATCH), delete."""

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from codat_api import endpoints
from codat_api.assumptions import (
    CONNECTION_REQUIRES_ENABLED_INTEGRATION,
    CREDENTIAL_CLIENT_ID,
    stripe_oauth_url,
    wants_read_write,
)
from codat_api.platforms import COMMERCE_INTEGRATIONS, STRIPE_KEYS
from codat_emulator import catalog, companies, ids, integration_state, kinds
from codat_emulator.clock import utc_now
from codat_emulator.errors import ApiError, not_found
from codat_emulator.jsonio import JsonResponse, read_object
from codat_emulator.paging import paginate
from codat_emulator.state import state_of
from codat_emulator.store import Store

LINK_API_BASE = "https://link-api.codat.io/companies"
"""Base of a non-Stripe connection's ``linkUrl``."""

UNLINK_STATUSES = frozenset({"Unlinked"})
"""Statuses ``PATCH`` may set (the operation is "unlink")."""


def _link_url(company_id: str, connection_id: str, platform_key: str, creds: dict[str, str]) -> str:
    if platform_key in STRIPE_KEYS:
        return stripe_oauth_url(
            creds.get(CREDENTIAL_CLIENT_ID, ""), wants_read_write(creds), connection_id
        )
    return f"{LINK_API_BASE}/{company_id}/connections/{connection_id}/start"


def _require_connection(store: Store, company_id: str, connection_id: str) -> dict[str, Any]:
    if ids.is_uuid(company_id) and ids.is_uuid(connection_id):
        for connection in store.list(kinds.CONNECTION, parent=company_id):
            if connection["id"] == connection_id:
                return connection
    raise not_found(f"Connection '{connection_id}'")


async def list_connections(request: Request) -> Response:
    """``GET /companies/{companyId}/connections``: paged."""
    store = state_of(request).store
    company = companies.require(store, request.path_params["companyId"])
    connections = store.list(kinds.CONNECTION, parent=company["id"])
    return JsonResponse(paginate(request.url.path, request.query_params, connections))


async def create_connection(request: Request) -> Response:
    """``POST /companies/{companyId}/connections`` body ``{"platformKey"}`` -> Connection.

    A connection starts ``PendingAuth``. For Stripe and Stripe Test its ``linkUrl`` is the
    Stripe OAuth request Codat would make with the stored credentials. A disabled integration
    is refused with 400 (ASSUMED).
    """
    store = state_of(request).store
    company = companies.require(store, request.path_params["companyId"])
    body = await read_object(request)
    key = body.get("platformKey")
    if not isinstance(key, str) or not key:
        raise ApiError(400, "'platformKey' is required.", [("platformKey", "Required.")])
    integration_state.require_known(key)
    with store.transaction():
        if CONNECTION_REQUIRES_ENABLED_INTEGRATION and not integration_state.is_enabled(store, key):
            raise ApiError(
                400,
                f"Integration '{COMMERCE_INTEGRATIONS[key]}' ({key}) is not enabled.",
                [("platformKey", "Enable the integration first.")],
            )
        connection_id = ids.new_id()
        creds = integration_state.credentials(store, key) or {}
        connection = {
            "id": connection_id,
            "integrationId": ids.integration_id(key),
            "integrationKey": key,
            "sourceId": ids.source_id(key),
            "sourceType": catalog.SOURCE_TYPE,
            "platformName": COMMERCE_INTEGRATIONS[key],
            "linkUrl": _link_url(company["id"], connection_id, key, creds),
            "status": "PendingAuth",
            "created": utc_now(),
            "dataConnectionErrors": [],
        }
        store.put(kinds.CONNECTION, connection_id, connection, parent=company["id"])
    return JsonResponse(connection)


async def get_connection(request: Request) -> Response:
    """``GET /companies/{companyId}/connections/{connectionId}``."""
    params = request.path_params
    connection = _require_connection(
        state_of(request).store, params["companyId"], params["connectionId"]
    )
    return JsonResponse(connection)


async def unlink_connection(request: Request) -> Response:
    """``PATCH .../connections/{connectionId}`` body ``{"status": "Unlinked"}`` -> Connection."""
    params = request.path_params
    store = state_of(request).store
    body = await read_object(request)
    status = body.get("status")
    if not isinstance(status, str) or status not in UNLINK_STATUSES or set(body) != {"status"}:
        raise ApiError(400, 'The body must be {"status": "Unlinked"}.', [("status", "Unlinked")])
    with store.transaction():
        connection = _require_connection(store, params["companyId"], params["connectionId"])
        connection["status"] = status
        store.put(kinds.CONNECTION, connection["id"], connection, parent=params["companyId"])
    return JsonResponse(connection)


async def delete_connection(request: Request) -> Response:
    """``DELETE .../connections/{connectionId}``: 200 with no body (as the spec says)."""
    params = request.path_params
    store = state_of(request).store
    with store.transaction():
        connection = _require_connection(store, params["companyId"], params["connectionId"])
        store.delete(kinds.CONNECTION, connection["id"])
    return Response(status_code=200)


def routes() -> list[Route]:
    """Return the routes of this module."""
    collection = endpoints.company_connections("{companyId}")
    item = endpoints.company_connection("{companyId}", "{connectionId}")
    return [
        Route(collection, list_connections, methods=["GET"]),
        Route(collection, create_connection, methods=["POST"]),
        Route(item, get_connection, methods=["GET"]),
        Route(item, unlink_connection, methods=["PATCH"]),
        Route(item, delete_connection, methods=["DELETE"]),
    ]
