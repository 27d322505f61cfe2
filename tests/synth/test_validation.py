"""Every validation rule: bad input fails at synth time with the value and what is allowed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from codat_stripe import (
    CodatConnection,
    CodatConnectionProps,
    CodatStripeConfigError,
    CommerceDataTypeOverride,
    CommerceSyncSettings,
    CommerceSyncSettingsProps,
    EnvironmentParameters,
    SharedParameters,
    StripeIntegration,
    StripeIntegrationProps,
    StripeMode,
    build_stacks,
)
from codat_stripe._cdk import App, TerraformStack, TerraformVariable
from synth_support import resources, synth_one, synth_stacks

pytestmark = pytest.mark.synth


def _integration(stack: TerraformStack, **overrides: Any) -> StripeIntegration:
    connection = CodatConnection(stack, "Codat")
    secret = TerraformVariable(stack, "secret", type="string", sensitive=True)
    props: dict[str, Any] = {
        "connection": connection,
        "mode": StripeMode.TEST,
        "client_id": "ca_fake1",
        "secret_key": secret,
    }
    props.update(overrides)
    return StripeIntegration(stack, "Stripe", StripeIntegrationProps(**props))


def _expect_error(build: Any, *fragments: str) -> str:
    app = App()
    stack = TerraformStack(app, "s")
    with pytest.raises(CodatStripeConfigError) as caught:
        build(stack)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def test_client_id_must_start_with_ca() -> None:
    _expect_error(
        lambda s: _integration(s, client_id="pk_test_x"), "client_id", "'ca_'", "pk_test_x"
    )


def test_literal_stripe_secret_is_refused_without_echoing_it() -> None:
    message = _expect_error(
        lambda s: _integration(s, secret_key="sk_test_fakeLEAK99"),
        "secret_key",
        "TerraformVariable",
    )
    assert "fakeLEAK99" not in message
    message = _expect_error(
        lambda s: _integration(s, secret_key="rk_live_fakeLEAK98"), "secret_key"
    )
    assert "fakeLEAK98" not in message


def test_any_literal_secret_is_refused() -> None:
    _expect_error(lambda s: _integration(s, secret_key="hunter2"), "secret_key", "token")


@pytest.mark.parametrize(
    ("prop", "value", "allowed"),
    [
        ("mode", "sandbox", "'test', 'live'"),
        ("data_access", "weekly", "'one-off', 'continuous'"),
        ("use_read_write_scope", "true", "True or False"),
        ("enabled", 1, "True or False"),
    ],
)
def test_enumerated_props_name_the_bad_value_and_the_choices(
    prop: str, value: Any, allowed: str
) -> None:
    _expect_error(lambda s: _integration(s, **{prop: value}), prop, repr(value), allowed)


def test_secret_variable_gets_a_plan_time_prefix_check_for_its_mode(tmp_path: Path) -> None:
    stack = synth_one(tmp_path, lambda s: _integration(s, mode="live"))
    validation = stack["variable"]["secret"]["validation"][0]
    assert 'startswith(var.secret, "sk_live_")' in validation["condition"]
    assert 'startswith(var.secret, "rk_live_")' in validation["condition"]
    assert "sk_test_" not in validation["condition"]


def test_unresolved_client_id_is_not_checked_at_synth(tmp_path: Path) -> None:
    def build(s: TerraformStack) -> None:
        client_id = TerraformVariable(s, "client_id", type="string")
        _integration(s, client_id=client_id.string_value)

    credentials = resources(synth_one(tmp_path, build), "restful_operation")
    assert next(iter(credentials.values()))["body"]["clientId"] == "${var.client_id}"


def _sync(stack: TerraformStack, **overrides: Any) -> CommerceSyncSettings:
    props: dict[str, Any] = {"connection": CodatConnection(stack, "Codat")}
    props.update(overrides)
    return CommerceSyncSettings(stack, "Sync", CommerceSyncSettingsProps(**props))


@pytest.mark.parametrize("hours", [0, -1, 24 * 31 + 1, 2.5, True])
def test_sync_schedule_out_of_range_is_refused(hours: Any) -> None:
    _expect_error(
        lambda s: _sync(s, sync_schedule_hours=hours),
        "sync_schedule_hours",
        repr(hours),
        "1 to 744",
    )


def test_unknown_and_non_commerce_data_types_are_refused() -> None:
    _expect_error(
        lambda s: _sync(s, data_types=["commerce-orderz"]), "commerce-orderz", "commerce-orders"
    )
    _expect_error(lambda s: _sync(s, data_types=["invoices"]), "'invoices'", "allowed")
    _expect_error(lambda s: _sync(s, data_types=[]), "non-empty")
    _expect_error(lambda s: _sync(s, data_types="commerce-orders"), "non-empty list")
    _expect_error(lambda s: _sync(s, data_types=["commerce-orders", "commerce-orders"]), "twice")


def test_overrides_are_validated() -> None:
    _expect_error(
        lambda s: _sync(s, overrides={"commerce-nope": CommerceDataTypeOverride(sync_order=1)}),
        "commerce-nope",
    )
    _expect_error(
        lambda s: _sync(
            s,
            data_types=["commerce-orders"],
            overrides={"commerce-payments": CommerceDataTypeOverride(sync_order=1)},
        ),
        "not in data_types",
        "commerce-payments",
    )
    _expect_error(
        lambda s: _sync(
            s, overrides={"commerce-orders": CommerceDataTypeOverride(sync_schedule_hours=0)}
        ),
        "overrides['commerce-orders'].sync_schedule_hours",
        "0",
    )


def test_overrides_and_defaults_reach_the_desired_settings(tmp_path: Path) -> None:
    stack = synth_one(
        tmp_path,
        lambda s: _sync(
            s,
            sync_schedule_hours=12,
            data_types=["commerce-orders", "commerce-payments"],
            overrides={
                "commerce-payments": CommerceDataTypeOverride(
                    sync_schedule_hours=1, fetch_on_first_link=False, months_to_sync=6
                )
            },
        ),
    )
    desired = next(iter(stack["locals"].values()))
    assert desired == {
        "commerce-orders": {"fetchOnFirstLink": True, "syncSchedule": 12},
        "commerce-payments": {"fetchOnFirstLink": False, "syncSchedule": 1, "monthsToSync": 6},
    }


@pytest.mark.parametrize("url", ["api.codat.io", "https://api.codat.io/", "ftp://x", ""])
def test_bad_base_url_is_refused(url: str) -> None:
    _expect_error(
        lambda s: CodatConnection(s, "Codat", CodatConnectionProps(base_url=url)), "base_url"
    )


def test_bad_variable_name_is_refused() -> None:
    _expect_error(
        lambda s: CodatConnection(
            s, "Codat", CodatConnectionProps(api_key_variable_name="codat-key")
        ),
        "api_key_variable_name",
        "'codat-key'",
    )


def _env(
    name: str, mode: StripeMode, url: str = "https://api.codat.io", **kw: Any
) -> EnvironmentParameters:
    return EnvironmentParameters(
        name=name, mode=mode, client_id="ca_fake1", codat_base_url=url, **kw
    )


def test_two_owners_of_one_sync_settings_singleton_fail_synth() -> None:
    with pytest.raises(CodatStripeConfigError, match="exactly one stack") as caught:
        build_stacks(
            App(),
            SharedParameters(),
            [
                _env("test", StripeMode.TEST, owns_sync_settings=True),
                _env("live", StripeMode.LIVE, owns_sync_settings=True),
            ],
        )
    assert "'test'" in str(caught.value) and "'live'" in str(caught.value)


def test_two_stacks_for_one_integration_on_one_instance_fail_synth() -> None:
    with pytest.raises(CodatStripeConfigError, match=re.escape("Stripe Test integration (yzth)")):
        build_stacks(
            App(), SharedParameters(), [_env("a", StripeMode.TEST), _env("b", StripeMode.TEST)]
        )


def test_each_codat_instance_gets_its_own_sync_settings_owner(tmp_path: Path) -> None:
    stacks = synth_stacks(
        tmp_path,
        lambda app: build_stacks(
            app,
            SharedParameters(),
            [
                _env("test", StripeMode.TEST, "https://sandbox.codat.example"),
                _env("live", StripeMode.LIVE),
            ],
        ),
    )
    for stack in stacks.values():
        assert any(
            k.startswith("CommerceSync_Settings") for k in resources(stack, "restful_resource")
        )


def test_explicit_owner_wins_over_the_first_environment(tmp_path: Path) -> None:
    stacks = synth_stacks(
        tmp_path,
        lambda app: build_stacks(
            app,
            SharedParameters(),
            [_env("test", StripeMode.TEST), _env("live", StripeMode.LIVE, owns_sync_settings=True)],
        ),
    )
    assert not any(
        k.startswith("CommerceSync") for k in resources(stacks["test"], "restful_resource")
    )
    assert any(k.startswith("CommerceSync") for k in resources(stacks["live"], "restful_resource"))


def test_environment_cannot_use_one_variable_for_both_secrets() -> None:
    with pytest.raises(CodatStripeConfigError, match="different variables"):
        build_stacks(
            App(),
            SharedParameters(),
            [
                _env(
                    "test",
                    StripeMode.TEST,
                    codat_api_key_variable="k",
                    stripe_secret_key_variable="k",
                )
            ],
        )


def test_credentials_revision_changes_the_operation_not_the_request(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    bumped = next(
        iter(
            resources(
                synth_one(tmp_path / "a", lambda s: _integration(s, credentials_revision=3)),
                "restful_operation",
            ).values()
        )
    )
    default = next(
        iter(resources(synth_one(tmp_path / "b", _integration), "restful_operation").values())
    )
    assert bumped["output_attrs"] == [*default["output_attrs"], "credentialsRevision3"]
    assert {k: v for k, v in bumped.items() if k not in ("output_attrs", "//")} == {
        k: v for k, v in default.items() if k not in ("output_attrs", "//")
    }
    _expect_error(lambda s: _integration(s, credentials_revision=-1), "credentials_revision", "-1")
