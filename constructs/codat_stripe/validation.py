"""Eager, synth-time validation: each error names the bad value and what is allowed.

Errors never echo a value that looks like a Stripe secret or restricted key, wherever it was
passed (e.g. a secret pasted into `client_id`): `shown()` replaces it with a description.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

from codat_stripe._cdk import Token


class CodatStripeConfigError(ValueError):
    """A construct was given a value Codat or Stripe would not accept."""


_SECRET_LIKE = re.compile(r"(sk|rk|pk)_(test|live)_|whsec_|sk_[A-Za-z0-9]{16,}")


def shown(value: Any) -> str:
    """`repr(value)` for error messages, unless it holds a Stripe key (then described)."""
    if _SECRET_LIKE.search(repr(value)):
        return "a value that looks like a Stripe secret key (not shown)"
    return repr(value)


_STRING_TOKEN_MARKER = "${TfToken["
"""Every string token the CDK encodes starts so (cdktn and CDKTF alike): a string without
it holds no token, and the jsii round trip of `Token.is_unresolved` is skipped."""


def is_unresolved(value: Any) -> bool:
    """True for CDK tokens (Terraform references); they are checked at plan time instead."""
    return (
        isinstance(value, str)
        and _STRING_TOKEN_MARKER in value
        and bool(Token.is_unresolved(value))
    )


def require_str(owner: str, prop: str, value: Any) -> str:
    """Check that `value` is a non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise CodatStripeConfigError(
            f"{owner}: {prop} must be a non-empty string, got {shown(value)}"
        )
    return value


def require_bool(owner: str, prop: str, value: Any) -> bool:
    """Check that `value` is a bool (not a truthy string such as "false")."""
    if not isinstance(value, bool):
        raise CodatStripeConfigError(f"{owner}: {prop} must be True or False, got {shown(value)}")
    return value


def require_int_range(owner: str, prop: str, value: Any, minimum: int, maximum: int) -> int:
    """Check that `value` is an int within [minimum, maximum]."""
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise CodatStripeConfigError(
            f"{owner}: {prop} must be a whole number from {minimum} to {maximum}, "
            f"got {shown(value)}"
        )
    return value


def require_choice(owner: str, prop: str, value: Any, allowed: Iterable[Any]) -> str:
    """Check that `value` is one of `allowed`."""
    options = [str(o.value) if isinstance(o, Enum) else str(o) for o in allowed]
    if value not in options:
        raise CodatStripeConfigError(
            f"{owner}: {prop} must be one of {', '.join(repr(o) for o in options)}, "
            f"got {shown(value)}"
        )
    return str(value)


def require_base_url(owner: str, value: Any) -> str:
    """Check a Codat base URL: https (http only on loopback), no trailing slash, query or fragment.

    Tokens pass (checked by Terraform at plan time instead).
    """
    require_str(owner, "base_url", value)
    if is_unresolved(value):
        return str(value)
    allowed = (
        "an https URL without a trailing slash, query or fragment, e.g. "
        "'https://api.codat.io' (http is allowed only on loopback, e.g. 'http://127.0.0.1:8080')"
    )
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        parts, port_ok = None, False
    if (
        parts is None
        or not port_ok
        or not parts.hostname
        or any(c.isspace() for c in value)
        or parts.query
        or parts.fragment
        or "?" in value
        or "#" in value
        or value.endswith("/")
        or parts.username is not None
        or parts.scheme not in ("https", "http")
        or (parts.scheme == "http" and not is_loopback_url(value))
    ):
        raise CodatStripeConfigError(f"{owner}: base_url must be {allowed}; got {shown(value)}")
    return str(value)


def is_loopback_url(url: str) -> bool:
    """True when the URL's host is a loopback address or `localhost` (a local emulator)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _require_pattern(
    owner: str, prop: str, value: Any, pattern: re.Pattern[str], allowed: str
) -> str:
    """Check a non-empty string matching `pattern` in full; `allowed` says what is."""
    require_str(owner, prop, value)
    if not pattern.fullmatch(value):
        raise CodatStripeConfigError(f"{owner}: {prop} must be {allowed}, got {shown(value)}")
    return str(value)


_TF_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


def require_terraform_name(owner: str, prop: str, value: Any) -> str:
    """Check a Terraform identifier (variable name), so TF_VAR_<name> is a valid env name."""
    return _require_pattern(
        owner,
        prop,
        value,
        _TF_NAME,
        "a Terraform identifier (letters, digits and '_', not starting with a digit)",
    )


_NAME = re.compile(r"[a-z][a-z0-9-]{0,62}")


def require_instance_name(owner: str, prop: str, value: Any) -> str:
    """Check a Codat instance name: lowercase letters, digits and '-', starting with a letter."""
    return _require_pattern(
        owner,
        prop,
        value,
        _NAME,
        "a name of lowercase letters, digits and '-', starting with a letter (at most 63 "
        "characters), e.g. 'acme-prod'",
    )


_STACK_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,62}")


def require_stack_name(owner: str, value: Any) -> str:
    """Check a stack name: it becomes a directory, a CLI argument and part of variable names."""
    return _require_pattern(
        owner,
        "name",
        value,
        _STACK_NAME,
        "a name starting with a letter, of letters, digits, '_' and '-' (at most 63 "
        "characters), e.g. 'test' or 'live'",
    )
