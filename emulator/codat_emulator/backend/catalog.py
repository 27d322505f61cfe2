"""What every client starts with: the integrations offered, their views, the seeded defaults."""

from typing import Any

from codat_api.data_types import ALL_DATA_TYPES, COMMERCE_DATA_TYPES
from codat_api.platforms import COMMERCE_INTEGRATIONS
from codat_emulator.backend import model

SOURCE_TYPE = "Commerce"
"""``sourceType`` of every seeded integration."""

LOGO_BASE = "https://static.codat.io/public/officialLogos"
"""Base URL of integration logos (Codat's public asset host)."""

DEFAULT_SYNC_SCHEDULE_HOURS = 24
"""``syncSchedule`` of every seeded sync setting."""

DEFAULT_PROFILE_NAME = "Codat API emulator"
"""Profile name of the default client (named clients are named after themselves)."""


def is_known(platform_key: str) -> bool:
    """Tell whether the emulator offers an integration with this platform key."""
    return platform_key in COMMERCE_INTEGRATIONS


def key_for_integration_id(integration_id: str) -> str | None:
    """Return the platform key of an integration id, or None."""
    for key in COMMERCE_INTEGRATIONS:
        if model.integration_id(key) == integration_id:
            return key
    return None


def _logo(platform_key: str, variant: str) -> str:
    return f"{LOGO_BASE}/{variant}/{model.source_id(platform_key)}.png"


def integration_view(
    platform_key: str, enabled: bool, linked: int = 0, total: int = 0
) -> dict[str, Any]:
    """Build the ``Integration`` object of the spec for one integration."""
    name = COMMERCE_INTEGRATIONS[platform_key]
    return {
        "key": platform_key,
        "name": name,
        "logoUrl": _logo(platform_key, "Full"),
        "enabled": enabled,
        "sourceId": model.source_id(platform_key),
        "sourceType": SOURCE_TYPE,
        "integrationId": model.integration_id(platform_key),
        "isOfflineConnector": False,
        "isBeta": False,
        "dataProvidedBy": name,
        "datatypeFeatures": [],
        "linkedConnectionsCount": linked,
        "totalConnectionsCount": total,
    }


def branding_view(platform_key: str) -> dict[str, Any]:
    """Build the ``Branding`` object of the spec for one integration."""
    name = COMMERCE_INTEGRATIONS[platform_key]

    def image(variant: str, alt: str) -> dict[str, Any]:
        return {"image": {"src": _logo(platform_key, variant), "alt": alt}}

    return {
        "logo": {"full": image("Full", f"{name} logo"), "square": image("Square", f"{name} icon")},
        "button": {
            "default": image("Button", f"Connect {name}"),
            "hover": image("ButtonHover", f"Connect {name}"),
        },
        "sourceId": model.source_id(platform_key),
    }


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


def default_profile(name: str, client_id: str) -> dict[str, Any]:
    """Return the seeded profile of a client."""
    return {
        "name": name,
        "logoUrl": "https://static.codat.io/public/branding/codat-logo.png",
        "iconUrl": "https://static.codat.io/public/branding/codat-icon.png",
        "redirectUrl": f"https://link.codat.io/client/{client_id}",
        "whiteListUrls": [],
        "confirmCompanyName": False,
    }
