"""Review summary of each stack's saved plan, in Codat terms: Markdown for people, JSON for bots.

`codat-stripe plan` prints it; the pull-request workflow posts the Markdown as one sticky
comment (found again by `COMMENT_MARKER`) and in the job summary.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from codat_stripe_ops.plan_changes import (
    PlanFormatError,
    ResourceChange,
    SettingChange,
    StackPlan,
    check_row,
    parse_plan,
)
from codat_stripe_ops.stack_runner import StackRunner

COMMENT_MARKER = "<!-- codat-stripe-plan-review -->"
"""Hidden marker of the workflow's sticky pull-request comment."""

TITLE = "# Codat Stripe integrations: plan review"


def render(plans: Sequence[StackPlan]) -> str:
    """Markdown for every stack: its plan line, risks, changes and drift (or "no changes")."""
    return TITLE + "\n\n" + "\n\n".join(section(stack) for stack in to_json(plans)) + "\n"


def section(stack: Mapping[str, Any]) -> str:
    """One stack's Markdown section, from its `to_json` object."""
    lines = [
        f"## Stack `{stack['stack']}`: {stack['platform_name']} "
        f"(platform key `{stack['platform_key']}`)",
        "",
    ]
    outputs = ", ".join(f"`{name}`" for name in stack.get("output_changes", []))
    if not (stack["changed"] or stack["drifted"]):
        if outputs:
            lines.append(
                f"No changes in Codat. Outputs recorded in the state change: {outputs} "
                "(applying writes them to the state only)."
            )
        else:
            lines.append("No changes. Codat matches the code.")
        return "\n".join(lines)
    lines.append(f"**{stack['plan_line']}**")
    if stack["risks"]:
        lines += ["", "> [!WARNING]", "> **Risky changes: review before merging**"]
        lines += [f"> - :warning: {risk}" for risk in stack["risks"]]
    if stack["changes"]:
        lines += ["", "### Changes", ""]
        lines += _table(stack["changes"], ("before", "after"))
        effects = [change for change in stack["changes"] if change.get("effect")]
        if effects:
            lines += ["", "**What happens in Codat:**", ""]
            lines += [f"- {c['what']} ({c['action']}): {c['effect']}" for c in effects]
    if stack["drifted"]:
        lines += ["", "### Drift: changed outside the code", ""]
        if stack["drift"]:
            lines += _table(stack["drift"], ("last deployed", "now in Codat"))
        for check in stack["failed_checks"]:
            messages = " ".join(check["messages"])
            lines += ["", f"- :warning: check `{check['name']}` FAILED: {messages}"]
            lines += [
                f"  - {check_row(SettingChange(**s), markdown=True)}" for s in check["settings"]
            ]
        lines += ["", "**What to do:**", ""]
        lines += [f"- {step}" for step in stack["remediation"]]
    return "\n".join(lines)


def _table(changes: Sequence[Mapping[str, Any]], headings: tuple[str, str]) -> list[str]:
    rows = [
        f"| what | action | setting | {headings[0]} | {headings[1]} |",
        "| --- | --- | --- | --- | --- |",
    ]
    for change in changes:
        settings = change["settings"] or [
            {"setting": "(no setting changes)", "before": "", "after": ""}
        ]
        action = change["action"]
        if change["importing"] and action != "import":
            action += " (import)"
        for setting in settings:
            rows.append(
                f"| {_escape(change['what'])} | {action} | {_escape(setting['setting'])} | "
                f"{_cell(setting['before'])} | {_cell(setting['after'])} |"
            )
    return rows


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _cell(value: str) -> str:
    return f"`{_escape(value)}`" if value else ""


def to_json(plans: Sequence[StackPlan]) -> list[dict[str, Any]]:
    """The same review as plain data, one object per stack."""
    return [
        {
            "stack": plan.stack,
            "platform_key": plan.platform_key,
            "platform_name": plan.platform_name,
            "stripe_mode": plan.stripe_mode,
            "changed": bool(plan.changes),
            "output_changes": list(plan.output_changes),
            "drifted": plan.has_drift,
            "plan_line": plan.plan_line,
            "counts": dict(plan.counts),
            "risks": list(plan.risks),
            "changes": [_change_json(c) for c in plan.changes],
            "drift": [_change_json(c) for c in plan.drift],
            "failed_checks": [
                {
                    "name": check.name,
                    "messages": list(check.messages),
                    "settings": [_setting_json(s) for s in check.settings],
                }
                for check in plan.failed_checks
            ],
            "remediation": list(plan.remediation),
        }
        for plan in plans
    ]


def _change_json(change: ResourceChange) -> dict[str, Any]:
    return {
        "address": change.address,
        "what": change.label,
        "action": change.action,
        "importing": change.importing,
        "settings": [_setting_json(s) for s in change.settings],
        "risks": list(change.risks),
        "effect": change.effect,
    }


def _setting_json(setting: SettingChange) -> dict[str, Any]:
    return {"setting": setting.setting, "before": setting.before, "after": setting.after}


def summarize_stacks(runner: StackRunner, stacks: Sequence[str]) -> list[StackPlan]:
    """Plan every stack into its saved plan (`review.tfplan`) and say what each changes."""
    plans = runner.review_stacks(stacks)
    return [plans[stack] for stack in stacks]


def from_file(spec: str) -> StackPlan:
    """Parse `STACK=FILE`, FILE being `terraform show -json` of a saved plan."""
    stack, separator, path = spec.partition("=")
    if not separator or not stack or not path:
        raise PlanFormatError(f"--plan-json {spec!r}: expected STACK=FILE")
    try:
        document: Mapping[str, Any] = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise PlanFormatError(f"--plan-json {spec!r}: {error}") from error
    return parse_plan(stack, document)


def render_comment(
    results: Sequence[Mapping[str, Any]], expected: Sequence[str], sha: str, run_url: str
) -> str:
    """The sticky pull-request comment from the `plan --format json` results of each stack.

    A stack in `expected` without a result (its job failed before writing one) and a
    result whose exit code is 1 are shown as failures, never silently left out.
    """
    by_stack: dict[str, Mapping[str, Any]] = {}
    errors: dict[str, str] = {}
    for result in results:
        for stack in result.get("stacks", []):
            by_stack[str(stack["stack"])] = stack
        if result.get("exit_code") == 1:
            for name in result.get("requested", []) or ["(unknown stack)"]:
                errors[str(name)] = str(result.get("error", "error"))
    missing = [name for name in expected if name not in by_stack and name not in errors]
    lines = [COMMENT_MARKER, TITLE, ""]
    lines.append(f"Commit `{sha}` · [workflow run]({run_url})")
    failed = sorted(errors) + missing
    if failed:
        lines += ["", "> [!CAUTION]", "> **The plan FAILED for: " + ", ".join(failed) + "**"]
        lines += [f"> - `{name}`: {_one_line(errors[name])}" for name in sorted(errors)]
        lines += [f"> - `{name}`: no result (see the workflow run)" for name in missing]
    if by_stack and not any(s.get("changed") or s.get("drifted") for s in by_stack.values()):
        lines += ["", "No changes in any stack."]
    for name in sorted(by_stack, key=lambda n: (list(expected) + sorted(by_stack)).index(n)):
        lines += ["", section(by_stack[name])]
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 300 else flat[:297] + "..."
