"""Constructs composed by hand: one owner per Codat singleton and instance, and the JSON.

Codat holds one Stripe integration per mode and one list of sync settings per Codat
instance; the construct tree refuses a second manager however the constructs are arranged
(one stack or several), and refuses two outputs or checks of one name in a stack.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from codat_stripe import (
    App,
    CodatConnection,
    CodatConnectionProps,
    CodatStripeConfigError,
    CommerceSyncSettings,
    CommerceSyncSettingsProps,
    RemovalPolicy,
    StripeIntegration,
    StripeIntegrationProps,
    StripeMode,
    TerraformStack,
    secret_variable,
)
from constructs import Construct
from synth_support import resources, synth_stacks

pytestmark = pytest.mark.synth


def _connection(scope: Construct, instance: str | None = None, **kw: Any) -> CodatConnection:
    props = CodatConnectionProps(**kw) if instance is None else CodatConnectionProps(instance, **kw)
    return CodatConnection(scope, "Codat", props)


def _stripe(
    scope: Construct,
    connection: CodatConnection,
    mode: StripeMode = StripeMode.TEST,
    id: str = "Stripe",
    **kw: Any,
) -> StripeIntegration:
    secret = secret_variable(scope, f"{id}Secret", f"stripe_secret_key_{id.lower()}", "key")
    props = StripeIntegrationProps(
        connection=connection, mode=mode, client_id="ca_t1", secret_key=secret, **kw
    )
    return StripeIntegration(scope, id, props)


def _sync(scope: Construct, connection: CodatConnection, id: str = "Sync") -> CommerceSyncSettings:
    return CommerceSyncSettings(scope, id, CommerceSyncSettingsProps(connection=connection))


def _refused(build: Any, *fragments: str) -> str:
    with pytest.raises(CodatStripeConfigError) as caught:
        build(App())
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


# --- One manager per singleton per instance -------------------------------------------------


def test_two_integrations_of_one_mode_in_one_stack_are_refused() -> None:
    def build(app: App) -> None:
        stack = TerraformStack(app, "one")
        codat = _connection(stack)
        _stripe(stack, codat, id="First")
        _stripe(stack, codat, id="Second")

    _refused(
        build,
        "'one/First'",
        "'one/Second'",
        "Codat's Stripe Test integration (yzth)",
        "Codat instance 'default'",
        "exactly one construct",
    )


@pytest.mark.parametrize(
    ("mode", "what"),
    [
        (StripeMode.TEST, "Stripe Test integration (yzth)"),
        (StripeMode.LIVE, "Stripe integration (exgd)"),
    ],
)
def test_two_stacks_managing_one_integration_on_one_instance_are_refused(
    mode: StripeMode, what: str
) -> None:
    def build(app: App) -> None:
        for name in ("a", "b"):
            stack = TerraformStack(app, name)
            _stripe(stack, _connection(stack, "acme"), mode)

    _refused(build, "'a/Stripe'", "'b/Stripe'", what, "'acme'")


def test_same_url_but_the_default_instance_twice_is_refused() -> None:
    """Ownership is per instance: two connections that do not name one are the same one."""

    def build(app: App) -> None:
        for name, url in (("a", "http://127.0.0.1:1"), ("b", "http://127.0.0.1:2")):
            stack = TerraformStack(app, name)
            _stripe(stack, _connection(stack, base_url=url))

    _refused(build, "'a/Stripe'", "'b/Stripe'", "'default'")


def test_two_sync_settings_on_one_instance_are_refused() -> None:
    def build(app: App) -> None:
        for name in ("a", "b"):
            stack = TerraformStack(app, name)
            _sync(stack, _connection(stack, "acme"))

    _refused(build, "'a/Sync'", "'b/Sync'", "the client's sync settings", "'acme'")


def test_two_sync_settings_in_one_stack_are_refused() -> None:
    def build(app: App) -> None:
        stack = TerraformStack(app, "one")
        codat = _connection(stack)
        _sync(stack, codat, "Sync")
        _sync(stack, codat, "Again")

    _refused(build, "'one/Sync'", "'one/Again'", "sync settings")


def test_one_instance_may_hold_one_integration_per_mode_and_one_sync_settings(
    tmp_path: Path,
) -> None:
    def build(app: App) -> None:
        test = TerraformStack(app, "test")
        _stripe(test, _connection(test, "acme"), StripeMode.TEST)
        _sync(test, test.node.find_child("Codat"))  # type: ignore[arg-type]
        live = TerraformStack(app, "live")
        _stripe(live, _connection(live, "acme"), StripeMode.LIVE)

    stacks = synth_stacks(tmp_path, build)
    assert stacks["test"]["output"]["stripe_platform_key"]["value"] == "yzth"
    assert stacks["live"]["output"]["stripe_platform_key"]["value"] == "exgd"
    assert any(k.startswith("Sync_Settings") for k in resources(stacks["test"], "restful_resource"))


def test_same_url_on_different_instances_each_manage_their_own(tmp_path: Path) -> None:
    """Every Codat client uses api.codat.io: the instance name, not the URL, tells them apart."""

    def build(app: App) -> None:
        for name in ("a", "b"):
            stack = TerraformStack(app, name)
            codat = _connection(stack, f"client-{name}")
            _stripe(stack, codat, StripeMode.TEST)
            _sync(stack, codat)

    stacks = synth_stacks(tmp_path, build)
    for stack in stacks.values():
        assert stack["provider"]["restful"][0]["base_url"] == "https://api.codat.io"
        kinds = resources(stack, "restful_resource")
        assert any(k.startswith("Sync_Settings") for k in kinds)
        assert any(k.startswith("Stripe_Enabled") for k in kinds)


def test_separate_apps_do_not_share_claims() -> None:
    for _ in range(2):
        stack = TerraformStack(App(), "s")
        _stripe(stack, _connection(stack))
        _sync(stack, stack.node.find_child("Codat"))  # type: ignore[arg-type]


# --- Name collisions within one stack -------------------------------------------------------


def test_two_integrations_whose_outputs_collide_in_one_stack_are_refused() -> None:
    """Ids "Stripe" under two parents both become `stripe_platform_key` and friends."""

    def build(app: App) -> None:
        stack = TerraformStack(app, "one")
        connection = _connection(stack, "a")  # one provider per stack
        for parent_id, mode in (("A", StripeMode.TEST), ("B", StripeMode.LIVE)):
            parent = Construct(stack, parent_id)
            _stripe(parent, connection, mode)

    _refused(
        build,
        "'one/A/Stripe'",
        "'one/B/Stripe'",
        "'stripe_credentials_match'",
        "stack 'one'",
        "another construct id",
    )


def test_ids_that_normalize_to_one_name_are_refused() -> None:
    def build(app: App) -> None:
        stack = TerraformStack(app, "one")
        connection = _connection(stack, "a")
        _stripe(stack, connection, StripeMode.TEST, id="Stripe-Live")
        other = Construct(stack, "Other")
        _stripe(other, connection, StripeMode.LIVE, id="stripe_live")

    _refused(build, "'one/Stripe-Live'", "'one/Other/stripe_live'", "stripe_live_")


def test_distinct_ids_in_one_stack_get_distinct_names(tmp_path: Path) -> None:
    def build(app: App) -> None:
        stack = TerraformStack(app, "one")
        connection = _connection(stack, "a")
        for parent_id, mode in (("A", StripeMode.TEST), ("B", StripeMode.LIVE)):
            parent = Construct(stack, parent_id)
            _stripe(parent, connection, mode, id=f"Stripe{parent_id}")

    stack = synth_stacks(tmp_path, build)["one"]
    assert stack["output"]["stripea_platform_key"]["value"] == "yzth"
    assert stack["output"]["stripeb_platform_key"]["value"] == "exgd"
    assert set(stack["check"]) == {"stripea_credentials_match", "stripeb_credentials_match"}


def test_two_connections_in_one_stack_are_refused_at_synth() -> None:
    def build(app: App) -> None:
        stack = TerraformStack(app, "one")
        for parent_id, instance in (("A", "a"), ("B", "b")):
            _connection(
                Construct(stack, parent_id), instance, api_key_variable_name=f"key_{instance}"
            )

    _refused(build, "'one/A/Codat'", "'one/B/Codat'", "provider")


# --- The JSON of one integration: removal policy and credentials healing --------------------


def _integration_json(tmp_path: Path, **kw: Any) -> dict[str, Any]:
    def build(app: App) -> None:
        stack = TerraformStack(app, "s")
        _stripe(stack, _connection(stack), **kw)

    return synth_stacks(tmp_path, build)["s"]


def _one(stack: dict[str, Any], kind: str, prefix: str) -> dict[str, Any]:
    (found,) = [r for k, r in resources(stack, kind).items() if k.startswith(prefix)]
    return found


def _address(stack: dict[str, Any], kind: str, prefix: str) -> str:
    (key,) = [k for k in resources(stack, kind) if k.startswith(prefix)]
    return f"{kind}.{key}"


@pytest.mark.parametrize("policy", [None, RemovalPolicy.RETAIN, "retain"])
def test_retain_never_deletes_and_writes_back_what_codat_holds(tmp_path: Path, policy: Any) -> None:
    stack = _integration_json(tmp_path, **({} if policy is None else {"removal_policy": policy}))
    credentials = _one(stack, "restful_operation", "Stripe_Credentials")
    assert "delete_method" not in credentials
    data_access = _one(stack, "restful_resource", "Stripe_DataAccess")
    assert data_access["delete_method"] == "PATCH"
    assert data_access["delete_body_raw"] == '{"oneTimeSync": "$(body.oneTimeSync)"}'
    assert "delete_body" not in data_access
    enabled = _one(stack, "restful_resource", "Stripe_Enabled")
    assert enabled["delete_method"] == "PUT"
    assert enabled["delete_body_raw"] == '{"enabled": $(body.enabled)}'
    assert "delete_body" not in enabled
    assert "lifecycle" not in enabled


@pytest.mark.parametrize("policy", [RemovalPolicy.DESTROY, "destroy"])
def test_destroy_deletes_and_re_enables_after_a_replacement(tmp_path: Path, policy: Any) -> None:
    stack = _integration_json(tmp_path, removal_policy=policy)
    # A resource, not an operation: its DELETE treats 404 (deleted in the Portal) as done,
    # and every write of the map is a create that carries the write-only secret.
    credentials = _one(stack, "restful_resource", "Stripe_Credentials")
    assert credentials["delete_method"] == "DELETE"
    assert credentials["create_method"] == "PUT"
    assert set(credentials["ephemeral_body"]) == {"secretKey"}
    # Its refresh reads the integration, which always exists (see StripeIntegration).
    assert credentials["read_path"] == "/integrations/yzth"
    assert json.loads(credentials["read_response_template"]) == credentials["body"]
    assert credentials["delete_path"] == credentials["path"] == credentials["update_path"]
    # Any change of the code's values re-creates it (an in-place update would drop the secret).
    marker = _one(stack, "terraform_data", "Stripe_CredentialsInSync")
    assert marker["input"]["code"] == credentials["body"]
    data_access = _one(stack, "restful_resource", "Stripe_DataAccess")
    assert data_access["delete_body"] == {"oneTimeSync": "false"}
    assert "delete_body_raw" not in data_access
    enabled = _one(stack, "restful_resource", "Stripe_Enabled")
    assert enabled["delete_body"] == {"enabled": False}
    assert "delete_body_raw" not in enabled
    credentials_address = _address(stack, "restful_resource", "Stripe_Credentials")
    assert enabled["lifecycle"]["replace_triggered_by"] == [f"{credentials_address}.id"]


@pytest.mark.parametrize("policy", [RemovalPolicy.RETAIN, RemovalPolicy.DESTROY])
def test_credentials_are_re_created_when_credentials_in_sync_changes(
    tmp_path: Path, policy: RemovalPolicy
) -> None:
    stack = _integration_json(tmp_path, removal_policy=policy, use_read_write_scope=True)
    marker_address = _address(stack, "terraform_data", "Stripe_CredentialsInSync")
    kind = "restful_resource" if policy is RemovalPolicy.DESTROY else "restful_operation"
    credentials = _one(stack, kind, "Stripe_Credentials")
    assert credentials["lifecycle"]["replace_triggered_by"] == [marker_address]
    assert credentials["body"] == {"clientId": "ca_t1", "useReadWriteScope": "true"}
    marker = _one(stack, "terraform_data", "Stripe_CredentialsInSync")["input"]["credentials"]
    (observed_key,) = [
        k for k in stack["data"]["restful_resource"] if k.startswith("Stripe_ObservedCredentials")
    ]
    assert f"data.restful_resource.{observed_key}.output != null" in marker
    assert '== "ca_t1"' in marker and '== "true"' in marker
    assert '"in-sync"' in marker and "timestamp()" in marker
    # The marker reads the masked credentials only: no secret anywhere near it.
    assert "var." not in marker


def _paths_mentioning(value: Any, needle: str, path: str = "") -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _paths_mentioning(v, needle, f"{path}/{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _paths_mentioning(v, needle, f"{path}/{i}")]
    return [path] if isinstance(value, str) and needle in value else []


def test_the_secret_flows_only_into_the_write_only_body(tmp_path: Path) -> None:
    stack = _integration_json(tmp_path)
    (credentials_key,) = [
        k for k in resources(stack, "restful_operation") if k.startswith("Stripe_Credentials")
    ]
    assert sorted(_paths_mentioning(stack, "var.stripe_secret_key_stripe")) == [
        f"/resource/restful_operation/{credentials_key}/ephemeral_body/secretKey",
        "/variable/stripe_secret_key_stripe/validation/0/condition",
    ]
