"""Codat's ``ErrorMessage`` body, the ``ApiError`` exception and the app's error handlers."""

import logging
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from codat_emulator.jsoncodec import dumps

logger = logging.getLogger("codat_emulator")

SERVICE_NAME = "PublicApi"
"""Value of ``service`` in error bodies."""

_RETRYABLE = frozenset({408, 429, 500, 502, 503, 504})

_DEFAULT_MESSAGES: Mapping[int, str] = {
    400: "The request was malformed.",
    401: "Unauthorized: supply a valid API key as 'Authorization: Basic base64(apiKey)'.",
    403: "You are not authorized to perform this request.",
    404: "The requested resource was not found.",
    405: "The method is not allowed for the requested resource.",
    409: "The request conflicts with the current state of the resource.",
    429: "Too many requests: the rate limit has been exceeded.",
    500: "An internal error occurred.",
    503: "The service is temporarily unavailable.",
}

ValidationItem = tuple[str, str]
"""A validation error as ``(itemId, message)``."""


class ApiError(Exception):
    """An error answered with Codat's ``ErrorMessage`` body.

    Attributes:
        status: HTTP status code.
        message: Human-readable ``error`` text (never contains secrets).
        errors: Validation errors as ``(itemId, message)`` pairs.
        headers: Extra response headers.

    """

    def __init__(
        self,
        status: int,
        message: str | None = None,
        errors: Sequence[ValidationItem] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Build the error; ``message`` defaults to a generic text for ``status``."""
        self.status = status
        self.message = message or _DEFAULT_MESSAGES.get(status, "The request failed.")
        self.errors = tuple(errors)
        self.headers = dict(headers or {})
        super().__init__(self.message)


def not_found(what: str) -> ApiError:
    """Return a 404 error naming the missing resource."""
    return ApiError(404, f"{what} was not found.")


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
