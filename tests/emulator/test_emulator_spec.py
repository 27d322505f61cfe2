"""The spec locator, the response check and the logged-request check, each shown able to fail."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import codat_spec
import httpx
import pytest
from emulator_support import API_KEY, SpecViolation, raw_spec, validate_against_spec

from codat_api import endpoints
from codat_api.platforms import STRIPE_TEST_KEY
from codat_emulator.process import EmulatorProcess


def test_env_var_accepts_a_relative_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = codat_spec.spec_file()
    (tmp_path / "oas").mkdir()
    shutil.copy(real, tmp_path / "oas" / codat_spec.PLATFORM_FILE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(codat_spec.ENV_VAR, "oas")
    assert codat_spec.spec_file() == (tmp_path / "oas" / codat_spec.PLATFORM_FILE).resolve()
    monkeypatch.setenv(codat_spec.ENV_VAR, "missing")
    with pytest.raises(codat_spec.SpecUnavailable, match=codat_spec.ENV_VAR):
        codat_spec.spec_file()


def test_download_is_pinned_by_sha256(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = codat_spec.spec_file()
    monkeypatch.delenv(codat_spec.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    tampered = tmp_path / "tampered.json"
    tampered.write_bytes(real.read_bytes() + b" ")
    monkeypatch.setattr(codat_spec, "download_url", lambda name: tampered.as_uri())
    with pytest.raises(codat_spec.SpecUnavailable, match="sha256") as err:
        codat_spec.spec_file()
    assert codat_spec.ENV_VAR in str(err.value)
    monkeypatch.setattr(codat_spec, "download_url", lambda name: (tmp_path / "none").as_uri())
    with pytest.raises(codat_spec.SpecUnavailable, match=codat_spec.ENV_VAR):
        codat_spec.spec_file()
    monkeypatch.setattr(codat_spec, "download_url", lambda name: real.as_uri())
    cached = codat_spec.spec_file()
    assert cached.parent == tmp_path / "cache" / "codat-oas" / codat_spec.OAS_COMMIT
    assert cached.read_bytes() == real.read_bytes()


def fake(method: str, path: str, status: int, body: object = None) -> httpx.Response:
    content = b"" if body is None else json.dumps(body).encode()
    request = httpx.Request(method, "http://127.0.0.1:1" + path)
    headers = {"content-type": "application/json"}
    return httpx.Response(status, content=content, request=request, headers=headers)


@pytest.mark.parametrize(
    ("method", "path", "status", "body"),
    [
        ("GET", endpoints.PROFILE, 201, {"name": "x", "redirectUrl": "y"}),  # undocumented status
        ("PUT", endpoints.PROFILE_SYNC_SETTINGS, 200, {}),  # method the path does not have
        ("GET", "/no/such/path", 200, {}),  # not in the spec, not an ASSUMED endpoint
        ("GET", endpoints.PROFILE, 200, {"name": 5}),  # documented, wrong body
    ],
)
def test_undocumented_or_wrong_successes_fail(
    method: str, path: str, status: int, body: object
) -> None:
    raw_spec()
    with pytest.raises((SpecViolation, AssertionError)):
        validate_against_spec(fake(method, path, status, body))


def test_assumed_endpoints_and_documented_errors_pass() -> None:
    raw_spec()
    creds = fake("GET", endpoints.integration_credentials(STRIPE_TEST_KEY), 200, {"a": "b"})
    assert validate_against_spec(creds) == "undocumented-path"


def test_logged_requests_validate_against_the_spec(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    with (
        EmulatorProcess(tmp_path / "c.db", [API_KEY], request_log=log) as emu,
        httpx.Client(base_url=emu.base_url, headers=emu.auth_headers(), timeout=10) as http,
    ):
        creds = {"clientId": "ca_fakeLog", "secretKey": "sk_test_fakeLog1"}
        http.put(endpoints.integration_credentials(STRIPE_TEST_KEY), json=creds)
        http.put(endpoints.integration_enabled(STRIPE_TEST_KEY), json={"enabled": True})
        sync = http.get(endpoints.PROFILE_SYNC_SETTINGS).json()
        assert http.post(endpoints.PROFILE_SYNC_SETTINGS, json=sync).status_code == 204
        company = http.post(endpoints.COMPANIES, json={"name": "Logged Ltd"}).json()
        connections = endpoints.company_connections(company["id"])
        http.post(connections, json={"platformKey": STRIPE_TEST_KEY})
        http.get(endpoints.INTEGRATIONS, params={"page": 1, "pageSize": 5})
        http.put(endpoints.PROFILE, json=http.get(endpoints.PROFILE).json())
    checks = codat_spec.validate_logged_requests(raw_spec(), log)
    hows = [(c.method, c.path.split("/")[1], c.how) for c in checks]
    assert hows.count(("PUT", "integrations", "undocumented")) == 2
    assert sum(c.how == "spec" for c in checks) == 7
    assert "sk_test_fakeLog1" not in log.read_text()

    # A request the spec forbids (the emulator refuses it too) fails the check.
    with (
        EmulatorProcess(tmp_path / "c.db", [API_KEY], request_log=log) as emu,
        httpx.Client(base_url=emu.base_url, headers=emu.auth_headers(), timeout=10) as http,
    ):
        assert http.post(endpoints.COMPANIES, json={"name": 5}).status_code == 400
    with pytest.raises(AssertionError, match="POST /companies"):
        codat_spec.validate_logged_requests(raw_spec(), log)
