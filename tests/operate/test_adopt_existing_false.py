"""`adopt_existing=False` against a Codat client set up by hand (docs/behaviour.md, Adoption).

Without import blocks nothing is read into state first: the first plan adds every object
and the deploy writes every setting from the code, including those that already match,
overwriting what was set by hand. Other data types' sync settings are carried along (the
list is read, merged and written back), and the next plan is empty.
(From scratch on an empty client: `test_write_order.py`.)
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from operate_support import (
    DEPLOY_FLAGS,
    OpsEmulator,
    assert_converged,
    secrets_env,
    settings_by_type,
    stack_params,
    writes,
)

from codat_api import assumptions
from codat_stripe_ops.toolchain import CdkProject

pytestmark = pytest.mark.e2e

NON_COMMERCE = "invoices"


def test_without_adoption_a_hand_made_set_up_is_overwritten_with_the_code_in_one_deploy(
    make_project: Callable[..., CdkProject], emulator: OpsEmulator
) -> None:
    client = emulator.client
    # By hand: other credentials, one-off access, enabled (as the code says), sync settings
    # with a managed commerce entry off and a data type no stack manages changed.
    by_hand = {"clientId": "ca_fakeByHand", "secretKey": "sk_test_fakeHand"}
    assert client.put("/integrations/credentials/yzth", json=by_hand).is_success
    integration_id = client.get("/integrations/yzth").json()["integrationId"]
    settings_path = f"/settings/integrations/{integration_id}"
    one_off = {"oneTimeSync": assumptions.ONE_TIME_SYNC_ONE_OFF}
    assert client.patch(settings_path, json=one_off).is_success
    assert client.put("/integrations/yzth/enabled", json={"enabled": True}).is_success
    sync = client.get("/profile/syncSettings").json()
    for setting in sync["settings"]:
        if setting["dataType"] == "commerce-orders":
            setting["fetchOnFirstLink"] = False
        if setting["dataType"] == NON_COMMERCE:
            setting["syncSchedule"] = 48
    assert client.post("/profile/syncSettings", json=sync).is_success

    project = make_project()
    env = {**secrets_env(), **stack_params(emulator.base_url, ("test",), adopt_existing=False)}
    plan = project.cli("plan", "test", "--skip-provider-lock", extra_env=env)
    line = re.search(r"Plan: [^\n]*destroy\.", re.sub(r"\x1b\[[0-9;]*m", "", plan.stdout))
    assert line, plan.stdout
    # No import: credentials, their in-sync marker, data access, enabled and sync settings.
    assert line.group() == "Plan: 5 to add, 0 to change, 0 to destroy."

    logged = len(emulator.requests())
    project.cli("deploy", "test", *DEPLOY_FLAGS, extra_env=env)

    # Every setting is written, even the enabled toggle that already matched.
    assert sorted(writes(emulator.requests()[logged:])) == [
        ("PATCH", settings_path),
        ("POST", "/profile/syncSettings"),
        ("PUT", "/integrations/credentials/yzth"),
        ("PUT", "/integrations/yzth/enabled"),
    ]
    assert client.get("/integrations/credentials/yzth").json()["clientId"] == "ca_fakeOpsTest"
    assert client.get(settings_path).json() == {"oneTimeSync": assumptions.ONE_TIME_SYNC_CONTINUOUS}
    assert client.get("/integrations/yzth").json()["enabled"] is True
    after = settings_by_type(client)
    assert after["commerce-orders"]["fetchOnFirstLink"] is True
    assert after[NON_COMMERCE]["syncSchedule"] == 48  # not managed: carried along
    assert_converged(project, "test", env)
