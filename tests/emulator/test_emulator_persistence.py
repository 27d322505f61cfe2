"""Persistence: state survives SIGKILL and restart; writes are atomic; concurrency is safe."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from emulator_support import API_KEY, ApiClient

from codat_api import endpoints
from codat_api.data_types import ALL_DATA_TYPES
from codat_api.platforms import STRIPE_TEST_KEY
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


def test_killed_mid_write_never_leaves_half_a_settings_list(tmp_path: Path) -> None:
    db = tmp_path / "codat.db"
    process = EmulatorProcess(db, [API_KEY]).start()
    with ApiClient(process) as api:
        client_id = api.get(endpoints.PROFILE_SYNC_SETTINGS).json()["clientId"]

    def body(schedule: int) -> dict[str, object]:
        settings = [
            {"dataType": t, "fetchOnFirstLink": True, "syncSchedule": schedule, "syncOrder": i}
            for i, t in enumerate(ALL_DATA_TYPES)
        ]
        return {"clientId": client_id, "settings": settings, "overridesDefaults": True}

    stop = threading.Event()
    written: list[int] = []

    def hammer() -> None:
        with httpx.Client(
            base_url=process.base_url, headers=process.auth_headers(), timeout=5
        ) as client:
            schedule = 1
            while not stop.is_set():
                try:
                    client.post(endpoints.PROFILE_SYNC_SETTINGS, json=body(schedule))
                    written.append(schedule)
                except httpx.HTTPError:
                    return
                schedule += 1

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    process.kill()
    stop.set()
    for thread in threads:
        thread.join(10)
    assert written, "no write completed before the kill"

    with EmulatorProcess(db, [API_KEY]) as restarted, ApiClient(restarted) as api:
        settings = api.get(endpoints.PROFILE_SYNC_SETTINGS).json()["settings"]
    assert [s["dataType"] for s in settings] == list(ALL_DATA_TYPES)
    assert len({s["syncSchedule"] for s in settings}) == 1  # one whole write, never a mix


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
