"""The request budget's bound per stack (`StackRunner.request_cost`) against the emulator's
request log: a plan never makes more Codat requests than its bound, adopting on a fresh
Codat (import blocks) or refreshing after a deploy, nor does the apply of its saved plan or
the two together; the bound of a plan
after a deploy (every review) is exact, so the budget admits as many stacks as Codat's
limit allows. The credentials' read-back is read by a drift check when the credentials
differ from the code, never by a plan, which leaves it to the apply of the write it waits
for.

The real runner, terraform, provider and emulator, for both removal policies (the
credentials are an operation under RETAIN, a resource read like the others under DESTROY).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from operate_support import OpsEmulator, secrets_env, stack_params

from codat_stripe_ops.stack_runner import DEPLOY_PLAN, StackRunner, Work
from codat_stripe_ops.toolchain import CdkProject

pytestmark = pytest.mark.e2e

STACK = "test"
CREDENTIALS_PATH = "/integrations/credentials/yzth"


@pytest.mark.parametrize("removal_policy", ["retain", "destroy"])
def test_requests_stay_within_the_declared_bound_and_a_plan_meets_it(
    make_project: Callable[..., CdkProject], emulator: OpsEmulator, removal_policy: str
) -> None:
    project = make_project()
    project.env.update(
        {
            **secrets_env(),
            **stack_params(emulator.base_url, (STACK,), removal_policy=removal_policy),
        }
    )
    runner = StackRunner(project=project)
    runner.ensure_synthesized()
    plan_bound = runner.request_cost(STACK, Work.PLAN)
    drift_bound = runner.request_cost(STACK, Work.DRIFT)
    apply_bound = runner.request_cost(STACK, Work.APPLY)
    deploy_bound = plan_bound + apply_bound  # what a deploy declares: its plan, then its apply

    def requests_of(action: Callable[[], object]) -> int:
        before = len(emulator.requests())
        action()
        return len(emulator.requests()) - before

    adopting = requests_of(lambda: runner.review(STACK))
    planned = requests_of(lambda: runner.plan_for_deploy(STACK))
    applied = requests_of(lambda: runner.apply_saved_plan(STACK, DEPLOY_PLAN))
    converged = requests_of(lambda: runner.review(STACK))
    counted = (
        f"bounds plan {plan_bound}, apply {apply_bound}, both {deploy_bound}: adopting "
        f"{adopting}, planned {planned}, applied {applied}, converged {converged}"
    )
    # Adopting, a data source that needs a value known only after apply (the credentials'
    # check) is read by the apply instead; a resource not yet created is not read.
    assert 0 < adopting == planned <= plan_bound, counted
    assert 0 < applied <= apply_bound, counted
    assert planned + applied <= deploy_bound, counted
    assert converged == plan_bound, counted  # after a deploy each object is read once
    # The read-back's `count` is 0 while Codat holds the code's credentials.
    assert requests_of(lambda: runner.review(STACK, refresh_only=True)) == plan_bound
    assert drift_bound == plan_bound + 1
    # What the plan and drift commands declare to the budget for each stack.
    declared: list[Work] = []
    bound = runner.request_cost

    def recorded(stack: str, work: Work = Work.PLAN) -> int:
        declared.append(work)
        return bound(stack, work)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runner, "request_cost", recorded)
        runner.review_stacks([STACK], refresh_only=True)
        runner.review_stacks([STACK])
    assert declared == [Work.DRIFT, Work.PLAN]

    # Deleted in the Portal: the drift check reads them back (the check fails), a plan
    # does not (the read waits for the write it plans).
    assert emulator.client.delete(CREDENTIALS_PATH).status_code == 204
    assert requests_of(lambda: runner.review(STACK, refresh_only=True)) == drift_bound
    assert requests_of(lambda: runner.review(STACK)) <= plan_bound
