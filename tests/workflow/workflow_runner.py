"""Run a GitHub Actions workflow's jobs locally: each `run:` step with bash, in order.

Expressions `${{ ... }}` are evaluated from a fixture context (github, secrets, vars,
matrix, steps, needs, runner, env): dotted paths, quoted strings, `||` and `&&` (GitHub's
value semantics and precedence), `==`/`!=`, `always()`/`success()`/`failure()`.
`uses:` steps are GitHub actions: the artifact actions are emulated (files copied through a
local store); the toolchain actions are skipped, as are the steps with an id in `skip_ids`
(the machine is already set up). GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH and
GITHUB_STEP_SUMMARY work as on a runner.

As on GitHub, every job runs on a fresh runner: a fresh copy of the checkout (nothing a
previous job synthesized, initialised or planned; only artifacts carry files over), and the
secrets of its `environment:` on top of the repository's. An environment limited to some
branches refuses a job of another ref before any step runs.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_SKIPPED_ACTIONS = (
    "actions/checkout@",
    "actions/setup-python@",
    "actions/setup-node@",
    "actions/setup-go@",
    "actions/cache@",
    "hashicorp/setup-terraform@",
)


@dataclass(frozen=True)
class Environment:
    """A GitHub environment: its secrets, the refs that may use it, whether it asks reviewers."""

    secrets: dict[str, str]
    branches: tuple[str, ...] | None = None
    """Refs allowed to run jobs in it (e.g. ("refs/heads/main",)); None: every ref."""
    reviewers: bool = False


@dataclass
class StepResult:
    """One step as it ran (or was skipped)."""

    name: str
    skipped: bool
    exit_code: int = 0
    output: str = ""


@dataclass
class JobResult:
    """One job (one matrix combination) and its steps."""

    job: str
    matrix: dict[str, Any]
    success: bool
    outputs: dict[str, str]
    steps: list[StepResult] = field(default_factory=list)
    environment: str | None = None
    checkout: Path | None = None
    """The job's own copy of the checkout (its runner's working directory)."""
    env_names: frozenset[str] = frozenset()
    """The job-level `env:` variables that are set and not empty (e.g. which TF_VAR_*)."""
    refused: str | None = None
    """Why the job did not start (an environment's branch rule), if it did not."""

    def log(self) -> str:
        """Every step's output, for assertion messages."""
        return "\n".join(f"--- {s.name} (exit {s.exit_code})\n{s.output}" for s in self.steps)


def load(path: Path) -> dict[str, Any]:
    """The workflow, with YAML's `on:` key kept as the string "on"."""
    text = path.read_text()
    document: dict[Any, Any] = yaml.load(text, Loader=yaml.BaseLoader)
    return document


def evaluate(expression: str, context: dict[str, Any]) -> Any:
    """Evaluate the small expression language the workflow uses."""
    expression = expression.strip()
    if "||" in expression:  # lowest precedence: the first truthy operand, else the last
        value: Any = ""
        for part in expression.split("||"):
            value = evaluate(part, context)
            if _truthy(value):
                return value
        return value
    if "&&" in expression:  # the first falsy operand, else the last
        for part in expression.split("&&"):
            value = evaluate(part, context)
            if not _truthy(value):
                return value
        return value
    for operator in ("==", "!="):
        if operator in expression:
            left, right = (evaluate(p, context) for p in expression.split(operator, 1))
            return (str(left) == str(right)) == (operator == "==")
    if expression in ("always()", "success()", "failure()", "cancelled()"):
        return {"always()": True, "cancelled()": False}.get(
            expression, (expression == "success()") == context["_job_ok"]
        )
    if expression[:1] == "'" and expression[-1:] == "'":
        return expression[1:-1]
    if expression.startswith("hashFiles("):
        return "hash"
    value = context
    for part in expression.split("."):
        value = value.get(part, "") if isinstance(value, dict) else ""
    return value


def _truthy(value: Any) -> bool:
    return value not in ("", None, False, 0, "false")


def substitute(text: str, context: dict[str, Any]) -> str:
    """Replace every `${{ ... }}` in `text`."""
    return _EXPR.sub(lambda m: str(evaluate(m.group(1), context)), text)


@dataclass
class WorkflowRunner:
    """Runs jobs of one workflow, each in a fresh copy of `checkout`, with a fixture context.

    `secrets` are the repository's; `environments` the GitHub environments by name (a job
    naming one that is not there gets an empty one, as GitHub creates it on first use).
    """

    workflow: dict[str, Any]
    checkout: Path
    work: Path
    base_env: dict[str, str]
    github: dict[str, Any]
    secrets: dict[str, str]
    environments: dict[str, Environment] = field(default_factory=dict)
    skip_ids: frozenset[str] = frozenset({"versions", "setup", "install"})
    artifacts: Path = field(init=False)
    summaries: dict[str, str] = field(default_factory=dict, init=False)
    """Each job's GITHUB_STEP_SUMMARY, by job label (job name plus matrix values)."""

    def __post_init__(self) -> None:
        """The artifact store is shared by every job this runner runs."""
        self.artifacts = self.work / "artifacts"
        self.artifacts.mkdir(parents=True, exist_ok=True)

    def job_if(self, job: str, needs: dict[str, JobResult]) -> bool:
        """Whether the job's `if:` holds for the fixture event."""
        condition = self.workflow["jobs"][job].get("if")
        ok = all(r.success for r in needs.values())
        context = self._context({}, needs, {}, job_ok=ok)
        return bool(_truthy(evaluate(condition, context))) if condition else ok

    def environment_of(self, job: str, matrix: dict[str, Any]) -> str | None:
        """The name of the environment a job (matrix combination) runs in, if any."""
        spec = self.workflow["jobs"][job].get("environment")
        if isinstance(spec, dict):
            spec = spec.get("name")
        if not spec:
            return None
        return substitute(str(spec), self._context(matrix, {}, {}, job_ok=True)) or None

    def run_job(self, job: str, needs: dict[str, JobResult] | None = None) -> list[JobResult]:
        """Run every matrix combination of the job; returns one result per combination."""
        spec = self.workflow["jobs"][job]
        matrix = spec.get("strategy", {}).get("matrix", {})
        combinations = [{}] if not matrix else [{k: v} for k, vs in matrix.items() for v in vs]
        return [self._run_one(job, spec, combo, needs or {}) for combo in combinations]

    def _context(
        self,
        matrix: dict[str, Any],
        needs: dict[str, JobResult],
        steps: dict[str, Any],
        job_ok: bool,
        runner_temp: str = "",
        secrets: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        return {
            "github": self.github,
            "secrets": self.secrets if secrets is None else secrets,
            "vars": {},
            "matrix": matrix,
            "needs": {name: {"outputs": r.outputs} for name, r in needs.items()},
            "steps": steps,
            "runner": {"temp": runner_temp, "os": "Linux"},
            "env": {},
            "_job_ok": job_ok,
        }

    def _run_one(
        self, job: str, spec: dict[str, Any], matrix: dict[str, Any], needs: dict[str, JobResult]
    ) -> JobResult:
        label = job + "".join(f"-{v}" for v in matrix.values())
        name = self.environment_of(job, matrix)
        environment = self.environments.get(name or "", Environment({}))
        result = JobResult(job=job, matrix=matrix, success=True, outputs={}, environment=name)
        ref = str(self.github.get("ref", ""))
        if name and environment.branches is not None and ref not in environment.branches:
            result.success = False
            result.refused = (
                f"{ref} is not allowed to deploy to {name} due to environment protection rules"
            )
            return result
        temp = self.work / "runs" / label
        shutil.rmtree(temp, ignore_errors=True)
        temp.mkdir(parents=True)
        # A fresh runner: the commit's files only, not what an earlier job left behind.
        checkout = self.work / "checkouts" / label
        shutil.rmtree(checkout, ignore_errors=True)
        shutil.copytree(self.checkout, checkout, symlinks=True)
        result.checkout = checkout
        files = {
            name: temp / f"{name.lower()}.txt"
            for name in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY")
        }
        for file in files.values():
            file.touch()
        steps: dict[str, Any] = {}
        secrets = {**self.secrets, **environment.secrets}
        context = self._context(matrix, needs, steps, True, str(temp), secrets)
        env = {**self.base_env, "RUNNER_TEMP": str(temp), "CI": "true"}
        env.update({k: str(v) for k, v in self.github.get("env", {}).items()})
        for scope in (self.workflow.get("env", {}), spec.get("env", {})):
            env.update({k: substitute(v, context) for k, v in scope.items()})
        job_env = {k: substitute(v, context) for k, v in spec.get("env", {}).items()}
        result.env_names = frozenset(k for k, v in job_env.items() if v)
        env.update({k: str(f) for k, f in files.items()})
        for step in spec["steps"]:
            context["_job_ok"] = result.success
            name = step.get("name") or step.get("uses") or step.get("id", "step")
            condition = step.get("if")
            should_run = _truthy(evaluate(condition, context)) if condition else result.success
            uses = step.get("uses", "")
            if (
                not should_run
                or step.get("id") in self.skip_ids
                or uses.startswith(_SKIPPED_ACTIONS)
            ):
                result.steps.append(StepResult(name, skipped=True))
                continue
            if uses:
                self._action(uses, step.get("with", {}), context, checkout)
                result.steps.append(StepResult(name, skipped=False))
                continue
            step_env = {
                **env,
                **{k: substitute(v, context) for k, v in step.get("env", {}).items()},
            }
            files["GITHUB_OUTPUT"].write_text("")
            run = subprocess.run(
                [
                    "bash",
                    "--noprofile",
                    "--norc",
                    "-eo",
                    "pipefail",
                    "-c",
                    substitute(step["run"], context),
                ],
                cwd=checkout,
                env=step_env,
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
            result.steps.append(StepResult(name, False, run.returncode, run.stdout + run.stderr))
            if step.get("id"):
                steps[step["id"]] = {"outputs": _key_values(files["GITHUB_OUTPUT"].read_text())}
            env.update(_key_values(files["GITHUB_ENV"].read_text()))
            if run.returncode != 0:
                result.success = False
        context["_job_ok"] = result.success
        result.outputs = {k: substitute(v, context) for k, v in spec.get("outputs", {}).items()}
        self.summaries[label] = files["GITHUB_STEP_SUMMARY"].read_text()
        return result

    def _action(
        self, uses: str, inputs: dict[str, str], context: dict[str, Any], checkout: Path
    ) -> None:
        values = {k: substitute(v, context) for k, v in inputs.items()}
        if uses.startswith("actions/upload-artifact@"):
            target = self.artifacts / values["name"]
            target.mkdir(parents=True, exist_ok=True)
            for pattern in values["path"].split("\n"):
                if not pattern.strip():
                    continue
                full = pattern.strip()
                full = full if os.path.isabs(full) else str(checkout / full)
                for found in glob.glob(full):
                    shutil.copy(found, target / Path(found).name)
        elif uses.startswith("actions/download-artifact@"):
            destination = Path(values["path"])
            destination.mkdir(parents=True, exist_ok=True)
            for artifact in self.artifacts.glob(values.get("pattern", values.get("name", "*"))):
                for file in artifact.iterdir():
                    shutil.copy(file, destination / file.name)
        else:
            raise AssertionError(f"the workflow uses an action this runner cannot run: {uses}")


def _key_values(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, separator, value = line.partition("=")
        if separator:
            values[key] = value
    return values
