"""Adoption: a Codat client set up by hand in the Portal comes under management."""

from __future__ import annotations

import re
from typing import Any

import pytest
from test_stripe_stacks import SECRET_TEST, _main_env, _writes

from codat_api.data_types import COMMERCE_DATA_TYPES
from e2e_support import REPO

pytestmark = pytest.mark.e2e


def _set_up_by_hand(codat: Any) -> str:
    """What someone clicked in the Portal: all as main.py declares, except one-off sync."""
    client = codat.client
    credentials = {"clientId": "ca_ExampleTestClientId", "secretKey": SECRET_TEST}
    credentials["useReadWriteScope"] = "false"
    assert client.put("/integrations/credentials/yzth", json=credentials).status_code == 200
    assert client.put("/integrations/yzth/enabled", json={"enabled": True}).status_code == 200
    integration_id = str(client.get("/integrations/yzth").json()["integrationId"])
    one_off = client.patch(f"/settings/integrations/{integration_id}", json={"oneTimeSync": "true"})
    assert one_off.status_code == 200
    settings = client.get("/profile/syncSettings").json()
    for setting in settings["settings"]:
        if setting["dataType"] in COMMERCE_DATA_TYPES:
            setting.update(fetchOnFirstLink=True, syncSchedule=24)
    assert client.post("/profile/syncSettings", json=settings).status_code == 204
    return integration_id


def test_hand_made_setup_is_imported_and_only_what_differs_is_written(
    cdk_project: Any, codat: Any
) -> None:
    integration_id = _set_up_by_hand(codat)
    sync_before = codat.client.get("/profile/syncSettings").json()
    project = cdk_project(REPO / "main.py")
    env = _main_env(codat)

    plan = project.cli("plan", "test", "--skip-provider-lock", extra_env=env)
    summary = re.search(
        r"Plan: (\d+) to import, (\d+) to add, \d+ to change, (\d+) to destroy",
        re.sub(r"\x1b\[[0-9;]*m", "", plan.stdout),
    )
    assert summary, plan.stdout
    assert summary.group(1) == "3"  # enabled toggle, data access, client sync settings
    # The credentials operation (a secret cannot be compared) and its in-sync marker.
    assert summary.group(2) == "2"
    assert summary.group(3) == "0"

    logged = len(codat.requests())
    project.cli("deploy", "test", "--auto-approve", "--skip-provider-lock", extra_env=env)
    assert sorted(_writes(codat.requests()[logged:])) == [
        ("PATCH", f"/settings/integrations/{integration_id}"),  # one-off -> continuous
        # overridesDefaults false -> true (assumptions.SYNC_SETTINGS_OVERRIDES_DEFAULTS_...)
        ("POST", "/profile/syncSettings"),
        ("PUT", "/integrations/credentials/yzth"),  # same values, re-sent with the secret
    ]
    assert codat.client.get("/profile/syncSettings").json() == {
        **sync_before,
        "overridesDefaults": True,
    }
    assert codat.client.get(f"/settings/integrations/{integration_id}").json() == {
        "oneTimeSync": "false"
    }

    again = project.terraform("test", "plan", "-detailed-exitcode", "-input=false", extra_env=env)
    assert again.returncode == 0, again.stdout + again.stderr
