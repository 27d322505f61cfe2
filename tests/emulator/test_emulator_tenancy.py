"""Tenancy: a Codat instance is a client (an API key), not a base URL.

Two clients on one emulator, at one base URL, are fully isolated, across a restart.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from emulator_support import ApiClient, assert_error_body

from codat_api import endpoints
from codat_api.platforms import STRIPE_LIVE_KEY, STRIPE_TEST_KEY
from codat_emulator.process import EmulatorProcess

KEY_TEST = "emu-acme-test-key"
KEY_PROD = "emu-acme-prod-key"
KEY_DEFAULT = "emu-default-key"
SECRET = "sk_test_fakeTenant42"
CLIENTS = {"acme-test": KEY_TEST, "acme-prod": KEY_PROD}


def emulator(tmp_path: Path, **extra: Any) -> EmulatorProcess:
    return EmulatorProcess(
        tmp_path / "tenants.db",
        [KEY_DEFAULT],
        clients=CLIENTS,
        enable_admin=True,
        request_log=tmp_path / "requests.jsonl",
        **extra,
    )


def state(emu: EmulatorProcess, client: str) -> bytes:
    response = httpx.get(f"{emu.base_url}/_emulator/state", params={"client": client})
    assert response.status_code == 200, response.text
    return response.content


def write_everything(api: ApiClient) -> str:
    creds = {"clientId": "ca_fakeTenant", "secretKey": SECRET}
    assert api.put(endpoints.integration_credentials(STRIPE_TEST_KEY), json=creds).is_success
    enabled = api.put(endpoints.integration_enabled(STRIPE_TEST_KEY), json={"enabled": True})
    integration_id = enabled.json()["integrationId"]
    settings = endpoints.integration_settings(integration_id)
    assert api.patch(settings, json={"oneTimeSync": "true"}).is_success
    sync = api.get(endpoints.PROFILE_SYNC_SETTINGS).json()
    sync["settings"] = sync["settings"][:2]
    assert api.post(endpoints.PROFILE_SYNC_SETTINGS, json=sync).status_code == 204
    company = api.post(endpoints.COMPANIES, json={"name": "Tenant Ltd"}).json()
    assert api.post(endpoints.WEBHOOKS, json={"url": "https://example.com/h"}).status_code == 201
    return str(company["id"])


def test_two_clients_are_isolated_across_restart(tmp_path: Path) -> None:
    emu = emulator(tmp_path)
    with emu:
        before_prod = state(emu, "acme-prod")
        before_default = state(emu, "default")
        with ApiClient(emu, api_key=KEY_TEST) as test_api:
            company_id = write_everything(test_api)
        after_test = state(emu, "acme-test")
        # Nothing written through acme-test's key shows through acme-prod or the default.
        assert state(emu, "acme-prod") == before_prod
        assert state(emu, "default") == before_default
        with ApiClient(emu, api_key=KEY_PROD) as prod_api:
            assert prod_api.get(endpoints.integration(STRIPE_TEST_KEY)).json()["enabled"] is False
            assert_error_body(prod_api.get(endpoints.integration_credentials(STRIPE_TEST_KEY)), 404)
            assert prod_api.get(endpoints.COMPANIES).json()["totalResults"] == 0
            assert_error_body(prod_api.get(endpoints.company(company_id)), 404)
            assert prod_api.get(endpoints.WEBHOOKS).json()["results"] == []
            assert len(prod_api.get(endpoints.PROFILE_SYNC_SETTINGS).json()["settings"]) == 43
    with emu:
        assert state(emu, "acme-test") == after_test
        assert state(emu, "acme-prod") == before_prod
        with ApiClient(emu, api_key=KEY_TEST) as test_api:
            assert test_api.get(endpoints.integration(STRIPE_TEST_KEY)).json()["enabled"] is True
            assert test_api.get(endpoints.company(company_id)).status_code == 200
    dump = json.loads(after_test)
    assert dump["integrations"][STRIPE_TEST_KEY] is True
    assert dump["integrations"][STRIPE_LIVE_KEY] is False
    assert dump["credentials"][STRIPE_TEST_KEY]["secretKey"] == "********nt42"
    assert dump["integrationSettings"] == {STRIPE_TEST_KEY: {"oneTimeSync": "true"}}
    assert len(dump["syncSettings"]["settings"]) == 2
    assert after_test == json.dumps(dump, separators=(",", ":"), sort_keys=True).encode()
    text = after_test.decode() + (tmp_path / "requests.jsonl").read_text()
    for secret in (SECRET, KEY_TEST, KEY_PROD, KEY_DEFAULT):
        assert secret not in text


def test_profile_identity_keys_and_request_log_per_client(tmp_path: Path) -> None:
    with emulator(tmp_path) as emu:
        identities = {}
        for name, key in (*CLIENTS.items(), ("default", KEY_DEFAULT)):
            with ApiClient(emu, api_key=key) as api:
                profile = api.get(endpoints.PROFILE).json()
                client_id = api.get(endpoints.PROFILE_SYNC_SETTINGS).json()["clientId"]
                identities[name] = (profile["name"], client_id)
                assert client_id in profile["redirectUrl"]
        assert identities["acme-test"][0] == "acme-test"
        assert identities["acme-prod"][0] == "acme-prod"
        assert identities["default"][0] == "Codat API emulator"
        assert len({client_id for _, client_id in identities.values()}) == 3

        # A key created through POST /apiKeys belongs to the creating client.
        with ApiClient(emu, api_key=KEY_PROD) as prod_api:
            created = prod_api.post(endpoints.API_KEYS, json={"name": "ci"}).json()
            prod_api.put(endpoints.integration_enabled(STRIPE_LIVE_KEY), json={"enabled": False})
        with ApiClient(emu, api_key=created["apiKey"]) as new_api:
            assert new_api.get(endpoints.PROFILE).json()["name"] == "acme-prod"
        with ApiClient(emu, api_key=KEY_TEST) as test_api:
            listed = [k["id"] for k in test_api.get(endpoints.API_KEYS).json()["results"]]
            assert created["id"] not in listed
        with ApiClient(emu, api_key="not-a-key") as nobody:
            assert_error_body(nobody.get(endpoints.PROFILE), 401)
    lines = [json.loads(line) for line in (tmp_path / "requests.jsonl").read_text().splitlines()]
    assert [line["client"] for line in lines[-5:]] == [
        "acme-prod",
        "acme-prod",
        "acme-prod",
        "acme-test",
        None,
    ]
    assert created["apiKey"] not in (tmp_path / "requests.jsonl").read_text()


def test_state_route_refuses_unknown_or_unnamed_client(tmp_path: Path) -> None:
    with emulator(tmp_path) as emu:
        unknown = httpx.get(f"{emu.base_url}/_emulator/state", params={"client": "nope"})
        body = assert_error_body(unknown, 404)
        assert "nope" in body["error"] and "acme-test" in body["error"]
        assert_error_body(httpx.get(f"{emu.base_url}/_emulator/state"), 400)
    with EmulatorProcess(tmp_path / "one.db", [KEY_DEFAULT], enable_admin=True) as single:
        only = httpx.get(f"{single.base_url}/_emulator/state").json()
        assert only["client"] == "default"


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "codat_emulator", "--db", str(tmp_path / "x.db"), *args]
    return subprocess.run(command, capture_output=True, timeout=30)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--client", "a=k1", "--client", "b=k1"), 1, b"two clients"),
        (("--client", "no-key"), 2, b"NAME=KEY"),
        (("--client", "bad name=k"), 2, b"client name"),
        ((), 2, b"--client NAME=KEY"),
        (("--api-key", "k", "--credentials-put-response", "nope"), 2, b"invalid choice"),
    ],
)
def test_cli_refuses_bad_client_options(
    tmp_path: Path, args: tuple[str, ...], code: int, message: bytes
) -> None:
    result = run_cli(tmp_path, "--port", "1", *args)
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    if code == 1:  # refused by the emulator: the message names clients, never keys
        assert b"k1" not in result.stderr
