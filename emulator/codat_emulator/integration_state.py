"""Reads of an integration's stored state: enabled flag, credentials, connection counts."""

from typing import Any

from codat_api.platforms import COMMERCE_INTEGRATIONS
from codat_emulator import catalog, kinds
from codat_emulator.errors import ApiError, not_found
from codat_emulator.store import Store


def require_known(platform_key: str) -> None:
    """Raise 404 unless the emulator offers this integration."""
    if not catalog.is_known(platform_key):
        raise not_found(f"Integration '{platform_key}'")


def is_enabled(store: Store, platform_key: str) -> bool:
    """Return the stored ``enabled`` flag of an integration."""
    doc = store.get(kinds.INTEGRATION_STATE, platform_key)
    return bool(doc and doc.get("enabled"))


def credentials(store: Store, platform_key: str) -> dict[str, str] | None:
    """Return the stored credential map of an integration (unmasked), or None."""
    doc = store.get(kinds.CREDENTIALS, platform_key)
    return None if doc is None else {str(k): str(v) for k, v in doc.items()}


def view(store: Store, platform_key: str) -> dict[str, Any]:
    """Build the ``Integration`` object, with live connection counts."""
    linked = total = 0
    for connection in store.list(kinds.CONNECTION):
        if connection.get("integrationKey") == platform_key:
            total += 1
            linked += connection.get("status") == "Linked"
    return catalog.integration_view(platform_key, is_enabled(store, platform_key), linked, total)


def all_views(store: Store) -> list[dict[str, Any]]:
    """Build the ``Integration`` object of every integration, in catalog order."""
    return [view(store, key) for key in COMMERCE_INTEGRATIONS]


def require_integration_id(integration_id: str) -> str:
    """Return the platform key of an integration id, or raise 404."""
    key = catalog.key_for_integration_id(integration_id)
    if key is None:
        raise ApiError(404, f"Integration '{integration_id}' was not found.")
    return key
