"""Promotion check on real synthesized stacks under `RemovalPolicy.DESTROY`.

Under DESTROY the credentials revision lives in the `CredentialsInSync` marker (under RETAIN
it is an operation attribute); either way it is per environment, so a live-only bump is
promotable, while a shared-parameter difference is still refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from codat_stripe import (
    EnvironmentParameters,
    RemovalPolicy,
    SharedParameters,
    StripeMode,
    build_stacks,
)
from codat_stripe_ops import promotion
from synth_support import synth_stacks

pytestmark = pytest.mark.synth


def _stacks(tmp_path: Path, shared: SharedParameters, live_revision: int) -> dict[str, Any]:
    def environment(name: str, mode: StripeMode, **kw: Any) -> EnvironmentParameters:
        return EnvironmentParameters(
            name=name,
            mode=mode,
            client_id=f"ca_{name}Fake1",
            codat_instance=f"acme-{name}",
            codat_base_url="http://127.0.0.1:9",
            removal_policy=RemovalPolicy.DESTROY,
            **kw,
        )

    return synth_stacks(
        tmp_path,
        lambda app: build_stacks(
            app,
            shared,
            [
                environment("test", StripeMode.TEST),
                environment("live", StripeMode.LIVE, credentials_revision=live_revision),
            ],
        ),
    )


def test_a_live_only_revision_bump_is_promotable_under_destroy(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    same = _stacks(tmp_path / "a", SharedParameters(), live_revision=0)
    bumped = _stacks(tmp_path / "b", SharedParameters(), live_revision=3)
    assert promotion.compare(same["test"], same["live"]) == []
    markers = bumped["live"]["resource"]["terraform_data"]
    assert [m["input"].get("revision") for m in markers.values()] == [3]
    assert promotion.compare(bumped["test"], bumped["live"]) == []


def test_a_shared_difference_is_still_refused_under_destroy(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    test = _stacks(tmp_path / "a", SharedParameters(), live_revision=0)["test"]
    live = _stacks(tmp_path / "b", SharedParameters(use_read_write_scope=True), live_revision=1)[
        "live"
    ]
    differences = [d.describe("test", "live") for d in promotion.compare(test, live)]
    assert any(
        d.startswith("resource.restful_resource.Stripe_Credentials_")
        and ".body.useReadWriteScope" in d
        for d in differences
    ), differences
    # The revision (1 in live, 0 in test) is not among them.
    assert not [d for d in differences if "revision" in d.split(":")[0]], differences
