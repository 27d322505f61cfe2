"""The ``ApiError`` exception the backend raises: an HTTP status plus Codat's error details.

Pure Python (no HTTP framework): ``httpkit`` renders an ``ApiError`` as Codat's
``ErrorMessage`` body.
"""

from collections.abc import Mapping, Sequence

DEFAULT_MESSAGES: Mapping[int, str] = {
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
"""Generic ``error`` text per status, when a raiser gives none."""

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
        self.message = message or DEFAULT_MESSAGES.get(status, "The request failed.")
        self.errors = tuple(errors)
        self.headers = dict(headers or {})
        super().__init__(self.message)


def not_found(what: str) -> ApiError:
    """Return a 404 error naming the missing resource."""
    return ApiError(404, f"{what} was not found.")


def invalid(item: str, message: str) -> ApiError:
    """Return a 400 error carrying one validation error."""
    return ApiError(400, "One or more validation errors occurred.", [(item, message)])
