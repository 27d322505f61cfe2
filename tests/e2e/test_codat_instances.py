"""Codat instances are clients (API keys), not base URLs: both layouts on ONE emulator.

Separate clients: test and live each manage their own client's integration and sync
settings, and nothing one stack does (deploy, drift check, destroy) reaches the other client.
Shared client: one stack owns the sync settings and both stacks say so in their outputs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from codat_api.data_types import COMMERCE_DATA_TYPES
from codat_emulator.process import EmulatorProcess
from e2e_support import APPS

pytestmark = pytest.mark.e2e

KEYS = {"acme-sandbox": "fake-key-sbx", "acme-prod": "fake-key-prd"}
SECRETS = {
    "TF_VAR_stripe_secret_key_test": "sk_test_fakeInst",
    "TF_VAR_stripe_secret_key_live": "sk_live_fakeInst",
}
DEPLOY = ("--auto-approve", "--skip-provider-lock")


@pytest.fixture
def two_clients(tmp_path: Path) -> Iterator[EmulatorProcess]:
    """One emulator, one base URL, two Codat clients."""
    with EmulatorProcess(
        tmp_path / "codat.db", [], clients=KEYS, request_log=tmp_path / "requests.jsonl"
    ) as emulator:
        yield emulator


def _client(emulator: EmulatorProcess, name: str) -> httpx.Client:
    return httpx.Client(
        base_url=emulator.base_url, headers=emulator.client_headers(name), timeout=30
    )


def _requests(tmp_path: Path) -> list[dict[str, Any]]:
    log = tmp_path / "requests.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines() if line]


def _params(base_url: str, test_instance: str, live_instance: str) -> dict[str, str]:
    environments = [
        {
            "name": name,
            "mode": name,
            "client_id": client_id,
            "codat_instance": instance,
            "codat_base_url": base_url,
        }
        for name, client_id, instance in (
            ("test", "ca_fakeInstTest", test_instance),
            ("live", "ca_fakeInstLive", live_instance),
        )
    ]
    return {"STACK_PARAMS": json.dumps({"environments": environments})}


def _commerce_on(client: httpx.Client) -> bool:
    settings = client.get("/profile/syncSettings").json()["settings"]
    return all(s["fetchOnFirstLink"] for s in settings if s["dataType"] in COMMERCE_DATA_TYPES)


def _outputs(project: Any, stack: str, env: dict[str, str]) -> dict[str, Any]:
    shown = project.terraform(stack, "output", "-json", extra_env=env)
    assert shown.returncode == 0, shown.stderr
    return {name: spec["value"] for name, spec in json.loads(shown.stdout).items()}


def test_separate_clients_each_get_their_own_sync_settings_and_never_touch_each_other(
    cdk_project: Any, two_clients: EmulatorProcess, tmp_path: Path
) -> None:
    project = cdk_project(APPS / "params_app.py")
    env = {
        **SECRETS,
        "TF_VAR_codat_api_key_test": KEYS["acme-sandbox"],
        "TF_VAR_codat_api_key_live": KEYS["acme-prod"],
        **_params(two_clients.base_url, "acme-sandbox", "acme-prod"),
    }
    with _client(two_clients, "acme-sandbox") as sandbox, _client(two_clients, "acme-prod") as prod:
        prod_before = prod.get("/integrations/yzth").json()
        logged = len(_requests(tmp_path))
        project.cli("deploy", "test", *DEPLOY, extra_env=env)
        test_requests = _requests(tmp_path)[logged:]
        assert test_requests and {r["client"] for r in test_requests} == {"acme-sandbox"}
        assert sandbox.get("/integrations/yzth").json()["enabled"] is True
        assert _commerce_on(sandbox)
        assert not _commerce_on(prod)
        assert prod.get("/integrations/yzth").json() == prod_before

        logged = len(_requests(tmp_path))
        project.cli("deploy", "live", *DEPLOY, extra_env=env)
        live_requests = _requests(tmp_path)[logged:]
        assert {r["client"] for r in live_requests} == {"acme-prod"}
        # Live's own client gets the commerce data types: production data is pulled.
        assert _commerce_on(prod)
        assert prod.get("/integrations/exgd").json()["enabled"] is True
        assert sandbox.get("/integrations/exgd").json()["enabled"] is False
        assert _outputs(project, "live", env)["manages_sync_settings"] is True
        assert _outputs(project, "live", env)["environments_on_instance"] == ["live"]

        # A drift check and a destroy of test send nothing to the production client.
        logged = len(_requests(tmp_path))
        drift = project.terraform("test", "plan", "-refresh-only", "-no-color", extra_env=env)
        assert drift.returncode == 0, drift.stdout + drift.stderr
        assert "No changes" in drift.stdout
        project.cli("destroy", "test", *DEPLOY, extra_env=env)
        after = _requests(tmp_path)[logged:]
        assert after and {r["client"] for r in after} == {"acme-sandbox"}
        assert prod.get("/integrations/exgd").json()["enabled"] is True


def test_shared_client_has_one_owner_of_the_sync_settings(
    cdk_project: Any, two_clients: EmulatorProcess, tmp_path: Path
) -> None:
    project = cdk_project(APPS / "params_app.py")
    env = {
        **SECRETS,
        "TF_VAR_codat_api_key_test": KEYS["acme-sandbox"],
        "TF_VAR_codat_api_key_live": KEYS["acme-sandbox"],
        **_params(two_clients.base_url, "acme-shared", "acme-shared"),
    }
    with _client(two_clients, "acme-prod") as prod:
        prod_before = prod.get("/profile/syncSettings").json()
    logged = len(_requests(tmp_path))
    project.cli("deploy", "test", "live", *DEPLOY, extra_env=env)
    assert {r["client"] for r in _requests(tmp_path)[logged:]} == {"acme-sandbox"}
    with _client(two_clients, "acme-prod") as prod:
        assert prod.get("/profile/syncSettings").json() == prod_before
    sync_writers = {
        r["client"]
        for r in _requests(tmp_path)
        if r["method"] == "POST" and r["path"] == "/profile/syncSettings"
    }
    assert sync_writers == {"acme-sandbox"}
    test_outputs = _outputs(project, "test", env)
    live_outputs = _outputs(project, "live", env)
    assert test_outputs["manages_sync_settings"] is True
    assert live_outputs["manages_sync_settings"] is False
    assert test_outputs["environments_on_instance"] == ["test", "live"]
    assert live_outputs["environments_on_instance"] == ["test", "live"]
    live_json = json.loads((project.stack_dir("live") / "cdk.tf.json").read_text())
    assert "CommerceSync_Settings" not in json.dumps(live_json.get("resource", {}))
    with _client(two_clients, "acme-sandbox") as sandbox:
        assert _commerce_on(sandbox)
