"""Shared state in S3 (moto's S3-compatible server on loopback) with S3-native locking.

Two project directories stand for two checkouts (two CI runners) of the same code; their
`test` stack keeps its state in one S3 object, locked with an S3 lock object
(`use_lockfile`, terraform >= 1.10). The first deploy (the real `cdktn` CLI) is held mid-apply
by an emulator hold on its enabled toggle; meanwhile the project's deploy path (StackRunner)
fails cleanly on the lock and `codat-stripe plan --lock-timeout` waits (its refused lock
write shows in the S3 server's log), then finds nothing to do once the hold is released.
No step depends on timing: each is observed (the hold, the lock object, the refused write).
Every process a test starts leads its own process group, killed when the test ends.
A deploy killed with SIGKILL leaves its lock object behind: `terraform force-unlock -force
<ID>` (the ID is in the lock error) releases it, and the next deploy converges with nothing
lost.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from holds_support import held, release
from operate_support import (
    BOUNDED_SECONDS,
    CODAT_KEY,
    SECRET_TEST,
    OpsEmulator,
    ProcessGroups,
    assert_converged,
    kill_group,
    leaks,
    secrets_env,
    stack_params,
    start_held_deploy,
    state_addresses,
    wait_for,
    writes,
)
from s3_support import FAKE_AWS, REGION, MotoS3, lock_id

from codat_emulator.process import free_port
from codat_stripe_ops.stack_runner import StackRunError, StackRunner
from codat_stripe_ops.toolchain import CdkProject
from e2e_support import deploy_stack

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

S3_APP = Path(__file__).resolve().parent / "s3_state_app.py"
BUCKET = "codat-stripe-state"
KEY = "stacks/test.tfstate"
LOCK_KEY = f"{KEY}.tflock"


@pytest.fixture
def s3(tmp_path: Path) -> Iterator[MotoS3]:
    server = MotoS3(port=free_port(), log=tmp_path / "moto.log").start()
    try:
        server.client().create_bucket(Bucket=BUCKET)
        yield server
    finally:
        server.stop()


def _env(emulator: OpsEmulator, s3: MotoS3) -> dict[str, str]:
    state = {
        "backend": "s3",
        "bucket": BUCKET,
        "key": KEY,
        "region": REGION,
        "endpoint_url": s3.endpoint,
    }
    return {**secrets_env(), **FAKE_AWS, **stack_params(emulator.base_url, state={"test": state})}


def _runner(project: CdkProject, env: dict[str, str], **options: Any) -> StackRunner:
    project.env.update(env)
    return StackRunner(project=project, **options)


def _assert_state_whole(s3: MotoS3, emulator: OpsEmulator) -> dict[str, Any]:
    """The state object is valid JSON with every managed object, no lock, no secret."""
    assert LOCK_KEY not in s3.keys(BUCKET)
    raw = s3.read(BUCKET, KEY)
    state = json.loads(raw)
    assert state["version"] == 4 and state["lineage"]
    types = {r["type"] for r in state["resources"] if r["mode"] == "managed"}
    assert types >= {"restful_operation", "restful_resource"}
    assert leaks(raw, SECRET_TEST, CODAT_KEY, FAKE_AWS["AWS_SECRET_ACCESS_KEY"]) == []
    assert emulator.client.get("/integrations/yzth").json()["enabled"] is True
    return dict(state)


def test_deploy_keeps_state_in_s3_and_another_checkout_sees_it(
    make_project: Callable[..., CdkProject], emulator: OpsEmulator, s3: MotoS3
) -> None:
    env = _env(emulator, s3)
    runner_a = _runner(make_project("runner-a", app=S3_APP), env)
    (stack,) = runner_a.stacks(["test"])
    document = runner_a.stack_document(stack)
    backend = document["terraform"]["backend"]["s3"]
    assert backend["use_lockfile"] is True and backend["endpoints"] == {"s3": s3.endpoint}

    plan = deploy_stack(runner_a, stack)
    assert any(c["change"]["actions"] != ["no-op"] for c in plan["resource_changes"])
    state = _assert_state_whole(s3, emulator)
    assert s3.keys(BUCKET) == [KEY]
    assert runner_a.outputs(stack)["stripe_platform_key"]["value"] == "yzth"

    # Another checkout, nothing local: the same state from S3, nothing to do.
    runner_b = _runner(make_project("runner-b", app=S3_APP), env)
    planned = runner_b.plan_for_deploy(runner_b.stacks(["test"])[0])
    changed = [
        c["address"]
        for c in planned["resource_changes"]
        if c["mode"] == "managed" and c["change"]["actions"] != ["no-op"]
    ]
    assert changed == []
    assert sorted(state_addresses(runner_b.project, stack, env)) == sorted(
        ("" if r["mode"] == "managed" else "data.")
        + f"{r['type']}.{r['name']}"
        + (f"[{i['index_key']}]" if "index_key" in i else "")
        for r in state["resources"]
        for i in r["instances"]
    )


def test_concurrent_deploys_of_one_stack_one_fails_cleanly_one_waits(
    make_project: Callable[..., CdkProject],
    emulator: OpsEmulator,
    s3: MotoS3,
    process_groups: ProcessGroups,
    tmp_path: Path,
) -> None:
    env = _env(emulator, s3)
    project_a = make_project("runner-a", app=S3_APP)
    runner_b = _runner(make_project("runner-b", app=S3_APP), env)
    (stack,) = runner_b.stacks(["test"])  # B is synthesized and initialised before A starts
    runner_b.init(stack)

    log_a, log_wait, report_file = (tmp_path / name for name in ("a.log", "wait.log", "wait.json"))
    # A is mid-apply (its lock object is in S3): its enabled toggle waits in the hold.
    deploy_a, hold_id = start_held_deploy(process_groups, project_a, env, emulator, log_a)
    assert LOCK_KEY in s3.keys(BUCKET)
    holder = json.loads(s3.read(BUCKET, LOCK_KEY))
    assert holder["Operation"] == "OperationTypeApply"

    # B deploys the same stack: it fails at once on the lock, names it, writes nothing.
    logged = len(emulator.requests())
    with pytest.raises(StackRunError) as refused:
        deploy_stack(runner_b, stack)
    assert "Error acquiring the state lock" in str(refused.value)
    assert lock_id(str(refused.value)) == holder["ID"]
    assert deploy_a.poll() is None, "A must still be running: B really overlapped"
    assert held(emulator.client) == 1
    assert writes(emulator.requests()[logged:]) == []

    # A run told to wait for the lock (the project's plan command, `--lock-timeout`) does:
    # its refused lock write shows in S3's log, and it is still running.
    refused_before = s3.refused_lock_writes(LOCK_KEY)
    waiting = process_groups.start(
        [
            sys.executable,
            "-m",
            "codat_stripe_ops.cli",
            "plan",
            "--project-dir",
            str(runner_b.project.directory),
            "--no-synth",
            "--stack",
            stack,
            "--lock-timeout",
            "300s",
            "--format",
            "json",
            "--output",
            str(report_file),
        ],
        runner_b.project.directory,
        {**runner_b.project.env, **env, "CI": ""},
        log_wait,
    )
    wait_for(
        lambda: s3.refused_lock_writes(LOCK_KEY) > refused_before or waiting.poll() is not None,
        "the waiting run to find the lock taken",
        timeout=BOUNDED_SECONDS,
    )
    assert waiting.poll() is None, log_wait.read_text()
    assert deploy_a.poll() is None

    release(emulator.client, hold_id)  # A's enabled toggle goes through; A unlocks
    assert deploy_a.wait(timeout=BOUNDED_SECONDS) == 0, log_a.read_text()
    # The plan command exits 0 when no stack changes (2: changes, 1: an error).
    assert waiting.wait(timeout=BOUNDED_SECONDS) == 0, log_wait.read_text()
    report = json.loads(report_file.read_text())
    assert report["status"] == "clean", report
    assert [(entry["stack"], entry["changed"]) for entry in report["stacks"]] == [(stack, False)]

    # One valid state, written by A, with no lock left; B converges on it.
    _assert_state_whole(s3, emulator)
    assert_converged(runner_b.project, stack, env)


def test_a_killed_deploy_leaves_its_lock_and_force_unlock_recovers_with_nothing_lost(
    make_project: Callable[..., CdkProject],
    emulator: OpsEmulator,
    s3: MotoS3,
    process_groups: ProcessGroups,
    tmp_path: Path,
) -> None:
    env = _env(emulator, s3)
    project_a = make_project("runner-a", app=S3_APP)
    deploy_a, hold_id = start_held_deploy(
        process_groups, project_a, env, emulator, tmp_path / "a.log"
    )
    kill_group(deploy_a)  # SIGKILL: the CLI, terraform and the provider, mid-apply
    release(emulator.client, hold_id)  # the killed client's request is served
    assert LOCK_KEY in s3.keys(BUCKET), "S3-native locks outlive a killed holder"
    stale = json.loads(s3.read(BUCKET, LOCK_KEY))["ID"]

    runner_b = _runner(make_project("runner-b", app=S3_APP), env)
    (stack,) = runner_b.stacks(["test"])
    with pytest.raises(StackRunError) as refused:
        deploy_stack(runner_b, stack)
    assert lock_id(str(refused.value)) == stale

    # The documented recovery: force-unlock with the ID from the error, then deploy again.
    unlocked = runner_b.project.terraform(stack, "force-unlock", "-force", stale, extra_env=env)
    assert unlocked.returncode == 0, unlocked.stdout + unlocked.stderr
    assert LOCK_KEY not in s3.keys(BUCKET)
    deploy_stack(runner_b, stack)

    # Nothing lost: Codat holds every setting, the state holds every object, no duplicates.
    _assert_state_whole(s3, emulator)
    assert_converged(runner_b.project, stack, env)
    credentials = emulator.client.get("/integrations/credentials/yzth").json()
    assert credentials["clientId"] == "ca_fakeOpsTest"
