"""Faults: throttling and outages during a deploy, a deploy killed partway, Codat restarting.

Each test ends with "nothing lost": Codat holds what the code says and a new plan changes
no managed resource.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from operate_support import (
    BOUNDED_SECONDS,
    DEPLOY_FLAGS,
    SECRET_TEST,
    OpsEmulator,
    assert_converged,
    kill_group,
    plan_changes,
    secrets_env,
    settings_by_type,
    spawn_cli,
    stack_params,
    state_addresses,
    wait_for,
)

from codat_api import assumptions
from codat_stripe_ops.toolchain import CdkProject

pytestmark = pytest.mark.e2e

ENABLED_PATH = "/integrations/yzth/enabled"
CREDENTIALS_PATH = "/integrations/credentials/yzth"


def _assert_codat_matches_code(emulator: OpsEmulator, scope: str = "false") -> None:
    """Codat's Stripe Test integration and sync settings are as the default parameters say."""
    client = emulator.client
    integration = client.get("/integrations/yzth").json()
    assert integration["enabled"] is True
    assert client.get(CREDENTIALS_PATH).json() == {
        "clientId": "ca_fakeOpsTest",
        "secretKey": "********" + SECRET_TEST[-4:],
        "useReadWriteScope": scope,
    }
    settings = client.get(f"/settings/integrations/{integration['integrationId']}").json()
    assert settings == {"oneTimeSync": assumptions.ONE_TIME_SYNC_CONTINUOUS}
    commerce = {t: s for t, s in settings_by_type(client).items() if t.startswith("commerce-")}
    assert len(commerce) == 11
    assert all(s["fetchOnFirstLink"] and s["syncSchedule"] == 24 for s in commerce.values())


def test_deploy_converges_through_throttling_and_outages(
    make_project: Callable[..., CdkProject], emulator: OpsEmulator
) -> None:
    project = make_project()
    env = {**secrets_env(), **stack_params(emulator.base_url)}
    # Codat throttles one write (429 with Retry-After) and is briefly down for another (503),
    # at the same point of the apply: both run in parallel, so the retries overlap. (That
    # the 429's Retry-After is waited for is proven in test_retries.py.)
    emulator.add_fault(429, 1, method="PUT", path_prefix=CREDENTIALS_PATH, retry_after_seconds=1)
    emulator.add_fault(503, 1, method="POST", path_prefix="/profile/syncSettings")

    started = time.monotonic()
    project.cli("deploy", "test", *DEPLOY_FLAGS, extra_env=env, timeout=BOUNDED_SECONDS)
    print(f"deploy through faults took {time.monotonic() - started:.1f}s")

    assert emulator.active_faults() == []  # every injected failure was met, then retried
    requests = emulator.requests()
    # (A 404 from the masked credentials read before any exist is an answer, not a failure.)
    failed = [
        (r["method"], r["path"], r["status"])
        for r in requests
        if r["status"] >= 400 and not (r["method"] == "GET" and r["status"] == 404)
    ]
    assert sorted(failed) == [
        ("POST", "/profile/syncSettings", 503),
        ("PUT", CREDENTIALS_PATH, 429),
    ]
    print(f"{len(failed)} of {len(requests)} requests failed")
    for method, path in [("PUT", CREDENTIALS_PATH), ("POST", "/profile/syncSettings")]:
        attempts = [r["status"] for r in requests if r["method"] == method and r["path"] == path]
        assert attempts[0] >= 400 and attempts[-1] < 300, (method, path, attempts)
    _assert_codat_matches_code(emulator)
    assert_converged(project, "test", env)


def test_deploy_killed_partway_then_rerun_converges(
    make_project: Callable[..., CdkProject], emulator: OpsEmulator, tmp_path: Path
) -> None:
    project = make_project()
    env = {**secrets_env(), **stack_params(emulator.base_url)}
    # Hold the apply at its last write (enabling), after the credentials and sync mode.
    emulator.add_fault(503, 1000, method="PUT", path_prefix=ENABLED_PATH)

    deploy = spawn_cli(project, ["deploy", "test", *DEPLOY_FLAGS], env, tmp_path / "killed.log")
    try:
        wait_for(
            lambda: (
                any(r["path"] == ENABLED_PATH and r["status"] == 503 for r in emulator.requests())
                or deploy.poll() is not None
            ),
            "the deploy to reach the enabled toggle",
            timeout=BOUNDED_SECONDS,
        )
    finally:
        kill_group(deploy)  # SIGKILL: the CLI, terraform and the provider, mid-apply
    assert deploy.returncode == -9, (tmp_path / "killed.log").read_text()
    emulator.clear_faults()
    # What the killed apply got done in Codat: credentials written, integration not enabled.
    assert emulator.client.get(CREDENTIALS_PATH).status_code == 200
    assert emulator.client.get("/integrations/yzth").json()["enabled"] is False
    killed_state = project.directory / "terraform.test.tfstate"
    print("state after SIGKILL:", killed_state.exists() and len(killed_state.read_bytes()))

    # A local state's lock is an OS lock, released with the killed process: the re-run needs
    # no force-unlock. (Backends whose lock outlives the process: see the README.)
    rerun = project.cli("deploy", "test", *DEPLOY_FLAGS, extra_env=env, timeout=BOUNDED_SECONDS)
    assert "Error acquiring the state lock" not in rerun.stdout + rerun.stderr

    _assert_codat_matches_code(emulator)
    assert_converged(project, "test", env)
    assert len(state_addresses(project, "test", env)) >= 4


def test_codat_restarting_between_plan_and_apply_loses_nothing(
    make_project: Callable[..., CdkProject], emulator: OpsEmulator
) -> None:
    project = make_project()
    env = {**secrets_env(), **stack_params(emulator.base_url)}
    project.cli("deploy", "test", *DEPLOY_FLAGS, extra_env=env)
    company = emulator.client.post("/companies", json={"name": "Restart Merchant"}).json()

    # Change the scope; save the plan; restart Codat on the same address and database.
    changed = {
        **secrets_env(),
        **stack_params(emulator.base_url, shared={"use_read_write_scope": True}),
    }
    project.cli("synth", extra_env=changed)
    changes: list[dict[str, Any]] = plan_changes(project, "test", changed, name="saved.tfplan")
    # Codat's scope now differs from the code: the credentials are written again (a PUT;
    # the default RETAIN policy makes no delete call), triggered by their in-sync marker.
    assert sorted(
        (c["type"], c["name"].split("_")[1], c["change"]["actions"]) for c in changes
    ) == [
        ("restful_operation", "Credentials", ["delete", "create"]),
        ("terraform_data", "CredentialsInSync", ["update"]),
    ]
    old_pid = emulator.process.pid
    emulator.restart()
    assert emulator.process.pid != old_pid

    applied = project.terraform("test", "apply", "-input=false", "saved.tfplan", extra_env=changed)
    assert applied.returncode == 0, applied.stdout + applied.stderr

    _assert_codat_matches_code(emulator, scope="true")
    assert emulator.client.get(f"/companies/{company['id']}").status_code == 200
    assert_converged(project, "test", changed)
