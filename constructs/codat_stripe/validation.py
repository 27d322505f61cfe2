"""Eager, synth-time validation: each error names the bad value and what is allowed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from codat_stripe._cdk import Token


class CodatStripeConfigError(ValueError):
    """A construct was given a value Codat or Stripe would not accept."""


def is_unresolved(value: Any) -> bool:
    """True for CDK tokens (Terraform references); they are checked at plan time instead."""
    return isinstance(value, str) and bool(Token.is_unresolved(value))


def require_str(owner: str, prop: str, value: Any) -> str:
    """Check that `value` is a non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise CodatStripeConfigError(f"{owner}: {prop} must be a non-empty string, got {value!r}")
    return value


def require_bool(owner: str, prop: str, value: Any) -> bool:
    """Check that `value` is a bool (not a truthy string such as "false")."""
    if not isinstance(value, bool):
        raise CodatStripeConfigError(f"{owner}: {prop} must be True or False, got {value!r}")
    return value


def require_int_range(owner: str, prop: str, value: Any, minimum: int, maximum: int) -> int:
    """Check that `value` is an int within [minimum, maximum]."""
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise CodatStripeConfigError(
            f"{owner}: {prop} must be a whole number from {minimum} to {maximum}, got {value!r}"
        )
    return value


def require_choice(owner: str, prop: str, value: Any, allowed: Iterable[str]) -> str:
    """Check that `value` is one of `allowed`."""
    options = list(allowed)
    if value not in options:
        raise CodatStripeConfigError(
            f"{owner}: {prop} must be one of {', '.join(repr(o) for o in options)}, got {value!r}"
        )
    return str(value)


_URL = re.compile(r"^https?://[^\s/]+(/[^\s]*)?$")


def require_base_url(owner: str, value: Any) -> str:
    """Check an http(s) base URL without a trailing slash (tokens pass)."""
    require_str(owner, "base_url", value)
    if is_unresolved(value):
        return str(value)
    if not _URL.match(value) or value.endswith("/"):
        raise CodatStripeConfigError(
            f"{owner}: base_url must be an http(s) URL without a trailing slash, "
            f"e.g. 'https://api.codat.io', got {value!r}"
        )
    return str(value)


_TF_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def require_terraform_name(owner: str, prop: str, value: Any) -> str:
    """Check a Terraform identifier (variable name), so TF_VAR_<name> is a valid env name."""
    require_str(owner, prop, value)
    if not _TF_NAME.match(value):
        raise CodatStripeConfigError(
            f"{owner}: {prop} must be a Terraform identifier (letters, digits and '_', "
            f"not starting with a digit), got {value!r}"
        )
    return str(value)
