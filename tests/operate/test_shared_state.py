"""Shared state in PostgreSQL: two concurrent deploys of one stack never both write.

Two project directories stand for two checkouts (two CI runners) of the same code; their
`test` stack keeps its state in one PostgreSQL schema (terraform's `pg` backend, which locks
with a session-level advisory lock). The first deploy is held mid-apply by an emulator hold on
its enabled toggle; meanwhile a second deploy fails on the lock, and a plan with
`-lock-timeout` waits for it (observed in PostgreSQL: its session asked for the lock and
holds none), then finds nothing left to do. No step depends on timing: each is observed
(the hold, the granted advisory lock, the waiting session), and every process a test starts
leads its own process group, killed when the test ends, passed or failed.

A deploy killed with SIGKILL mid-apply loses its database session, and PostgreSQL releases
a session's advisory locks with it: the lock is gone without `terraform force-unlock`, and
the next deploy (the project's deploy path) converges with nothing lost. Were a killed
runner's connection to linger (a half-open TCP connection), the lock would stay until
PostgreSQL drops that session; `terraform force-unlock` cannot release another session's
advisory lock, so the remedy is ending that session:
`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from holds_support import held, release
from operate_support import (
    BOUNDED_SECONDS,
    CODAT_KEY,
    DEPLOY_FLAGS,
    SECRET_TEST,
    OpsEmulator,
    ProcessGroups,
    assert_converged,
    kill_group,
    leaks,
    readable_files,
    secrets_env,
    stack_params,
    start_held_deploy,
    state_addresses,
    wait_for,
    writes,
)
from postgres_support import PostgresServer

from codat_stripe_ops.stack_runner import StackRunner
from codat_stripe_ops.toolchain import CdkProject
from e2e_support import deploy_stack

pytestmark = pytest.mark.e2e

SCHEMA = "codat_stripe_test"


def _pg_env(emulator: OpsEmulator, postgres: PostgresServer) -> dict[str, str]:
    """Secrets, the `test` stack with its state in PostgreSQL, and the connection string."""
    return {
        **secrets_env(),
        **stack_params(emulator.base_url, state={"test": {"pg": SCHEMA}}),
        "PG_CONN_STR": postgres.conn_str(),
    }


def test_concurrent_deploys_of_one_stack_are_serialized_by_the_postgres_lock(
    make_project: Callable[..., CdkProject],
    emulator: OpsEmulator,
    postgres: PostgresServer,
    process_groups: ProcessGroups,
    tmp_path: Path,
) -> None:
    env = _pg_env(emulator, postgres)
    runner_a, runner_b = make_project("runner-a"), make_project("runner-b")
    log_a, log_b, log_wait = (tmp_path / f"{name}.log" for name in ("a", "b", "wait"))
    # A is mid-apply: its sync settings are written, its enabled toggle waits in the hold,
    # and it holds the state lock (PostgreSQL shows the advisory lock granted).
    deploy_a, hold_id = start_held_deploy(process_groups, runner_a, env, emulator, log_a)
    assert postgres.advisory_locks() == 1

    # B deploys the same stack while A holds the lock: it must not write, and says why.
    logged = len(emulator.requests())
    deploy_b = process_groups.cli(runner_b, ["deploy", "test", *DEPLOY_FLAGS], env, log_b)
    assert deploy_b.wait(timeout=BOUNDED_SECONDS) != 0, log_b.read_text()
    assert "Error acquiring the state lock" in log_b.read_text(), log_b.read_text()
    assert deploy_a.poll() is None, "A must still be running: B really overlapped"
    assert held(emulator.client) == 1 and postgres.advisory_locks() == 1
    backend = json.loads((runner_b.stack_dir("test") / "cdk.tf.json").read_text())
    assert backend["terraform"]["backend"] == {"pg": {"schema_name": SCHEMA}}
    assert writes(emulator.requests()[logged:]) == []

    # A plan that is told to wait for the lock does, and starts once A is done.
    waiting = process_groups.start(
        [
            runner_b.env["TERRAFORM_BINARY_NAME"],
            "plan",
            "-lock-timeout=150s",
            "-input=false",
            "-no-color",
            "-detailed-exitcode",
        ],
        runner_b.stack_dir("test"),
        {**runner_b.env, **env},
        log_wait,
    )
    # Observed, not a delay: the plan's session has asked for the lock and holds none.
    wait_for(
        lambda: postgres.lock_waiters() >= 1 or waiting.poll() is not None,
        "the waiting plan to ask for the lock A holds",
        timeout=BOUNDED_SECONDS,
    )
    assert waiting.poll() is None, "the waiting plan finished while A still held the lock"
    assert deploy_a.poll() is None, "A must still hold the lock while the plan waits"
    release(emulator.client, hold_id)  # A's enabled toggle goes through
    assert deploy_a.wait(timeout=BOUNDED_SECONDS) == 0, log_a.read_text()
    # -detailed-exitcode: 0 is "no changes" (2 would be changes, 1 an error).
    assert waiting.wait(timeout=BOUNDED_SECONDS) == 0, log_wait.read_text()
    waited_output = log_wait.read_text()
    assert "Acquiring state lock. This may take a few moments..." in waited_output
    assert "No changes." in waited_output, waited_output

    # The state is valid, shared, and lock-free: B sees A's resources and has nothing to do.
    assert emulator.client.get("/integrations/yzth").json()["enabled"] is True
    assert len(state_addresses(runner_b, "test", env)) >= 4
    assert_converged(runner_b, "test", env)
    assert postgres.psql(f"SELECT name FROM {SCHEMA}.states").split() == ["default"]
    stored = json.loads(postgres.psql(f"SELECT data FROM {SCHEMA}.states WHERE name = 'default'"))
    assert {r["type"] for r in stored["resources"]} >= {"restful_operation", "restful_resource"}
    assert postgres.advisory_locks() == 0
    # No secret, and not the database password, in the stored state or the projects.
    assert leaks(json.dumps(stored), SECRET_TEST, CODAT_KEY, postgres.password) == []
    for runner in (runner_a, runner_b):
        files = readable_files(runner.directory)
        assert {name for name, text in files.items() if leaks(text, postgres.password)} == set()


def test_a_killed_deploy_releases_the_postgres_lock_and_nothing_is_lost(
    make_project: Callable[..., CdkProject],
    emulator: OpsEmulator,
    postgres: PostgresServer,
    process_groups: ProcessGroups,
    tmp_path: Path,
) -> None:
    env = _pg_env(emulator, postgres)
    runner_a = make_project("runner-a")
    deploy_a, hold_id = start_held_deploy(
        process_groups, runner_a, env, emulator, tmp_path / "a.log"
    )
    assert postgres.advisory_locks() == 1
    kill_group(deploy_a)  # SIGKILL: the CLI, terraform and the provider, mid-apply
    release(emulator.client, hold_id)  # the killed client's request is served

    # The killed session's advisory lock goes with it: no force-unlock needed.
    wait_for(
        lambda: postgres.advisory_locks() == 0,
        "PostgreSQL to release the killed deploy's lock",
        timeout=BOUNDED_SECONDS,
    )

    # Another checkout deploys through the project's path: it adopts what A wrote.
    project_b = make_project("runner-b")
    project_b.env.update(env)
    runner_b = StackRunner(project=project_b)
    (stack,) = runner_b.stacks(["test"])
    deploy_stack(runner_b, stack)

    assert emulator.client.get("/integrations/yzth").json()["enabled"] is True
    assert emulator.client.get("/integrations/credentials/yzth").json()["clientId"] == (
        "ca_fakeOpsTest"
    )
    assert_converged(project_b, stack, env)
    stored = json.loads(postgres.psql(f"SELECT data FROM {SCHEMA}.states WHERE name = 'default'"))
    managed = {r["type"] for r in stored["resources"] if r["mode"] == "managed"}
    assert managed >= {"restful_operation", "restful_resource"}
    assert postgres.advisory_locks() == 0
    assert leaks(json.dumps(stored), SECRET_TEST, CODAT_KEY, postgres.password) == []
