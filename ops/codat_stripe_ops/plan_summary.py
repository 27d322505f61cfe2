"""Markdown summary of each stack's plan, in Codat terms, for a pull-request comment.

    python -m codat_stripe_ops.plan_summary [--project-dir DIR] [--stack NAME ...]
    python -m codat_stripe_ops.plan_summary --plan-json test=plan.json [...]

Without --plan-json it synthesizes the app (`cdktn synth`), then per stack runs
`terraform init`, `terraform plan -out=review.tfplan` and `terraform show -json` on that
saved plan, so it needs the stack's TF_VAR_* secrets and access to its state. It prints
nothing at all when no stack changes or drifted; exit 0, or 1 on any error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from codat_stripe_ops.plan_changes import (
    PlanFormatError,
    ResourceChange,
    SettingChange,
    StackPlan,
    parse_plan,
)
from codat_stripe_ops.stack_runner import StackRunError, StackRunner

SAVED_PLAN = "review.tfplan"


def render(plans: Sequence[StackPlan]) -> str:
    """Markdown for the stacks that change or drifted; "" when none does."""
    sections = [_section(plan) for plan in plans if not plan.is_empty]
    if not sections:
        return ""
    return "# Codat Stripe integrations: plan review\n\n" + "\n\n".join(sections) + "\n"


def _section(plan: StackPlan) -> str:
    counts = plan.counts
    lines = [
        f"## Stack `{plan.stack}`: {plan.platform_name} (platform key `{plan.platform_key}`)",
        "",
        f"**{counts.get('create', 0)} to create, {counts.get('update', 0)} to update, "
        f"{counts.get('delete', 0)} to delete, {counts.get('replace', 0)} to replace**",
    ]
    if plan.risks:
        lines += ["", "> [!WARNING]", "> **Destructive or risky changes: review before merging**"]
        lines += [f"> - :warning: {risk}" for risk in plan.risks]
    if plan.changes:
        lines += ["", "### Changes", ""]
        lines += _table(plan.changes, ("before", "after"))
    if plan.has_drift:
        lines += ["", "### Drift: changed outside the code", ""]
        lines += [
            "Codat no longer matches the last deploy. Applying this plan puts the code's "
            "values back.",
            "",
        ]
        if plan.drift:
            lines += _table(plan.drift, ("last deployed", "now in Codat"))
        for check in plan.failed_checks:
            lines += ["", f"- :warning: check `{check.name}` FAILED: {' '.join(check.messages)}"]
            lines += [
                f"  - {s.setting}: code `{s.before}`, Codat now `{s.after}`" for s in check.settings
            ]
    return "\n".join(lines)


def _table(changes: Sequence[ResourceChange], headings: tuple[str, str]) -> list[str]:
    rows = [
        f"| what | action | setting | {headings[0]} | {headings[1]} |",
        "| --- | --- | --- | --- | --- |",
    ]
    for change in changes:
        settings = change.settings or (SettingChange("(no setting changes)", "", ""),)
        for setting in settings:
            rows.append(
                f"| {change.component} | {change.action} | {setting.setting} | "
                f"{_cell(setting.before)} | {_cell(setting.after)} |"
            )
    return rows


def _cell(value: str) -> str:
    return f"`{value}`" if value else ""


def summarize_stacks(runner: StackRunner, stacks: Sequence[str]) -> list[StackPlan]:
    """Plan every stack into a saved plan and parse its JSON."""
    return [
        parse_plan(stack, runner.saved_plan_json(stack, SAVED_PLAN, refresh_only=False))
        for stack in stacks
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="plan_summary", description=__doc__)
    StackRunner.add_arguments(parser)
    parser.add_argument(
        "--plan-json",
        action="append",
        default=[],
        metavar="STACK=FILE",
        help="summarize this saved plan's `terraform show -json` output instead of planning",
    )
    parser.add_argument("--output", type=Path, help="write the Markdown here instead of stdout")
    args = parser.parse_args(argv)
    try:
        if args.plan_json:
            plans = [_from_file(spec) for spec in args.plan_json]
        else:
            runner = StackRunner.from_arguments(args)
            plans = summarize_stacks(runner, runner.stacks(args.stack))
    except (StackRunError, PlanFormatError) as error:
        print(f"plan_summary: {error}", file=sys.stderr)
        return 1
    markdown = render(plans)
    if args.output:
        args.output.write_text(markdown)
    else:
        sys.stdout.write(markdown)
    return 0


def _from_file(spec: str) -> StackPlan:
    stack, separator, path = spec.partition("=")
    if not separator or not stack or not path:
        raise PlanFormatError(f"--plan-json {spec!r}: expected STACK=FILE")
    try:
        return parse_plan(stack, json.loads(Path(path).read_text()))
    except (OSError, json.JSONDecodeError) as error:
        raise PlanFormatError(f"--plan-json {spec!r}: {error}") from error


if __name__ == "__main__":
    sys.exit(main())
