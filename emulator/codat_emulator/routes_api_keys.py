"""API keys: list, create, delete. Created keys authenticate at once.

Start-up keys (``--api-key``) are listed under stable ids and always authenticate: deleting
one removes it from the list until the next start only.
"""

import secrets

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from codat_api import endpoints
from codat_emulator import ids, kinds
from codat_emulator.clock import utc_now
from codat_emulator.errors import not_found
from codat_emulator.jsonio import JsonResponse, read_object
from codat_emulator.state import state_of
from codat_emulator.validate import require_str

MAX_NAME_LENGTH = 50


async def list_keys(request: Request) -> Response:
    """``GET /apiKeys``: ``{"results": [ApiKeyDetails]}``."""
    return JsonResponse({"results": state_of(request).store.list(kinds.API_KEY)})


async def create_key(request: Request) -> Response:
    """``POST /apiKeys`` body ``{"name"?}`` -> 201 ApiKeyDetails (with the new key)."""
    body = await read_object(request)
    key_id = ids.new_id()
    details: dict[str, str] = {"id": key_id, "apiKey": secrets.token_hex(20)}
    if body.get("name") is not None:
        details["name"] = require_str(body, "name", "name", max_length=MAX_NAME_LENGTH)
    details["createdDate"] = utc_now()
    state_of(request).store.put(kinds.API_KEY, key_id, dict(details))
    return JsonResponse(details, status_code=201)


async def delete_key(request: Request) -> Response:
    """``DELETE /apiKeys/{apiKeyId}`` -> 204."""
    key_id = request.path_params["apiKeyId"]
    if not state_of(request).store.delete(kinds.API_KEY, key_id):
        raise not_found(f"API key '{key_id}'")
    return Response(status_code=204)


def routes() -> list[Route]:
    """Return the routes of this module."""
    return [
        Route(endpoints.API_KEYS, list_keys, methods=["GET"]),
        Route(endpoints.API_KEYS, create_key, methods=["POST"]),
        Route(endpoints.api_key("{apiKeyId}"), delete_key, methods=["DELETE"]),
    ]
