"""The integrations the emulator offers, and their Codat ``Integration`` and ``Branding`` views."""

from typing import Any

from codat_api.platforms import COMMERCE_INTEGRATIONS
from codat_emulator import ids

SOURCE_TYPE = "Commerce"
"""``sourceType`` of every seeded integration."""

LOGO_BASE = "https://static.codat.io/public/officialLogos"
"""Base URL of integration logos (Codat's public asset host)."""


def is_known(platform_key: str) -> bool:
    """Tell whether the emulator offers an integration with this platform key."""
    return platform_key in COMMERCE_INTEGRATIONS


def key_for_integration_id(integration_id: str) -> str | None:
    """Return the platform key of an integration id, or None."""
    for key in COMMERCE_INTEGRATIONS:
        if ids.integration_id(key) == integration_id:
            return key
    return None


def _logo(platform_key: str, variant: str) -> str:
    return f"{LOGO_BASE}/{variant}/{ids.source_id(platform_key)}.png"


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
        "sourceId": ids.source_id(platform_key),
        "sourceType": SOURCE_TYPE,
        "integrationId": ids.integration_id(platform_key),
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
        "sourceId": ids.source_id(platform_key),
    }
