"""StripeIntegration: Codat's Stripe or Stripe Test integration, set up end to end."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import Enum, StrEnum

from codat_api import assumptions, endpoints
from codat_api import construct_ids as ids
from codat_api.platforms import STRIPE_REDIRECT_URI
from codat_stripe._cdk import TerraformOutput, TerraformVariable, Token
from codat_stripe.connection import CodatConnection
from codat_stripe.import_blocks import import_existing
from codat_stripe.ownership import claim_name, claim_singleton
from codat_stripe.removal_policy import DEFAULT_REMOVAL_POLICY, RemovalPolicy
from codat_stripe.restful import RestfulDataSource, RestfulOperation, RestfulResource, import_id
from codat_stripe.stripe_facts import (
    CLIENT_ID_PATTERN,
    SECRET_KEY_PREFIXES,
    StripeMode,
    dashboard_checklist,
    looks_like_placeholder,
)
from codat_stripe.tree_lookups import logical_id, note_scope, path_of, stack_of
from codat_stripe.validation import (
    CodatStripeConfigError,
    is_unresolved,
    require_bool,
    require_choice,
    require_int_range,
    require_str,
    shown,
)
from codat_stripe.variables import is_secret_variable
from constructs import Construct


class DataAccess(StrEnum):
    """The Portal's "Access to company data": one-off sync at authorization, or continuous."""

    ONE_OFF = "one-off"
    CONTINUOUS = "continuous"

    @property
    def one_time_sync(self) -> str:
        """The `oneTimeSync` value Codat stores for this choice."""
        if self is DataAccess.ONE_OFF:
            return assumptions.ONE_TIME_SYNC_ONE_OFF
        return assumptions.ONE_TIME_SYNC_CONTINUOUS


@dataclass(frozen=True)
class StripeIntegrationProps:
    """Props of `StripeIntegration`.

    Attributes:
        connection: The Codat instance to configure.
        mode: `StripeMode.TEST` (Codat's Stripe Test, `yzth`) or `StripeMode.LIVE` (Stripe,
            `exgd`); the strings "test" and "live" are accepted too.
        client_id: Stripe Connect client ID (`ca_` and letters and digits) of the same mode.
            A placeholder (e.g. `ca_YourLiveClientId`) is refused unless the connection is a
            loopback emulator.
        secret_key: The Stripe secret key: a variable made by `codat_stripe.secret_variable`
            (sensitive and ephemeral, so its value never reaches plan files or state). Its
            value is checked against the mode at plan time. Anything else is refused.
        use_read_write_scope: Ask Stripe for `read_write` instead of `read_only`.
            Default: False (read-only).
        data_access: One-off sync when a company authorizes, or continuous sync.
            Default: continuous.
        enabled: Whether the integration is enabled for new connections. Default: True.
        credentials_revision: Bump it to write the credentials again unchanged (a manual
            lever; credentials changed outside the code are restored by the next deploy
            anyway). Default: 0.
        adopt_existing: Import the enabled toggle and the data-access setting on the first
            deploy instead of overwriting them blindly (both always exist in Codat), so a
            hand-made set-up comes under management and only what differs is written.
            Default: True.
        removal_policy: What destroy does: `RemovalPolicy.RETAIN` leaves Codat exactly as
            it is; `RemovalPolicy.DESTROY` disables the integration, deletes the credentials
            and resets the data-access setting. Default: RETAIN.

    """

    connection: CodatConnection
    mode: StripeMode | str
    client_id: str
    secret_key: TerraformVariable
    use_read_write_scope: bool = False
    data_access: DataAccess | str = DataAccess.CONTINUOUS
    enabled: bool = True
    credentials_revision: int = 0
    adopt_existing: bool = True
    removal_policy: RemovalPolicy | str = DEFAULT_REMOVAL_POLICY


class StripeIntegration(Construct):
    """Codat's Stripe (live) or Stripe Test integration: credentials, scope, sync mode, enabled.

    Writes happen in the order Codat needs: credentials (client ID, secret, scope), then the
    access-to-company-data setting, then the enabled toggle.

    The credentials endpoint replaces the whole map on PUT, so the credentials are a
    `restful_operation` that sends the secret (write-only, never in plan or state) with
    EVERY write: changing only the client ID or the scope keeps the secret stored. A new
    secret value (rotation) is detected by the provider from a hash and shows in the plan
    as an update of `Credentials` whose output is "(known after apply)", never the value.

    Credentials changed outside the code heal on the next deploy: `ObservedCredentials`
    reads the masked credentials at plan time; when the client ID or the scope differ from
    the code, or the credentials are gone, `CredentialsInSync` plans a change that
    re-creates `Credentials` (see `_in_sync_marker`), and the next plan is empty again.

    Destroy follows `removal_policy` (see `RemovalPolicy`).

    Construct ids (public contract): `Integration`, `ObservedCredentials` and
    `StoredCredentials` (data sources), `Credentials`, `DataAccess`, `Enabled`, and the
    outputs `PlatformKey`, `RedirectUri`, `DashboardChecklist`; plus the stack-level
    `terraform_data.<path>_CredentialsInSync` (e.g. `Stripe_CredentialsInSync`).
    """

    def __init__(self, scope: Construct, id: str, props: StripeIntegrationProps) -> None:
        """Validate the props eagerly, then declare the resources."""
        super().__init__(scope, id)
        note_scope(self, scope, id)
        owner = f"StripeIntegration '{id}'"
        mode = StripeMode(require_choice(owner, "mode", _enum_value(props.mode), list(StripeMode)))
        data_access = DataAccess(
            require_choice(owner, "data_access", _enum_value(props.data_access), list(DataAccess))
        )
        policy = RemovalPolicy(
            require_choice(
                owner, "removal_policy", _enum_value(props.removal_policy), list(RemovalPolicy)
            )
        )
        use_read_write_scope = require_bool(
            owner, "use_read_write_scope", props.use_read_write_scope
        )
        enabled = require_bool(owner, "enabled", props.enabled)
        adopt_existing = require_bool(owner, "adopt_existing", props.adopt_existing)
        revision = require_int_range(
            owner, "credentials_revision", props.credentials_revision, 0, 1_000_000
        )
        connection = props.connection
        if not isinstance(connection, CodatConnection):
            raise CodatStripeConfigError(
                f"{owner}: connection must be a CodatConnection, got {shown(connection)}"
            )
        client_id = _validate_client_id(owner, props.client_id, connection)
        secret_key = _validate_secret_key(owner, mode, props.secret_key)
        claim_singleton(
            self,
            connection.instance_name,
            f"integration:{mode.platform_key}",
            f"Codat's {mode.integration_name} integration ({mode.platform_key})",
        )

        self.mode = mode
        self.platform_key = mode.platform_key
        self.connection = connection
        self.removal_policy = policy
        api = connection.provider
        destroy = policy is RemovalPolicy.DESTROY

        self.integration = RestfulDataSource(
            self,
            "Integration",
            provider=api,
            path=endpoints.integration(self.platform_key),
            output_attrs=["integrationId", "key"],
        )
        credentials_path = endpoints.integration_credentials(self.platform_key)
        self.observed_credentials = RestfulDataSource(
            self,
            ids.OBSERVED_CREDENTIALS,
            provider=api,
            path=credentials_path,
            allow_not_exist=True,
            output_attrs=[
                assumptions.CREDENTIAL_CLIENT_ID,
                assumptions.CREDENTIAL_USE_READ_WRITE_SCOPE,
            ],
        )
        scope_value = (
            assumptions.READ_WRITE_SCOPE_TRUE
            if use_read_write_scope
            else assumptions.DEFAULT_USE_READ_WRITE_SCOPE
        )
        credentials_body = {
            assumptions.CREDENTIAL_CLIENT_ID: client_id,
            assumptions.CREDENTIAL_USE_READ_WRITE_SCOPE: scope_value,
        }
        # The plan-time read holds the code's credentials: known at plan time
        # (ObservedCredentials waits for nothing), it drives both the healing marker and the
        # check's read-back, so the read-back happens exactly when a write is pending.
        observed = f"{self.observed_credentials.address}.output"
        in_sync = f"{observed} != null && {_holds_credentials(observed, client_id, scope_value)}"
        # A `terraform_data` written as stack JSON: CDK Terrain's DataResource class runs a
        # `terraform version` probe per instance at synth, which dominated large apps' synth.
        stack = stack_of(self)
        path = path_of(self)
        relative = path.split("/")[1:] if "/" in path else [id]
        self.in_sync_name = "_".join(
            re.sub(r"[^A-Za-z0-9_]+", "_", part) for part in [*relative, ids.CREDENTIALS_IN_SYNC]
        )
        claim_name(self, "terraform_data", self.in_sync_name)
        stack.add_override(
            f"resource.terraform_data.{self.in_sync_name}",
            {
                "//": {"metadata": {"path": f"{path}/{ids.CREDENTIALS_IN_SYNC}"}},
                "input": {
                    "credentials": _in_sync_marker(in_sync),
                    # DESTROY's resource writes the map only through a re-creation (see below):
                    # any change of the code's values or revision must re-create it, even when
                    # Codat already holds the new values.
                    **({"code": credentials_body} if destroy else {}),
                    **({"revision": revision} if destroy and revision else {}),
                },
            },
        )
        secret_body = {assumptions.CREDENTIAL_SECRET_KEY: f"${{{secret_key}}}"}
        credentials_attrs = [
            assumptions.CREDENTIAL_CLIENT_ID,
            assumptions.CREDENTIAL_USE_READ_WRITE_SCOPE,
        ]
        self.credentials: RestfulOperation | RestfulResource
        if destroy:
            # DESTROY: a resource, because only a resource's DELETE treats 404 as done, so a
            # destroy after the credentials were deleted in the Portal still succeeds (its
            # create also accepts a PUT answered 204 with no body). Two provider limits
            # (restful 0.25.2) shape it:
            # - its refresh reads the integration (which always exists), not the credentials:
            #   a refresh answered 404 fails the plan ("Missing Resource Identity After
            #   Read"), so a Portal deletion would block the deploy that heals it. The read
            #   is templated to the values last written, so only a code change alters `body`;
            #   the masked credentials are compared by ObservedCredentials -> CredentialsInSync
            #   and by the StoredCredentials check.
            # - an in-place update re-sends the secret only when the secret changed (a body
            #   change alone would PUT the map without it), so every other write is a
            #   re-creation: CredentialsInSync carries the code's values and the revision, and
            #   a change of either, or a drift in Codat, replaces the resource instead.
            self.credentials = RestfulResource(
                self,
                ids.CREDENTIALS,
                provider=api,
                path=credentials_path,
                create_method="PUT",
                read_path=endpoints.integration(self.platform_key),
                read_response_template=json.dumps(credentials_body),
                update_path=credentials_path,
                update_method="PUT",
                body=credentials_body,
                ephemeral_body=secret_body,
                delete_path=credentials_path,
                delete_method="DELETE",
            )
        else:
            self.credentials = RestfulOperation(
                self,
                ids.CREDENTIALS,
                provider=api,
                path=credentials_path,
                method="PUT",
                body=credentials_body,
                ephemeral_body=secret_body,
                # RETAIN: no delete call at all, so neither destroy nor `-replace` removes them.
                # A bumped revision adds a marker to output_attrs: an attribute the provider
                # keeps for itself (it only filters what the response leaves in state), so
                # nothing extra reaches Codat, yet the change makes Terraform run the PUT again.
                output_attrs=[
                    *credentials_attrs,
                    *([f"credentialsRevision{revision}"] if revision else []),
                ],
            )
        # Re-create (re-PUT, with the secret) whenever CredentialsInSync plans a change.
        # (Terraform JSON takes bare references here, so an override, not the lifecycle API.)
        self.credentials.add_override(
            "lifecycle.replace_triggered_by", [f"terraform_data.{self.in_sync_name}"]
        )
        settings_path = endpoints.integration_settings(
            self.integration.output_attribute("integrationId")
        )
        one_time_sync = assumptions.INTEGRATION_SETTING_ONE_TIME_SYNC
        self.data_access = RestfulResource(
            self,
            ids.DATA_ACCESS,
            provider=api,
            path=settings_path,
            create_method="PATCH",
            update_method="PATCH",
            body={one_time_sync: data_access.one_time_sync},
            delete_method="PATCH",
            # RETAIN writes back what Codat holds at destroy time (read by destroy's refresh):
            # the provider always calls the API when a restful_resource leaves the state.
            delete_body={one_time_sync: assumptions.DEFAULT_ONE_TIME_SYNC} if destroy else None,
            delete_body_raw=None
            if destroy
            else f'{{"{one_time_sync}": "$(body.{one_time_sync})"}}',
            depends_on=[self.credentials],
        )
        enabled_path = endpoints.integration_enabled(self.platform_key)
        self.enabled = RestfulResource(
            self,
            ids.ENABLED,
            provider=api,
            path=enabled_path,
            read_path=endpoints.integration(self.platform_key),
            update_path=enabled_path,
            create_method="PUT",
            update_method="PUT",
            body={"enabled": enabled},
            delete_method="PUT",
            delete_path=enabled_path,
            delete_body={"enabled": False} if destroy else None,
            delete_body_raw=None if destroy else '{"enabled": $(body.enabled)}',
            output_attrs=["enabled", "key"],
            depends_on=[self.credentials, self.data_access],
        )

        if destroy:
            # DESTROY deletes the credentials when they are replaced (e.g. `-replace` or a
            # heal), and Codat disables an integration whose credentials are deleted: re-apply
            # the enabled toggle after every replacement of the credentials.
            self.enabled.add_override(
                "lifecycle.replace_triggered_by", [f"{self.credentials.address}.id"]
            )

        if adopt_existing:
            import_existing(
                self.data_access, import_id(settings_path, settings_path, [one_time_sync])
            )
            if not destroy:
                # Under DESTROY the toggle is re-created with the credentials
                # (replace_triggered_by), and OpenTofu would replace an object it is still
                # importing when the credentials are created on the first deploy, destroying
                # it with the import's settings. The toggle is written, not adopted: a PUT of
                # the code's value, the same write an adopted toggle that differs gets.
                import_existing(
                    self.enabled,
                    import_id(endpoints.integration(self.platform_key), enabled_path, ["enabled"]),
                )

        prefix = re.sub(r"[^a-zA-Z0-9]+", "_", id).strip("_").lower()
        self.credentials_check_name = f"{prefix}_credentials_match"
        claim_name(self, "check", self.credentials_check_name)
        self._declare_credentials_check(in_sync, client_id, scope_value)
        for output_id, name, value, description in (
            (
                "PlatformKey",
                "platform_key",
                self.platform_key,
                "Codat platform key of the integration.",
            ),
            (
                "RedirectUri",
                "redirect_uri",
                STRIPE_REDIRECT_URI,
                "Redirect URI to register in the Stripe Dashboard.",
            ),
            (
                "DashboardChecklist",
                "dashboard_checklist",
                dashboard_checklist(mode, use_read_write_scope),
                "Stripe Dashboard steps that code cannot do.",
            ),
        ):
            claim_name(self, "output", f"{prefix}_{name}")
            output = TerraformOutput(self, output_id, value=value, description=description)
            output.override_logical_id(f"{prefix}_{name}")

    def _declare_credentials_check(self, in_sync: str, client_id: str, scope_value: str) -> None:
        """Compare the credentials Codat holds with the code's in a check.

        `Credentials` is an operation, which Terraform never reads back; this check makes a
        change made outside the code (client ID, scope, or the credentials deleted) show as a
        warning in every plan and as a failed check in the plan JSON, which the drift command
        reports. The reads are the masked GET, so no secret is involved.

        What it compares: when the plan-time read (`ObservedCredentials`) already matches the
        code, that read; otherwise a read made after the credentials write
        (`StoredCredentials`, `count` 1 only then), so a deploy that heals verifies what Codat
        stored instead of warning about the state it just replaced. A plan of converged
        stacks thus reads the credentials once. (A regular data source, not one scoped to
        the check: a scoped one is re-read at every apply, which would make
        `plan -detailed-exitcode` report changes forever.)
        """
        self.stored_credentials = RestfulDataSource(
            self,
            ids.STORED_CREDENTIALS,
            provider=self.connection.provider,
            path=endpoints.integration_credentials(self.platform_key),
            allow_not_exist=True,
            output_attrs=[
                assumptions.CREDENTIAL_CLIENT_ID,
                assumptions.CREDENTIAL_USE_READ_WRITE_SCOPE,
            ],
            # Read after any pending credentials write (at plan time when there is none).
            depends_on=[self.credentials],
            count=Token.as_number(f"${{({in_sync}) ? 0 : 1}}"),
        )
        stored = self.stored_credentials.address
        compared = (
            f"(length({stored}) > 0 ? {stored}[0].output : "
            f"{self.observed_credentials.address}.output)"
        )
        holds_code = _holds_credentials(compared, client_id, scope_value)
        condition = f"${{{self.credentials.address}.id == null || ({holds_code})}}"
        stack_of(self).add_override(
            f"check.{self.credentials_check_name}",
            {
                "assert": [
                    {
                        "condition": condition,
                        "error_message": (
                            f"{self.mode.integration_name} ({self.platform_key}) credentials in "
                            "Codat differ from the code (client ID or scope changed, or the "
                            "credentials were deleted outside Terraform)."
                        ),
                    }
                ],
            },
        )


def _holds_credentials(output: str, client_id: str, scope_value: str) -> str:
    """HCL: the masked credentials `output` (null when missing) hold this client ID and scope."""
    stored_client_id = f'try({output}.{assumptions.CREDENTIAL_CLIENT_ID}, "")'
    stored_scope = f'try({output}.{assumptions.CREDENTIAL_USE_READ_WRITE_SCOPE}, "")'
    return f'{stored_client_id} == {_hcl_string(client_id)} && {stored_scope} == "{scope_value}"'


def _in_sync_marker(in_sync: str) -> str:
    """`CredentialsInSync`'s input: "in-sync", made unknown at plan time after drift.

    `in_sync` is the HCL condition that the masked credentials read at plan time
    (`ObservedCredentials`) hold the code's client ID and scope. When they are missing or
    hold another client ID or scope, the input is "in-sync" plus an empty string from
    `timestamp()`, which is unknown until apply: Terraform plans an update of
    `CredentialsInSync`, and `replace_triggered_by` re-creates `Credentials`, i.e. PUTs the
    whole map with the secret again. At apply the input resolves to "in-sync", the value
    already in state, so the next plan is empty: healing converges in one deploy.

    The stored secret's last four characters cannot take part: that comparison needs the
    ephemeral secret, which Terraform allows only in write-only arguments and provider
    configuration, and a write-only value cannot force a write (at apply the provider
    re-plans with the known value, finds nothing changed and Terraform skips it).
    `codat-stripe verify` checks the last four characters instead.
    """
    return f'${{({in_sync}) ? "in-sync" : "in-sync${{substr(timestamp(), 0, 0)}}"}}'


def _hcl_string(value: str) -> str:
    """A Terraform string literal, or a token (which the CDK renders as a bare reference)."""
    if is_unresolved(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _enum_value(value: object) -> object:
    return value.value if isinstance(value, Enum) else value


def _validate_client_id(owner: str, client_id: object, connection: CodatConnection) -> str:
    value = require_str(owner, "client_id", client_id)
    if is_unresolved(value):
        return value
    if not CLIENT_ID_PATTERN.fullmatch(value):
        raise CodatStripeConfigError(
            f"{owner}: client_id must be a Stripe Connect client ID: 'ca_' followed by letters "
            f"and digits only (no spaces or line breaks), got {shown(value)}"
        )
    if looks_like_placeholder(value) and not connection.is_loopback:
        raise CodatStripeConfigError(
            f"{owner}: client_id {value!r} looks like a placeholder, and the Codat instance "
            f"'{connection.instance_name}' at {connection.base_url} is not a local emulator: "
            "set the real Stripe Connect client ID of this mode (Stripe Dashboard > Settings > "
            "Connect) in the committed configuration"
        )
    return value


def _validate_secret_key(owner: str, mode: StripeMode, secret_key: object) -> str:
    """Check the secret is an ephemeral secret variable; return its Terraform reference."""
    if not is_secret_variable(secret_key):
        if isinstance(secret_key, str) and secret_key.startswith(SECRET_KEY_PREFIXES):
            got = "a literal Stripe key (not shown)"
        elif isinstance(secret_key, TerraformVariable):
            got = "a TerraformVariable that is not ephemeral"
        else:
            got = shown(secret_key)
        raise CodatStripeConfigError(
            f"{owner}: secret_key must be a variable made by codat_stripe.secret_variable "
            "(sensitive and ephemeral), so the secret never lands in synthesized JSON, saved "
            f"plan files or state; got {got}. Set its value through TF_VAR_<name> at deploy "
            "time."
        )
    assert isinstance(secret_key, TerraformVariable)
    reference = f"var.{logical_id(secret_key)}"
    prefixes = mode.secret_key_prefixes
    condition = " || ".join(f'startswith({reference}, "{p}")' for p in prefixes)
    secret_key.add_validation(
        condition=f"${{{condition}}}",
        error_message=(
            f"The Stripe secret key for {mode.integration_name} must start with "
            f"{' or '.join(prefixes)} (a {mode.value}-mode key)."
        ),
    )
    return reference
