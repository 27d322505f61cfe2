"""Compact, deterministic JSON responses and strict JSON request bodies."""

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from codat_emulator.errors import ApiError
from codat_emulator.jsoncodec import dumps


class JsonResponse(Response):
    """A JSON response rendered with ``dumps``."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """Render ``content`` as compact deterministic JSON."""
        return dumps(content)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(raw: bytes) -> Any:
    """Parse a request body, refusing empty bodies, bad encodings, NaN and Infinity.

    Raises:
        ApiError: 400 when the body is not one well-formed JSON document.

    """
    if not raw.strip():
        raise ApiError(400, "A JSON request body is required.")
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, "The request body is not valid JSON.") from exc


async def read_json(request: Request) -> Any:
    """Read and parse the JSON body of ``request`` (see ``parse_json``)."""
    return parse_json(await request.body())


async def read_object(request: Request) -> dict[str, Any]:
    """Read a JSON body that must be an object.

    Raises:
        ApiError: 400 when the body is malformed or not a JSON object.

    """
    body = await read_json(request)
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return body
