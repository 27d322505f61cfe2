"""Integration credentials (not in the spec): GET masked, PUT replaces, DELETE."""

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from codat_api import endpoints
from codat_api.assumptions import (
    CREDENTIAL_USE_READ_WRITE_SCOPE,
    DELETE_CREDENTIALS_DISABLES_INTEGRATION,
    PUT_CREDENTIALS_REPLACES_MAP,
    REJECT_MASKED_SECRETS,
    REQUIRED_CREDENTIAL_KEYS,
    SECRET_CREDENTIAL_KEYS,
    USE_READ_WRITE_SCOPE_VALUES,
    is_masked,
    mask_secret,
)
from codat_emulator import integration_state, kinds
from codat_emulator.errors import ApiError, not_found
from codat_emulator.jsonio import JsonResponse, read_json
from codat_emulator.state import state_of
from codat_emulator.validate import invalid

MAX_CREDENTIAL_KEYS = 50
MAX_VALUE_LENGTH = 4096


def masked(credentials: dict[str, str]) -> dict[str, str]:
    """Return ``credentials`` with every secret value masked."""
    return {k: mask_secret(v) if k in SECRET_CREDENTIAL_KEYS else v for k, v in credentials.items()}


def _validate(platform_key: str, body: Any) -> dict[str, str]:
    if not isinstance(body, dict) or not all(isinstance(v, str) for v in body.values()):
        raise ApiError(400, "Credentials must be a flat JSON object of string values.")
    if not body or len(body) > MAX_CREDENTIAL_KEYS:
        raise ApiError(400, f"Credentials must hold between 1 and {MAX_CREDENTIAL_KEYS} keys.")
    for name, value in body.items():
        if not name or len(value) > MAX_VALUE_LENGTH:
            raise invalid(name, "Credential names must be non-empty and values short.")
        if REJECT_MASKED_SECRETS and name in SECRET_CREDENTIAL_KEYS and is_masked(value):
            raise invalid(name, f"'{name}' holds a masked value, not the secret itself.")
    for name in REQUIRED_CREDENTIAL_KEYS.get(platform_key, ()):
        if not body.get(name):
            raise invalid(name, f"'{name}' is required for this integration.")
    flag = body.get(CREDENTIAL_USE_READ_WRITE_SCOPE)
    if flag is not None and flag not in USE_READ_WRITE_SCOPE_VALUES:
        raise invalid(CREDENTIAL_USE_READ_WRITE_SCOPE, 'Expected "true" or "false".')
    return dict(body)


async def get_credentials(request: Request) -> Response:
    """``GET``: the stored map with secrets masked; 404 when none are stored."""
    key = request.path_params["platformKey"]
    integration_state.require_known(key)
    stored = integration_state.credentials(state_of(request).store, key)
    if stored is None:
        raise not_found(f"Credentials of integration '{key}'")
    return JsonResponse(masked(stored))


async def put_credentials(request: Request) -> Response:
    """``PUT``: replace the whole stored map (ASSUMED); answer the masked map."""
    key = request.path_params["platformKey"]
    integration_state.require_known(key)
    body = _validate(key, await read_json(request))
    store = state_of(request).store
    with store.transaction():
        current = integration_state.credentials(store, key) or {}
        new = body if PUT_CREDENTIALS_REPLACES_MAP else {**current, **body}
        store.put(kinds.CREDENTIALS, key, new)
    return JsonResponse(masked(new))


async def delete_credentials(request: Request) -> Response:
    """``DELETE``: 204; 404 if none stored; an enabled integration is disabled (ASSUMED)."""
    key = request.path_params["platformKey"]
    integration_state.require_known(key)
    store = state_of(request).store
    with store.transaction():
        if not store.delete(kinds.CREDENTIALS, key):
            raise not_found(f"Credentials of integration '{key}'")
        if DELETE_CREDENTIALS_DISABLES_INTEGRATION:
            store.put(kinds.INTEGRATION_STATE, key, {"enabled": False})
    return Response(status_code=204)


def routes() -> list[Route]:
    """Return the routes of this module."""
    path = endpoints.integration_credentials("{platformKey}")
    return [
        Route(path, get_credentials, methods=["GET"]),
        Route(path, put_credentials, methods=["PUT"]),
        Route(path, delete_credentials, methods=["DELETE"]),
    ]
