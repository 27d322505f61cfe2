"""API-key authentication: ``Authorization: Basic base64(apiKey)``."""

import base64
import binascii
import hmac
from collections.abc import Iterable


def api_key_from_header(value: str | None) -> str | None:
    """Extract the API key from an ``Authorization`` header value.

    Codat expects the word ``Basic``, a space and the base64 of the raw API key (no colon).

    Returns:
        The decoded key, or None if the header is missing or malformed.

    """
    if not value:
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        return None
    try:
        return base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


def basic_header(api_key: str) -> str:
    """Return the ``Authorization`` header value for ``api_key``."""
    return "Basic " + base64.b64encode(api_key.encode()).decode()


def is_valid_key(candidate: str | None, valid_keys: Iterable[str]) -> bool:
    """Compare ``candidate`` with every valid key in constant time per key."""
    if not candidate:
        return False
    found = False
    for key in valid_keys:
        found |= hmac.compare_digest(candidate.encode(), key.encode())
    return found
