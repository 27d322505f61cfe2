"""Write order of a deploy from scratch, read from the emulator's request log.

Codat needs credentials before an integration can be enabled, and the data-access setting
must be in place before the integration is enabled for new connections. The request log
records every request in the order the emulator answered it, with the write bodies (secrets
masked), so the order and the content of each write are proven, not inferred from the end
state. Both with import blocks (the default) and without (`adopt_existing=False`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from operate_support import (
    DEPLOY_FLAGS,
    SECRET_TEST,
    OpsEmulator,
    assert_converged,
    secrets_env,
    stack_params,
)

from codat_api import assumptions
from codat_stripe_ops.toolchain import CdkProject

pytestmark = pytest.mark.e2e

CREDENTIALS_PATH = "/integrations/credentials/yzth"
ENABLED_PATH = "/integrations/yzth/enabled"


def _integration_writes(
    requests: list[dict[str, Any]], settings_path: str
) -> list[tuple[str, str, Any]]:
    """(method, path, logged body) of each successful write to the Stripe Test integration."""
    paths = {CREDENTIALS_PATH, ENABLED_PATH, settings_path}
    return [
        (r["method"], r["path"], r.get("body"))
        for r in requests
        if r["method"] not in ("GET", "HEAD") and r["path"] in paths and 200 <= r["status"] < 300
    ]


@pytest.mark.parametrize("adopt_existing", [False, True], ids=["from-scratch", "adopting"])
def test_a_first_deploy_writes_credentials_then_data_access_then_enabled(
    make_project: Callable[..., CdkProject], emulator: OpsEmulator, adopt_existing: bool
) -> None:
    # An empty Codat client: the integration is disabled, holds no credentials, and its
    # data-access setting is Codat's default (continuous). One-off differs from that default,
    # so the setting is written in both modes (created without imports, updated with them).
    client = emulator.client
    integration_id = client.get("/integrations/yzth").json()["integrationId"]
    settings_path = f"/settings/integrations/{integration_id}"
    assert client.get("/integrations/yzth").json()["enabled"] is False
    assert client.get(CREDENTIALS_PATH).status_code == 404
    assert client.get(settings_path).json() == {"oneTimeSync": assumptions.DEFAULT_ONE_TIME_SYNC}

    project = make_project()
    env = {
        **secrets_env(),
        **stack_params(
            emulator.base_url,
            ("test",),
            shared={"data_access": "one-off"},
            adopt_existing=adopt_existing,
        ),
    }
    synthesized = project.cli("deploy", "test", *DEPLOY_FLAGS, extra_env=env)
    assert ("import" in (project.stack_dir("test") / "cdk.tf.json").read_text()) is adopt_existing
    assert ("to import" in synthesized.stdout) is adopt_existing, synthesized.stdout

    assert _integration_writes(emulator.requests(), settings_path) == [
        (
            "PUT",
            CREDENTIALS_PATH,
            {
                assumptions.CREDENTIAL_CLIENT_ID: "ca_fakeOpsTest",
                assumptions.CREDENTIAL_SECRET_KEY: assumptions.mask_secret(SECRET_TEST),
                assumptions.CREDENTIAL_USE_READ_WRITE_SCOPE: "false",
            },
        ),
        ("PATCH", settings_path, {"oneTimeSync": assumptions.ONE_TIME_SYNC_ONE_OFF}),
        ("PUT", ENABLED_PATH, {"enabled": True}),
    ]
    assert client.get("/integrations/yzth").json()["enabled"] is True
    assert client.get(settings_path).json() == {"oneTimeSync": assumptions.ONE_TIME_SYNC_ONE_OFF}
    assert_converged(project, "test", env)
