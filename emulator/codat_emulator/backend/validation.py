"""Validation of request bodies: each failure is a 400 ``ApiError`` naming the bad field.

Strict as CODAT_API.md asks; the ASSUMED rules of the undocumented endpoints come from
``codat_api.assumptions``.
"""

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from codat_api.assumptions import (
    CREDENTIAL_USE_READ_WRITE_SCOPE,
    ONE_TIME_SYNC_VALUES,
    REJECT_MASKED_SECRETS,
    REQUIRED_CREDENTIAL_KEYS,
    SECRET_CREDENTIAL_KEYS,
    USE_READ_WRITE_SCOPE_VALUES,
    is_masked,
)
from codat_api.data_types import ALL_DATA_TYPES
from codat_emulator.backend.model import is_uuid
from codat_emulator.errors import ApiError, invalid

_UTC_SUFFIX = re.compile(r"[zZ]$")
_KNOWN_TYPES = frozenset(ALL_DATA_TYPES)

COMPANY_NAME_PATTERN = re.compile(r"^[A-Za-z0-9\s\-',&@.,?!\s]+$")
"""Pattern of a company name (spec ``CompanyRequestBody.name``)."""
TAG_NAME_PATTERN = re.compile(r"^.{1,27}$")
MAX_TAGS = 10
MAX_TAG_VALUE_LENGTH = 100
MAX_CREDENTIAL_KEYS = 50
MAX_CREDENTIAL_VALUE_LENGTH = 4096
MAX_API_KEY_NAME_LENGTH = 50
MAX_WEBHOOK_COMPANY_TAGS = 10
MAX_WEBHOOK_COMPANY_TAG_LENGTH = 128
UNLINK_STATUSES = frozenset({"Unlinked"})
"""Statuses a connection ``PATCH`` may set (the operation is "unlink")."""

# --- generic field checks ---


def is_int(value: Any) -> bool:
    """Tell whether a JSON value is an integer (``1`` or ``1.0``, never a boolean)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def require_object(body: Any) -> dict[str, Any]:
    """Return ``body`` if it is a JSON object, else raise 400."""
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return body


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


# --- integrations, credentials, integration settings (ASSUMED endpoints) ---


def enabled_flag(body: Any) -> bool:
    """Validate ``{"enabled": bool}`` and return the flag."""
    body = require_object(body)
    enabled = body.get("enabled")
    if not isinstance(enabled, bool) or set(body) != {"enabled"}:
        raise ApiError(400, 'The body must be {"enabled": true|false}.', [("enabled", "bool")])
    return enabled


def credentials(platform_key: str, body: Any) -> dict[str, str]:
    """Validate a credential map for ``platform_key`` and return it."""
    if not isinstance(body, dict) or not all(isinstance(v, str) for v in body.values()):
        raise ApiError(400, "Credentials must be a flat JSON object of string values.")
    if not body or len(body) > MAX_CREDENTIAL_KEYS:
        raise ApiError(400, f"Credentials must hold between 1 and {MAX_CREDENTIAL_KEYS} keys.")
    for name, value in body.items():
        if not name or len(value) > MAX_CREDENTIAL_VALUE_LENGTH:
            raise invalid(name, "Credential names must be non-empty and values short.")
        if REJECT_MASKED_SECRETS and name in SECRET_CREDENTIAL_KEYS and is_masked(value):
            raise invalid(name, f"'{name}' holds a masked value, not the secret itself.")
    for name in REQUIRED_CREDENTIAL_KEYS.get(platform_key, ()):
        if not body.get(name):
            raise invalid(name, f"'{name}' is required for this integration.")
    flag = body.get(CREDENTIAL_USE_READ_WRITE_SCOPE)
    if flag is not None and flag not in USE_READ_WRITE_SCOPE_VALUES:
        raise invalid(CREDENTIAL_USE_READ_WRITE_SCOPE, 'Expected "true" or "false".')
    return {str(k): str(v) for k, v in body.items()}


def one_time_sync(body: Any) -> dict[str, str]:
    """Validate ``{"oneTimeSync": "true"|"false"}`` and return it."""
    body = require_object(body)
    value = body.get("oneTimeSync")
    if (
        set(body) != {"oneTimeSync"}
        or not isinstance(value, str)
        or value not in ONE_TIME_SYNC_VALUES
    ):
        raise ApiError(
            400,
            'The body must be {"oneTimeSync": "true"|"false"}.',
            [("oneTimeSync", 'Expected "true" or "false".')],
        )
    return {"oneTimeSync": value}


# --- profile and sync settings ---


def profile(body: Any) -> dict[str, Any]:
    """Validate a ``PUT /profile`` body; return the profile (deprecated ``apiKey`` dropped)."""
    body = require_object(body)
    result: dict[str, Any] = {
        "name": require_str(body, "name", "name"),
        "redirectUrl": require_str(body, "redirectUrl", "redirectUrl"),
    }
    for key in ("logoUrl", "iconUrl"):
        if key in body:
            result[key] = require_str(body, key, key)
    if "whiteListUrls" in body:
        urls = body["whiteListUrls"]
        if not isinstance(urls, list) or not all(is_uri(url) for url in urls):
            raise invalid("whiteListUrls", "'whiteListUrls' must be an array of absolute URIs.")
        result["whiteListUrls"] = urls
    if "confirmCompanyName" in body:
        result["confirmCompanyName"] = require_bool(
            body, "confirmCompanyName", "confirmCompanyName"
        )
    return result


def sync_setting(entry: Any, item: str) -> dict[str, Any]:
    """Validate one ``SyncSetting`` and return it normalized (known fields only)."""
    if not isinstance(entry, dict):
        raise invalid(item, "Each sync setting must be an object.")
    data_type = entry.get("dataType")
    if not isinstance(data_type, str) or data_type not in _KNOWN_TYPES:
        raise invalid(f"{item}.dataType", f"Unknown data type {data_type!r}.")
    setting: dict[str, Any] = {
        "dataType": data_type,
        "fetchOnFirstLink": require_bool(entry, "fetchOnFirstLink", f"{item}.fetchOnFirstLink"),
        "syncSchedule": require_int(entry, "syncSchedule", f"{item}.syncSchedule"),
        "syncOrder": require_int(entry, "syncOrder", f"{item}.syncOrder"),
    }
    if "syncFromUtc" in entry:
        if not is_datetime(entry["syncFromUtc"]):
            raise invalid(f"{item}.syncFromUtc", "'syncFromUtc' must be an ISO-8601 date-time.")
        setting["syncFromUtc"] = entry["syncFromUtc"]
    for key in ("syncFromWindow", "monthsToSync"):
        if key in entry:
            setting[key] = require_int(entry, key, f"{item}.{key}")
    if "isLocked" in entry:
        setting["isLocked"] = require_bool(entry, "isLocked", f"{item}.isLocked")
    return setting


def sync_settings(body: Any, id_field: str) -> tuple[list[dict[str, Any]], bool]:
    """Validate a whole POST sync-settings body (``id_field``: ``clientId`` or ``companyId``).

    Returns:
        The normalized settings (the list that REPLACES the stored one) and
        ``overridesDefaults``.

    """
    body = require_object(body)
    owner = body.get(id_field)
    if not isinstance(owner, str) or not is_uuid(owner):
        raise invalid(id_field, f"'{id_field}' is required and must be a uuid.")
    overrides = require_bool(body, "overridesDefaults", "overridesDefaults")
    entries = body.get("settings")
    if not isinstance(entries, list):
        raise invalid("settings", "'settings' is required and must be an array.")
    settings: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        setting = sync_setting(entry, f"settings[{index}]")
        if setting["dataType"] in seen:
            raise invalid(
                f"settings[{index}].dataType", f"Duplicate data type {setting['dataType']!r}."
            )
        seen.add(setting["dataType"])
        settings.append(setting)
    return settings, overrides


# --- companies and connections ---


def company_name(value: Any) -> str:
    """Return a valid company name or raise 400."""
    if not isinstance(value, str) or not value or not COMPANY_NAME_PATTERN.search(value):
        raise invalid("name", "'name' must be a non-empty string of letters, digits and ,.'-&@?!")
    return value


def company_tags(value: Any) -> dict[str, str]:
    """Return valid company tags or raise 400."""
    if not isinstance(value, dict) or len(value) > MAX_TAGS:
        raise invalid("tags", f"'tags' must be an object of at most {MAX_TAGS} entries.")
    for name, tag in value.items():
        if not TAG_NAME_PATTERN.search(name):
            raise invalid("tags", "Tag names must have 1 to 27 characters.")
        if not isinstance(tag, str) or len(tag) > MAX_TAG_VALUE_LENGTH:
            raise invalid("tags", f"Tag values must be strings of at most {MAX_TAG_VALUE_LENGTH}.")
    return dict(value)


def apply_company_fields(company: dict[str, Any], body: Any, *, replace: bool) -> None:
    """Apply ``name``, ``description`` and ``tags`` from a request body to ``company``."""
    body = require_object(body)
    if replace or "name" in body:
        company["name"] = company_name(body.get("name"))
    if "description" in body:
        description = body["description"]
        if not isinstance(description, str):
            raise invalid("description", "'description' must be a string.")
        company["description"] = description
    elif replace:
        company["description"] = ""
    if "tags" in body:
        company["tags"] = company_tags(body["tags"])
    elif replace:
        company["tags"] = {}


def platform_key(body: Any) -> str:
    """Return the ``platformKey`` of a create-connection body."""
    key = require_object(body).get("platformKey")
    if not isinstance(key, str) or not key:
        raise ApiError(400, "'platformKey' is required.", [("platformKey", "Required.")])
    return key


def unlink_status(body: Any) -> str:
    """Validate an unlink body ``{"status": "Unlinked"}`` and return the status."""
    body = require_object(body)
    status = body.get("status")
    if not isinstance(status, str) or status not in UNLINK_STATUSES or set(body) != {"status"}:
        raise ApiError(400, 'The body must be {"status": "Unlinked"}.', [("status", "Unlinked")])
    return status


# --- webhooks and API keys ---


def webhook_consumer(body: Any) -> dict[str, Any]:
    """Validate a create-webhook-consumer body and return the consumer (without id)."""
    body = require_object(body)
    url = body.get("url")
    if not is_uri(url):
        raise invalid("url", "'url' is required and must be an absolute URI.")
    consumer: dict[str, Any] = {"url": url}
    event_types = body.get("eventTypes", [])
    if not isinstance(event_types, list) or not all(isinstance(e, str) for e in event_types):
        raise invalid("eventTypes", "'eventTypes' must be an array of strings.")
    consumer["eventTypes"] = event_types
    disabled = body.get("disabled", False)
    if disabled is None:
        disabled = False
    if not isinstance(disabled, bool):
        raise invalid("disabled", "'disabled' must be a boolean.")
    consumer["disabled"] = disabled
    tags = body.get("companyTags")
    if tags is not None:
        if (
            not isinstance(tags, list)
            or len(tags) > MAX_WEBHOOK_COMPANY_TAGS
            or not all(
                isinstance(t, str) and len(t) <= MAX_WEBHOOK_COMPANY_TAG_LENGTH for t in tags
            )
        ):
            raise invalid("companyTags", "'companyTags' must be at most 10 short strings.")
        consumer["companyTags"] = tags
    return consumer


def api_key_name(body: Any) -> str | None:
    """Return the optional ``name`` of a create-API-key body."""
    body = require_object(body)
    if body.get("name") is None:
        return None
    return require_str(body, "name", "name", max_length=MAX_API_KEY_NAME_LENGTH)
