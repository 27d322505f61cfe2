"""What plan and drift say after changes in the Codat Portal, on a LIVE stack.

Real CLI, cdktn, terraform, provider and emulator. The integration disabled in the Portal:
a credentials replacement claims nothing about the enabled toggle, and enabling the live
integration again gets its own risk line. Credentials deleted in the Portal: drift says so
in plain words.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from review_support import SECRET_LIVE, assert_no_secret, run_cli, secrets

from e2e_support import APPS, FAKE_CODAT_KEY

pytestmark = pytest.mark.e2e


def _params(codat: Any, client_id: str = "ca_fakePortalLive1") -> dict[str, str]:
    live = {
        "name": "live",
        "mode": "live",
        "client_id": client_id,
        "codat_base_url": codat.base_url,
    }
    return {**secrets(), "STACK_PARAMS": json.dumps({"shared": {}, "environments": [live]})}


def test_plan_and_drift_wording_after_portal_changes_on_live(cdk_project: Any, codat: Any) -> None:
    project = cdk_project(APPS / "params_app.py")
    project.cli(
        "deploy", "live", "--auto-approve", "--skip-provider-lock", extra_env=_params(codat)
    )

    # Disabled in the Portal, and the code changes the client ID: the credentials are
    # replaced (RETAIN: one PUT) and the plan puts the enabled toggle back.
    assert codat.client.put("/integrations/exgd/enabled", json={"enabled": False}).is_success
    plan = run_cli(project, "plan", "--stack", "live", env=_params(codat, "ca_fakePortalLive2"))
    assert plan.returncode == 2, plan.stdout + plan.stderr
    out = plan.stdout
    assert "| Stripe credentials | replace | client ID |" in out, out
    assert "| integration enabled | update | enabled | `no` | `yes` |" in out
    effect = next(line for line in out.splitlines() if line.startswith("- Stripe credentials"))
    assert effect.endswith("); nothing is deleted first"), effect
    assert "stays enabled" not in out
    warnings = out.split("> **Risky changes: review before merging**", 1)[1].split("\n\n")[0]
    assert "> - :warning: RE-ENABLES the live integration for new connections" in warnings
    assert "disabled outside the code" in warnings, warnings
    assert_no_secret(out + plan.stderr, SECRET_LIVE, FAKE_CODAT_KEY)

    # Credentials deleted in the Portal: drift reads naturally, and says what to do.
    assert codat.client.put("/integrations/exgd/enabled", json={"enabled": True}).is_success
    assert codat.client.delete("/integrations/credentials/exgd").is_success
    drift = run_cli(project, "drift", "--stack", "live", env=_params(codat))
    assert drift.returncode == 2, drift.stdout + drift.stderr
    assert "credentials: DELETED in Codat outside Terraform (the code sets them)" in drift.stdout
    assert "code set by the code" not in drift.stdout
