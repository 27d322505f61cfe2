"""Rate limiting (X-Rate-Limit-* headers, 429 + Retry-After) and fault injection."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from emulator_support import API_KEY, ApiClient, assert_error_body

from codat_api import endpoints
from codat_emulator.process import EmulatorProcess


def call_with_retries(
    client: httpx.Client, method: str, path: str, attempts: int = 5, **kwargs: object
) -> tuple[httpx.Response, int]:
    """A minimal client that retries 408/429/5xx like Codat's SDKs (honouring Retry-After)."""
    for attempt in range(1, attempts + 1):
        response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
        if response.status_code not in (408, 429) and response.status_code < 500:
            return response, attempt
        time.sleep(min(float(response.headers.get("retry-after", "0")), 0.05))
    return response, attempts


def test_rate_limit_headers_and_429(tmp_path: Path) -> None:
    with (
        EmulatorProcess(tmp_path / "rl.db", [API_KEY], rate_limit_per_minute=5) as emu,
        ApiClient(emu) as api,
    ):
        remaining = []
        for _ in range(5):
            response = api.get(endpoints.PROFILE)
            assert response.status_code == 200
            assert response.headers["X-Rate-Limit-Limit"] == "5"
            remaining.append(int(response.headers["X-Rate-Limit-Remaining"]))
            assert int(response.headers["X-Rate-Limit-Reset"]) >= int(time.time())
        assert remaining == [4, 3, 2, 1, 0]
        limited = api.get(endpoints.PROFILE)
        assert_error_body(limited, 429)
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert limited.headers["X-Rate-Limit-Remaining"] == "0"
        assert assert_error_body(api.get(endpoints.INTEGRATIONS), 429)["canBeRetried"] == "True"


def test_no_rate_limit_headers_when_off(api: ApiClient) -> None:
    assert "X-Rate-Limit-Limit" not in api.get(endpoints.PROFILE).headers


def test_fault_injection_via_admin_route_and_client_retries(emulator: EmulatorProcess) -> None:
    admin = httpx.Client(base_url=emulator.base_url, timeout=5)
    rule = {
        "status": 503,
        "count": 2,
        "method": "PUT",
        "path_prefix": "/integrations",
        "retry_after_seconds": 1,
    }
    created = admin.post("/_emulator/faults", json=rule)
    assert created.status_code == 201
    assert admin.get("/_emulator/faults").json()["results"][0]["count"] == 2
    with ApiClient(emulator) as api:
        # Non-matching requests are untouched.
        assert api.get(endpoints.integration("yzth")).status_code == 200
        assert api.put(endpoints.PROFILE, json=api.get(endpoints.PROFILE).json()).status_code == 200
        first = api.put(endpoints.integration_enabled("yzth"), json={"enabled": False})
        body = assert_error_body(first, 503)
        assert body["canBeRetried"] == "True"
        assert first.headers["Retry-After"] == "1"
        response, attempts = call_with_retries(
            api, "PUT", endpoints.integration_enabled("yzth"), json={"enabled": False}
        )
    assert response.status_code == 200
    assert attempts == 2  # the second injected failure, then success
    assert admin.get("/_emulator/faults").json()["results"] == []
    assert admin.post("/_emulator/faults", json={"status": 200}).status_code == 400
    admin.post("/_emulator/faults", json={"status": 500, "count": 3})
    assert admin.delete("/_emulator/faults").status_code == 204
    assert admin.get("/_emulator/faults").json()["results"] == []
    admin.close()


def test_fault_injection_from_start_up_option(tmp_path: Path) -> None:
    with (
        EmulatorProcess(tmp_path / "f.db", [API_KEY], faults=["429:3:GET:/profile"]) as emu,
        ApiClient(emu) as api,
    ):
        assert api.get(endpoints.INTEGRATIONS).status_code == 200
        statuses = [api.get(endpoints.PROFILE).status_code for _ in range(4)]
    assert statuses == [429, 429, 429, 200]
