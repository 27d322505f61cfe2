"""`RemovalPolicy.DESTROY`'s credentials, end to end: real CLI, terraform, provider, emulator.

Under DESTROY the credentials are a `restful_resource` (RETAIN keeps an operation, which
never deletes): its DELETE treats 404 as done, so a destroy after the credentials were
deleted in the Portal succeeds, and its create accepts a PUT answered 204 with no body.
Every write of the map must carry the secret: a change of client ID, scope or revision
re-creates the credentials, and the integration ends enabled.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from e2e_support import APPS, EmulatedCodat, plan_exit_code, stack_secrets

pytestmark = pytest.mark.e2e

SECRET = "sk_test_fakeD5e6"
CREDENTIALS = "/integrations/credentials/yzth"
DEPLOY = ("deploy", "test", "--auto-approve", "--skip-provider-lock")
DESTROY = ("destroy", "test", "--auto-approve", "--skip-provider-lock")


def _env(codat: EmulatedCodat, **environment: Any) -> dict[str, str]:
    params = {
        "environments": [
            {
                "name": "test",
                "mode": "test",
                "client_id": "ca_fakeDestroy1",
                "codat_instance": "e2e-destroy",
                "codat_base_url": codat.base_url,
                "removal_policy": "destroy",
                **environment,
            }
        ]
    }
    secrets = stack_secrets(SECRET, "sk_live_unused1", TF_VAR_stripe_secret_key_test=SECRET)
    return {**secrets, "STACK_PARAMS": json.dumps(params)}


def _credential_writes(codat: EmulatedCodat, since: int) -> list[tuple[str, int]]:
    return [
        (r["method"], r["status"])
        for r in codat.requests()[since:]
        if r["path"] == CREDENTIALS and r["method"] in ("PUT", "DELETE")
    ]


PUT_ANSWERS = pytest.mark.parametrize("codat", ["body", "empty"], indirect=True)
"""Both readings of what Codat's credentials PUT answers."""


@PUT_ANSWERS
def test_destroy_policy_converges_heals_and_tears_down_after_a_portal_delete(
    cdk_project: Any, codat: EmulatedCodat
) -> None:
    project = cdk_project(APPS / "params_app.py")
    env = _env(codat)
    put_status = 204 if codat.process.credentials_put_response == "empty" else 200

    project.cli(*DEPLOY, extra_env=env)
    assert _credential_writes(codat, 0) == [("PUT", put_status)]
    assert codat.client.get("/integrations/yzth").json()["enabled"] is True
    assert plan_exit_code(project, "test", env) == 0

    # Deleted in the Portal: the next deploy writes them again and re-enables the integration.
    assert codat.client.delete(CREDENTIALS).status_code in (200, 204)
    assert codat.client.get("/integrations/yzth").json()["enabled"] is False
    logged = len(codat.requests())
    project.cli(*DEPLOY, extra_env=env)
    # A re-creation: its DELETE finds nothing (404, which counts as done), then the PUT.
    assert _credential_writes(codat, logged) == [("DELETE", 404), ("PUT", put_status)]
    assert codat.client.get(CREDENTIALS).json()["clientId"] == "ca_fakeDestroy1"
    assert codat.client.get("/integrations/yzth").json()["enabled"] is True
    assert plan_exit_code(project, "test", env) == 0

    # Deleted again, then destroyed: the DELETE's 404 counts as done, the destroy succeeds.
    assert codat.client.delete(CREDENTIALS).status_code in (200, 204)
    logged = len(codat.requests())
    project.cli(*DESTROY, extra_env=env)
    assert _credential_writes(codat, logged) == [("DELETE", 404)]
    assert codat.client.get(CREDENTIALS).status_code == 404
    assert codat.client.get("/integrations/yzth").json()["enabled"] is False


@PUT_ANSWERS
def test_destroy_policy_rewrites_the_whole_map_on_every_change(
    cdk_project: Any, codat: EmulatedCodat
) -> None:
    project = cdk_project(APPS / "params_app.py")
    project.cli(*DEPLOY, extra_env=_env(codat))

    # Scope, then client ID, then a revision bump: each writes the map again WITH the
    # secret (a PUT without it would leave the masked secret missing), and the
    # integration ends enabled with the next plan empty.
    steps: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"use_read_write_scope": True}, {}),
        ({"use_read_write_scope": True}, {"client_id": "ca_fakeDestroy2"}),
        (
            {"use_read_write_scope": True},
            {"client_id": "ca_fakeDestroy2", "credentials_revision": 1},
        ),
    ]
    for shared, environment in steps:
        env = _env(codat, **environment)
        env["STACK_PARAMS"] = json.dumps({**json.loads(env["STACK_PARAMS"]), "shared": shared})
        logged = len(codat.requests())
        project.cli(*DEPLOY, extra_env=env)
        writes = _credential_writes(codat, logged)
        assert [method for method, _ in writes] == ["DELETE", "PUT"], (environment, writes)
        stored = codat.client.get(CREDENTIALS).json()
        assert stored == {
            "clientId": environment.get("client_id", "ca_fakeDestroy1"),
            "secretKey": "********" + SECRET[-4:],
            "useReadWriteScope": "true",
        }
        assert codat.client.get("/integrations/yzth").json()["enabled"] is True, environment
        assert plan_exit_code(project, "test", env) == 0, environment

    # Someone already put the code's next client ID (and another secret) into Codat, then the
    # code follows: Codat matches the code, yet the stack must not update the map in place
    # (that PUT would carry no secret); it re-creates it, with the deploy's secret.
    portal = {
        "clientId": "ca_fakeDestroy3",
        "secretKey": "sk_test_fakePortal9",
        "useReadWriteScope": "true",
    }
    assert codat.client.put(CREDENTIALS, json=portal).status_code in (200, 204)
    env = _env(codat, client_id="ca_fakeDestroy3", credentials_revision=1)
    env["STACK_PARAMS"] = json.dumps(
        {**json.loads(env["STACK_PARAMS"]), "shared": {"use_read_write_scope": True}}
    )
    logged = len(codat.requests())
    project.cli(*DEPLOY, extra_env=env)
    writes = _credential_writes(codat, logged)
    assert [method for method, _ in writes] == ["DELETE", "PUT"], writes
    assert all(status < 300 for _, status in writes), writes
    assert codat.client.get(CREDENTIALS).json()["secretKey"] == "********" + SECRET[-4:]
    assert codat.client.get("/integrations/yzth").json()["enabled"] is True
    assert plan_exit_code(project, "test", env) == 0

    # Only the secret changes (a rotation): an in-place update, one PUT carrying it.
    rotated = "sk_test_fakeF7g8"
    env = {**env, "TF_VAR_stripe_secret_key_test": rotated}
    logged = len(codat.requests())
    project.cli(*DEPLOY, extra_env=env)
    assert [method for method, _ in _credential_writes(codat, logged)] == ["PUT"]
    assert codat.client.get(CREDENTIALS).json()["secretKey"] == "********" + rotated[-4:]
    assert plan_exit_code(project, "test", env) == 0
