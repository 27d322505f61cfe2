"""The backend without HTTP: one client's rules on a real SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from codat_api.assumptions import mask_secret
from codat_api.platforms import STRIPE_LIVE_KEY, STRIPE_TEST_KEY
from codat_emulator.backend import Backend, ClientBackend, model
from codat_emulator.errors import ApiError
from codat_emulator.store import DEFAULT_CLIENT, Store

CREDS = {"clientId": "ca_fakeClient1234", "secretKey": "sk_test_fake1234"}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = Store(tmp_path / "backend.db")
    yield db
    db.close()


@pytest.fixture
def client(store: Store) -> ClientBackend:
    return Backend(store, {DEFAULT_CLIENT: ["k-1"]}).client(DEFAULT_CLIENT)


def status_of(call: object) -> int:
    assert callable(call)
    with pytest.raises(ApiError) as err:
        call()
    return err.value.status


def test_seed_is_idempotent_and_keeps_the_default_identity(store: Store) -> None:
    Backend(store, {DEFAULT_CLIENT: ["k-1"]})
    backend = Backend(store, {DEFAULT_CLIENT: ["k-1"]})
    client = backend.client(DEFAULT_CLIENT)
    assert client.client_sync_settings()["clientId"] == model.DEFAULT_CLIENT_ID
    assert client.profile()["name"] == "Codat API emulator"
    assert [k["apiKey"] for k in client.api_keys()] == ["k-1"]
    assert not any(i["enabled"] for i in client.integrations())


def test_credentials_enable_and_delete_rules(client: ClientBackend) -> None:
    assert status_of(lambda: client.set_enabled(STRIPE_TEST_KEY, {"enabled": True})) == 400
    assert status_of(lambda: client.credentials(STRIPE_TEST_KEY)) == 404
    stored = client.put_credentials(STRIPE_TEST_KEY, {**CREDS, "useReadWriteScope": "true"})
    assert stored["secretKey"] == mask_secret(CREDS["secretKey"])
    # PUT replaces the whole map.
    client.put_credentials(STRIPE_TEST_KEY, CREDS)
    assert "useReadWriteScope" not in client.credentials(STRIPE_TEST_KEY)
    assert client.stored_credentials(STRIPE_TEST_KEY) == CREDS
    assert client.set_enabled(STRIPE_TEST_KEY, {"enabled": True})["enabled"] is True
    assert not client.is_enabled(STRIPE_LIVE_KEY)
    client.delete_credentials(STRIPE_TEST_KEY)
    assert client.is_enabled(STRIPE_TEST_KEY) is False
    assert status_of(lambda: client.delete_credentials(STRIPE_TEST_KEY)) == 404
    masked_back = {**CREDS, "secretKey": mask_secret(CREDS["secretKey"])}
    assert status_of(lambda: client.put_credentials(STRIPE_TEST_KEY, masked_back)) == 400
    assert status_of(lambda: client.put_credentials("zzzz", CREDS)) == 404


def test_integration_settings(client: ClientBackend) -> None:
    integration_id = model.integration_id(STRIPE_TEST_KEY)
    assert client.integration_settings(integration_id) == {"oneTimeSync": "false"}
    client.set_integration_settings(integration_id, {"oneTimeSync": "true"})
    assert client.integration_settings(integration_id) == {"oneTimeSync": "true"}
    for bad in ({"oneTimeSync": {"a": 1}}, {"oneTimeSync": True}, [], {}):
        assert (
            status_of(lambda bad=bad: client.set_integration_settings(integration_id, bad)) == 400
        )
    assert status_of(lambda: client.integration_settings(model.new_id())) == 404


def test_client_sync_settings_post_replaces_the_list(client: ClientBackend) -> None:
    current = client.client_sync_settings()
    first = current["settings"][0]
    client.set_client_sync_settings({**current, "settings": [first], "overridesDefaults": True})
    assert client.client_sync_settings()["settings"] == [first]
    bad = {**current, "settings": [first, first]}
    assert status_of(lambda: client.set_client_sync_settings(bad)) == 400
    assert client.client_sync_settings()["settings"] == [first]


def test_company_delete_removes_connections_and_settings(client: ClientBackend) -> None:
    client.put_credentials(STRIPE_TEST_KEY, CREDS)
    client.set_enabled(STRIPE_TEST_KEY, {"enabled": True})
    company = client.create_company({"name": "Acme Ltd"})
    connection = client.create_connection(company["id"], {"platformKey": STRIPE_TEST_KEY})
    assert "client_id=ca_fakeClient1234" in connection["linkUrl"]
    assert CREDS["secretKey"] not in connection["linkUrl"]
    assert client.integration(STRIPE_TEST_KEY)["totalConnectionsCount"] == 1
    client.delete_company(company["id"])
    assert client.companies() == []
    assert client.store.list(model.CONNECTION) == []
    assert client.integration(STRIPE_TEST_KEY)["totalConnectionsCount"] == 0


def test_connection_needs_an_enabled_integration(client: ClientBackend) -> None:
    company = client.create_company({"name": "Acme Ltd"})
    create = client.create_connection
    assert status_of(lambda: create(company["id"], {"platformKey": STRIPE_LIVE_KEY})) == 400
    assert status_of(lambda: create(company["id"], {"platformKey": "zzzz"})) == 404
    assert status_of(lambda: create(model.new_id(), {"platformKey": STRIPE_LIVE_KEY})) == 404


def test_created_api_key_authenticates_until_deleted(store: Store) -> None:
    backend = Backend(store, {DEFAULT_CLIENT: ["k-1"]})
    client = backend.client(DEFAULT_CLIENT)
    created = client.create_api_key({"name": "ci"})
    assert backend.client_for_key(created["apiKey"]) == DEFAULT_CLIENT
    client.delete_api_key(created["id"])
    assert backend.client_for_key(created["apiKey"]) is None
    assert backend.client_for_key("k-1") == DEFAULT_CLIENT
    assert backend.client_for_key("") is None and backend.client_for_key(None) is None


def test_state_dump_masks_secrets_and_hides_api_keys(client: ClientBackend) -> None:
    client.put_credentials(STRIPE_TEST_KEY, CREDS)
    dump = client.state_dump()
    assert dump["credentials"] == {
        STRIPE_TEST_KEY: {**CREDS, "secretKey": mask_secret(CREDS["secretKey"])}
    }
    text = repr(dump)
    assert CREDS["secretKey"] not in text and "k-1" not in text
