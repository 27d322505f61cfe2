"""Synthesize a CDK app once, then make saved plans of its stacks and read them as JSON.

The plan summary and the drift command share this: both need `cdktn synth`, `terraform init`
and a saved plan's `terraform show -json` per stack, with the usual TF_VAR_* secrets taken
from the environment (never printed).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codat_stripe_ops.toolchain import (
    REPO,
    CdkProject,
    CommandFailedError,
    ToolchainMissingError,
    toolchain_environ,
)


class StackRunError(RuntimeError):
    """A step of synth, init, plan or show failed; the message says which and why."""


@dataclass
class StackRunner:
    """Runs the real `cdktn` CLI and terraform for one CDK project directory."""

    project: CdkProject
    synth: bool = True
    _synthesized: bool = field(default=False, init=False)

    @staticmethod
    def add_arguments(parser: argparse.ArgumentParser) -> None:
        """Add the options every command shares."""
        parser.add_argument(
            "--project-dir",
            type=Path,
            default=REPO,
            help="CDK project directory with cdktf.json (default: the repository)",
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
        return cls(project=project, synth=not args.no_synth)

    def ensure_synthesized(self) -> None:
        """Run `cdktn synth` once (unless synth is off)."""
        if self.synth and not self._synthesized:
            self._check(self.project.cli, "synth", check=False)
            self._synthesized = True

    def stacks(self, requested: Sequence[str] = ()) -> list[str]:
        """The synthesized stacks' names, or the requested ones after checking they exist."""
        self.ensure_synthesized()
        manifest = self.project.directory / "cdktf.out" / "manifest.json"
        try:
            known = sorted(json.loads(manifest.read_text())["stacks"])
        except (OSError, ValueError, KeyError) as error:
            raise StackRunError(
                f"cannot read the synthesized stacks from {manifest}: {error}"
            ) from error
        unknown = [name for name in requested if name not in known]
        if unknown:
            raise StackRunError(f"unknown stack(s) {unknown}: the app has {known}")
        return list(requested) or known

    def saved_plan_json(self, stack: str, plan_file: str, refresh_only: bool) -> dict[str, Any]:
        """Init the stack, save a plan (optionally refresh-only) and return its JSON."""
        self.ensure_synthesized()
        self.require_variables(stack)
        self._check(self.project.terraform, stack, "init", "-input=false", "-no-color")
        mode = ["-refresh-only"] if refresh_only else []
        self._check(
            self.project.terraform,
            stack,
            "plan",
            "-input=false",
            "-no-color",
            "-lock=false" if refresh_only else "-lock=true",
            f"-out={plan_file}",
            *mode,
        )
        shown = self._check(self.project.terraform, stack, "show", "-json", plan_file)
        try:
            plan: dict[str, Any] = json.loads(shown)
        except ValueError as error:
            raise StackRunError(
                f"stack {stack!r}: `show -json` printed no JSON: {error}"
            ) from error
        return plan

    def plan_stacks(
        self, stacks: Sequence[str], *, refresh_only: bool = False
    ) -> dict[str, dict[str, Any]]:
        """Plan each stack into a saved plan file and return each plan's JSON, by stack name.

        The saved plan is `review.tfplan` (or `drift.tfplan` when `refresh_only`) in the
        stack's working directory, so a caller can upload or apply it.
        """
        plan_file = "drift.tfplan" if refresh_only else "review.tfplan"
        return {stack: self.saved_plan_json(stack, plan_file, refresh_only) for stack in stacks}

    def deploy(self, stack: str) -> dict[str, Any]:
        """Plan the stack, apply exactly that saved plan, and return the applied plan's JSON."""
        plan = self.saved_plan_json(stack, "deploy.tfplan", refresh_only=False)
        self._check(
            self.project.terraform, stack, "apply", "-input=false", "-no-color", "deploy.tfplan"
        )
        return plan

    def outputs(self, stack: str) -> dict[str, Any]:
        """The stack's outputs from its state (`terraform output -json`), by output name."""
        shown = self._check(self.project.terraform, stack, "output", "-json")
        try:
            outputs: dict[str, Any] = json.loads(shown or "{}")
        except ValueError as error:
            raise StackRunError(f"stack {stack!r}: `output -json` printed no JSON") from error
        return outputs

    def require_variables(self, stack: str) -> None:
        """Fail early, naming them, when the stack's variables without default are unset."""
        document = json.loads((self.project.stack_dir(stack) / "cdk.tf.json").read_text())
        missing = [
            f"TF_VAR_{name}"
            for name, spec in document.get("variable", {}).items()
            if "default" not in spec and not self.project.env.get(f"TF_VAR_{name}")
        ]
        if missing:
            raise StackRunError(f"stack {stack!r}: set {', '.join(missing)} (missing or empty)")

    @staticmethod
    def _check(run: Any, *args: str, check: bool = False) -> str:
        try:
            result = run(*args, check=check)
        except CommandFailedError as failed:
            raise StackRunError(str(failed)) from failed
        if result.returncode != 0:
            tail = (result.stderr or result.stdout)[-4000:]
            raise StackRunError(f"{' '.join(args)} exited {result.returncode}:\n{tail}")
        return str(result.stdout)
