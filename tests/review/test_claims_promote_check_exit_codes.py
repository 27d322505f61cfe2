"""`codat-stripe promote-check` against test's DEPLOYED state: 0 promotable, 2 refused, 1 error.

The real CLI, cdktn, terraform and the emulator: test is deployed, then the code's shared
parameters change (live would run what test never ran: refused, naming the field), a
hash the workflow expected does not match (refused), a stack does not exist and test's
state is unreadable (both errors, on stderr, nothing on stdout).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from review_support import run_cli, secrets

from e2e_support import APPS

pytestmark = pytest.mark.e2e


def _params(base_url: str, **shared: Any) -> dict[str, str]:
    environments = [
        {
            "name": name,
            "mode": name,
            "client_id": f"ca_fakePromo{name.title()}",
            "codat_instance": f"promo-{name}",
            "codat_base_url": base_url,
        }
        for name in ("test", "live")
    ]
    return {"STACK_PARAMS": json.dumps({"shared": shared, "environments": environments})}


def test_promote_check_exit_codes_against_the_deployed_state(cdk_project: Any, codat: Any) -> None:
    project = cdk_project(APPS / "params_app.py")
    env = {**secrets(), **_params(codat.base_url)}
    project.cli("deploy", "test", "--auto-approve", "--skip-provider-lock", extra_env=env)

    passed = run_cli(project, "promote-check", "--format", "json", env=env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    report = json.loads(passed.stdout)
    assert (report["exit_code"], report["status"]) == (0, "clean")
    assert report["promotion"]["promotable"] is True
    assert report["promotion"]["checked_deployed_state"] is True
    digest = report["promotion"]["deployed_shared_parameters_sha256"]

    # The code changes a shared parameter; test has not deployed it: live may not run it.
    changed = {**secrets(), **_params(codat.base_url, sync_schedule_hours=12)}
    refused = run_cli(project, "promote-check", env=changed)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "sync_schedule_hours: test deployed 24, live has 12" in refused.stdout, refused.stdout
    # ...and says what to do next.
    assert "Next step:\n  * Deploy test (and verify it), then run promote-check again" in (
        refused.stdout
    )

    # The code is what test deployed, but the workflow expected another deploy's hash.
    other = "0" * 64
    stale = run_cli(project, "promote-check", "--expect-sha256", other, env=env)
    assert stale.returncode == 2, stale.stdout + stale.stderr
    assert f"hash to {digest}, not the expected {other}" in stale.stdout
    assert "Run the whole pipeline again from the test deploy" in stale.stdout
    stale_json = run_cli(
        project, "promote-check", "--expect-sha256", other, "--format", "json", env=env
    )
    (step,) = json.loads(stale_json.stdout)["promotion"]["next_steps"]
    assert step.startswith("Run the whole pipeline again from the test deploy"), step
    same = run_cli(project, "promote-check", "--expect-sha256", digest, env=env)
    assert same.returncode == 0, same.stdout + same.stderr

    # Errors exit 1 with the reason on stderr: a stack the app does not have...
    missing = run_cli(project, "promote-check", "--to", "staging", env=env)
    assert missing.returncode == 1, missing.stdout + missing.stderr
    assert missing.stderr.startswith("codat-stripe promote-check: "), missing.stderr
    assert "staging" in missing.stderr and missing.stdout == ""

    # ...and a deployed state that cannot be read.
    (project.directory / "terraform.test.tfstate").write_text("{not json")
    unreadable = run_cli(project, "promote-check", "--no-synth", env=env)
    assert unreadable.returncode == 1, unreadable.stdout + unreadable.stderr
    assert unreadable.stderr.startswith("codat-stripe promote-check: "), unreadable.stderr
    assert "state" in unreadable.stderr, unreadable.stderr
    assert unreadable.stdout == ""
