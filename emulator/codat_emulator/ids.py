"""Stable identifiers: uuid5 of fixed names, so seeded ids survive restarts and fresh files."""

import uuid

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://api.codat.io/#codat-emulator")
"""Namespace of every uuid5 the emulator derives."""

CLIENT_ID = str(uuid.uuid5(NAMESPACE, "client"))
"""The emulated Codat client's id (``clientId`` of the profile sync settings)."""


def integration_id(platform_key: str) -> str:
    """Return the stable ``integrationId`` of an integration."""
    return str(uuid.uuid5(NAMESPACE, f"integration:{platform_key}"))


def source_id(platform_key: str) -> str:
    """Return the stable ``sourceId`` of an integration."""
    return str(uuid.uuid5(NAMESPACE, f"source:{platform_key}"))


def startup_api_key_id(api_key: str) -> str:
    """Return the stable id under which a start-up API key is listed."""
    return str(uuid.uuid5(NAMESPACE, f"api-key:{api_key}"))


def new_id() -> str:
    """Return a fresh random uuid for a created resource."""
    return str(uuid.uuid4())


def is_uuid(value: str) -> bool:
    """Tell whether ``value`` is a uuid in its canonical 8-4-4-4-12 text form."""
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False
