"""The plan summary on real saved plans: real cdktn CLI, terraform, provider and emulator."""

from __future__ import annotations

import json
from typing import Any

import pytest
from review_support import SECRET_TEST, assert_no_secret, run_cli, secrets

from e2e_support import APPS, FAKE_CODAT_KEY

pytestmark = pytest.mark.e2e


ENVIRONMENT_FIELDS = ("credentials_revision", "client_id")

WRITTEN_AGAIN = (
    "credentials written again{why} (one PUT of client ID, scope and the secret from TF_VAR_*); "
)
# Under RETAIN nothing is deleted; the enabled toggle is not claimed (it is not checked).
STAYS_ENABLED = "nothing is deleted first"
MARKER_ROW = (
    "| credentials sync marker | update | Codat's credentials match the code | `yes` | "
    "`no: Stripe credentials written again` |"
)


def _params(codat: Any, **shared: Any) -> dict[str, str]:
    environment = {
        "name": "test",
        "mode": "test",
        "client_id": "ca_fakeReview1",
        "codat_base_url": codat.base_url,
    }
    environment.update({k: shared.pop(k) for k in ENVIRONMENT_FIELDS if k in shared})
    return {"STACK_PARAMS": json.dumps({"shared": shared, "environments": [environment]})}


def test_plan_summary_in_codat_terms_for_each_kind_of_change(cdk_project: Any, codat: Any) -> None:
    project = cdk_project(APPS / "params_app.py")
    base = {**secrets(), **_params(codat)}
    project.cli("deploy", "test", "--auto-approve", "--skip-provider-lock", extra_env=base)

    def summary(env: dict[str, str], code: int = 2) -> str:
        result = run_cli(project, "plan", "--stack", "test", env=env)
        assert result.returncode == code, result.stdout + result.stderr
        assert_no_secret(result.stdout + result.stderr, SECRET_TEST, FAKE_CODAT_KEY)
        return result.stdout

    # Nothing changes: the stack says so, exit 0.
    assert "No changes. Codat matches the code." in summary(base, code=0)

    # Scope switch: before -> after in Codat terms, and a loud warning.
    scope = summary({**secrets(), **_params(codat, use_read_write_scope=True)})
    assert "## Stack `test`: Stripe Test (platform key `yzth`)" in scope
    # Codat's scope now differs from the code: the credentials are written again.
    assert "**Plan: 1 to add, 1 to change, 1 to destroy.**" in scope, scope
    assert "| Stripe credentials | replace | scope | `read_only` | `read_write` |" in scope
    # Under the default RETAIN policy a replacement deletes nothing: no teardown warning.
    assert "deleted from Codat" not in scope
    assert "> [!WARNING]" in scope
    assert "switches to the read_write scope (read_only -> read_write)" in scope
    assert "| client ID |" not in scope and "Drift" not in scope
    # The marker that triggered the replacement, and what happens in Codat, in plain words.
    assert MARKER_ROW in scope
    assert WRITTEN_AGAIN.format(why=" with the code's new values") + STAYS_ENABLED in scope
    assert "rotated" not in scope and "DELETE" not in scope

    # A client ID changed in the code: the same, without a risk banner.
    client = summary({**secrets(), **_params(codat, client_id="ca_fakeReview2")})
    assert "| Stripe credentials | replace | client ID | `ca_fakeReview1` | `ca_fakeReview2` |" in (
        client
    )
    assert WRITTEN_AGAIN.format(why=" with the code's new values") + STAYS_ENABLED in client
    assert "[!WARNING]" not in client and "rotated" not in client

    # A credentials_revision bump: written again, said so, not called a rotation.
    revision = summary({**secrets(), **_params(codat, credentials_revision=1)})
    assert "**Plan: 0 to add, 1 to change, 0 to destroy.**" in revision
    assert (
        "| Stripe credentials | update | credentials revision | `0` | "
        "`1 (credentials written again, secret from TF_VAR_*)` |" in revision
    )
    assert "written again because the credentials revision was bumped" in revision
    assert "nothing is deleted first" in revision and "stays enabled" not in revision
    assert "rotated" not in revision and "[!WARNING]" not in revision

    # Disabling the integration (and one-off sync).
    disable = summary({**secrets(), **_params(codat, enabled=False, data_access="one-off")})
    assert "| integration enabled | update | enabled | `yes` | `no` |" in disable
    assert "DISABLES the integration for new connections" in disable
    assert "| access to company data | update | sync mode | `continuous` | `one-off` |" in disable

    # Secret rotation: "rotated", never a value (old or new), and no warning.
    rotated = "sk_test_fakeR0t9"
    rotation = summary({**secrets(TF_VAR_stripe_secret_key_test=rotated), **_params(codat)})
    assert "| Stripe credentials | update | Stripe secret key |" in rotation
    assert "`rotated (new value)`" in rotation
    assert "[!WARNING]" not in rotation
    assert (
        "the new Stripe secret key from TF_VAR_* is written with the unchanged client ID and "
        "scope (one PUT); nothing is deleted first" in rotation
    )
    assert "replace" not in rotation and "credentials revision" not in rotation
    assert_no_secret(rotation, rotated, SECRET_TEST)

    # Sync settings: each commerce data type's before -> after; turning one off is loud.
    sync = summary(
        {**secrets(), **_params(codat, sync_schedule_hours=12, fetch_on_first_link=False)}
    )
    # One row per setting change, naming the data types, not one per data type.
    assert (
        "| commerce sync settings | update | all 11 commerce data types: fetch on first link "
        "| `true` | `false` |" in sync
    )
    assert "all 11 commerce data types: sync schedule (hours) | `24` | `12` |" in sync
    assert sync.count("turns OFF all 11 commerce data types") == 1
    assert "| bills" not in sync  # non-commerce types are written back unchanged

    # Out-of-band drift: its own section, and the plan puts the code's value back.
    assert codat.client.put("/integrations/yzth/enabled", json={"enabled": False}).is_success
    credentials = {"clientId": "ca_fakeOutOfBand", "secretKey": "sk_test_fakeOob77"}
    assert codat.client.put("/integrations/credentials/yzth", json=credentials).is_success
    drift = summary(base)
    changes, _, drifted = drift.partition("### Drift: changed outside the code")
    assert "| integration enabled | update | enabled | `no` | `yes` |" in changes
    assert "| integration enabled | update | enabled | `yes` | `no` |" in drifted
    # Credentials changed in the Portal heal: the plan writes them again, naming Codat's value.
    assert (
        "| Stripe credentials | replace | client ID in Codat | `ca_fakeOutOfBand` | "
        "`ca_fakeReview1` |" in changes
    )
    assert MARKER_ROW in changes
    why = " because they were changed in Codat, outside the code"
    assert WRITTEN_AGAIN.format(why=why) + STAYS_ENABLED in changes
    # The integration is disabled in Codat right now: nothing may claim it "stays enabled".
    assert "stays enabled" not in drift
    assert "deleted from Codat" not in drift and "DELETE" not in drift
    assert "rotated" not in drift
    assert_no_secret(drift, "sk_test_fakeOob77")

    # Credentials deleted in Codat (which disables the integration): written again, and the
    # enabled toggle put back.
    assert codat.client.put("/integrations/yzth/enabled", json={"enabled": True}).is_success
    assert codat.client.delete("/integrations/credentials/yzth").is_success
    deleted = summary(base)
    assert (
        "| Stripe credentials | replace | credentials in Codat | `DELETED outside Terraform` | "
        "`written again` |" in deleted
    )
    assert "| integration enabled | update | enabled | `no` | `yes` |" in deleted
    assert (
        WRITTEN_AGAIN.format(why=" because they were deleted in Codat")
        + "Codat disabled the integration when they were deleted: see `integration enabled`"
        in deleted
    )
    assert "deleted from Codat" not in deleted and "REPLACE:" not in deleted
    assert "rotated" not in deleted


def test_plan_summary_reports_an_error_naming_the_unknown_stack(
    cdk_project: Any, codat: Any
) -> None:
    project = cdk_project(APPS / "params_app.py")
    result = run_cli(project, "plan", "--stack", "staging", env=_params(codat))
    assert result.returncode == 1
    assert "unknown stack(s) ['staging']: the app has ['test']" in result.stderr
    assert result.stdout == ""
