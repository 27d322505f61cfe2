"""Small validators for request bodies; each failure is a 400 with Codat's error body."""

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from codat_emulator.errors import ApiError

_UTC_SUFFIX = re.compile(r"[zZ]$")


def invalid(item: str, message: str) -> ApiError:
    """Return a 400 ``ApiError`` carrying one validation error."""
    return ApiError(400, "One or more validation errors occurred.", [(item, message)])


def is_int(value: Any) -> bool:
    """Tell whether a JSON value is an integer (``1`` or ``1.0``, never a boolean)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def require_int(body: dict[str, Any], key: str, item: str, *, minimum: int = 0) -> int:
    """Return ``body[key]`` as an int no smaller than ``minimum``."""
    value = body.get(key)
    if not isinstance(value, int | float) or not is_int(value):
        raise invalid(item, f"'{key}' must be an integer.")
    number = int(value)
    if number < minimum:
        raise invalid(item, f"'{key}' must be at least {minimum}.")
    return number


def require_bool(body: dict[str, Any], key: str, item: str) -> bool:
    """Return ``body[key]``, which must be a boolean."""
    value = body.get(key)
    if not isinstance(value, bool):
        raise invalid(item, f"'{key}' must be a boolean.")
    return value


def require_str(body: dict[str, Any], key: str, item: str, *, max_length: int = 0) -> str:
    """Return ``body[key]``, which must be a string (at most ``max_length`` chars if set)."""
    value = body.get(key)
    if not isinstance(value, str):
        raise invalid(item, f"'{key}' must be a string.")
    if max_length and len(value) > max_length:
        raise invalid(item, f"'{key}' must be at most {max_length} characters.")
    return value


def is_uri(value: Any) -> bool:
    """Tell whether ``value`` is an absolute URI (has a scheme)."""
    if not isinstance(value, str) or any(c.isspace() for c in value):
        return False
    try:
        return bool(urlsplit(value).scheme)
    except ValueError:
        return False


def is_datetime(value: Any) -> bool:
    """Tell whether ``value`` is an ISO-8601 date-time string."""
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(_UTC_SUFFIX.sub("+00:00", value))
    except ValueError:
        return False
    return True
