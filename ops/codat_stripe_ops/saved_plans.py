"""Saved plans given to `deploy --plan-file`: which stack a plan is of, and its planned outputs.

Terraform applies a saved plan to the backend recorded in it, whatever the directory it is
applied from, so before a saved plan is applied its variables and identity outputs must be
the stack's own (`check_plan_is_for`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from codat_stripe_ops.plan_changes import output_values
from codat_stripe_ops.stack_runner import StackRunError, StackRunner

IDENTITY_OUTPUTS = ("stripe_mode", "codat_instance", "stripe_platform_key")
"""Outputs that name what a stack manages: a saved plan must agree with the stack on them."""


class PlanNotForStackError(StackRunError):
    """A saved plan is of another stack (e.g. test's plan given to `deploy live`)."""


def planned_output(plan: Mapping[str, Any], name: str) -> str | None:
    """An output's value as the plan leaves it (known at plan time), if it is a string."""
    value = output_values(plan, prior=False).get(name)
    return value if isinstance(value, str) else None


def check_plan_is_for(runner: StackRunner, stack: str, plan: Mapping[str, Any], path: Path) -> None:
    """Refuse a saved plan of another stack: PlanNotForStackError naming each mismatch.

    The plan's root variables must be the synthesized stack's, and each identity output the
    stack sets to a constant must have that value in the plan.
    """
    document = runner.stack_document(stack)
    planned = plan.get("configuration", {}).get("root_module", {}).get("variables", {})
    declared = sorted(document.get("variable", {}))
    mismatches = []
    if sorted(planned) != declared:
        mismatches.append(f"variables {sorted(planned)} (stack {stack} has {declared})")
    for name in IDENTITY_OUTPUTS:
        expected = document.get("output", {}).get(name, {}).get("value")
        found = planned_output(plan, name)
        if isinstance(expected, str) and "${" not in expected and found != expected:
            mismatches.append(f"output {name} {found!r} (stack {stack} has {expected!r})")
    if mismatches:
        raise PlanNotForStackError(
            f"--plan-file {path} is not a plan of stack {stack!r}: "
            + "; ".join(mismatches)
            + f". Nothing was applied. Save a plan of {stack} (`codat-stripe plan --stack "
            f"{stack} --out-dir DIR`) and deploy DIR/{stack}.tfplan."
        )
