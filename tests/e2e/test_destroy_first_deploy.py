"""`RemovalPolicy.DESTROY`'s first deploy on a Codat client that already holds settings, on
Terraform (`make test-e2e`) and OpenTofu (`make test-opentofu`).

Under DESTROY the enabled toggle is re-created whenever the credentials are
(`replace_triggered_by`: Codat disables an integration whose credentials are deleted). On the
first deploy the credentials are created; had the toggle been adopted by an import block,
OpenTofu 1.12 would replace it while importing it (Terraform does not) and destroy it with
the import's settings: `DELETE /integrations/yzth`, refused by Codat (405), the apply
failed. So under DESTROY the toggle is written, not imported: the same plan and the same
writes on both tools, nothing deleted.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from codat_stripe_ops.stack_runner import StackRunner
from e2e_support import APPS, EmulatedCodat, plan_exit_code, stack_secrets

pytestmark = pytest.mark.e2e

SECRET = "sk_test_fakeT0fu"
DEPLOY = ("deploy", "test", "--auto-approve", "--skip-provider-lock")


def _env(codat: EmulatedCodat) -> dict[str, str]:
    environment = {
        "name": "test",
        "mode": "test",
        "client_id": "ca_fakeTofu1",
        "codat_instance": "e2e-tofu",
        "codat_base_url": codat.base_url,
        "removal_policy": "destroy",
    }
    secrets = stack_secrets(SECRET, "sk_live_unused1", TF_VAR_stripe_secret_key_test=SECRET)
    return {**secrets, "STACK_PARAMS": json.dumps({"environments": [environment]})}


def test_destroy_policy_first_deploy_adopts_settings_writes_the_toggle_and_deletes_nothing(
    cdk_project: Any, codat: EmulatedCodat
) -> None:
    project = cdk_project(APPS / "params_app.py")
    env = _env(codat)
    project.env.update(env)

    first = StackRunner(project=project).review("test")
    assert {k: first.counts[k] for k in ("import", "add", "destroy")} == {
        "import": 2,
        "add": 3,
        "destroy": 0,
    }

    project.cli(*DEPLOY, extra_env=env)
    assert [r for r in codat.requests() if r["method"] == "DELETE"] == []
    assert codat.client.get("/integrations/yzth").json()["enabled"] is True
    assert plan_exit_code(project, "test", env) == 0
