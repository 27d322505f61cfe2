"""The project's own review, drift and deploy path, as a process the benchmark can time.

``python -m codat_bench.drive {plan,drift,deploy} --project-dir DIR [--parallelism N]``
makes exactly the StackRunner calls the `codat-stripe` CLI makes (synth once, then
`review_stacks`, `review_stacks(refresh_only=True)` or `deploy_stacks` over every stack)
and prints one JSON line: each stack's count of planned changes, whether the synth was
skipped because its inputs were unchanged (the synth cache), and which stacks' plans had to
be rendered with `terraform show -json`. Running it as a process lets the
benchmark measure its wall time and peak memory like any other command.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from codat_stripe_ops.plan_changes import StackPlan
from codat_stripe_ops.stack_runner import StackRunError, StackRunner
from codat_stripe_ops.toolchain import CdkProject, toolchain_environ

ACTIONS = ("plan", "drift", "deploy")


def changes(plan: dict[str, Any]) -> int:
    """Planned changes in a deploy's plan JSON."""
    return sum(
        1
        for change in plan.get("resource_changes", [])
        if change.get("change", {}).get("actions") not in (["no-op"], ["read"])
    )


def reported(plan: StackPlan, refresh_only: bool) -> int:
    """What a review reports: changes (and output changes), or drift and failed checks."""
    if refresh_only:
        return len(plan.drift) + len(plan.failed_checks)
    return len(plan.changes) + len(plan.output_changes)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one action over every stack; exit 1 on an error."""
    parser = argparse.ArgumentParser(prog="python -m codat_bench.drive")
    parser.add_argument("action", choices=ACTIONS)
    parser.add_argument("--project-dir", type=Path, required=True)
    parser.add_argument("--parallelism", type=int, default=0)
    parser.add_argument("--no-synth", action="store_true")
    parser.add_argument("--synth-with-cli", action="store_true")
    parser.add_argument("--no-synth-cache", action="store_true")
    args = parser.parse_args(argv)
    runner = StackRunner(
        project=CdkProject(directory=args.project_dir, env=toolchain_environ()),
        synth=not args.no_synth,
        parallelism=args.parallelism,
        synth_with_cli=args.synth_with_cli,
        synth_cache=not args.no_synth_cache,
    )
    refresh_only = args.action == "drift"
    try:
        stacks = runner.stacks()
        if args.action == "deploy":
            counts = {s: changes(plan) for s, plan in runner.deploy_stacks(stacks).items()}
        else:
            reviews = runner.review_stacks(stacks, refresh_only=refresh_only)
            counts = {s: reported(plan, refresh_only) for s, plan in reviews.items()}
    except StackRunError as error:
        print(str(error), file=sys.stderr)
        return 1
    printed = {
        "changes": counts,
        "synth_skipped": runner.synth_skipped,
        "rendered": sorted(runner.rendered),
    }
    print(json.dumps(printed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
