"""Drift detection: report settings of the Stripe integrations changed outside the code.

    python -m codat_stripe_ops.drift [--project-dir DIR] [--stack NAME ...]

Per stack: `terraform plan -refresh-only -out=drift.tfplan` and `show -json`, then the
refreshed resources (`resource_drift`) and failed `check` blocks (the credentials read-back)
are translated into Codat terms. Exit 0: no drift; 2: drift, each changed setting listed;
1: error. Needs the stacks' TF_VAR_* secrets and access to their state; changes nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from codat_stripe_ops.plan_changes import PlanFormatError, StackPlan, parse_plan
from codat_stripe_ops.stack_runner import StackRunError, StackRunner

NO_DRIFT, ERROR, DRIFT = 0, 1, 2
SAVED_PLAN = "drift.tfplan"


def report(plans: Sequence[StackPlan]) -> str:
    """Plain-text report: each drifted setting, or that a stack has none."""
    lines: list[str] = []
    for plan in plans:
        title = f"stack {plan.stack} ({plan.platform_name}, platform key {plan.platform_key})"
        if not plan.has_drift:
            lines.append(f"No drift in {title}.")
            continue
        lines.append(f"DRIFT in {title}: changed outside the code:")
        for change in plan.drift:
            for setting in change.settings:
                lines.append(
                    f"  - {change.component}: {setting.setting}: last deployed {setting.before}, "
                    f"now in Codat {setting.after}"
                )
        for check in plan.failed_checks:
            lines.append(f"  - check {check.name} failed: {' '.join(check.messages)}")
            lines += [
                f"      {s.setting}: code {s.before}, now in Codat {s.after}"
                for s in check.settings
            ]
    return "\n".join(lines) + "\n"


def exit_code(plans: Sequence[StackPlan]) -> int:
    """2 when any stack drifted, else 0."""
    return DRIFT if any(plan.has_drift for plan in plans) else NO_DRIFT


def detect(runner: StackRunner, stacks: Sequence[str]) -> list[StackPlan]:
    """Refresh-only plan of every stack, parsed into Codat terms."""
    return [
        parse_plan(stack, runner.saved_plan_json(stack, SAVED_PLAN, refresh_only=True))
        for stack in stacks
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: exit 0 (no drift), 2 (drift) or 1 (error)."""
    parser = argparse.ArgumentParser(prog="drift", description=__doc__)
    StackRunner.add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        runner = StackRunner.from_arguments(args)
        plans = detect(runner, runner.stacks(args.stack))
    except (StackRunError, PlanFormatError) as error:
        print(f"drift: {error}", file=sys.stderr)
        return ERROR
    sys.stdout.write(report(plans))
    return exit_code(plans)


if __name__ == "__main__":
    sys.exit(main())
