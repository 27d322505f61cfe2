"""`tree_lookups` answers what the CDK (Node) answers, for every construct of a real app."""

from __future__ import annotations

from pathlib import Path

import pytest

from codat_stripe import (
    App,
    EnvironmentParameters,
    RemovalPolicy,
    SharedParameters,
    StripeMode,
    TerraformStack,
    build_stacks,
)
from codat_stripe.tree_lookups import path_of, root_of, stack_of

pytestmark = pytest.mark.synth


def test_remembered_path_stack_and_root_equal_the_cdks_for_every_construct(
    tmp_path: Path,
) -> None:
    app = App(outdir=str(tmp_path))
    build_stacks(
        app,
        SharedParameters(),
        [
            EnvironmentParameters(
                name=name,
                mode=mode,
                client_id=f"ca_{name}Fake1",
                codat_instance=instance,
                codat_base_url="http://127.0.0.1:9",
                removal_policy=policy,
            )
            for name, mode, instance, policy in (
                ("test", StripeMode.TEST, "acme-sandbox", RemovalPolicy.DESTROY),
                ("live", StripeMode.LIVE, "acme-prod", RemovalPolicy.RETAIN),
                ("eu", StripeMode.LIVE, "acme-eu", RemovalPolicy.RETAIN),
            )
        ],
    )
    constructs = [c for c in app.node.find_all() if c is not app]
    assert len(constructs) > 50
    for construct in constructs:
        # Ask twice: the first answer may be computed, the second is the remembered one.
        for _ in range(2):
            assert path_of(construct) == construct.node.path
            assert path_of(stack_of(construct)) == TerraformStack.of(construct).node.path
            assert path_of(root_of(construct)) == construct.node.root.node.path
