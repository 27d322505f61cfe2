"""Initial state of a fresh database (idempotent: existing documents are left alone)."""

from typing import Any

from codat_api.data_types import ALL_DATA_TYPES, COMMERCE_DATA_TYPES
from codat_api.platforms import COMMERCE_INTEGRATIONS
from codat_emulator import ids, kinds
from codat_emulator.store import Store

DEFAULT_SYNC_SCHEDULE_HOURS = 24
"""``syncSchedule`` of every seeded sync setting."""


def default_sync_settings() -> list[dict[str, Any]]:
    """Return one sync setting per data type; commerce ones do not fetch on first link."""
    return [
        {
            "dataType": data_type,
            "fetchOnFirstLink": data_type not in COMMERCE_DATA_TYPES,
            "syncSchedule": DEFAULT_SYNC_SCHEDULE_HOURS,
            "syncOrder": 0,
            "isLocked": False,
        }
        for data_type in ALL_DATA_TYPES
    ]


def default_profile() -> dict[str, Any]:
    """Return the seeded client profile."""
    return {
        "name": "Codat API emulator",
        "logoUrl": "https://static.codat.io/public/branding/codat-logo.png",
        "iconUrl": "https://static.codat.io/public/branding/codat-icon.png",
        "redirectUrl": f"https://link.codat.io/client/{ids.CLIENT_ID}",
        "whiteListUrls": [],
        "confirmCompanyName": False,
    }


def seed(store: Store, startup_api_keys: tuple[str, ...]) -> None:
    """Add every missing seed document in one transaction.

    Every commerce integration starts disabled with no credentials; the client sync settings
    hold one setting per data type; start-up API keys are listed under stable ids.
    """
    with store.transaction():
        for key in COMMERCE_INTEGRATIONS:
            store.put_if_absent(kinds.INTEGRATION_STATE, key, {"enabled": False})
        store.put_if_absent(
            kinds.SYNC_SETTINGS,
            kinds.CLIENT_SETTINGS_ID,
            {"settings": default_sync_settings(), "overridesDefaults": False},
        )
        store.put_if_absent(kinds.PROFILE, kinds.PROFILE_ID, default_profile())
        for api_key in startup_api_keys:
            key_id = ids.startup_api_key_id(api_key)
            store.put_if_absent(
                kinds.API_KEY,
                key_id,
                {
                    "id": key_id,
                    "name": "emulator start-up key",
                    "apiKey": api_key,
                    "createdDate": "2024-01-01T00:00:00Z",
                },
            )
