"""Put a Stripe integration's state into the emulator over its API, as a deploy would."""

from __future__ import annotations

from typing import Any

from codat_api import endpoints
from codat_api.data_types import COMMERCE_DATA_TYPES


def configure(
    client: Any,
    platform_key: str,
    client_id: str,
    secret: str,
    *,
    read_write: bool = False,
    one_time_sync: str = "false",
    sync_hours: int = 24,
) -> None:
    """Store credentials, data access, enable the integration and turn commerce sync on."""
    credentials = {
        "clientId": client_id,
        "secretKey": secret,
        "useReadWriteScope": "true" if read_write else "false",
    }
    client.put(endpoints.integration_credentials(platform_key), json=credentials).raise_for_status()
    integration = client.get(endpoints.integration(platform_key)).json()
    client.patch(
        endpoints.integration_settings(integration["integrationId"]),
        json={"oneTimeSync": one_time_sync},
    ).raise_for_status()
    client.put(
        endpoints.integration_enabled(platform_key), json={"enabled": True}
    ).raise_for_status()
    current = client.get(endpoints.PROFILE_SYNC_SETTINGS).json()
    managed = {"fetchOnFirstLink": True, "syncSchedule": sync_hours}
    settings = [
        {**s, **managed} if s["dataType"] in COMMERCE_DATA_TYPES else s for s in current["settings"]
    ]
    present = {s["dataType"] for s in settings}
    settings += [
        {"dataType": t, "syncOrder": 0, **managed} for t in COMMERCE_DATA_TYPES if t not in present
    ]
    client.post(
        endpoints.PROFILE_SYNC_SETTINGS,
        json={**current, "settings": settings},
    ).raise_for_status()
