"""A small Codat API client for the operational commands (read state, test a connection)."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from codat_api import endpoints


def basic_auth(api_key: str) -> str:
    """Codat's Authorization header value: `Basic base64(apiKey)`."""
    return "Basic " + base64.b64encode(api_key.encode()).decode()


class CodatClient:
    """The Codat calls the demo and the checks make, over httpx with retries on 429/5xx."""

    def __init__(self, base_url: str, api_key: str, timeout_seconds: float = 30) -> None:
        """Open a client for one Codat instance."""
        self._http = httpx.Client(
            base_url=base_url,
            headers={"Authorization": basic_auth(api_key)},
            timeout=timeout_seconds,
            transport=httpx.HTTPTransport(retries=2),
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> CodatClient:
        """Use as a context manager."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close on exit."""
        self.close()

    def _get(self, path: str) -> Any:
        response = self._http.get(path)
        response.raise_for_status()
        return response.json()

    def integration(self, platform_key: str) -> dict[str, Any]:
        """GET /integrations/{platformKey}."""
        return dict(self._get(endpoints.integration(platform_key)))

    def credentials(self, platform_key: str) -> dict[str, str] | None:
        """GET the masked credentials, or None when none are stored."""
        response = self._http.get(endpoints.integration_credentials(platform_key))
        if response.status_code == httpx.codes.NOT_FOUND:
            return None
        response.raise_for_status()
        return dict(response.json())

    def integration_settings(self, integration_id: str) -> dict[str, Any]:
        """GET /settings/integrations/{integrationId}."""
        return dict(self._get(endpoints.integration_settings(integration_id)))

    def sync_settings(self) -> dict[str, Any]:
        """GET /profile/syncSettings."""
        return dict(self._get(endpoints.PROFILE_SYNC_SETTINGS))

    def create_company(self, name: str) -> dict[str, Any]:
        """POST /companies."""
        response = self._http.post(endpoints.COMPANIES, json={"name": name})
        response.raise_for_status()
        return dict(response.json())

    def create_connection(self, company_id: str, platform_key: str) -> dict[str, Any]:
        """POST /companies/{id}/connections for a platform key."""
        response = self._http.post(
            endpoints.company_connections(company_id), json={"platformKey": platform_key}
        )
        response.raise_for_status()
        return dict(response.json())
