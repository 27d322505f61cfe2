"""Helpers for the operations tests: emulator control, stack parameters, convergence, secrets.

Every value here that stands for a secret is short and obviously fake.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from holds_support import held, hold
from secret_search import find_secrets

from codat_emulator.process import EmulatorProcess
from codat_stripe_ops.toolchain import REPO, CdkProject
from e2e_support import stack_secrets

OPERATE_APP = REPO / "tests" / "apps" / "operate_app.py"

CODAT_KEY = "fake-codat-key-ops"
SECRET_TEST = "sk_test_fakeOps1"
SECRET_LIVE = "sk_live_fakeOps2"
ROTATED_TEST = "sk_test_fakeRot3"

COMMERCE = "commerce-"
DEPLOY_FLAGS = ("--auto-approve", "--skip-provider-lock")
BOUNDED_SECONDS = 180.0
"""Upper bound for any single CLI run or wait loop in these tests."""


@dataclass
class OpsEmulator:
    """A Codat emulator that can be restarted on the same address and database.

    `client` is an authenticated httpx client; it keeps working across restarts because the
    base URL does not change. `stderr_history` keeps what each stopped process logged.
    """

    directory: Path
    process: EmulatorProcess
    client: httpx.Client
    stderr_history: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        """Base URL of the emulator (the same after a restart)."""
        return self.process.base_url

    @property
    def request_log(self) -> Path:
        """The JSON-lines request log (appended to across restarts)."""
        return self.directory / "requests.jsonl"

    def requests(self) -> list[dict[str, Any]]:
        """Every logged request so far: method, path, status, duration."""
        if not self.request_log.exists():
            return []
        return [json.loads(line) for line in self.request_log.read_text().splitlines() if line]

    def add_fault(
        self,
        status: int,
        count: int,
        method: str | None = None,
        path_prefix: str | None = None,
        retry_after_seconds: int | None = None,
    ) -> None:
        """Make the next `count` matching requests fail with `status`."""
        body: dict[str, Any] = {"status": status, "count": count}
        if method:
            body["method"] = method
        if path_prefix:
            body["path_prefix"] = path_prefix
        if retry_after_seconds is not None:
            body["retry_after_seconds"] = retry_after_seconds
        response = self.client.post("/_emulator/faults", json=body)
        assert response.status_code == 201, response.text

    def active_faults(self) -> list[dict[str, Any]]:
        """Fault rules not yet used up."""
        response = self.client.get("/_emulator/faults")
        assert response.status_code == 200, response.text
        return list(response.json()["results"])

    def clear_faults(self) -> None:
        """Drop every fault rule."""
        assert self.client.delete("/_emulator/faults").status_code == 204

    def state_dump(self, client: str = "default") -> str:
        """The emulator's canonical dump of one client's whole state (secrets masked)."""
        response = self.client.get("/_emulator/state", params={"client": client})
        assert response.status_code == 200, response.text
        return response.text

    def restart(self) -> None:
        """Stop the process (SIGTERM) and start a new one on the same port and database."""
        self.stop()
        self.process = new_emulator_process(self.directory, port=self.process.port).start()

    def stop(self) -> None:
        """Stop the process, keeping its stderr in `stderr_history`."""
        self.process.stop()
        self.stderr_history.append(self.process.stderr_text())
        self.process.__exit__(None, None, None)

    def logs_text(self) -> str:
        """Everything the emulator wrote: stderr of every process so far and the request log."""
        log = self.request_log.read_text() if self.request_log.exists() else ""
        return "\n".join([*self.stderr_history, self.process.stderr_text(), log])


def new_emulator_process(directory: Path, port: int | None = None) -> EmulatorProcess:
    """An emulator on `directory`'s database and request log, admin routes on, info logging."""
    return EmulatorProcess(
        directory / "codat.db",
        [CODAT_KEY],
        port=port,
        request_log=directory / "requests.jsonl",
        enable_admin=True,
        log_level="info",
    )


def stack_params(
    base_url: str,
    stacks: Sequence[str] = ("test",),
    shared: Mapping[str, Any] | None = None,
    state: Mapping[str, Mapping[str, str]] | None = None,
    removal_policy: str | None = None,
    adopt_existing: bool | None = None,
) -> dict[str, str]:
    """STACK_PARAMS for `operate_app.py`: the named stacks on one Codat instance (client)."""
    client_ids = {"test": "ca_fakeOpsTest", "live": "ca_fakeOpsLive"}
    environments = []
    for name in stacks:
        env: dict[str, Any] = {
            "name": name,
            "mode": name,
            "client_id": client_ids[name],
            "codat_instance": "ops-shared",
            "codat_base_url": base_url,
        }
        if removal_policy is not None:
            env["removal_policy"] = removal_policy
        if adopt_existing is not None:
            env["adopt_existing"] = adopt_existing
        if state and name in state:
            env["state"] = dict(state[name])
        environments.append(env)
    return {
        "STACK_PARAMS": json.dumps({"shared": dict(shared or {}), "environments": environments})
    }


def secrets_env(**overrides: str) -> dict[str, str]:
    """The TF_VAR_* secrets of both stacks (fake values)."""
    return stack_secrets(SECRET_TEST, SECRET_LIVE, CODAT_KEY, **overrides)


def plan_changes(
    project: CdkProject, stack: str, env: Mapping[str, str], name: str = "converge.tfplan"
) -> list[dict[str, Any]]:
    """Plan `stack` into a saved plan; return the managed resources it would change."""
    plan = project.terraform(
        stack, "plan", f"-out={name}", "-input=false", "-no-color", extra_env=env
    )
    assert plan.returncode == 0, plan.stdout + plan.stderr
    shown = project.terraform(stack, "show", "-json", name, extra_env=env)
    assert shown.returncode == 0, shown.stderr
    return [
        change
        for change in json.loads(shown.stdout).get("resource_changes", [])
        if change["mode"] == "managed" and change["change"]["actions"] != ["no-op"]
    ]


def assert_converged(project: CdkProject, stack: str, env: Mapping[str, str]) -> None:
    """A new plan of `stack` changes no managed resource."""
    changes = plan_changes(project, stack, env)
    assert changes == [], [(c["address"], c["change"]["actions"]) for c in changes]


def state_addresses(project: CdkProject, stack: str, env: Mapping[str, str]) -> list[str]:
    """`terraform state list` of a synthesized stack."""
    listed = project.terraform(stack, "state", "list", extra_env=env)
    assert listed.returncode == 0, listed.stderr
    return listed.stdout.split()


def settings_by_type(client: httpx.Client) -> dict[str, dict[str, Any]]:
    """The client's sync settings, keyed by data type."""
    body = client.get("/profile/syncSettings").json()
    return {s["dataType"]: s for s in body["settings"]}


def writes(requests: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    """(method, path) of every logged request that is not a read."""
    return [(r["method"], r["path"]) for r in requests if r["method"] not in ("GET", "HEAD")]


def leaks(text: str, *secrets: str) -> list[str]:
    """Where `secrets` show in `text`, also JSON-escaped or base64-encoded (empty when clean).

    Each finding names the secret by position, the form and the decoding that exposed it
    (`secret_search.find_secrets`); never the secret or the text itself.
    """
    return find_secrets(text, *secrets)


def readable_files(
    root: Path, skip_dirs: Sequence[str] = ("providers", "node_modules")
) -> dict[str, str]:
    """Every file under `root` as text (saved plans unzipped member by member).

    Provider binaries (`.terraform/providers`) are skipped: they are downloaded code.
    """
    texts: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or any(part in skip_dirs for part in path.relative_to(root).parts):
            continue
        data = path.read_bytes()
        if data[:2] == b"PK":  # a saved plan is a zip archive: read its members
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    texts[f"{path}!{member}"] = archive.read(member).decode("latin-1")
        texts[str(path)] = data.decode("latin-1")
    return texts


def spawn(
    argv: Sequence[str], cwd: Path, env: Mapping[str, str], output: Path
) -> subprocess.Popen[bytes]:
    """Start `argv` in its own process group (a new session), stdout and stderr to `output`."""
    handle = output.open("wb")
    try:
        return subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        handle.close()


def spawn_cli(
    project: CdkProject, args: Sequence[str], env: Mapping[str, str], output: Path
) -> subprocess.Popen[bytes]:
    """Start the real `cdktn` CLI in its own process group, output to `output`."""
    return spawn(["cdktn", *args], project.directory, {**project.env, **env}, output)


@dataclass
class ProcessGroups:
    """The processes a test started, each leading its own process group.

    `kill_all` SIGKILLs every group, so nothing a test started (the CLI, terraform, the
    provider) outlives it, whether it passed or failed; the `process_groups` fixture calls it.
    """

    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(
        self, argv: Sequence[str], cwd: Path, env: Mapping[str, str], output: Path
    ) -> subprocess.Popen[bytes]:
        """`spawn`, remembered for `kill_all`."""
        process = spawn(argv, cwd, env, output)
        self.started.append(process)
        return process

    def cli(
        self, project: CdkProject, args: Sequence[str], env: Mapping[str, str], output: Path
    ) -> subprocess.Popen[bytes]:
        """`spawn_cli`, remembered for `kill_all`."""
        return self.start(["cdktn", *args], project.directory, {**project.env, **env}, output)

    def kill_all(self) -> None:
        """SIGKILL the process group of every started process not reaped yet, then reap it.

        A reaped leader's process-group id may already belong to someone else's process on
        a shared machine, so it is left alone (a test that kills a run mid-way kills the
        whole group itself, with `kill_group`, before reaping it).
        """
        for process in self.started:
            if process.returncode is None:
                kill_group(process)


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group `process` leads (the CLI, terraform and the provider)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def wait_for(predicate: Any, what: str, timeout: float = 60.0, interval: float = 0.1) -> None:
    """Poll `predicate()` until true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


HELD_PATH = "/integrations/yzth/enabled"
"""The request a held deploy waits at: its enabled toggle, written after the sync settings."""


def _mid_apply(emulator: OpsEmulator) -> bool:
    """The deploy wrote the sync settings and its enabled toggle waits in the hold."""
    done = ("POST", "/profile/syncSettings") in writes(emulator.requests())
    return done and held(emulator.client) >= 1


def start_held_deploy(
    process_groups: ProcessGroups,
    project: CdkProject,
    env: Mapping[str, str],
    emulator: OpsEmulator,
    log: Path,
) -> tuple[subprocess.Popen[bytes], int]:
    """Start `deploy test` and return once it is provably mid-apply, holding its state lock.

    Its enabled toggle waits in an emulator hold until the test releases the returned hold
    id; fails (with the deploy's log) if the deploy ended before reaching it.
    """
    hold_id = hold(emulator.client, "PUT", HELD_PATH)
    deploy = process_groups.cli(project, ["deploy", "test", *DEPLOY_FLAGS], env, log)
    wait_for(
        lambda: _mid_apply(emulator) or deploy.poll() is not None,
        "the deploy to be mid-apply",
        timeout=BOUNDED_SECONDS,
    )
    assert deploy.poll() is None, log.read_text()
    return deploy, hold_id
