"""A small Codat API client for the operational commands (read state, test a connection).

It speaks `requests` through `verify.http.HttpClient`: timeouts, and bounded retries on 408,
429 and 5xx that honour Retry-After. Errors name the call and Codat's status and message,
never the API key.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

import requests

from codat_api import endpoints
from codat_stripe_ops.verify.http import HttpClient


def basic_auth(api_key: str) -> str:
    """Codat's Authorization header value: `Basic base64(apiKey)`."""
    return "Basic " + base64.b64encode(api_key.encode()).decode()


class CodatApiError(RuntimeError):
    """Codat answered a call with an error status; `status` holds it."""

    def __init__(self, method: str, path: str, response: requests.Response) -> None:
        """Describe the failed call from Codat's error body (its `error` field, if any)."""
        self.status = response.status_code
        self.path = path
        message = ""
        try:
            body = response.json()
            if isinstance(body, dict):
                message = str(body.get("error") or "")
        except ValueError:
            pass
        super().__init__(
            f"{method} {path}: Codat answered {self.status}" + (f": {message}" if message else "")
        )


class CodatClient:
    """The Codat calls the demo, verify and the checks make."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        timeout_seconds: float = 30,
        *,
        max_attempts: int = 4,
        max_wait_seconds: float = 30.0,
    ) -> None:
        """Open a client for one Codat instance."""
        self._http = HttpClient(
            base_url,
            {"Authorization": basic_auth(api_key), "Accept": "application/json"},
            timeout=(min(10.0, timeout_seconds), timeout_seconds),
            max_attempts=max_attempts,
            max_wait_seconds=max_wait_seconds,
        )

    @property
    def attempts(self) -> int:
        """HTTP attempts made so far (retries included)."""
        return self._http.attempts

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> CodatClient:
        """Use as a context manager."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close on exit."""
        self.close()

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send one request and return the response whatever its status."""
        if method.upper() == "POST":
            kwargs.setdefault("headers", {}).setdefault("Idempotency-Key", str(uuid.uuid4()))
        return self._http.request(method, path, **kwargs)

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        if not response.ok:
            raise CodatApiError(method, path, response)
        return response.json() if response.content else None

    def profile(self) -> dict[str, Any]:
        """GET /profile."""
        return dict(self._json("GET", endpoints.PROFILE))

    def integration(self, platform_key: str) -> dict[str, Any]:
        """GET /integrations/{platformKey}."""
        return dict(self._json("GET", endpoints.integration(platform_key)))

    def credentials(self, platform_key: str) -> dict[str, str] | None:
        """GET the masked credentials, or None when none are stored."""
        path = endpoints.integration_credentials(platform_key)
        response = self.call("GET", path)
        if response.status_code == requests.codes.not_found:
            return None
        if not response.ok:
            raise CodatApiError("GET", path, response)
        return dict(response.json())

    def integration_settings(self, integration_id: str) -> dict[str, Any]:
        """GET /settings/integrations/{integrationId}."""
        return dict(self._json("GET", endpoints.integration_settings(integration_id)))

    def sync_settings(self) -> dict[str, Any]:
        """GET /profile/syncSettings."""
        return dict(self._json("GET", endpoints.PROFILE_SYNC_SETTINGS))

    def create_company(self, name: str) -> dict[str, Any]:
        """POST /companies."""
        return dict(self._json("POST", endpoints.COMPANIES, json={"name": name}))

    def delete_company(self, company_id: str) -> None:
        """DELETE /companies/{companyId}."""
        self._json("DELETE", endpoints.company(company_id))

    def create_connection(self, company_id: str, platform_key: str) -> dict[str, Any]:
        """POST /companies/{id}/connections for a platform key."""
        return dict(
            self._json(
                "POST",
                endpoints.company_connections(company_id),
                json={"platformKey": platform_key},
            )
        )
