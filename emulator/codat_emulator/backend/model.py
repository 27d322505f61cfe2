"""Names and identities of the emulator's documents: kinds, stable ids, timestamps."""

import uuid
from datetime import UTC, datetime

# --- Document kinds (one per resource; every document belongs to one client) ---

INTEGRATION_STATE = "integration"
"""Mutable state of an integration (``enabled``), keyed by platform key."""

CREDENTIALS = "credentials"
"""Stored credential map of an integration, keyed by platform key."""

INTEGRATION_SETTINGS = "integration_settings"
"""``oneTimeSync`` settings, keyed by integration id."""

PROFILE = "profile"
"""The client profile (single document)."""

SYNC_SETTINGS = "sync_settings"
"""Client sync settings (id ``client``) and company sync settings (id = company id)."""

COMPANY = "company"
"""Companies, keyed by company id."""

CONNECTION = "connection"
"""Connections, keyed by connection id, parent = company id."""

WEBHOOK = "webhook"
"""Webhook consumers, keyed by id."""

API_KEY = "api_key"
"""API keys, keyed by id."""

CLIENT_SETTINGS_ID = "client"
"""Document id of the client sync settings."""

PROFILE_ID = "profile"
"""Document id of the profile."""

# --- Stable identifiers: uuid5 of fixed names, so seeded ids survive restarts and fresh files ---

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://api.codat.io/#codat-emulator")
"""Namespace of every uuid5 the emulator derives."""

DEFAULT_CLIENT_ID = str(uuid.uuid5(NAMESPACE, "client"))
"""The default client's id (``clientId`` of its profile sync settings)."""


def client_id(client: str, default_client: str) -> str:
    """Return the stable Codat ``clientId`` of a named client (the default keeps its old id)."""
    if client == default_client:
        return DEFAULT_CLIENT_ID
    return str(uuid.uuid5(NAMESPACE, f"client:{client}"))


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


def utc_now() -> str:
    """Return the current UTC time as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
