"""Every validation rule: bad input fails at synth time with the value and what is allowed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from codat_stripe import (
    App,
    CodatConnection,
    CodatConnectionProps,
    CodatStripeConfigError,
    CommerceDataTypeOverride,
    CommerceSyncSettings,
    CommerceSyncSettingsProps,
    EnvironmentParameters,
    HcpTerraformState,
    LocalState,
    PostgresState,
    RemovalPolicy,
    S3State,
    SharedParameters,
    StripeIntegration,
    StripeIntegrationProps,
    StripeMode,
    TerraformStack,
    build_stacks,
    secret_variable,
)
from codat_stripe.stripe_facts import PLACEHOLDER_MARKERS
from synth_support import resources, synth_one

pytestmark = pytest.mark.synth

LOOPBACK = "http://127.0.0.1:8080"
FAKE_SECRET = "sk_test_LEAKfake1"
"""Looks like a Stripe secret key: must never appear in an error message."""


def _integration(stack: TerraformStack, **overrides: Any) -> StripeIntegration:
    connection_props = overrides.pop("connection_props", CodatConnectionProps())
    connection = CodatConnection(stack, "Codat", connection_props)
    props: dict[str, Any] = {
        "connection": connection,
        "mode": StripeMode.TEST,
        "client_id": "ca_t1",
        "secret_key": secret_variable(stack, "Secret", "stripe_secret_key", "Stripe key"),
    }
    props.update(overrides)
    return StripeIntegration(stack, "Stripe", StripeIntegrationProps(**props))


def _kw(prop: str, value: Any) -> dict[str, Any]:
    return {prop: value}


def _expect_error(build: Any, *fragments: str) -> str:
    app = App()
    stack = TerraformStack(app, "s")
    with pytest.raises(CodatStripeConfigError) as caught:
        build(stack)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


# --- StripeIntegration: client_id -----------------------------------------------------------


@pytest.mark.parametrize(
    "client_id", ["ca_", "CA_t1", "ca_t-1", "ca_t 1", " ca_t1", "ca_t1 ", "ca_t\n1", "x"]
)
def test_client_id_must_be_ca_and_alphanumerics(client_id: str) -> None:
    _expect_error(
        lambda s: _integration(s, client_id=client_id),
        "client_id",
        "'ca_' followed by letters and digits",
        f"got {client_id!r}",
    )


@pytest.mark.parametrize("client_id", ["", "   ", None, 7])
def test_client_id_must_be_a_non_empty_string(client_id: Any) -> None:
    _expect_error(
        lambda s: _integration(s, client_id=client_id),
        "client_id",
        "non-empty string",
        f"got {client_id!r}",
    )


def test_client_id_with_a_trailing_newline_is_refused() -> None:
    _expect_error(lambda s: _integration(s, client_id="ca_t1\n"), "client_id", "'ca_t1\\n'")


def test_secret_pasted_into_client_id_is_refused_without_echoing_it() -> None:
    message = _expect_error(lambda s: _integration(s, client_id=FAKE_SECRET), "client_id", "'ca_'")
    assert "LEAKfake1" not in message


@pytest.mark.parametrize("marker", PLACEHOLDER_MARKERS)
def test_placeholder_client_id_is_refused_on_real_codat(marker: str) -> None:
    client_id = f"ca_A{marker.capitalize()}9"
    message = _expect_error(
        lambda s: _integration(s, client_id=client_id),
        "client_id",
        repr(client_id),
        "placeholder",
        "https://api.codat.io",
        "Stripe Dashboard > Settings > Connect",
    )
    assert "'default'" in message


@pytest.mark.parametrize("url", [LOOPBACK, "http://localhost:9", "http://[::1]:9"])
def test_placeholder_client_id_is_accepted_on_a_loopback_emulator(tmp_path: Path, url: str) -> None:
    stack = synth_one(
        tmp_path,
        lambda s: _integration(
            s,
            client_id="ca_YourLiveClientId",
            connection_props=CodatConnectionProps(base_url=url),
        ),
    )
    (credentials,) = resources(stack, "restful_operation").values()
    assert credentials["body"]["clientId"] == "ca_YourLiveClientId"


def test_real_looking_client_id_is_accepted_on_real_codat(tmp_path: Path) -> None:
    stack = synth_one(tmp_path, lambda s: _integration(s, client_id="ca_Q8r2Lm"))
    (credentials,) = resources(stack, "restful_operation").values()
    assert credentials["body"]["clientId"] == "ca_Q8r2Lm"


def test_unresolved_client_id_is_not_checked_at_synth(tmp_path: Path) -> None:
    from codat_stripe._cdk import TerraformVariable

    def build(s: TerraformStack) -> None:
        client_id = TerraformVariable(s, "client_id", type="string")
        _integration(s, client_id=client_id.string_value)

    (credentials,) = resources(synth_one(tmp_path, build), "restful_operation").values()
    assert credentials["body"]["clientId"] == "${var.client_id}"


# --- StripeIntegration: secret_key ----------------------------------------------------------


@pytest.mark.parametrize("literal", ["sk_test_fakeLEAK99", "rk_live_fakeLEAK98", "sk_LEAK97"])
def test_literal_stripe_secret_is_refused_without_echoing_it(literal: str) -> None:
    message = _expect_error(
        lambda s: _integration(s, secret_key=literal),
        "secret_key",
        "codat_stripe.secret_variable",
        "TF_VAR_",
    )
    assert "LEAK" not in message


def test_any_literal_secret_is_refused() -> None:
    _expect_error(
        lambda s: _integration(s, secret_key="hunter2"),
        "secret_key",
        "secret_variable",
        "'hunter2'",
    )
    _expect_error(lambda s: _integration(s, secret_key=None), "secret_key", "None")


def test_plain_terraform_variable_is_refused_even_if_sensitive() -> None:
    from codat_stripe._cdk import TerraformVariable

    def build(s: TerraformStack) -> None:
        plain = TerraformVariable(s, "plain", type="string", sensitive=True)
        plain.add_override("ephemeral", True)  # made by hand, not by secret_variable
        _integration(s, secret_key=plain)

    _expect_error(build, "secret_key", "secret_variable", "not ephemeral")


@pytest.mark.parametrize(
    ("mode", "prefixes", "absent"),
    [("live", ("sk_live_", "rk_live_"), "_test_"), ("test", ("sk_test_", "rk_test_"), "_live_")],
)
def test_secret_variable_is_ephemeral_with_a_plan_time_prefix_check(
    tmp_path: Path, mode: str, prefixes: tuple[str, ...], absent: str
) -> None:
    stack = synth_one(tmp_path, lambda s: _integration(s, mode=mode))
    variable = stack["variable"]["stripe_secret_key"]
    assert variable["ephemeral"] is True
    assert variable["sensitive"] is True
    (validation,) = variable["validation"]
    for prefix in prefixes:
        assert f'startswith(var.stripe_secret_key, "{prefix}")' in validation["condition"]
    assert absent not in validation["condition"]
    (credentials,) = resources(stack, "restful_operation").values()
    assert credentials["ephemeral_body"] == {"secretKey": "${var.stripe_secret_key}"}
    assert "secretKey" not in credentials["body"]


# --- StripeIntegration: enumerations and flags ----------------------------------------------


@pytest.mark.parametrize(
    ("prop", "value", "allowed"),
    [
        ("mode", "sandbox", ("'test'", "'live'")),
        ("mode", None, ("'test'", "'live'")),
        ("data_access", "weekly", ("'one-off'", "'continuous'")),
        ("removal_policy", "delete", ("'retain'", "'destroy'")),
        ("use_read_write_scope", "true", ("True or False",)),
        ("enabled", 1, ("True or False",)),
        ("adopt_existing", "no", ("True or False",)),
    ],
)
def test_enumerated_props_name_the_bad_value_and_the_choices(
    prop: str, value: Any, allowed: tuple[str, ...]
) -> None:
    _expect_error(lambda s: _integration(s, **{prop: value}), prop, repr(value), *allowed)


def test_enum_props_accept_their_string_values(tmp_path: Path) -> None:
    stack = synth_one(
        tmp_path,
        lambda s: _integration(s, mode="live", data_access="one-off", removal_policy="destroy"),
    )
    assert stack["output"]["stripe_platform_key"]["value"] == "exgd"
    # DESTROY's credentials are a resource whose DELETE treats 404 as done.
    (credentials,) = [
        r for k, r in resources(stack, "restful_resource").items() if "_Credentials_" in k
    ]
    assert credentials["delete_method"] == "DELETE"


def test_connection_must_be_a_codat_connection() -> None:
    _expect_error(
        lambda s: _integration(s, connection="https://api.codat.io"),
        "connection",
        "CodatConnection",
        "'https://api.codat.io'",
    )


@pytest.mark.parametrize("revision", [-1, 1_000_001, True, "1"])
def test_credentials_revision_out_of_range_is_refused(revision: Any) -> None:
    _expect_error(
        lambda s: _integration(s, credentials_revision=revision),
        "credentials_revision",
        repr(revision),
        "0 to 1000000",
    )


def test_credentials_revision_changes_the_operation_not_the_request(tmp_path: Path) -> None:
    """RETAIN (default): the revision is an operation attribute that never reaches Codat."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (bumped,) = resources(
        synth_one(tmp_path / "a", lambda s: _integration(s, credentials_revision=3)),
        "restful_operation",
    ).values()
    (default,) = resources(synth_one(tmp_path / "b", _integration), "restful_operation").values()
    assert bumped["output_attrs"] == [*default["output_attrs"], "credentialsRevision3"]
    assert {k: v for k, v in bumped.items() if k not in ("output_attrs", "//")} == {
        k: v for k, v in default.items() if k not in ("output_attrs", "//")
    }


def test_credentials_revision_under_destroy_re_creates_the_credentials(tmp_path: Path) -> None:
    """DESTROY: the revision is part of CredentialsInSync, which re-creates the credentials."""

    def markers(revision: int) -> tuple[dict[str, Any], dict[str, Any]]:
        stack = synth_one(
            tmp_path / str(revision),
            lambda s: _integration(s, credentials_revision=revision, removal_policy="destroy"),
        )
        (marker,) = resources(stack, "terraform_data").values()
        (credentials,) = [
            r for k, r in resources(stack, "restful_resource").items() if "_Credentials_" in k
        ]
        return marker["input"], credentials

    (tmp_path / "0").mkdir()
    (tmp_path / "3").mkdir()
    default_input, default_credentials = markers(0)
    bumped_input, bumped_credentials = markers(3)
    assert "revision" not in default_input
    assert bumped_input == {**default_input, "revision": 3}
    # Nothing about the request itself changes.
    assert {k: v for k, v in bumped_credentials.items() if k != "//"} == {
        k: v for k, v in default_credentials.items() if k != "//"
    }


# --- CodatConnection ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "api.codat.io",
        "https://api.codat.io/",
        "https://api.codat.io/v1/",
        "ftp://x",
        "http://api.codat.io",
        "http://127.0.0.1.example.com",
        "http://localhost.example.com:9",
        "https://api.codat.io?x=1",
        "https://api.codat.io?",
        "https://api.codat.io#frag",
        "https://api.codat.io#",
        " https://api.codat.io",
        "https://api.codat.io ",
        "https://api.codat.io\t",
        "https://api.co dat.io",
        "https://user:pw@api.codat.io",
        "https://user@api.codat.io",
        "https://@api.codat.io",
        "https://api.codat.io:0",
        "https://api.codat.io:99999",
        "https://",
    ],
)
def test_bad_base_url_is_refused(url: str) -> None:
    _expect_error(
        lambda s: CodatConnection(s, "Codat", CodatConnectionProps(base_url=url)),
        "base_url must be an https URL",
        "http is allowed only on loopback",
        f"got {url!r}",
    )


def test_empty_base_url_is_refused() -> None:
    _expect_error(
        lambda s: CodatConnection(s, "Codat", CodatConnectionProps(base_url="")),
        "base_url",
        "non-empty string",
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://api.codat.io",
        "https://api.codat.io/v1",
        "https://codat.example:8443",
        LOOPBACK,
        "http://localhost:1",
        "http://[::1]:8080",
        "http://127.0.0.2:9",
    ],
)
def test_good_base_url_reaches_the_provider(tmp_path: Path, url: str) -> None:
    stack = synth_one(
        tmp_path, lambda s: CodatConnection(s, "C", CodatConnectionProps(base_url=url))
    )
    assert stack["provider"]["restful"][0]["base_url"] == url


def test_secret_pasted_into_base_url_is_not_echoed() -> None:
    for url in (FAKE_SECRET, f"https://{FAKE_SECRET}@api.codat.io", f"http://x/{FAKE_SECRET}"):
        message = _expect_error(
            lambda s, u=url: CodatConnection(s, "C", CodatConnectionProps(base_url=u)),
            "base_url",
        )
        assert "LEAKfake1" not in message


@pytest.mark.parametrize("name", ["codat-key", "1key", "", "key name"])
def test_bad_api_key_variable_name_is_refused(name: str) -> None:
    message = _expect_error(
        lambda s: CodatConnection(s, "Codat", CodatConnectionProps(api_key_variable_name=name)),
        "api_key_variable_name",
    )
    assert repr(name) in message or "non-empty" in message
    if name:
        assert "Terraform identifier" in message


@pytest.mark.parametrize("name", ["Acme", "1acme", "acme_prod", "acme prod", "-acme", "a" * 64])
def test_bad_instance_name_is_refused(name: str) -> None:
    _expect_error(
        lambda s: CodatConnection(s, "Codat", CodatConnectionProps(instance_name=name)),
        "instance_name",
        repr(name),
        "lowercase letters, digits and '-'",
    )


@pytest.mark.parametrize("prop", ["instance_name", "api_key_variable_name"])
def test_names_with_a_trailing_newline_are_refused(prop: str) -> None:
    _expect_error(
        lambda s: CodatConnection(s, "Codat", CodatConnectionProps(**_kw(prop, "acme\n"))), prop
    )


@pytest.mark.parametrize("count", [-1, 21, 2.0, True])
def test_retry_count_out_of_range_is_refused(count: Any) -> None:
    _expect_error(
        lambda s: CodatConnection(s, "Codat", CodatConnectionProps(retry_count=count)),
        "retry_count",
        repr(count),
        "0 to 20",
    )


# --- CommerceSyncSettings -------------------------------------------------------------------


def _sync(stack: TerraformStack, **overrides: Any) -> CommerceSyncSettings:
    props: dict[str, Any] = {"connection": CodatConnection(stack, "Codat")}
    props.update(overrides)
    return CommerceSyncSettings(stack, "Sync", CommerceSyncSettingsProps(**props))


def _override(**kw: Any) -> dict[str, CommerceDataTypeOverride]:
    return {"commerce-orders": CommerceDataTypeOverride(**kw)}


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
    _expect_error(lambda s: _sync(s, data_types=[]), "data_types", "non-empty")
    _expect_error(lambda s: _sync(s, data_types="commerce-orders"), "non-empty list")
    _expect_error(
        lambda s: _sync(s, data_types=["commerce-orders", "commerce-orders"]),
        "data_types",
        "twice",
    )


def test_overrides_are_validated() -> None:
    _expect_error(
        lambda s: _sync(s, overrides={"commerce-nope": CommerceDataTypeOverride(sync_order=1)}),
        "overrides",
        "commerce-nope",
        "allowed",
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
        lambda s: _sync(s, overrides=_override(sync_schedule_hours=0)),
        "overrides['commerce-orders'].sync_schedule_hours",
        "1 to 744",
        "got 0",
    )
    _expect_error(
        lambda s: _sync(s, overrides=_override(sync_order=1001)),
        "overrides['commerce-orders'].sync_order",
        "0 to 1000",
        "1001",
    )
    _expect_error(
        lambda s: _sync(s, overrides=_override(fetch_on_first_link="yes")),
        "overrides['commerce-orders'].fetch_on_first_link",
        "True or False",
        "'yes'",
    )


def test_months_to_sync_is_refused_for_commerce_types() -> None:
    _expect_error(
        lambda s: _sync(s, overrides=_override(months_to_sync=6)),
        "overrides['commerce-orders'].months_to_sync",
        "report data types only",
        "sync_from_window_months",
        "sync_from_utc",
    )


@pytest.mark.parametrize("months", [0, 241, -3, True, 1.5])
def test_sync_from_window_out_of_range_is_refused(months: Any) -> None:
    _expect_error(
        lambda s: _sync(s, overrides=_override(sync_from_window_months=months)),
        "overrides['commerce-orders'].sync_from_window_months",
        "1 to 240",
        repr(months),
    )


@pytest.mark.parametrize(
    "when",
    ["2024-01-01", "2024-01-01T00:00:00", "2024-01-01T00:00:00+00:00", "2024-01-01 00:00:00Z", ""],
)
def test_sync_from_utc_must_be_a_utc_date_time(when: str) -> None:
    _expect_error(
        lambda s: _sync(s, overrides=_override(sync_from_utc=when)),
        "overrides['commerce-orders'].sync_from_utc",
        "'2024-01-01T00:00:00Z'",
        f"got {when!r}",
    )


def test_sync_from_window_and_sync_from_utc_together_are_refused() -> None:
    _expect_error(
        lambda s: _sync(
            s, overrides=_override(sync_from_window_months=6, sync_from_utc="2024-01-01T00:00:00Z")
        ),
        "overrides['commerce-orders']",
        "both sync_from_window_months and sync_from_utc",
    )


def test_overrides_and_defaults_reach_the_desired_settings(tmp_path: Path) -> None:
    stack = synth_one(
        tmp_path,
        lambda s: _sync(
            s,
            sync_schedule_hours=12,
            data_types=["commerce-orders", "commerce-payments", "commerce-customers"],
            overrides={
                "commerce-payments": CommerceDataTypeOverride(
                    sync_schedule_hours=1, fetch_on_first_link=False, sync_from_window_months=6
                ),
                "commerce-customers": CommerceDataTypeOverride(
                    sync_order=3, sync_from_utc="2024-01-01T00:00:00Z"
                ),
            },
        ),
    )
    (desired,) = stack["locals"].values()
    assert desired == {
        "commerce-orders": {"fetchOnFirstLink": True, "syncSchedule": 12},
        "commerce-payments": {"fetchOnFirstLink": False, "syncSchedule": 1, "syncFromWindow": 6},
        "commerce-customers": {
            "fetchOnFirstLink": True,
            "syncSchedule": 12,
            "syncOrder": 3,
            "syncFromUtc": "2024-01-01T00:00:00Z",
        },
    }


def test_sync_settings_are_sent_as_overrides_of_codat_defaults(tmp_path: Path) -> None:
    from codat_api import assumptions

    settings = resources(synth_one(tmp_path, _sync), "restful_resource")
    (body,) = [r["body"] for k, r in settings.items() if k.startswith("Sync_Settings")]
    assert assumptions.SYNC_SETTINGS_OVERRIDES_DEFAULTS_WHEN_MANAGED is True
    assert body["overridesDefaults"] is True


# --- EnvironmentParameters and build_stacks -------------------------------------------------


def _env(
    name: str, mode: StripeMode | str, /, instance: str = "acme", **kw: Any
) -> EnvironmentParameters:
    client_id = "ca_t1" if mode in (StripeMode.TEST, "test") else "ca_l1"
    params: dict[str, Any] = {
        "name": name,
        "mode": mode,
        "client_id": client_id,
        "codat_instance": instance,
    }
    params.update(kw)
    return EnvironmentParameters(**params)


def _build_error(environments: list[EnvironmentParameters], *fragments: str) -> str:
    with pytest.raises(CodatStripeConfigError) as caught:
        build_stacks(App(), SharedParameters(), environments)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def test_environment_parameters_are_keyword_only_and_need_an_instance() -> None:
    with pytest.raises(TypeError):
        EnvironmentParameters("test", "test", "ca_t1", "acme")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="codat_instance"):
        EnvironmentParameters(name="test", mode="test", client_id="ca_t1")  # type: ignore[call-arg]


@pytest.mark.parametrize("mode", [None, "sandbox", "Test", "", 1])
def test_environment_mode_must_be_test_or_live(mode: Any) -> None:
    _build_error([_env("test", StripeMode.TEST, mode=mode)], "mode", repr(mode), "'test'", "'live'")


@pytest.mark.parametrize("instance", ["", "Acme", "acme_1", "1acme", None])
def test_environment_codat_instance_must_be_a_name(instance: Any) -> None:
    message = _build_error(
        [_env("test", "test", instance=instance)], "environment 'test'", "codat_instance"
    )
    assert repr(instance) in message


def test_empty_environment_list_is_refused() -> None:
    _build_error([], "at least one environment", "empty list")


def test_non_environment_entries_are_refused() -> None:
    _build_error(
        [{"name": "test"}],  # type: ignore[list-item]
        "EnvironmentParameters",
        "{'name': 'test'}",
    )


@pytest.mark.parametrize("name", ["", "1test", "te st", "test/live", "-x", "t" * 64])
def test_invalid_stack_name_is_refused(name: str) -> None:
    message = _build_error([_env(name, "test")], "name")
    assert repr(name) in message
    if name:
        assert "letters, digits, '_' and '-'" in message


def test_repeated_stack_names_are_refused() -> None:
    _build_error(
        [_env("test", "test", instance="a"), _env("test", "test", instance="b")],
        "environment names must be unique",
        "['test', 'test']",
    )


@pytest.mark.parametrize(
    ("first", "second", "location"),
    [
        (LocalState("state/x.tfstate"), LocalState("state/x.tfstate"), "local:state/x.tfstate"),
        (LocalState("terraform.b.tfstate"), None, "local:terraform.b.tfstate"),
        (S3State("bkt", "k", "eu-west-1"), S3State("bkt", "k", "us-east-1"), "s3://bkt/k"),
        (PostgresState("cs"), PostgresState("cs"), "pg:cs"),
        (HcpTerraformState("org", "ws"), HcpTerraformState("org", "ws"), "hcp:org/ws"),
    ],
)
def test_two_environments_with_one_state_location_are_refused(
    first: Any, second: Any, location: str
) -> None:
    _build_error(
        [
            _env("a", "test", instance="a", state=first),
            _env("b", "live", instance="b", state=second),
        ],
        "state in different places",
        "['a', 'b']",
        location,
    )


def test_different_state_locations_are_accepted(tmp_path: Path) -> None:
    from synth_support import synth_stacks

    stacks = synth_stacks(
        tmp_path,
        lambda app: build_stacks(
            app,
            SharedParameters(),
            [
                _env(
                    "a",
                    "test",
                    instance="a",
                    state=S3State("bkt", "a", "eu-west-1", use_lockfile=False),
                ),
                _env(
                    "b",
                    "live",
                    instance="b",
                    state=S3State("bkt", "b", "eu-west-1", use_lockfile=False),
                ),
            ],
        ),
    )
    assert stacks["a"]["terraform"]["backend"]["s3"]["key"] == "a"
    assert stacks["b"]["terraform"]["backend"]["s3"]["key"] == "b"


def test_one_client_id_in_test_and_live_is_refused() -> None:
    _build_error(
        [
            _env("test", "test", instance="a", client_id="ca_same1"),
            _env("live", "live", instance="b", client_id="ca_same1"),
        ],
        "'test' (test)",
        "'live' (live)",
        "same Stripe client ID",
        "different client IDs",
    )


def test_one_instance_at_two_base_urls_is_refused() -> None:
    _build_error(
        [
            _env("test", "test", codat_base_url="https://api.codat.io"),
            _env("live", "live", codat_base_url="https://eu.codat.example"),
        ],
        "['test', 'live']",
        "'acme'",
        "different base URLs",
        "https://api.codat.io",
        "https://eu.codat.example",
    )


def test_two_explicit_sync_owners_on_one_instance_are_refused() -> None:
    _build_error(
        [
            _env("test", StripeMode.TEST, owns_sync_settings=True),
            _env("live", StripeMode.LIVE, owns_sync_settings=True),
        ],
        "['test', 'live']",
        "owns_sync_settings",
        "'acme'",
        "exactly one stack",
    )


def test_an_instance_nobody_owns_the_sync_settings_of_is_refused() -> None:
    _build_error(
        [
            _env("test", "test", owns_sync_settings=False),
            _env("live", "live", owns_sync_settings=False),
            _env("other", "test", instance="other", client_id="ca_o1"),
        ],
        "no environment manages the sync settings",
        "'acme'",
        "['test', 'live']",
        "owns_sync_settings=False",
    )


def test_two_environments_of_one_mode_on_one_instance_are_refused() -> None:
    message = _build_error(
        [_env("a", "test"), _env("b", "test", owns_sync_settings=False)],
        "Stripe Test integration (yzth)",
        "'acme'",
    )
    assert "'a/Stripe'" in message and "'b/Stripe'" in message


def test_environment_cannot_use_one_variable_for_both_secrets() -> None:
    _build_error(
        [_env("test", "test", codat_api_key_variable="k", stripe_secret_key_variable="k")],
        "different variables",
        "'k'",
    )


@pytest.mark.parametrize(
    ("field", "value", "prop", "allowed"),
    [
        ("removal_policy", "keep", "removal_policy", "'retain'"),
        ("retry_count", 99, "retry_count", "0 to 20"),
        ("adopt_existing", "yes", "adopt_existing", "True or False"),
        ("credentials_revision", -2, "credentials_revision", "0 to 1000000"),
        ("codat_api_key_variable", "codat-key", "codat_api_key_variable", "Terraform identifier"),
        ("stripe_secret_key_variable", "9s", "stripe_secret_key_variable", "Terraform identifier"),
        ("codat_base_url", "http://api.codat.io", "base_url", "loopback"),
    ],
)
def test_environment_fields_are_validated(field: str, value: Any, prop: str, allowed: str) -> None:
    _build_error([_env("test", "test", **{field: value})], prop, repr(value), allowed)


def test_removal_policy_enum_and_retry_count_reach_the_stack(tmp_path: Path) -> None:
    from synth_support import synth_stacks

    stacks = synth_stacks(
        tmp_path,
        lambda app: build_stacks(
            app,
            SharedParameters(),
            [
                _env("test", "test", removal_policy=RemovalPolicy.DESTROY, retry_count=2),
                _env("live", "live", instance="b", retry_count=0),
            ],
        ),
    )
    (credentials,) = [
        r for k, r in resources(stacks["test"], "restful_resource").items() if "_Credentials_" in k
    ]
    assert credentials["delete_method"] == "DELETE"
    assert stacks["test"]["provider"]["restful"][0]["client"]["retry"]["count"] == 2
    (retained,) = resources(stacks["live"], "restful_operation").values()
    assert "delete_method" not in retained
    assert "client" not in stacks["live"]["provider"]["restful"][0]  # no retries at all


# --- No secret in any error message ---------------------------------------------------------


def _leaks(shared: SharedParameters, environments: list[Any]) -> str:
    with pytest.raises(CodatStripeConfigError) as caught:
        build_stacks(App(), shared, environments)
    return str(caught.value)


_Inputs = Callable[[], tuple[SharedParameters, list[Any]]]

_SECRET_ENTRY_POINTS_SHOWN_SAFELY: dict[str, _Inputs] = {
    "client_id": lambda: (SharedParameters(), [_env("test", "test", client_id=FAKE_SECRET)]),
    "codat_instance": lambda: (SharedParameters(), [_env("test", "test", instance=FAKE_SECRET)]),
    "base_url": lambda: (SharedParameters(), [_env("test", "test", codat_base_url=FAKE_SECRET)]),
    "mode": lambda: (SharedParameters(), [_env("test", "test", mode=FAKE_SECRET)]),
    "removal_policy": lambda: (
        SharedParameters(),
        [_env("test", "test", removal_policy=FAKE_SECRET)],
    ),
}

_SECRET_ENTRY_POINTS_ECHOED: dict[str, _Inputs] = {
    "base_url on a shared instance": lambda: (
        SharedParameters(),
        [_env("test", "test"), _env("live", "live", codat_base_url=f"https://{FAKE_SECRET}.x")],
    ),
    "commerce_data_types": lambda: (
        SharedParameters(commerce_data_types=[FAKE_SECRET]),
        [_env("t", "test")],
    ),
    "commerce_data_types as a string": lambda: (
        SharedParameters(commerce_data_types=FAKE_SECRET),
        [_env("t", "test")],
    ),
    "commerce_overrides key": lambda: (
        SharedParameters(commerce_overrides={FAKE_SECRET: CommerceDataTypeOverride()}),
        [_env("t", "test")],
    ),
    "sync_from_utc": lambda: (
        SharedParameters(commerce_overrides=_override(sync_from_utc=FAKE_SECRET)),
        [_env("t", "test")],
    ),
    "state path": lambda: (
        SharedParameters(),
        [
            _env("a", "test", instance="a", state=LocalState(FAKE_SECRET)),
            _env("b", "live", instance="b", state=LocalState(FAKE_SECRET)),
        ],
    ),
    "environment entry": lambda: (SharedParameters(), [FAKE_SECRET]),
}


@pytest.mark.parametrize("entry", sorted(_SECRET_ENTRY_POINTS_SHOWN_SAFELY))
def test_secret_pasted_anywhere_is_not_echoed(entry: str) -> None:
    message = _leaks(*_SECRET_ENTRY_POINTS_SHOWN_SAFELY[entry]())
    assert "leakfake1" not in message.lower()
    assert "not shown" in message


@pytest.mark.parametrize("entry", sorted(_SECRET_ENTRY_POINTS_ECHOED))
def test_secret_pasted_into_other_fields_is_not_echoed(entry: str) -> None:
    message = _leaks(*_SECRET_ENTRY_POINTS_ECHOED[entry]())
    assert "leakfake1" not in message.lower()


def test_choices_are_listed_as_plain_values() -> None:
    _expect_error(lambda s: _integration(s, mode="sandbox"), "must be one of 'test', 'live'")
