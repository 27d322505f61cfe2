"""`build_stacks` across Codat instances: who owns the sync settings, and the stack outputs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from codat_stripe import (
    CommerceDataTypeOverride,
    DataAccess,
    EnvironmentParameters,
    SharedParameters,
    StripeMode,
    build_stacks,
    shared_parameters_json,
)
from synth_support import resources, synth_stacks

pytestmark = pytest.mark.synth


def _env(name: str, mode: str, instance: str, /, **kw: Any) -> EnvironmentParameters:
    params: dict[str, Any] = {
        "name": name,
        "mode": mode,
        "client_id": f"ca_{name}1",
        "codat_instance": instance,
    }
    params.update(kw)
    return EnvironmentParameters(**params)


def _synth(
    tmp_path: Path,
    environments: list[EnvironmentParameters],
    shared: SharedParameters | None = None,
) -> dict[str, dict[str, Any]]:
    return synth_stacks(
        tmp_path, lambda app: build_stacks(app, shared or SharedParameters(), environments)
    )


def _outputs(stack: dict[str, Any]) -> dict[str, Any]:
    return {name: output["value"] for name, output in stack["output"].items()}


def _manages_sync(stack: dict[str, Any]) -> bool:
    return any(k.startswith("CommerceSync_Settings") for k in resources(stack, "restful_resource"))


def test_same_url_on_different_instances_each_own_their_sync_settings(tmp_path: Path) -> None:
    stacks = _synth(
        tmp_path,
        [_env("test", "test", "acme-sandbox"), _env("live", "live", "acme-prod")],
    )
    for name, instance in (("test", "acme-sandbox"), ("live", "acme-prod")):
        outputs = _outputs(stacks[name])
        assert stacks[name]["provider"]["restful"][0]["base_url"] == "https://api.codat.io"
        assert outputs["codat_instance"] == instance
        assert outputs["stripe_mode"] == name
        assert outputs["manages_sync_settings"] is True
        assert outputs["environments_on_instance"] == [name]
        assert _manages_sync(stacks[name])


def test_first_environment_on_a_shared_instance_owns_the_sync_settings(tmp_path: Path) -> None:
    stacks = _synth(tmp_path, [_env("test", "test", "acme"), _env("live", "live", "acme")])
    assert _outputs(stacks["test"])["manages_sync_settings"] is True
    assert _outputs(stacks["live"])["manages_sync_settings"] is False
    assert _manages_sync(stacks["test"]) and not _manages_sync(stacks["live"])
    for stack in stacks.values():
        assert _outputs(stack)["environments_on_instance"] == ["test", "live"]
        assert _outputs(stack)["codat_instance"] == "acme"


@pytest.mark.parametrize("other", [None, False])
def test_explicit_owner_wins_over_the_first_environment(tmp_path: Path, other: bool | None) -> None:
    stacks = _synth(
        tmp_path,
        [
            _env("test", "test", "acme", owns_sync_settings=other),
            _env("live", "live", "acme", owns_sync_settings=True),
        ],
    )
    assert not _manages_sync(stacks["test"]) and _manages_sync(stacks["live"])
    assert _outputs(stacks["test"])["manages_sync_settings"] is False
    assert _outputs(stacks["live"])["manages_sync_settings"] is True


def test_owner_is_chosen_per_instance(tmp_path: Path) -> None:
    stacks = _synth(
        tmp_path,
        [
            _env("a", "test", "one", owns_sync_settings=False),
            _env("b", "live", "one"),
            _env("c", "test", "two"),
            _env("d", "live", "two", owns_sync_settings=True),
        ],
    )
    assert {n: _manages_sync(s) for n, s in stacks.items()} == {
        "a": False,
        "b": True,
        "c": False,
        "d": True,
    }
    assert _outputs(stacks["c"])["environments_on_instance"] == ["c", "d"]


def test_stripe_mode_output_follows_a_string_or_enum_mode(tmp_path: Path) -> None:
    stacks = _synth(
        tmp_path,
        [
            _env("t", StripeMode.TEST, "acme"),
            _env("l", "live", "acme"),
        ],
    )
    assert _outputs(stacks["t"])["stripe_mode"] == "test"
    assert _outputs(stacks["l"])["stripe_mode"] == "live"
    assert _outputs(stacks["t"])["stripe_platform_key"] == "yzth"
    assert _outputs(stacks["l"])["stripe_platform_key"] == "exgd"


def test_shared_parameters_output_and_its_sha256(tmp_path: Path) -> None:
    shared = SharedParameters(
        data_access=DataAccess.ONE_OFF,
        sync_schedule_hours=6,
        commerce_data_types=["commerce-orders", "commerce-payments"],
        commerce_overrides={"commerce-orders": CommerceDataTypeOverride(sync_order=2)},
    )
    stacks = _synth(tmp_path, [_env("test", "test", "a"), _env("live", "live", "b")], shared)
    expected = shared_parameters_json(shared)
    for stack in stacks.values():
        outputs = _outputs(stack)
        assert outputs["shared_parameters"] == expected
        assert outputs["shared_parameters_sha256"] == hashlib.sha256(expected.encode()).hexdigest()
    decoded = json.loads(expected)
    assert decoded["data_access"] == "one-off"
    assert decoded["sync_schedule_hours"] == 6
    assert decoded["commerce_data_types"] == ["commerce-orders", "commerce-payments"]
    assert decoded["commerce_overrides"] == {"commerce-orders": {"sync_order": 2}}


def test_a_different_shared_parameter_changes_the_sha256(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = _synth(tmp_path / "a", [_env("test", "test", "a")], SharedParameters())
    two = _synth(tmp_path / "b", [_env("test", "test", "a")], SharedParameters(enabled=False))
    sha_one = _outputs(one["test"])["shared_parameters_sha256"]
    sha_two = _outputs(two["test"])["shared_parameters_sha256"]
    assert sha_one != sha_two
    assert json.loads(_outputs(two["test"])["shared_parameters"])["enabled"] is False


def test_environment_specific_settings_do_not_change_the_shared_fingerprint(
    tmp_path: Path,
) -> None:
    stacks = _synth(
        tmp_path,
        [
            _env("test", "test", "a", removal_policy="destroy", retry_count=1),
            _env("live", "live", "b", adopt_existing=False, credentials_revision=4),
        ],
    )
    assert (
        _outputs(stacks["test"])["shared_parameters_sha256"]
        == _outputs(stacks["live"])["shared_parameters_sha256"]
    )


def test_adopt_existing_false_declares_no_imports(tmp_path: Path) -> None:
    stacks = _synth(
        tmp_path,
        [_env("test", "test", "a"), _env("live", "live", "b", adopt_existing=False)],
    )
    adopted = [block["to"] for block in stacks["test"]["import"]]
    assert len(adopted) == 3
    assert any(a.startswith("restful_resource.CommerceSync_Settings") for a in adopted)
    assert "import" not in stacks["live"]


def test_secret_variables_are_named_per_environment(tmp_path: Path) -> None:
    stacks = _synth(
        tmp_path,
        [
            _env("test", "test", "a"),
            _env("live", "live", "b", codat_api_key_variable="ck", stripe_secret_key_variable="sk"),
        ],
    )
    assert set(stacks["test"]["variable"]) == {"codat_api_key_test", "stripe_secret_key_test"}
    assert set(stacks["live"]["variable"]) == {"ck", "sk"}
    for stack in stacks.values():
        assert all(v["ephemeral"] is True for v in stack["variable"].values())
