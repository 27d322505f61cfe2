"""Synthesize a CDK app once, then plan, apply and read the outputs of its stacks.

The plan summary, the drift command and the CLI's plan, drift and deploy share this. It is
built to cost what plain Terraform costs:

- synth runs the app command from cdktf.json directly (`synth.py`), not through the Node
  `cdktn` CLI, and only once per runner;
- `terraform init` is skipped where the stack directory is already initialised for the same
  backend, providers, lock file and binary (`init_reuse.py`); the plugin cache is shared;
- stacks run on a bounded pool (default: the machine's cores) in dependency order, inside a
  budget of Codat API requests per minute (`parallel.py`, `rate_budget.py`); each stack's
  result is collected on its own, so one failure does not stop the others;
- a deploy applies exactly the saved plan it made (no second refresh); the CLI shows it
  first (`plan_for_deploy`, then `apply_saved_plan`);
- a review or drift check renders a saved plan as JSON (`terraform show -json`, a second
  terraform process per stack) only when the plan reported something (`plan_stream.py`:
  a change, drift, an output change or a diagnostic, a failed check block being a warning);
  a plan that reports nothing is summarized from the synthesized outputs
  (`plan_changes.unchanged_plan`).

TF_VAR_* secrets come from the environment and are never printed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum, auto
from pathlib import Path
from typing import Any, TypeVar

from codat_api import construct_ids as ids
from codat_stripe_ops import init_reuse, plan_stream
from codat_stripe_ops.parallel import (
    StackResults,
    default_parallelism,
    dependency_waves,
    run_stacks,
)
from codat_stripe_ops.plan_changes import StackPlan, parse_plan, unchanged_plan
from codat_stripe_ops.rate_budget import CODAT_REQUESTS_PER_MINUTE, RateBudget
from codat_stripe_ops.synth import SynthError, read_manifest, synthesize
from codat_stripe_ops.synth_cache import synthesize_cached
from codat_stripe_ops.toolchain import (
    CdkProject,
    CommandFailedError,
    ToolchainMissingError,
    default_project_dir,
    toolchain_environ,
)

_Result = TypeVar("_Result")


class Work(Enum):
    """What a stack job does, for its declared Codat request cost."""

    PLAN = auto()
    """Plan changes (a review, or the plan a deploy applies)."""
    DRIFT = auto()
    """A refresh-only plan (the drift check)."""
    APPLY = auto()
    """Apply a saved plan (no refresh)."""


REVIEW_PLAN = "review.tfplan"
DRIFT_PLAN = "drift.tfplan"
DEPLOY_PLAN = "deploy.tfplan"
STALE_PLAN_MESSAGE = "Saved plan is stale"
"""Terraform's (and OpenTofu's) error when a saved plan's state is no longer the current one."""


class StackRunError(RuntimeError):
    """A step of synth, init, plan, apply or show failed; the message says which and why."""


class StalePlanError(StackRunError):
    """A saved plan no longer fits the stack's state (it changed since); nothing was applied."""


class StacksFailedError(StackRunError):
    """Some stacks failed; `results` holds the stacks that succeeded, `failures` the reasons."""

    def __init__(self, action: str, outcome: StackResults[Any]) -> None:
        """Name every failed stack and why."""
        self.results: dict[str, Any] = outcome.results
        self.failures: dict[str, str] = outcome.failures
        lines = [f"{action} failed for {len(self.failures)} stack(s):"]
        lines += [f"--- stack {name!r}: {reason}" for name, reason in self.failures.items()]
        super().__init__("\n".join(lines))


@dataclass
class StackRunner:
    """Runs the app and terraform for one CDK project directory.

    `parallelism` bounds the stacks run at once (0: the machine's cores);
    `requests_per_minute` is the Codat API budget shared by the stacks running at once;
    `reuse_init` skips a provably unneeded `terraform init`; `synth_with_cli` synthesizes
    through the real `cdktn synth` instead of running the app command directly;
    `lock_timeout` (e.g. "5m") makes plans and applies wait that long for a state lock held
    by another run instead of failing at once; `synth_cache` skips a synth whose inputs
    provably did not change since the one that wrote cdktf.out (`synth_cache.py`), and
    `synth_skipped` tells whether that happened; `rendered` lists the stacks whose saved
    plan had to be rendered as JSON.
    """

    project: CdkProject
    synth: bool = True
    parallelism: int = 0
    requests_per_minute: int = CODAT_REQUESTS_PER_MINUTE
    reuse_init: bool = True
    synth_with_cli: bool = False
    lock_timeout: str | None = None
    synth_cache: bool = True
    synth_skipped: bool = field(default=False, init=False)
    rendered: list[str] = field(default_factory=list, init=False)
    """Stacks whose saved plan this runner rendered with `terraform show -json`, in order."""
    _synthesized: bool = field(default=False, init=False)
    _budget: RateBudget | None = field(default=None, init=False)
    _init_lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        """Resolve the default parallelism and check the options."""
        if self.parallelism < 0:
            raise StackRunError(f"parallelism must be 0 (cores) or more, got {self.parallelism}")
        self.parallelism = self.parallelism or default_parallelism()
        try:
            self._budget = RateBudget(self.requests_per_minute)
        except ValueError as error:
            raise StackRunError(str(error)) from error

    @staticmethod
    def add_arguments(parser: argparse.ArgumentParser) -> None:
        """Add the options every command shares."""
        parser.add_argument(
            "--project-dir",
            type=Path,
            default=default_project_dir(),
            help="CDK project directory with cdktf.json (default: the current directory when "
            "it has a cdktf.json, else the repository)",
        )
        parser.add_argument(
            "--app",
            type=Path,
            help="write a cdktf.json into --project-dir that runs this Python app script",
        )
        parser.add_argument(
            "--no-synth", action="store_true", help="use the existing cdktf.out as it is"
        )
        parser.add_argument(
            "--stack",
            action="append",
            default=[],
            help="only this stack (repeatable; default: every stack of the app)",
        )
        parser.add_argument(
            "--parallelism",
            type=int,
            default=0,
            help="stacks run at once (default 0: the machine's cores)",
        )
        parser.add_argument(
            "--no-synth-cache",
            action="store_true",
            help="synthesize even when the app's inputs are unchanged since the last synth",
        )
        parser.add_argument(
            "--lock-timeout",
            help="wait this long (e.g. 5m) for a state lock another run holds (default: fail)",
        )
        parser.add_argument(
            "--codat-requests-per-minute",
            type=int,
            default=CODAT_REQUESTS_PER_MINUTE,
            help="Codat API request budget shared by the stacks running at once "
            f"(default {CODAT_REQUESTS_PER_MINUTE}, Codat's limit per IP address)",
        )

    @classmethod
    def from_arguments(cls, args: argparse.Namespace) -> StackRunner:
        """Build a runner from the shared options."""
        try:
            env = toolchain_environ()
        except ToolchainMissingError as missing:
            raise StackRunError(str(missing)) from missing
        directory = Path(args.project_dir).resolve()
        if args.app is not None:
            project = CdkProject(directory=directory, app_script=Path(args.app).resolve(), env=env)
            project.write_config()
        else:
            if not (directory / "cdktf.json").exists():
                raise StackRunError(f"--project-dir {directory}: no cdktf.json there")
            project = CdkProject(directory=directory, env=env)
        return cls(
            project=project,
            synth=not args.no_synth,
            parallelism=getattr(args, "parallelism", 0),
            requests_per_minute=getattr(
                args, "codat_requests_per_minute", CODAT_REQUESTS_PER_MINUTE
            ),
            lock_timeout=getattr(args, "lock_timeout", None),
            synth_cache=not getattr(args, "no_synth_cache", False),
        )

    # --- synth and the manifest ---

    def ensure_synthesized(self) -> None:
        """Synthesize once (unless synth is off)."""
        if not self.synth or self._synthesized:
            return
        if self.synth_with_cli:
            self._check(self.project.cli, "synth")
        else:
            try:
                if self.synth_cache:
                    ran, _ = synthesize_cached(self.project.directory, self.project.env)
                    self.synth_skipped = not ran
                else:
                    synthesize(self.project.directory, self.project.env)
            except SynthError as error:
                raise StackRunError(str(error)) from error
        self._synthesized = True

    def dependencies(self) -> dict[str, list[str]]:
        """Each synthesized stack's dependencies, by stack name (from the manifest)."""
        self.ensure_synthesized()
        try:
            manifest = read_manifest(self.project.directory / "cdktf.out")
        except SynthError as error:
            raise StackRunError(str(error)) from error
        return {name: list(stack.dependencies) for name, stack in manifest.items()}

    def stacks(self, requested: Sequence[str] = ()) -> list[str]:
        """The synthesized stacks' names, or the requested ones after checking they exist.

        This is also the list a CI matrix fans out over (one job per stack).
        """
        known = sorted(self.dependencies())
        unknown = [name for name in requested if name not in known]
        if unknown:
            raise StackRunError(f"unknown stack(s) {unknown}: the app has {known}")
        return list(requested) or known

    # --- one stack ---

    def init(self, stack: str) -> bool:
        """`terraform init` the stack unless it is provably initialised; True if init ran."""
        directory = self.project.stack_dir(stack)
        if self.reuse_init and init_reuse.is_initialised(
            directory, init_reuse.init_key(directory, self.project.env)
        ):
            return False
        init_reuse.forget(directory)
        # Terraform's plugin cache is not safe for concurrent installs: one init at a time,
        # and one retry for a cache entry another process was writing at the same moment.
        with self._init_lock:
            try:
                self._check(self.project.terraform, stack, "init", "-input=false", "-no-color")
            except StackRunError:
                self._check(self.project.terraform, stack, "init", "-input=false", "-no-color")
        init_reuse.mark_initialised(directory, self.project.env)
        return True

    def save_plan(self, stack: str, plan_file: str, refresh_only: bool) -> bool:
        """Init the stack if needed and save a plan (optionally refresh-only) in its directory.

        True when terraform reported anything: changes, drift or a diagnostic (a warning such
        as a failed check block); False when the plan provably changes nothing.
        """
        self.ensure_synthesized()
        self.require_variables(stack)
        self.init(stack)
        mode = ["-refresh-only", "-lock=false"] if refresh_only else ["-lock=true"]
        try:
            result = self.project.terraform(
                stack,
                "plan",
                "-input=false",
                "-json",
                f"-out={plan_file}",
                *mode,
                *self._lock_wait(),
                check=False,
            )
        except CommandFailedError as failed:
            raise StackRunError(str(failed)) from failed
        if result.returncode != 0:
            errors = plan_stream.error_text(result.stdout, result.stderr)[-4000:]
            raise StackRunError(f"{stack} plan exited {result.returncode}:\n{errors}")
        return plan_stream.reports_anything(result.stdout)

    def review(self, stack: str, *, refresh_only: bool = False) -> StackPlan:
        """Save the stack's review (or drift) plan and say what it changes, in Codat terms.

        The saved plan (`review.tfplan` or `drift.tfplan`) is rendered as JSON only when
        terraform reported something; a plan that changes nothing and warns of nothing is
        summarized from the synthesized outputs (`unchanged_plan`), which costs no second
        terraform process. A stack whose outputs are not constants is always rendered.
        """
        plan_file = DRIFT_PLAN if refresh_only else REVIEW_PLAN
        if not self.save_plan(stack, plan_file, refresh_only):
            document = self.stack_document(stack)
            unchanged = unchanged_plan(stack, document, refresh_only=refresh_only)
            if unchanged is not None:
                return unchanged
        return parse_plan(stack, self._show_json(stack, plan_file))

    def stack_document(self, stack: str) -> dict[str, Any]:
        """The stack's synthesized Terraform JSON (`cdk.tf.json`); StackRunError if unreadable."""
        path = self.project.stack_dir(stack) / "cdk.tf.json"
        try:
            document: dict[str, Any] = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            raise StackRunError(f"cannot read stack {stack!r} from {path}: {error}") from error
        return document

    def plan_for_deploy(self, stack: str, plan_file: str = DEPLOY_PLAN) -> dict[str, Any]:
        """Save the plan a deploy would apply (`deploy.tfplan`) and return its JSON.

        Show it, then apply exactly that file with `apply_saved_plan`: nothing is planned
        twice and what is applied is what was shown.
        """
        self.save_plan(stack, plan_file, refresh_only=False)
        return self._show_json(stack, plan_file)

    def show_saved_plan(self, stack: str, plan_file: str | Path) -> dict[str, Any]:
        """The JSON of a plan saved earlier (e.g. a CI artifact), after initialising the stack.

        The stack must be synthesized and initialised like the one that made the plan (the
        same providers): `terraform show` and `apply` check that against the plan.
        """
        self.ensure_synthesized()
        self.init(stack)
        return self._show_json(stack, str(plan_file))

    def apply_saved_plan(self, stack: str, plan_file: str | Path) -> None:
        """Apply exactly this saved plan of the stack, without planning again.

        A plan made before the stack's state changed (another deploy, a refresh) is refused
        by terraform before any write: StalePlanError, naming the stack.
        """
        self.ensure_synthesized()
        self.require_variables(stack)
        self.init(stack)
        self._apply(stack, str(plan_file))

    def outputs(self, stack: str) -> dict[str, Any]:
        """The stack's outputs from its state (`terraform output -json`), by output name."""
        self.ensure_synthesized()
        self.init(stack)
        shown = self._check(self.project.terraform, stack, "output", "-json")
        try:
            outputs: dict[str, Any] = json.loads(shown or "{}")
        except ValueError as error:
            raise StackRunError(f"stack {stack!r}: `output -json` printed no JSON") from error
        return outputs

    def require_variables(self, stack: str) -> None:
        """Fail early, naming them, when the stack's variables without default are unset."""
        document = self.stack_document(stack)
        missing = [
            f"TF_VAR_{name}"
            for name, spec in document.get("variable", {}).items()
            if "default" not in spec and not self.project.env.get(f"TF_VAR_{name}")
        ]
        if missing:
            raise StackRunError(f"stack {stack!r}: set {', '.join(missing)} (missing or empty)")

    # --- many stacks, in parallel ---

    def review_stacks(
        self, stacks: Sequence[str], *, refresh_only: bool = False
    ) -> dict[str, StackPlan]:
        """`review` of each stack, in parallel and in dependency order, by stack name.

        What the CLI's plan and drift commands print; if any stack fails,
        StacksFailedError carries the others' reviews.
        """
        return self._each(
            "drift check" if refresh_only else "plan",
            stacks,
            lambda stack: self.review(stack, refresh_only=refresh_only),
            work=Work.DRIFT if refresh_only else Work.PLAN,
        )

    def waves(self, stacks: Sequence[str]) -> list[list[str]]:
        """The stacks grouped in dependency order (`parallel.dependency_waves`).

        A deploy plans and applies one group at a time, so a stack is planned after what it
        reads was applied.
        """
        try:
            return dependency_waves(stacks, self.dependencies())
        except ValueError as cycle:
            raise StackRunError(str(cycle)) from cycle

    def plans_for_deploy(self, stacks: Sequence[str]) -> dict[str, dict[str, Any]]:
        """`plan_for_deploy` of each stack, in parallel; StacksFailedError names failures."""
        return self._each("plan", stacks, self.plan_for_deploy, work=Work.PLAN)

    def apply_saved_plans(self, stacks: Sequence[str], plan_file: str = DEPLOY_PLAN) -> None:
        """`apply_saved_plan` of each stack, in parallel and in dependency order.

        A failed stack does not stop the others; StacksFailedError then lists the stacks
        applied (`results`) and the failures.
        """
        self._each(
            "apply",
            stacks,
            lambda stack: self.apply_saved_plan(stack, plan_file),
            work=Work.APPLY,
        )

    def _each(
        self,
        action: str,
        stacks: Sequence[str],
        job: Callable[[str], _Result],
        *,
        work: Work,
    ) -> dict[str, _Result]:
        self.ensure_synthesized()
        dependencies = self.dependencies() if stacks else {}
        # Every init first, one at a time: an init may rewrite the shared plugin cache's
        # entry, which another stack's plan or apply would then find missing mid-run.
        for stack in stacks:
            # A failure is reported by that stack's own job, which tries its init again.
            with contextlib.suppress(StackRunError):
                self.init(stack)
        outcome: StackResults[_Result] = run_stacks(
            stacks,
            dependencies,
            job,
            parallelism=self.parallelism,
            budget=self._budget,
            cost=lambda stack: self.request_cost(stack, work),
        )
        if outcome.failures:
            raise StacksFailedError(action, outcome)
        return outcome.results

    def request_cost(self, stack: str, work: Work = Work.PLAN) -> int:
        """Upper bound of the Codat requests a plan, or an apply of a saved plan, makes.

        A plan reads each data source once (check blocks' own included) and each resource
        once: a resource in the state is refreshed, one adopted by an import block is read by
        the import instead, never both; a `restful_operation` is not read. An apply makes at
        most a write and a read-back per resource, and reads the data sources the plan could
        not (their inputs were known only after apply). A block with a literal `count` is
        that many objects; one whose `count` is an expression counts as one.

        The credentials' read-back (`StoredCredentials`) is one only while a credentials
        write is pending, and it waits for that write: a plan never reads it (it defers the
        read to the apply), so a plan's bound leaves it out and is exact after a deploy. A
        refresh-only plan plans no write and reads it when Codat's credentials differ from
        the code, so the drift check's bound keeps it. Retries after a 429 or 5xx come on
        top, with backoff. tests/operate/test_request_cost.py checks the bounds against the
        emulator's request log: adopting, after a deploy, and with the credentials deleted.
        """
        try:
            document = self.stack_document(stack)
        except StackRunError:
            return 0
        codat = "restful_"  # blocks of the Codat API's provider; others make no Codat calls
        blocks = {t: b for t, b in document.get("resource", {}).items() if t.startswith(codat)}
        resources = sum(_objects(b) for b in blocks.values())
        operations = _objects(blocks.get("restful_operation", {}))
        data_blocks = [document.get("data", {})] + [
            check.get("data", {}) for check in document.get("check", {}).values()
        ]
        data = sum(
            _objects(b) for found in data_blocks for t, b in found.items() if t.startswith(codat)
        )
        if work is Work.APPLY:
            return 2 * resources + data
        drift = resources - operations + data
        return drift if work is Work.DRIFT else drift - _read_backs(document)

    # --- helpers ---

    def _lock_wait(self) -> list[str]:
        return [f"-lock-timeout={self.lock_timeout}"] if self.lock_timeout else []

    def _apply(self, stack: str, plan_file: str) -> None:
        try:
            self._check(
                self.project.terraform,
                stack,
                "apply",
                "-input=false",
                "-no-color",
                *self._lock_wait(),
                plan_file,
            )
        except StackRunError as failed:
            if STALE_PLAN_MESSAGE in str(failed):
                raise StalePlanError(
                    f"stack {stack!r}: the saved plan {plan_file} is stale (terraform: "
                    f'"{STALE_PLAN_MESSAGE}"): the state changed after it was made, e.g. '
                    f"another deploy of {stack} ran. Nothing was applied. Plan again "
                    f"(`codat-stripe plan --stack {stack} --out-dir DIR`), review, then deploy "
                    "that new plan."
                ) from failed
            raise

    def _show_json(self, stack: str, plan_file: str) -> dict[str, Any]:
        shown = self._check(self.project.terraform, stack, "show", "-json", plan_file)
        self.rendered.append(stack)
        try:
            plan: dict[str, Any] = json.loads(shown)
        except ValueError as error:
            raise StackRunError(
                f"stack {stack!r}: `show -json` printed no JSON: {error}"
            ) from error
        return plan

    @staticmethod
    def _check(run: Any, *args: str) -> str:
        try:
            result = run(*args, check=False)
        except CommandFailedError as failed:
            raise StackRunError(str(failed)) from failed
        if result.returncode != 0:
            tail = (result.stderr or result.stdout)[-4000:]
            raise StackRunError(f"{' '.join(args)} exited {result.returncode}:\n{tail}")
        return str(result.stdout)


def _objects(blocks: Mapping[str, Any]) -> int:
    """Objects the blocks of one type declare: a literal `count` each, else one."""
    total = 0
    for block in blocks.values():
        count = block.get("count") if isinstance(block, Mapping) else None
        if isinstance(count, int | float) and not isinstance(count, bool):
            total += int(count)
        else:
            total += 1
    return total


def _read_backs(document: Mapping[str, Any]) -> int:
    """The stack's credentials read-back blocks (`StoredCredentials`), by construct path."""
    suffix = f"/{ids.STORED_CREDENTIALS}"
    return sum(
        1
        for block in document.get("data", {}).get("restful_resource", {}).values()
        if str(block.get("//", {}).get("metadata", {}).get("path", "")).endswith(suffix)
    )
