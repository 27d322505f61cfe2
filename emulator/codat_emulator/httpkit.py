"""HTTP helpers: the one JSON codec, strict JSON request bodies, Codat's error responses."""

import json
import logging
import uuid
from collections.abc import Sequence
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from codat_emulator.errors import ApiError, ValidationItem

logger = logging.getLogger("codat_emulator")

SERVICE_NAME = "PublicApi"
"""Value of ``service`` in error bodies."""

_RETRYABLE = frozenset({408, 429, 500, 502, 503, 504})


def dumps(value: Any) -> bytes:
    """Serialize ``value`` as compact UTF-8 JSON with sorted keys (deterministic)."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


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


def error_body(status: int, message: str, errors: Sequence[ValidationItem] = ()) -> dict[str, Any]:
    """Build Codat's ``ErrorMessage`` body with a fresh ``correlationId``."""
    return {
        "statusCode": status,
        "service": SERVICE_NAME,
        "error": message,
        "correlationId": uuid.uuid4().hex,
        "validation": {
            "errors": [
                {"itemId": item, "message": text, "validatorName": "EmulatorValidator"}
                for item, text in errors
            ],
            "warnings": [],
        },
        "canBeRetried": "True" if status in _RETRYABLE else "False",
        "detailedErrorCode": 0,
    }


def error_response(error: ApiError) -> Response:
    """Render an ``ApiError`` as a compact JSON response."""
    body = error_body(error.status, error.message, error.errors)
    return Response(dumps(body), error.status, headers=error.headers, media_type="application/json")


async def handle_api_error(request: Request, exc: Exception) -> Response:
    """Answer an ``ApiError`` raised by a route."""
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    """Answer Starlette's routing errors (404 unknown path, 405 wrong method) in Codat's shape."""
    assert isinstance(exc, HTTPException)
    return error_response(ApiError(exc.status_code, headers=exc.headers))


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    """Answer an unexpected exception with a 500 (logged without request bodies)."""
    logger.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
    return error_response(ApiError(500))


EXCEPTION_HANDLERS = {
    ApiError: handle_api_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
"""The app's exception handlers, by exception type."""
