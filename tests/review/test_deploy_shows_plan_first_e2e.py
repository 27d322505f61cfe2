"""`codat-stripe deploy`: the plan's summary first, then apply only what was shown and approved.

Real CLI process, cdktn synth, terraform, provider and emulator. "Nothing applied" is proved
by the emulator's request log: no write request reached Codat.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
from pathlib import Path
from typing import Any

import pytest
from review_support import SECRET_TEST, assert_no_secret, run_cli, secrets

from e2e_support import APPS, FAKE_CODAT_KEY

pytestmark = pytest.mark.e2e

WRITES = ("PUT", "PATCH", "POST", "DELETE")
TITLE = "# Plan of stack `test` (deploy)"


def _env(codat: Any, **shared: Any) -> dict[str, str]:
    environment = {
        "name": "test",
        "mode": "test",
        "client_id": "ca_fakeDeploy1",
        "codat_base_url": codat.base_url,
    }
    for name in ("credentials_revision",):
        if name in shared:
            environment[name] = shared.pop(name)
    params = {"shared": shared, "environments": [environment]}
    return {**secrets(), "STACK_PARAMS": json.dumps(params)}


def _writes(codat: Any, since: int) -> list[tuple[str, str]]:
    return [(r["method"], r["path"]) for r in codat.requests()[since:] if r["method"] in WRITES]


def _deploy_on_a_terminal(project: Any, env: dict[str, str], answer: str) -> tuple[int, str, str]:
    """`deploy test` with a pseudo-terminal as stdin, answering the prompt with `answer`."""
    controller, terminal = pty.openpty()
    try:
        # The terminal keeps the typed line until the CLI reads it, as a person types ahead.
        os.write(controller, answer.encode() + b"\n")
        result = run_cli(project, "deploy", "test", env=env, stdin=terminal)
    finally:
        os.close(terminal)
        os.close(controller)
    return result.returncode, result.stdout, result.stderr


def _save_plan(project: Any, out_dir: Path, env: dict[str, str]) -> Path:
    """`plan --stack test --out-dir OUT_DIR` (exit 2: changes); the saved plan's path."""
    saved = run_cli(project, "plan", "--stack", "test", "--out-dir", str(out_dir), env=env)
    assert saved.returncode == 2, saved.stdout + saved.stderr
    assert (out_dir / "test.tfplan").is_file()
    return out_dir / "test.tfplan"


def _deploy_plan_file(
    project: Any, plan_file: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """`deploy test --plan-file PLAN_FILE --auto-approve`."""
    args = ("--plan-file", str(plan_file), "--auto-approve")
    return run_cli(project, "deploy", "test", *args, env=env)


def _sync_schedules(codat: Any) -> set[int]:
    """The sync schedules (hours) Codat holds for the commerce data types."""
    settings = codat.client.get("/profile/syncSettings").json()["settings"]
    return {s["syncSchedule"] for s in settings if s["dataType"].startswith("commerce-")}


def test_deploy_shows_the_summary_then_applies_only_when_approved(
    cdk_project: Any, codat: Any, tmp_path: Path
) -> None:
    project = cdk_project(APPS / "params_app.py")
    env = _env(codat)

    # No terminal, no --auto-approve: the summary, then a refusal before any write.
    start = len(codat.requests())
    refused = run_cli(project, "deploy", "test", env=env)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert refused.stdout.startswith(TITLE), refused.stdout
    assert "**Plan: " in refused.stdout and " to add" in refused.stdout
    assert "| Stripe credentials | create |" in refused.stdout
    assert "stdin is not a terminal" in refused.stderr and "--auto-approve" in refused.stderr
    assert "Nothing was applied" in refused.stderr
    # Only what would work is suggested: --plan-file alone is refused the same way.
    assert "--plan-file" not in refused.stderr
    assert _writes(codat, start) == []

    # On a terminal: the question after the summary; anything but "yes" applies nothing.
    start = len(codat.requests())
    code, out, err = _deploy_on_a_terminal(project, env, "y")
    assert code == 1, out + err
    assert out.startswith(TITLE) and "| Stripe credentials | create |" in out
    assert "Apply these changes to test? Only 'yes' is accepted" in err
    assert "apply cancelled" in err and "nothing was applied to stack test" in err
    assert _writes(codat, start) == []

    # "yes" applies exactly the plan shown.
    start = len(codat.requests())
    code, out, err = _deploy_on_a_terminal(project, env, "yes")
    assert code == 0, out + err
    assert out.index(TITLE) < out.index("Applied the plan shown above to stack test.")
    assert ("PUT", "/integrations/credentials/yzth") in _writes(codat, start)
    assert len(out.split("shared_parameters_sha256=")[1].strip()) == 64
    assert_no_secret(out + err, SECRET_TEST, FAKE_CODAT_KEY)

    # Nothing left to do: said so, nothing applied, exit 0 (no prompt, no flag needed).
    start = len(codat.requests())
    summary_file = tmp_path / "summary.md"
    clean = run_cli(project, "deploy", "test", "--summary-file", str(summary_file), env=env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "No changes. Codat matches the code." in clean.stdout
    assert "No changes: nothing to apply to stack test." in clean.stdout
    assert summary_file.read_text().startswith(TITLE)
    assert _writes(codat, start) == []

    # --auto-approve: the summary (with its risk banner) first, then exactly that plan.
    start = len(codat.requests())
    scope = _env(codat, use_read_write_scope=True)
    approved = run_cli(project, "deploy", "test", "--auto-approve", env=scope)
    assert approved.returncode == 0, approved.stdout + approved.stderr
    shown = approved.stdout
    assert shown.index("> [!WARNING]") < shown.index("Applied the plan shown above")
    assert "switches to the read_write scope" in shown
    assert "nothing is deleted first" in shown and "stays enabled" not in shown
    assert _writes(codat, start) == [("PUT", "/integrations/credentials/yzth")]


def test_deploy_applies_a_saved_plan_and_refuses_a_stale_one(
    cdk_project: Any, codat: Any, tmp_path: Path
) -> None:
    project = cdk_project(APPS / "params_app.py")
    first = run_cli(project, "deploy", "test", "--auto-approve", env=_env(codat))
    assert first.returncode == 0, first.stdout + first.stderr

    # A plan job saves the plan file; a later job applies that file after review.
    reviewed = _save_plan(project, tmp_path / "reviewed", _env(codat, sync_schedule_hours=12))

    # Without a terminal a saved plan, too, is applied only with --auto-approve: said so.
    start = len(codat.requests())
    unapproved = run_cli(project, "deploy", "test", "--plan-file", str(reviewed), env=_env(codat))
    assert unapproved.returncode == 1, unapproved.stdout + unapproved.stderr
    assert unapproved.stdout.startswith(TITLE), unapproved.stdout
    assert "run the same command again with --auto-approve added" in unapproved.stderr
    assert "a plan saved by" not in unapproved.stderr
    assert "Nothing was applied" in unapproved.stderr
    assert _writes(codat, start) == []

    start = len(codat.requests())
    # The code is back at 24 hours (what is deployed): planning now would change nothing, so
    # only the saved plan can bring the reviewed 12 hours to Codat.
    applied = _deploy_plan_file(project, reviewed, _env(codat))
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "all 11 commerce data types: sync schedule (hours) | `24` | `12` |" in applied.stdout
    assert applied.stdout.index(TITLE) < applied.stdout.index("Applied the plan shown above")
    assert [w for w in _writes(codat, start) if w[1] == "/profile/syncSettings"]
    assert _sync_schedules(codat) == {12}

    # A plan saved before another deploy changed the state is stale: refused, nothing applied.
    stale_plan = _save_plan(project, tmp_path / "stale", _env(codat, sync_schedule_hours=6))
    bump = run_cli(
        project,
        "deploy",
        "test",
        "--auto-approve",
        env=_env(codat, sync_schedule_hours=12, credentials_revision=1),
    )
    assert bump.returncode == 0, bump.stdout + bump.stderr
    assert "credentials written again because the credentials revision was bumped" in bump.stdout
    start = len(codat.requests())
    stale = _deploy_plan_file(
        project, stale_plan, _env(codat, sync_schedule_hours=6, credentials_revision=1)
    )
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "stack 'test': the saved plan" in stale.stderr and "is stale" in stale.stderr
    assert "Saved plan is stale" in stale.stderr and "Plan again" in stale.stderr
    assert "Nothing was applied" in stale.stderr
    assert _writes(codat, start) == []
    assert _sync_schedules(codat) == {12}

    missing = run_cli(
        project, "deploy", "test", "--plan-file", str(tmp_path / "nope.tfplan"), env=_env(codat)
    )
    assert missing.returncode == 1
    assert "nope.tfplan: no such file" in missing.stderr


def test_several_stacks_are_shown_together_then_applied_and_named_in_every_message(
    cdk_project: Any, codat: Any
) -> None:
    """`deploy test live`: both summaries before any write, one refusal naming both; a
    failure of one stack's apply leaves the other applied and named; the next deploy applies
    the rest with the digests named by stack, and the one after has nothing to apply."""
    from e2e_support import REPO

    project = cdk_project(REPO / "main.py")
    env = {"CODAT_BASE_URL_TEST": codat.base_url, "CODAT_BASE_URL_LIVE": codat.base_url}
    env.update(secrets())

    refused = run_cli(project, "deploy", "test", "live", env=env)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "# Plan of stack `test` (deploy)" in refused.stdout
    assert "# Plan of stack `live` (deploy)" in refused.stdout
    assert "refusing to apply to stacks test, live without confirmation" in refused.stderr
    assert _writes(codat, 0) == []

    # Live's enable is refused once (a 400 is not retried): test is still applied, and the
    # error says which stack was.
    fault = {"status": 400, "count": 1, "method": "PUT", "path_prefix": "/integrations/exgd/"}
    assert codat.client.post("/_emulator/faults", json=fault).status_code == 201
    partial = run_cli(project, "deploy", "test", "live", "--auto-approve", env=env)
    assert partial.returncode == 1, partial.stdout + partial.stderr
    assert "Applied the plan shown above to stack test." in partial.stdout
    assert "to stack live." not in partial.stdout
    assert "stack 'live'" in partial.stderr
    assert "the plans of these stacks were applied: test; nothing else" in partial.stderr
    assert codat.client.get("/integrations/yzth").json()["enabled"] is True

    logged = len(codat.requests())
    deployed = run_cli(project, "deploy", "test", "live", "--auto-approve", env=env)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    out = deployed.stdout
    # Every summary comes before the first "Applied" line: nothing was applied unseen.
    assert "No changes: nothing to apply to stack test." in out
    first_applied = out.index("Applied the plan shown above")
    assert out.index("# Plan of stack `live` (deploy)") < first_applied
    assert out.index("# Plan of stack `test` (deploy)") < first_applied
    assert "Applied the plan shown above to stack live." in out
    digests = {
        line.split(":")[0]: line.split("=")[1]
        for line in out.splitlines()
        if ": shared_parameters_sha256=" in line
    }
    assert sorted(digests) == ["live", "test"] and all(len(d) == 64 for d in digests.values())
    assert ("PUT", "/integrations/exgd/enabled") in _writes(codat, logged)
    assert not [w for w in _writes(codat, logged) if "yzth" in w[1]]
    assert_no_secret(out + deployed.stderr + partial.stdout, SECRET_TEST, FAKE_CODAT_KEY)

    logged = len(codat.requests())
    again = run_cli(project, "deploy", "test", "live", env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "No changes: nothing to apply to stack test." in again.stdout
    assert "No changes: nothing to apply to stack live." in again.stdout
    assert _writes(codat, logged) == []

    one_file = run_cli(project, "deploy", "test", "live", "--plan-file", "x.tfplan", env=env)
    assert one_file.returncode == 1
    assert "--plan-file applies the plan of one STACK" in one_file.stderr
