"""The launcher, the console script, start-up time, request log and log hygiene."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from emulator_support import API_KEY, METRICS, OTHER_API_KEY, ApiClient

from codat_api import endpoints
from codat_emulator.process import EmulatorError, EmulatorProcess, free_port

SECRET = "sk_test_fake9876"


def console_script() -> str:
    script = Path(sys.executable).parent / "codat-emulator"
    found = str(script) if script.exists() else shutil.which("codat-emulator")
    if not found:
        pytest.fail("console script codat-emulator is not installed")
    return found


def test_console_script_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [
            console_script(),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--db",
            str(tmp_path / "c.db"),
            "--api-key",
            API_KEY,
            "--api-key",
            OTHER_API_KEY,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        headers = {"Authorization": "Basic " + base64.b64encode(API_KEY.encode()).decode()}
        elapsed = None
        while time.perf_counter() - started < 15:
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}{endpoints.PROFILE}", headers=headers, timeout=0.5
                )
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                time.sleep(0.01)
                continue
            assert response.status_code == 200
            elapsed = time.perf_counter() - started
            break
        assert elapsed is not None, "no answer"
        METRICS["console-script start-up to first API answer"] = f"{elapsed:.3f}s"
        # Reported, never asserted: the start-up time is measured by the benchmarks.
    finally:
        proc.terminate()
        assert proc.wait(10) in (0, -15)  # uvicorn re-raises SIGTERM after a graceful stop


def test_launcher_reports_startup_and_restarts(tmp_path: Path) -> None:
    emulator = EmulatorProcess(tmp_path / "l.db", [API_KEY])
    with emulator:
        assert emulator.startup_seconds is not None
        METRICS["launcher start-up (python -m codat_emulator)"] = f"{emulator.startup_seconds:.3f}s"
        assert emulator.base_url.startswith("http://127.0.0.1:")
        assert emulator.running
    assert not emulator.running
    emulator.start()
    try:
        assert emulator.running
    finally:
        assert emulator.kill() is not None


def test_launcher_raises_with_stderr_when_the_server_dies(tmp_path: Path) -> None:
    busy = EmulatorProcess(tmp_path / "a.db", [API_KEY]).start()
    try:
        clash = EmulatorProcess(tmp_path / "b.db", [API_KEY], port=busy.port, startup_timeout=10)
        with pytest.raises(EmulatorError, match="exited"):
            clash.start()
    finally:
        busy.stop()


def test_cli_refuses_non_loopback_host(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "codat_emulator",
            "--host",
            "0.0.0.0",
            "--db",
            str(tmp_path / "x.db"),
            "--api-key",
            API_KEY,
        ],
        capture_output=True,
        timeout=30,
    )
    assert result.returncode != 0 and b"loopback" in result.stderr


def test_request_log_and_no_secrets_in_logs(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    with (
        EmulatorProcess(tmp_path / "r.db", [API_KEY], request_log=log, log_level="debug") as emu,
        ApiClient(emu) as api,
    ):
        api.put(
            endpoints.integration_credentials("yzth"),
            json={"clientId": "ca_fakeClient1234", "secretKey": SECRET},
        )
        api.get(endpoints.integration_credentials("yzth"))
        api.put(endpoints.integration_enabled("yzth"), json={"enabled": True})
        api.get(endpoints.INTEGRATIONS, params={"page": 1})
        with ApiClient(emu, api_key="wrong-key-123") as wrong:
            wrong.get(endpoints.PROFILE)
        stderr = emu.stderr_text()
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(e["method"], e["path"], e["status"]) for e in lines] == [
        ("PUT", "/integrations/credentials/yzth", 200),
        ("GET", "/integrations/credentials/yzth", 200),
        ("PUT", "/integrations/yzth/enabled", 200),
        ("GET", "/integrations", 200),
        ("GET", "/profile", 401),
    ]
    base = {"ts", "method", "path", "status", "duration_ms", "client"}
    assert [set(e) - base for e in lines] == [{"body"}, set(), {"body"}, {"query"}, set()]
    assert lines[0]["body"] == {"clientId": "ca_fakeClient1234", "secretKey": "********9876"}
    assert lines[2]["body"] == {"enabled": True}
    assert lines[3]["query"] == {"page": "1"}
    assert [e["client"] for e in lines] == ["default"] * 4 + [None]
    everything = stderr + log.read_text()
    encoded = base64.b64encode(API_KEY.encode()).decode()
    for secret in (SECRET, API_KEY, encoded, "wrong-key-123"):
        assert secret not in everything
    assert "ca_fakeClient1234" not in stderr
    assert "GET /integrations 200" in stderr


def test_a_request_is_in_the_log_by_the_time_its_answer_arrives(tmp_path: Path) -> None:
    """Tests read the request log right after a call: the entry must already be there."""
    log = tmp_path / "requests.jsonl"
    with (
        EmulatorProcess(tmp_path / "l.db", [API_KEY], request_log=log) as emu,
        httpx.Client(base_url=emu.base_url, headers=emu.auth_headers(), timeout=30) as client,
    ):
        for number in range(1, 41):
            path = "/integrations/yzth" if number % 2 else "/profile/syncSettings"
            assert client.get(path).status_code == 200
            lines = log.read_text().splitlines()
            assert len(lines) == number, f"request {number} answered before it was logged"
            assert json.loads(lines[-1])["path"] == path


def test_a_bodiless_answer_is_in_the_log_by_the_time_it_arrives(tmp_path: Path) -> None:
    """A 204 is complete once its headers leave: it must be logged before them."""
    log = tmp_path / "requests.jsonl"
    credentials = {"clientId": "ca_fakeLog1", "secretKey": "sk_test_fakeL0g1"}
    with (
        EmulatorProcess(
            tmp_path / "l.db", [API_KEY], request_log=log, credentials_put_response="empty"
        ) as emu,
        httpx.Client(base_url=emu.base_url, headers=emu.auth_headers(), timeout=30) as client,
    ):
        for number in range(1, 121):
            if number % 2:
                response = client.put("/integrations/credentials/yzth", json=credentials)
            else:
                response = client.delete("/integrations/credentials/yzth")
            assert response.status_code == 204, response.text
            lines = log.read_text().splitlines()
            assert len(lines) == number, f"request {number} answered before it was logged"
            assert json.loads(lines[-1])["status"] == 204
