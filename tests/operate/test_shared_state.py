"""Shared state in PostgreSQL: two concurrent deploys of one stack never both write.

Two project directories stand for two checkouts (two CI runners) of the same code; their
`test` stack keeps its state in one PostgreSQL schema (terraform's `pg` backend, which locks
with a session-level advisory lock). The first deploy is held mid-apply by a Codat outage
(503 on the enabled toggle); meanwhile a second deploy fails on the lock, and a plan with
`-lock-timeout` waits for it, then finds nothing left to do.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from operate_support import (
    BOUNDED_SECONDS,
    CODAT_KEY,
    DEPLOY_FLAGS,
    SECRET_TEST,
    OpsEmulator,
    assert_converged,
    leaks,
    readable_files,
    secrets_env,
    spawn_cli,
    stack_params,
    state_addresses,
    wait_for,
    writes,
)
from postgres_support import PostgresServer

from codat_stripe_ops.toolchain import CdkProject

pytestmark = pytest.mark.e2e

SCHEMA = "codat_stripe_test"
ENABLED_PATH = "/integrations/yzth/enabled"


def test_concurrent_deploys_of_one_stack_are_serialized_by_the_postgres_lock(
    make_project: Callable[..., CdkProject],
    emulator: OpsEmulator,
    postgres: PostgresServer,
    tmp_path: Path,
) -> None:
    env = {
        **secrets_env(),
        **stack_params(emulator.base_url, state={"test": {"pg": SCHEMA}}),
        "PG_CONN_STR": postgres.conn_str(),
    }
    runner_a, runner_b = make_project("runner-a"), make_project("runner-b")
    emulator.add_fault(503, 1000, method="PUT", path_prefix=ENABLED_PATH)
    deploy_a = spawn_cli(runner_a, ["deploy", "test", *DEPLOY_FLAGS], env, tmp_path / "a.log")
    try:
        # A is mid-apply when all its writes are done but the enabled toggle, which fails.
        wait_for(
            lambda: (
                {("PUT", ENABLED_PATH), ("POST", "/profile/syncSettings")}
                <= set(writes(emulator.requests()))
                or deploy_a.poll() is not None
            ),
            "deploy A to be mid-apply",
            timeout=BOUNDED_SECONDS,
        )
        assert deploy_a.poll() is None, (tmp_path / "a.log").read_text()
        held = postgres.psql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
        assert int(held) >= 1  # A holds the state lock

        # B deploys the same stack while A holds the lock: it must not write, and says why.
        logged = len(emulator.requests())
        deploy_b = runner_b.cli(
            "deploy", "test", *DEPLOY_FLAGS, extra_env=env, check=False, timeout=BOUNDED_SECONDS
        )
        output_b = deploy_b.stdout + deploy_b.stderr
        assert deploy_b.returncode != 0, output_b
        assert "Error acquiring the state lock" in output_b, output_b
        assert deploy_a.poll() is None, "A must still be running: B really overlapped"
        backend = json.loads((runner_b.stack_dir("test") / "cdk.tf.json").read_text())
        assert backend["terraform"]["backend"] == {"pg": {"schema_name": SCHEMA}}
        assert [w for w in writes(emulator.requests()[logged:]) if w[1] != ENABLED_PATH] == []

        # A plan that is told to wait for the lock does, and starts once A is done.
        waiting = subprocess.Popen(
            [
                runner_b.env["TERRAFORM_BINARY_NAME"],
                "plan",
                "-lock-timeout=150s",
                "-input=false",
                "-no-color",
                "-detailed-exitcode",
            ],
            cwd=runner_b.stack_dir("test"),
            env={**runner_b.env, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        time.sleep(2)  # not a timing assertion: gives the plan time to reach the lock
        assert waiting.poll() is None, "the waiting plan finished while A still held the lock"
        emulator.clear_faults()  # Codat is back: A's next retry succeeds
        assert deploy_a.wait(timeout=BOUNDED_SECONDS) == 0, (tmp_path / "a.log").read_text()
        waited_output, _ = waiting.communicate(timeout=BOUNDED_SECONDS)
    finally:
        if deploy_a.poll() is None:
            deploy_a.kill()
    assert "Acquiring state lock. This may take a few moments..." in waited_output
    assert "0 to add, 0 to change, 0 to destroy" in waited_output or (
        "No changes." in waited_output
    ), waited_output

    # The state is valid, shared, and lock-free: B sees A's resources and has nothing to do.
    assert emulator.client.get("/integrations/yzth").json()["enabled"] is True
    assert len(state_addresses(runner_b, "test", env)) >= 4
    assert_converged(runner_b, "test", env)
    assert postgres.psql(f"SELECT name FROM {SCHEMA}.states").split() == ["default"]
    stored = json.loads(postgres.psql(f"SELECT data FROM {SCHEMA}.states WHERE name = 'default'"))
    assert {r["type"] for r in stored["resources"]} >= {"restful_operation", "restful_resource"}
    assert postgres.psql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'").strip() == "0"
    # No secret, and not the database password, in the stored state or the projects.
    assert leaks(json.dumps(stored), SECRET_TEST, CODAT_KEY, postgres.password) == []
    for runner in (runner_a, runner_b):
        files = readable_files(runner.directory)
        assert {name for name, text in files.items() if leaks(text, postgres.password)} == set()
