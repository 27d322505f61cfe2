"""Admin switches other tests rely on: holds, and the credentials PUT answer."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from emulator_support import API_KEY, ApiClient, assert_error_body

from codat_api import endpoints
from codat_api.platforms import STRIPE_TEST_KEY
from codat_emulator.control.holds import HoldRegistry
from codat_emulator.process import EmulatorProcess

CREDS = {"clientId": "ca_fakeHold", "secretKey": "sk_test_fakeHold9"}
CREDENTIALS = endpoints.integration_credentials(STRIPE_TEST_KEY)


def wait_for(predicate: Any, attempts: int = 500) -> None:
    """Poll a condition a bounded number of times (a deadline, not a measured threshold)."""
    for _ in range(attempts):
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError("condition not reached")


@pytest.fixture
def admin(emulator: EmulatorProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.base_url + "/_emulator", timeout=10) as client:
        yield client
        client.delete("/holds")


def test_hold_keeps_a_write_waiting_until_released(
    emulator: EmulatorProcess, admin: httpx.Client
) -> None:
    created = admin.post("/holds", json={"method": "put", "path_prefix": CREDENTIALS})
    assert created.status_code == 201
    hold = created.json()
    assert (hold["method"], hold["count"], hold["held"]) == ("PUT", 1, 0)
    answers: list[httpx.Response] = []
    with ApiClient(emulator) as api:
        api.delete(CREDENTIALS)  # not caught (other method); clears earlier tests' credentials
        writer = threading.Thread(target=lambda: answers.append(api.put(CREDENTIALS, json=CREDS)))
        writer.start()
        wait_for(lambda: admin.get("/holds").json()["held"] == 1)
        # The held write has not happened, and other requests are served meanwhile.
        assert_error_body(api.get(CREDENTIALS), 404)
        assert answers == []
        assert admin.delete(f"/holds/{hold['id']}").status_code == 204
        writer.join(10)
        assert [a.status_code for a in answers] == [200]
        assert api.get(CREDENTIALS).json()["secretKey"] == "********old9"
        # The hold caught only one request and is gone once released.
        assert admin.get("/holds").json() == {"results": [], "held": 0}
        assert api.put(CREDENTIALS, json=CREDS).status_code == 200
    assert_error_body(admin.delete(f"/holds/{hold['id']}"), 404)


def test_hold_times_out_and_bad_holds_are_refused(
    emulator: EmulatorProcess, admin: httpx.Client
) -> None:
    admin.post("/holds", json={"path_prefix": endpoints.PROFILE, "timeout_seconds": 0.2})
    with ApiClient(emulator) as api:
        assert api.get(endpoints.PROFILE).status_code == 200  # served after the timeout
    listed = admin.get("/holds").json()["results"]
    assert [(h["caught"], h["count"], h["held"]) for h in listed] == [(1, 0, 0)]
    for bad in ({"count": 0}, {"timeout_seconds": 601}, {"method": ""}, {"x": 1}, [1]):
        assert_error_body(admin.post("/holds", json=bad), 400)


def test_hold_registry_unit() -> None:
    registry = HoldRegistry()
    hold = registry.add_from_dict({"method": "PUT", "path_prefix": "/integrations", "count": 2})
    assert registry.catch("GET", "/integrations") is None
    assert registry.catch("PUT", "/profile") is None
    assert registry.catch("PUT", "/integrations/yzth/enabled") is hold
    assert registry.catch("PUT", "/integrations/yzth/enabled") is hold
    assert registry.catch("PUT", "/integrations/yzth/enabled") is None
    assert registry.release(hold.id) and not registry.release(hold.id)
    with pytest.raises(ValueError, match="count"):
        registry.add_from_dict({"count": 1.5})


def test_credentials_put_empty_answer_and_admin_toggle(tmp_path: Path) -> None:
    emu = EmulatorProcess(
        tmp_path / "c.db", [API_KEY], enable_admin=True, credentials_put_response="empty"
    )
    with emu, ApiClient(emu) as api:
        options = f"{emu.base_url}/_emulator/options"
        assert httpx.get(options).json() == {"credentials_put_response": "empty"}
        empty = api.put(CREDENTIALS, json=CREDS)
        assert (empty.status_code, empty.content) == (204, b"")
        assert api.get(CREDENTIALS).json()["clientId"] == CREDS["clientId"]
        assert httpx.put(options, json={"credentials_put_response": "body"}).status_code == 200
        body = api.put(CREDENTIALS, json=CREDS)
        assert body.status_code == 200 and body.json()["secretKey"] == "********old9"
        refused = httpx.put(options, json={"credentials_put_response": "nope"})
        assert "nope" in json.loads(refused.content)["error"] + str(refused.json()["validation"])
        assert_error_body(refused, 400)
        assert httpx.get(options).json() == {"credentials_put_response": "body"}
