"""Validation of sync-settings bodies (client and company), strict as CODAT_API.md asks."""

from typing import Any

from codat_api.data_types import ALL_DATA_TYPES
from codat_emulator.errors import ApiError
from codat_emulator.ids import is_uuid
from codat_emulator.validate import invalid, is_datetime, require_bool, require_int

_KNOWN_TYPES = frozenset(ALL_DATA_TYPES)


def validate_setting(entry: Any, item: str) -> dict[str, Any]:
    """Validate one ``SyncSetting`` and return it normalized (known fields only).

    Raises:
        ApiError: 400 for a non-object, unknown data type, missing or mistyped required field,
            or a negative number.

    """
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


def validate_body(body: Any, id_field: str) -> tuple[list[dict[str, Any]], bool]:
    """Validate a whole POST sync-settings body.

    Args:
        body: The parsed JSON body.
        id_field: ``clientId`` or ``companyId``, required by the spec.

    Returns:
        The normalized settings (the list that REPLACES the stored one) and
        ``overridesDefaults``.

    Raises:
        ApiError: 400 on the first invalid field or entry, or a duplicated data type.

    """
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
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
        setting = validate_setting(entry, f"settings[{index}]")
        if setting["dataType"] in seen:
            raise invalid(
                f"settings[{index}].dataType", f"Duplicate data type {setting['dataType']!r}."
            )
        seen.add(setting["dataType"])
        settings.append(setting)
    return settings, overrides
