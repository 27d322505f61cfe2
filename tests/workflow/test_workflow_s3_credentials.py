"""The workflow's commented S3State set-up: uncommenting it is all a team has to do.

Every job that reads or writes a stack's state (plan, deploy-test, plan-live, deploy-live,
drift) carries a commented AWS credentials step and a commented `id-token: write`; the others
carry neither. Uncommented, the workflow still passes actionlint, each of those jobs gets the
OIDC permission and the step (a pinned release) before its first `codat-stripe` command.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from workflow_runner import load

from codat_stripe_ops.toolchain import REPO

WORKFLOW = REPO / ".github" / "workflows" / "codat-stripe.yml"
STATE_JOBS = ("plan", "deploy-test", "plan-live", "deploy-live", "drift")
ACTION = "aws-actions/configure-aws-credentials@"
ACTIONLINT = sorted((REPO / ".toolchain").glob("actionlint-*/actionlint"))
_STEP_HINT = "S3State: uncomment this step"
_COMMENTED = re.compile(r"^(?P<indent>\s*)# (?P<text>.*)$")


def uncomment_s3(text: str) -> str:
    """The workflow as a team that uses S3State makes it: the S3 lines uncommented."""
    lines = text.splitlines()
    out: list[str] = []
    in_step = False
    for line in lines:
        match = _COMMENTED.match(line)
        if _STEP_HINT in line:
            in_step = True
            out.append(line)
            continue
        if in_step and match and match["text"].startswith(("- ", "  ")):
            out.append(match["indent"] + match["text"])
            continue
        in_step = False
        if match and match["text"].startswith("id-token: write"):
            out.append(match["indent"] + match["text"].split(" #", 1)[0])
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def _steps_before_cli(job: dict[str, Any]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = job["steps"]
    first_cli = next(i for i, s in enumerate(steps) if "codat-stripe " in s.get("run", ""))
    return steps[:first_cli]


def test_only_the_state_jobs_carry_the_commented_aws_step() -> None:
    shipped = load(WORKFLOW)
    for name, job in shipped["jobs"].items():
        assert "id-token" not in job.get("permissions", {}), name
        assert not any(ACTION in s.get("uses", "") for s in job["steps"]), name
    enabled = yaml.load(uncomment_s3(WORKFLOW.read_text()), Loader=yaml.BaseLoader)
    assert enabled["permissions"] == {}  # so each job must ask for id-token itself
    for name, job in enabled["jobs"].items():
        aws = [s for s in job["steps"] if ACTION in s.get("uses", "")]
        if name not in STATE_JOBS:
            assert aws == [] and "id-token" not in job.get("permissions", {}), name
            continue
        assert job["permissions"]["id-token"] == "write", name
        assert job["permissions"]["contents"] == "read", name
        (step,) = aws
        assert step in _steps_before_cli(job), name
        assert re.fullmatch(ACTION + r"v\d+\.\d+\.\d+", step["uses"]), step["uses"]
        assert set(step["with"]) == {"role-to-assume", "aws-region"}, name


def test_the_uncommented_workflow_passes_actionlint(tmp_path: Path) -> None:
    if not ACTIONLINT:
        pytest.skip("actionlint is not installed: run `make lint-workflows` once")
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "codat-stripe.yml").write_text(uncomment_s3(WORKFLOW.read_text()))
    result = subprocess.run(
        [str(ACTIONLINT[-1]), "codat-stripe.yml"],
        cwd=workflows,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
