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
from codat_stripe._cdk import TerraformElement, TerraformLocal
from codat_stripe.restful import RestfulDataSource, RestfulOperation, RestfulResource
from codat_stripe.tree_lookups import (
    _ids_below_stack,
    logical_id,
    make_unique_id,
    path_of,
    root_of,
    stack_of,
)
from constructs import Construct

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
    elements = [c for c in constructs if isinstance(c, TerraformElement)]
    assert len(elements) > 30
    for element in elements:
        # Computed in Python for our elements (the references in the JSON use it), read from
        # Node for the CDK's own (the stack's backend): always Node's answer.
        assert logical_id(element) == element.friendly_unique_id, path_of(element)
    ours = [
        e for e in elements if isinstance(e, RestfulResource | RestfulDataSource | RestfulOperation)
    ]
    assert len(ours) >= 3 * 7
    for element in ours:  # every one of them named without asking Node
        ids = _ids_below_stack(element)
        assert ids is not None, path_of(element)
        assert make_unique_id(ids) == element.friendly_unique_id


@pytest.mark.parametrize(
    "ids",
    [
        ["Only"],
        ["Outer", "Inner"],
        ["Outer", "Default", "Inner"],  # "Default" is left out entirely
        ["Outer", "Resource"],  # "Resource" is left out of the readable part only
        ["Stripe", "Integration", "Integration"],  # a repeated suffix is dropped
        ["FooBar", "Bar", "Baz"],
        ["with spaces", "dots.and-dashes_ok", "ünïcode!"],
        ["x" * 300],  # too long for a name of its own
        ["y" * 200, "z" * 100],
    ],
)
def test_make_unique_id_names_an_element_as_the_cdk_does(tmp_path: Path, ids: list[str]) -> None:
    """The CDK's naming, ported: the same ids give the same Terraform name as Node gives."""
    app = App(outdir=str(tmp_path))
    scope: Construct = TerraformStack(app, "s")
    for construct_id in ids[:-1]:
        scope = Construct(scope, construct_id)
    local = TerraformLocal(scope, ids[-1], "value")
    assert make_unique_id(ids) == local.friendly_unique_id


def test_renaming_an_element_whose_name_the_constructs_used_is_refused(tmp_path: Path) -> None:
    """A rename after the references were written would leave them pointing at nothing."""
    from codat_stripe import CodatStripeConfigError
    from codat_stripe.stacks import CodatStripeStack

    app = App(outdir=str(tmp_path))
    (stack,) = build_stacks(
        app,
        SharedParameters(),
        [
            EnvironmentParameters(
                name="test",
                mode=StripeMode.TEST,
                client_id="ca_testFake1",
                codat_instance="acme-sandbox",
                codat_base_url="http://127.0.0.1:9",
            )
        ],
    )
    assert isinstance(stack, CodatStripeStack)
    enabled = stack.stripe.enabled
    used = logical_id(enabled)
    enabled.override_logical_id(used)  # the same name: nothing changes
    with pytest.raises(CodatStripeConfigError, match=r"test/Stripe/Enabled.*moved"):
        enabled.override_logical_id("old_enabled")
    assert enabled.friendly_unique_id == used


def test_an_element_renamed_before_its_name_is_used_is_referenced_by_the_new_name(
    tmp_path: Path,
) -> None:
    from codat_stripe.restful import RestfulDataSource, RestfulProvider

    app = App(outdir=str(tmp_path))
    stack = TerraformStack(app, "s")
    provider = RestfulProvider(stack, "Api", base_url="http://127.0.0.1:9")
    source = RestfulDataSource(stack, "Thing", provider=provider, path="/things")
    source.override_logical_id("thing")
    assert source.address == "data.restful_resource.thing"
    assert source.friendly_unique_id == "thing"
