"""The Stripe Dashboard checklist, each step with what verify could and could not check."""

from __future__ import annotations

from collections.abc import Sequence

from codat_stripe.stripe_facts import StripeMode, dashboard_checklist
from codat_stripe_ops.verify.results import CheckResult, Status

KEY_CHECKS = ("stripe-key-type", "stripe-key-accepted", "stripe-key-mode")
"""Checks that together confirm the step "copy the key of the right mode"."""


def dashboard_checks(
    mode: StripeMode, use_read_write_scope: bool, earlier: Sequence[CheckResult]
) -> list[CheckResult]:
    """One result per Dashboard step: checked where the key checks cover it, else by hand."""
    by_name = {r.name: r for r in earlier}
    key_results = [by_name[n] for n in KEY_CHECKS if n in by_name]
    results = []
    for number, step in enumerate(dashboard_checklist(mode, use_read_write_scope), start=1):
        name = f"dashboard-step-{number}"
        if step.split(". ", 1)[1].startswith("Copy the") and key_results:
            if all(r.status is Status.PASS for r in key_results):
                results.append(
                    CheckResult.passed(
                        name,
                        step + " Checked: the secret key is of this mode (client ID: see "
                        "client-id-format; Stripe cannot confirm that it is the same account's).",
                    )
                )
            else:
                results.append(
                    CheckResult.failed(name, step, "Fix the stripe-key checks above first.")
                )
            continue
        results.append(
            CheckResult.unknown(
                name,
                step + " Not checkable: Stripe has no API for Connect settings.",
                "Confirm it in the Stripe Dashboard.",
            )
        )
    return results
