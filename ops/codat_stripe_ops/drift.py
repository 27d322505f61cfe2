"""Drift detection: settings of the Stripe integrations changed outside the code.

Per stack a refresh-only saved plan (`drift.tfplan`): the refreshed resources
(`resource_drift`) and failed `check` blocks (the credentials read-back) are translated into
Codat terms, with what to do about each kind. `codat-stripe drift` exits 0 (no drift),
2 (drift) or 1 (error); it changes nothing in Codat or in the state.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from codat_stripe_ops.plan_changes import StackPlan, check_row
from codat_stripe_ops.plan_summary import to_json
from codat_stripe_ops.stack_runner import StackRunner

NO_DRIFT, ERROR, DRIFT = 0, 1, 2


def report(plans: Sequence[StackPlan]) -> str:
    """Plain-text report: each drifted setting and what to do, or that a stack has none."""
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
                    f"  - {change.label}: {setting.setting}: last deployed {setting.before}, "
                    f"now in Codat {setting.after}"
                )
        for check in plan.failed_checks:
            lines.append(f"  - check {check.name} failed: {' '.join(check.messages)}")
            lines += [f"      {check_row(s)}" for s in check.settings]
        lines.append("  What to do:")
        lines += [f"  * {step}" for step in plan.remediation]
    return "\n".join(lines) + "\n"


def drift_json(plans: Sequence[StackPlan]) -> list[dict[str, Any]]:
    """The drift of each stack as plain data (the plan review's objects)."""
    return to_json(plans)


def exit_code(plans: Sequence[StackPlan]) -> int:
    """2 when any stack drifted, else 0."""
    return DRIFT if any(plan.has_drift for plan in plans) else NO_DRIFT


def detect(runner: StackRunner, stacks: Sequence[str]) -> list[StackPlan]:
    """Refresh-only plan of every stack, parsed into Codat terms."""
    plans = runner.review_stacks(stacks, refresh_only=True)
    return [plans[stack] for stack in stacks]
