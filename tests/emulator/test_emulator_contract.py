"""Functional tests over real loopback HTTP; every response is checked against the spec."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from emulator_support import API_KEY, OTHER_API_KEY, ApiClient, assert_error_body

from codat_api import endpoints
from codat_api.assumptions import mask_secret
from codat_api.data_types import ALL_DATA_TYPES, COMMERCE_DATA_TYPES
from codat_api.platforms import (
    COMMERCE_INTEGRATIONS,
    STRIPE_LIVE_KEY,
    STRIPE_REDIRECT_URI,
    STRIPE_TEST_KEY,
)
from codat_emulator.process import EmulatorProcess

FAKE_CLIENT_ID = "ca_fakeClient1234"
FAKE_SECRET = "sk_test_fake1234"
FAKE_SECRET_2 = "sk_test_fake5678"
MISSING = "00000000-0000-4000-8000-000000000000"


def stripe_creds(**extra: str) -> dict[str, str]:
    return {"clientId": FAKE_CLIENT_ID, "secretKey": FAKE_SECRET, **extra}


def new_company(api: ApiClient, name: str = "Acme Test Ltd") -> dict[str, Any]:
    response = api.post(endpoints.COMPANIES, json={"name": name, "description": "test"})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def enable(api: ApiClient, key: str, **extra: str) -> None:
    assert (
        api.put(endpoints.integration_credentials(key), json=stripe_creds(**extra)).status_code
        == 200
    )
    assert api.put(endpoints.integration_enabled(key), json={"enabled": True}).status_code == 200


# --- integrations ---


def test_seed_lists_every_commerce_integration_with_stable_ids(api: ApiClient) -> None:
    body = api.get(endpoints.INTEGRATIONS).json()
    by_key = {item["key"]: item for item in body["results"]}
    assert set(by_key) == set(COMMERCE_INTEGRATIONS)
    assert body["totalResults"] == len(COMMERCE_INTEGRATIONS)
    for key, name in COMMERCE_INTEGRATIONS.items():
        assert by_key[key]["name"] == name
        assert by_key[key]["sourceType"] == "Commerce"
        assert uuid.UUID(by_key[key]["integrationId"])
    assert by_key[STRIPE_LIVE_KEY]["name"] == "Stripe"
    assert by_key[STRIPE_TEST_KEY]["name"] == "Stripe Test"


def test_stripe_integrations_start_disabled_without_credentials(tmp_path: Any) -> None:
    from emulator_support import API_KEY as key

    with EmulatorProcess(tmp_path / "fresh.db", [key]) as fresh, ApiClient(fresh) as api:
        for platform_key in (STRIPE_LIVE_KEY, STRIPE_TEST_KEY):
            assert api.get(endpoints.integration(platform_key)).json()["enabled"] is False
            response = api.get(endpoints.integration_credentials(platform_key))
            assert_error_body(response, 404)


def test_integrations_paging_and_links(api: ApiClient) -> None:
    total = len(COMMERCE_INTEGRATIONS)
    seen: list[str] = []
    page = 1
    while True:
        body = api.get(endpoints.INTEGRATIONS, params={"page": page, "pageSize": 5}).json()
        assert body["pageNumber"] == page and body["pageSize"] == 5
        assert body["totalResults"] == total
        seen += [item["key"] for item in body["results"]]
        assert ("previous" in body["_links"]) == (page > 1)
        if "next" not in body["_links"]:
            break
        assert body["_links"]["next"]["href"] == f"/integrations?page={page + 1}&pageSize=5"
        page += 1
    assert seen == list(COMMERCE_INTEGRATIONS)
    assert page == -(-total // 5)


def test_integrations_query_and_bad_paging(api: ApiClient) -> None:
    body = api.get(endpoints.INTEGRATIONS, params={"query": f"key={STRIPE_TEST_KEY}"}).json()
    assert [item["key"] for item in body["results"]] == [STRIPE_TEST_KEY]
    assert_error_body(api.get(endpoints.INTEGRATIONS, params={"page": 0}), 400)
    assert_error_body(api.get(endpoints.INTEGRATIONS, params={"query": "nope=1"}), 400)


def test_get_integration_branding_and_unknown(api: ApiClient) -> None:
    integration = api.get(endpoints.integration(STRIPE_TEST_KEY)).json()
    assert integration["key"] == STRIPE_TEST_KEY
    branding = api.get(endpoints.integration_branding(STRIPE_TEST_KEY)).json()
    assert branding["sourceId"] == integration["sourceId"]
    assert_error_body(api.get(endpoints.integration("abcd")), 404)
    assert_error_body(api.get(endpoints.integration_branding("abcd")), 404)


# --- enabled toggle and credentials ---


def test_enable_requires_credentials_and_credentials_lifecycle(api: ApiClient) -> None:
    key = STRIPE_LIVE_KEY
    refused = api.put(endpoints.integration_enabled(key), json={"enabled": True})
    body = assert_error_body(refused, 400)
    assert "Stripe" in body["error"] and key in body["error"]

    put = api.put(
        endpoints.integration_credentials(key), json=stripe_creds(useReadWriteScope="true")
    )
    assert put.status_code == 200
    assert put.json() == {
        "clientId": FAKE_CLIENT_ID,
        "secretKey": mask_secret(FAKE_SECRET),
        "useReadWriteScope": "true",
    }
    assert api.get(endpoints.integration_credentials(key)).json()["secretKey"] == "********1234"

    # PUT replaces the whole map: the omitted flag is dropped.
    replaced = {"clientId": FAKE_CLIENT_ID, "secretKey": FAKE_SECRET_2}
    assert api.put(endpoints.integration_credentials(key), json=replaced).status_code == 200
    assert api.get(endpoints.integration_credentials(key)).json() == {
        "clientId": FAKE_CLIENT_ID,
        "secretKey": "********5678",
    }

    enabled = api.put(endpoints.integration_enabled(key), json={"enabled": True})
    assert enabled.status_code == 200 and enabled.json()["enabled"] is True
    assert enabled.json()["key"] == key
    assert api.get(endpoints.integration(key)).json()["enabled"] is True

    # Deleting the credentials of an enabled integration disables it.
    assert api.delete(endpoints.integration_credentials(key)).status_code == 204
    assert api.get(endpoints.integration(key)).json()["enabled"] is False
    assert_error_body(api.get(endpoints.integration_credentials(key)), 404)
    assert_error_body(api.delete(endpoints.integration_credentials(key)), 404)


@pytest.mark.parametrize(
    "body",
    [
        {"clientId": "ca_x", "secretKey": 5},
        ["clientId"],
        {"clientId": "ca_x", "secretKey": {"a": "b"}},
        {},
        {"clientId": "ca_x"},
        {"clientId": "ca_x", "secretKey": "********1234"},
        {"clientId": "ca_x", "secretKey": FAKE_SECRET, "useReadWriteScope": "yes"},
    ],
)
def test_put_credentials_rejects_bad_bodies(api: ApiClient, body: Any) -> None:
    response = api.put(endpoints.integration_credentials(STRIPE_TEST_KEY), json=body)
    assert_error_body(response, 400)


@pytest.mark.parametrize("body", [{"enabled": "true"}, {}, {"enabled": True, "x": 1}, [True]])
def test_put_enabled_rejects_bad_bodies(api: ApiClient, body: Any) -> None:
    assert_error_body(api.put(endpoints.integration_enabled(STRIPE_TEST_KEY), json=body), 400)


def test_integration_endpoints_404_for_unknown_key(api: ApiClient) -> None:
    assert_error_body(api.get(endpoints.integration_credentials("zzzz")), 404)
    assert_error_body(api.put(endpoints.integration_credentials("zzzz"), json=stripe_creds()), 404)
    assert_error_body(api.put(endpoints.integration_enabled("zzzz"), json={"enabled": False}), 404)


def test_integration_settings_one_time_sync(api: ApiClient) -> None:
    integration_id = api.get(endpoints.integration("xcwv")).json()["integrationId"]
    path = endpoints.integration_settings(integration_id)
    assert api.get(path).json() == {"oneTimeSync": "false"}
    assert api.patch(path, json={"oneTimeSync": "true"}).json() == {"oneTimeSync": "true"}
    assert api.get(path).json() == {"oneTimeSync": "true"}
    assert api.put(path, json={"oneTimeSync": "false"}).json() == {"oneTimeSync": "false"}
    for bad in (
        {"oneTimeSync": True},
        {"oneTimeSync": "maybe"},
        {},
        {"oneTimeSync": "true", "x": 1},
    ):
        assert_error_body(api.patch(path, json=bad), 400)
    assert_error_body(api.get(endpoints.integration_settings(MISSING)), 404)
    assert_error_body(
        api.patch(endpoints.integration_settings(MISSING), json={"oneTimeSync": "true"}), 404
    )


# --- profile and sync settings ---


def test_profile_get_put(api: ApiClient) -> None:
    profile = api.get(endpoints.PROFILE).json()
    assert profile["name"] and profile["redirectUrl"]
    new = {
        "name": "Emulated client",
        "redirectUrl": "https://example.com/done",
        "whiteListUrls": ["https://example.com"],
    }
    assert api.put(endpoints.PROFILE, json=new).json() == new
    assert api.get(endpoints.PROFILE).json() == new
    assert_error_body(api.put(endpoints.PROFILE, json={"name": "x"}), 400)


def test_client_sync_settings_seed_replace_and_validation(tmp_path: Any) -> None:
    with EmulatorProcess(tmp_path / "sync.db", [API_KEY]) as fresh, ApiClient(fresh) as api:
        seeded = api.get(endpoints.PROFILE_SYNC_SETTINGS).json()
        assert [s["dataType"] for s in seeded["settings"]] == list(ALL_DATA_TYPES)
        for setting in seeded["settings"]:
            if setting["dataType"] in COMMERCE_DATA_TYPES:
                assert setting["fetchOnFirstLink"] is False

        merged = [
            {**s, "fetchOnFirstLink": True} if s["dataType"] in COMMERCE_DATA_TYPES else s
            for s in seeded["settings"]
        ]
        body = {"clientId": seeded["clientId"], "settings": merged, "overridesDefaults": True}
        assert api.post(endpoints.PROFILE_SYNC_SETTINGS, json=body).status_code == 204
        after = api.get(endpoints.PROFILE_SYNC_SETTINGS).json()
        assert after == {**body, "clientId": seeded["clientId"]}

        # POST replaces the list.
        one = {**body, "settings": merged[:1]}
        assert api.post(endpoints.PROFILE_SYNC_SETTINGS, json=one).status_code == 204
        assert api.get(endpoints.PROFILE_SYNC_SETTINGS).json()["settings"] == merged[:1]

        good = merged[0]
        bad_entries = [
            {**good, "dataType": "notAType"},
            {k: v for k, v in good.items() if k != "syncOrder"},
            {k: v for k, v in good.items() if k != "fetchOnFirstLink"},
            {**good, "syncSchedule": -1},
            {**good, "syncSchedule": "24"},
            {**good, "syncFromUtc": "yesterday"},
        ]
        for entry in bad_entries:
            bad = {**body, "settings": [*merged[1:3], entry]}
            assert_error_body(api.post(endpoints.PROFILE_SYNC_SETTINGS, json=bad), 400)
        assert_error_body(
            api.post(endpoints.PROFILE_SYNC_SETTINGS, json={**body, "settings": [good, good]}), 400
        )
        assert_error_body(api.post(endpoints.PROFILE_SYNC_SETTINGS, json={"settings": merged}), 400)
        assert_error_body(api.post(endpoints.PROFILE_SYNC_SETTINGS, content=b"{not json"), 400)
        # Nothing above changed the stored list.
        assert api.get(endpoints.PROFILE_SYNC_SETTINGS).json()["settings"] == merged[:1]


# --- companies, company sync settings, connections ---


def test_company_lifecycle(api: ApiClient) -> None:
    company = new_company(api)
    company_id = company["id"]
    assert company["redirect"].endswith(company_id)
    assert api.get(endpoints.company(company_id)).json()["name"] == "Acme Test Ltd"
    listed = api.get(endpoints.COMPANIES, params={"pageSize": 500}).json()
    assert company_id in [c["id"] for c in listed["results"]]
    patched = api.patch(endpoints.company(company_id), json={"tags": {"env": "test"}}).json()
    assert patched["tags"] == {"env": "test"} and patched["name"] == "Acme Test Ltd"
    replaced = api.put(endpoints.company(company_id), json={"name": "Renamed Ltd"}).json()
    assert replaced["name"] == "Renamed Ltd" and replaced["tags"] == {}
    assert_error_body(api.post(endpoints.COMPANIES, json={"name": ""}), 400)
    assert_error_body(api.post(endpoints.COMPANIES, json={"name": "Bad <name>"}), 400)
    assert api.delete(endpoints.company(company_id)).status_code == 204
    assert_error_body(api.get(endpoints.company(company_id)), 404)
    assert_error_body(api.delete(endpoints.company(company_id)), 404)
    assert_error_body(api.get(endpoints.company("not-a-uuid")), 404)


def test_company_sync_settings(api: ApiClient) -> None:
    company_id = new_company(api)["id"]
    path = endpoints.company_sync_settings(company_id)
    defaults = api.get(path).json()
    assert defaults["companyId"] == company_id and defaults["overridesDefaults"] is False
    settings = [
        {
            "dataType": "commerce-orders",
            "fetchOnFirstLink": True,
            "syncSchedule": 12,
            "syncOrder": 1,
        }
    ]
    body = {"companyId": company_id, "settings": settings, "overridesDefaults": True}
    assert api.post(path, json=body).status_code == 204
    assert api.get(path).json() == body
    bad = {**body, "settings": [{**settings[0], "syncSchedule": -5}]}
    assert_error_body(api.post(path, json=bad), 400)
    assert_error_body(api.get(endpoints.company_sync_settings(MISSING)), 404)


def test_connection_refused_for_disabled_integration(api: ApiClient) -> None:
    company_id = new_company(api)["id"]
    response = api.post(endpoints.company_connections(company_id), json={"platformKey": "ugxp"})
    assert "Zettle" in assert_error_body(response, 400)["error"]
    assert_error_body(
        api.post(endpoints.company_connections(company_id), json={"platformKey": "abcd"}), 404
    )
    assert_error_body(api.post(endpoints.company_connections(company_id), json={}), 400)
    assert_error_body(
        api.post(endpoints.company_connections(MISSING), json={"platformKey": "yzth"}), 404
    )


@pytest.mark.parametrize(
    ("flag", "scope"), [(None, "read_only"), ("false", "read_only"), ("true", "read_write")]
)
def test_stripe_connection_link_url(api: ApiClient, flag: str | None, scope: str) -> None:
    extra = {} if flag is None else {"useReadWriteScope": flag}
    enable(api, STRIPE_TEST_KEY, **extra)
    company_id = new_company(api)["id"]
    created = api.post(
        endpoints.company_connections(company_id), json={"platformKey": STRIPE_TEST_KEY}
    )
    assert created.status_code == 200, created.text
    connection = created.json()
    assert connection["status"] == "PendingAuth"
    assert connection["integrationKey"] == STRIPE_TEST_KEY
    link = urlsplit(connection["linkUrl"])
    assert (link.scheme, link.netloc, link.path) == (
        "https",
        "connect.stripe.com",
        "/oauth/authorize",
    )
    query = parse_qs(link.query)
    assert query["client_id"] == [FAKE_CLIENT_ID]
    assert query["scope"] == [scope]
    assert query["redirect_uri"] == [STRIPE_REDIRECT_URI]
    assert query["response_type"] == ["code"]
    assert FAKE_SECRET not in connection["linkUrl"]


def test_connection_lifecycle(api: ApiClient) -> None:
    enable(api, STRIPE_TEST_KEY)
    company_id = new_company(api)["id"]
    connection = api.post(
        endpoints.company_connections(company_id), json={"platformKey": STRIPE_TEST_KEY}
    ).json()
    item = endpoints.company_connection(company_id, connection["id"])
    assert api.get(item).json() == connection
    listed = api.get(endpoints.company_connections(company_id)).json()
    assert [c["id"] for c in listed["results"]] == [connection["id"]]
    assert api.get(endpoints.company(company_id)).json()["dataConnections"] == [connection]
    unlinked = api.patch(item, json={"status": "Unlinked"})
    assert unlinked.status_code == 200 and unlinked.json()["status"] == "Unlinked"
    assert_error_body(api.patch(item, json={"status": "Linked"}), 400)
    assert api.delete(item).status_code == 200
    assert_error_body(api.get(item), 404)
    assert_error_body(api.delete(item), 404)
    assert_error_body(api.get(endpoints.company_connection(MISSING, connection["id"])), 404)


# --- webhooks and API keys ---


def test_webhooks(api: ApiClient) -> None:
    created = api.post(
        endpoints.WEBHOOKS,
        json={"url": "https://example.com/hook", "eventTypes": ["DataSyncCompleted"]},
    )
    assert created.status_code == 201
    consumer = created.json()
    assert consumer["disabled"] is False
    assert consumer in api.get(endpoints.WEBHOOKS).json()["results"]
    assert_error_body(api.post(endpoints.WEBHOOKS, json={"url": "not a url"}), 400)
    assert api.delete(endpoints.webhook(consumer["id"])).status_code == 204
    assert_error_body(api.delete(endpoints.webhook(consumer["id"])), 404)


def test_api_keys(api: ApiClient, emulator: EmulatorProcess) -> None:
    created = api.post(endpoints.API_KEYS, json={"name": "ci key"})
    assert created.status_code == 201
    details = created.json()
    assert details["name"] == "ci key" and details["apiKey"]
    assert details["id"] in [k["id"] for k in api.get(endpoints.API_KEYS).json()["results"]]
    with ApiClient(emulator, api_key=details["apiKey"]) as new_key_client:
        assert new_key_client.get(endpoints.PROFILE).status_code == 200
        assert api.delete(endpoints.api_key(details["id"])).status_code == 204
        assert_error_body(new_key_client.get(endpoints.PROFILE), 401)
    assert_error_body(api.delete(endpoints.api_key(details["id"])), 404)
    assert_error_body(api.post(endpoints.API_KEYS, json={"name": "x" * 51}), 400)


# --- auth and errors ---

DOCUMENTED = [
    ("GET", endpoints.INTEGRATIONS),
    ("GET", endpoints.integration(STRIPE_TEST_KEY)),
    ("GET", endpoints.integration_branding(STRIPE_TEST_KEY)),
    ("GET", endpoints.PROFILE),
    ("PUT", endpoints.PROFILE),
    ("GET", endpoints.PROFILE_SYNC_SETTINGS),
    ("POST", endpoints.PROFILE_SYNC_SETTINGS),
    ("GET", endpoints.COMPANIES),
    ("POST", endpoints.COMPANIES),
    ("GET", endpoints.company(MISSING)),
    ("DELETE", endpoints.company(MISSING)),
    ("GET", endpoints.company_sync_settings(MISSING)),
    ("GET", endpoints.company_connections(MISSING)),
    ("PATCH", endpoints.company_connection(MISSING, MISSING)),
    ("GET", endpoints.WEBHOOKS),
    ("DELETE", endpoints.webhook(MISSING)),
    ("GET", endpoints.API_KEYS),
    ("POST", endpoints.API_KEYS),
    ("PUT", endpoints.integration_enabled(STRIPE_TEST_KEY)),
    ("GET", endpoints.integration_credentials(STRIPE_TEST_KEY)),
    ("PUT", endpoints.integration_credentials(STRIPE_TEST_KEY)),
    ("DELETE", endpoints.integration_credentials(STRIPE_TEST_KEY)),
    ("GET", endpoints.integration_settings(MISSING)),
    ("GET", "/no/such/path"),
]


@pytest.mark.parametrize(("method", "path"), DOCUMENTED)
@pytest.mark.parametrize("header", [None, "Basic", "Basic !!!", "Bearer abc", "Basic d3Jvbmc="])
def test_every_endpoint_requires_the_api_key(
    emulator: EmulatorProcess, method: str, path: str, header: str | None
) -> None:
    headers = {} if header is None else {"Authorization": header}
    with ApiClient(emulator, api_key=None) as client:
        response = client.request(method, path, headers=headers, json={})
    assert_error_body(response, 401)


def test_both_start_up_keys_authenticate(emulator: EmulatorProcess) -> None:
    for key in (API_KEY, OTHER_API_KEY):
        with ApiClient(emulator, api_key=key) as client:
            assert client.get(endpoints.PROFILE).status_code == 200


def test_errors_404_405_400(api: ApiClient) -> None:
    assert_error_body(api.get("/no/such/path"), 404)
    not_allowed = api.delete(endpoints.PROFILE)
    assert_error_body(not_allowed, 405)
    assert "GET" in not_allowed.headers["allow"]
    assert_error_body(api.post(endpoints.INTEGRATIONS), 405)
    assert_error_body(api.post(endpoints.COMPANIES, content=b'{"name": '), 400)
    assert_error_body(api.post(endpoints.COMPANIES, content=b"NaN"), 400)
    assert_error_body(api.put(endpoints.PROFILE, content=b""), 400)


def test_admin_routes_absent_without_flag(tmp_path: Any) -> None:
    with EmulatorProcess(tmp_path / "noadmin.db", [API_KEY]) as plain:
        health = httpx.get(plain.base_url + "/_emulator/health")
        assert health.status_code == 200
        response = httpx.post(plain.base_url + "/_emulator/faults", json={"status": 503})
        assert_error_body(response, 404)


def test_compact_deterministic_json(api: ApiClient) -> None:
    first = api.get(endpoints.integration(STRIPE_TEST_KEY))
    second = api.get(endpoints.integration(STRIPE_TEST_KEY))
    assert first.content == second.content
    assert b": " not in first.content and b", " not in first.content
    assert first.headers["content-type"] == "application/json"


def test_all_responses_were_checked(api: ApiClient) -> None:
    api.get(endpoints.INTEGRATIONS)
    api.get(endpoints.PROFILE)
    assert [how for *_, how in api.checked] == ["spec", "spec"]
