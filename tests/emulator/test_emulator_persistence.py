"""Persistence: state survives SIGKILL and restart; a crash mid-write leaves no half write."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from emulator_support import API_KEY, ApiClient

from codat_api import endpoints
from codat_api.platforms import STRIPE_TEST_KEY
from codat_emulator.control.admin import CRASH_EXIT_CODE
from codat_emulator.process import EmulatorProcess

CREDS = {"clientId": "ca_fakeClient1234", "secretKey": "sk_test_fake1234"}


def snapshot(api: ApiClient, company_id: str, integration_id: str) -> dict[str, object]:
    return {
        "sync": api.get(endpoints.PROFILE_SYNC_SETTINGS).json(),
        "company": api.get(endpoints.company(company_id)).json(),
        "company_sync": api.get(endpoints.company_sync_settings(company_id)).json(),
        "integration": api.get(endpoints.integration(STRIPE_TEST_KEY)).json(),
        "integrations": api.get(endpoints.INTEGRATIONS).json(),
        "credentials": api.get(endpoints.integration_credentials(STRIPE_TEST_KEY)).json(),
        "settings": api.get(endpoints.integration_settings(integration_id)).json(),
        "profile": api.get(endpoints.PROFILE).json(),
        "webhooks": api.get(endpoints.WEBHOOKS).json(),
        "apiKeys": api.get(endpoints.API_KEYS).json(),
    }


def test_state_survives_sigkill_and_restart(tmp_path: Path) -> None:
    db = tmp_path / "codat.db"
    first = EmulatorProcess(db, [API_KEY]).start()
    try:
        with ApiClient(first) as api:
            sync = api.get(endpoints.PROFILE_SYNC_SETTINGS).json()
            sync["settings"] = [
                {**s, "fetchOnFirstLink": True, "syncSchedule": 6} for s in sync["settings"]
            ]
            sync["overridesDefaults"] = True
            assert api.post(endpoints.PROFILE_SYNC_SETTINGS, json=sync).status_code == 204
            assert (
                api.put(endpoints.integration_credentials(STRIPE_TEST_KEY), json=CREDS).status_code
                == 200
            )
            integration = api.put(
                endpoints.integration_enabled(STRIPE_TEST_KEY), json={"enabled": True}
            ).json()
            settings_path = endpoints.integration_settings(integration["integrationId"])
            assert api.patch(settings_path, json={"oneTimeSync": "true"}).status_code == 200
            company = api.post(endpoints.COMPANIES, json={"name": "Persisted Ltd"}).json()
            api.post(
                endpoints.company_connections(company["id"]), json={"platformKey": STRIPE_TEST_KEY}
            )
            company_sync = {
                "companyId": company["id"],
                "settings": sync["settings"][:3],
                "overridesDefaults": True,
            }
            assert (
                api.post(
                    endpoints.company_sync_settings(company["id"]), json=company_sync
                ).status_code
                == 204
            )
            api.post(endpoints.WEBHOOKS, json={"url": "https://example.com/hook", "eventTypes": []})
            before = snapshot(api, company["id"], integration["integrationId"])
    finally:
        first.kill()
    assert first.running is False

    with EmulatorProcess(db, [API_KEY]) as second, ApiClient(second) as api:
        after = snapshot(api, company["id"], integration["integrationId"])
    assert after == before
    assert after["integration"]["enabled"] is True  # type: ignore[index]


@pytest.mark.parametrize("after_writes", [1, 2])
def test_crash_inside_a_multi_row_write_leaves_the_state_before_it(
    tmp_path: Path, after_writes: int
) -> None:
    """Deleting a company deletes its connections, its sync settings and itself: 3 writes.

    The emulator is made to exit after the first (or second) of them, before the commit. After
    a restart the state must be exactly the one before the delete; a store that committed
    statement by statement would show the company without its connections.
    """
    db = tmp_path / "codat.db"
    process = EmulatorProcess(db, [API_KEY], enable_admin=True).start()
    with ApiClient(process) as api:
        assert api.put(endpoints.integration_credentials(STRIPE_TEST_KEY), json=CREDS).is_success
        api.put(endpoints.integration_enabled(STRIPE_TEST_KEY), json={"enabled": True})
        company = api.post(endpoints.COMPANIES, json={"name": "Crash Ltd"}).json()
        connections = endpoints.company_connections(company["id"])
        api.post(connections, json={"platformKey": STRIPE_TEST_KEY})
        sync = api.get(endpoints.company_sync_settings(company["id"])).json()
        sync["settings"] = [{**s, "syncSchedule": 7} for s in sync["settings"][:3]]
        assert api.post(endpoints.company_sync_settings(company["id"]), json=sync).is_success
    before = httpx.get(process.base_url + "/_emulator/state").content
    armed = httpx.post(process.base_url + "/_emulator/crash", json={"after_writes": after_writes})
    assert armed.status_code == 202
    with pytest.raises(httpx.TransportError):
        httpx.delete(
            process.base_url + endpoints.company(company["id"]),
            headers=process.auth_headers(),
            timeout=10,
        )
    assert process.stop() == CRASH_EXIT_CODE
    with EmulatorProcess(db, [API_KEY], enable_admin=True) as restarted:
        after = httpx.get(restarted.base_url + "/_emulator/state").content
        with ApiClient(restarted) as api:
            listed = api.get(connections).json()["results"]
    assert after == before
    assert len(listed) == 1


def test_concurrent_writes_are_safe(emulator: EmulatorProcess) -> None:
    def create(index: int) -> str:
        with httpx.Client(
            base_url=emulator.base_url, headers=emulator.auth_headers(), timeout=10
        ) as client:
            response = client.post(endpoints.COMPANIES, json={"name": f"Concurrent {index}"})
            assert response.status_code == 200
            company_id: str = response.json()["id"]
            settings = {
                "companyId": company_id,
                "settings": [
                    {
                        "dataType": "commerce-orders",
                        "fetchOnFirstLink": True,
                        "syncSchedule": index,
                        "syncOrder": 0,
                    }
                ],
                "overridesDefaults": True,
            }
            assert (
                client.post(endpoints.company_sync_settings(company_id), json=settings).status_code
                == 204
            )
            return company_id

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(create, range(40)))
    assert len(set(ids)) == 40
    with ApiClient(emulator) as api:
        listed = {
            c["id"]
            for c in api.get(endpoints.COMPANIES, params={"pageSize": 2000}).json()["results"]
        }
        assert set(ids) <= listed
        for index, company_id in enumerate(ids):
            got = api.get(endpoints.company_sync_settings(company_id)).json()
            assert got["settings"][0]["syncSchedule"] == index
