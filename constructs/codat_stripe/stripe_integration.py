"""StripeIntegration: Codat's Stripe or Stripe Test integration, set up end to end."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum, StrEnum

from codat_api import assumptions, endpoints
from codat_api.platforms import STRIPE_REDIRECT_URI
from codat_stripe._cdk import TerraformOutput, TerraformStack, TerraformVariable
from codat_stripe.connection import CodatConnection
from codat_stripe.imports import import_existing
from codat_stripe.restful import RestfulDataSource, RestfulOperation, RestfulResource, import_id
from codat_stripe.stripe_facts import (
    CLIENT_ID_PREFIX,
    SECRET_KEY_PREFIXES,
    StripeMode,
    dashboard_checklist,
)
from codat_stripe.validation import (
    CodatStripeConfigError,
    is_unresolved,
    require_bool,
    require_choice,
    require_int_range,
    require_str,
)
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
        mode: `StripeMode.TEST` (Codat's Stripe Test, `yzth`) or `StripeMode.LIVE` (Stripe, `exgd`).
        client_id: Stripe Connect client ID (`ca_...`) of the same mode.
        secret_key: The Stripe secret key as a `TerraformVariable` (then its value is also
            checked against the mode at plan time) or another Terraform token. A literal
            string is refused: the secret must never be written into synthesized JSON.
        use_read_write_scope: Ask Stripe for `read_write` instead of `read_only`.
        data_access: One-off sync when a company authorizes, or continuous sync.
        enabled: Whether the integration is enabled for new connections.
        credentials_revision: Bump it to write the credentials again without changing them,
            e.g. after the drift check found them changed in the Portal (nothing extra is
            sent to Codat).
        adopt_existing: Import the enabled toggle and the data-access setting on the first
            deploy instead of overwriting them blindly (both always exist in Codat), so a
            hand-made set-up comes under management and only what differs is written.

    """

    connection: CodatConnection
    mode: StripeMode | str
    client_id: str
    secret_key: TerraformVariable | str
    use_read_write_scope: bool = False
    data_access: DataAccess | str = DataAccess.CONTINUOUS
    enabled: bool = True
    credentials_revision: int = 0
    adopt_existing: bool = True


class StripeIntegration(Construct):
    """Codat's Stripe (live) or Stripe Test integration: credentials, scope, sync mode, enabled.

    Writes happen in the order Codat needs: credentials (client ID, secret, scope), then the
    access-to-company-data setting, then the enabled toggle. Destroying disables the
    integration first, then deletes the credentials and resets the sync mode to Codat's
    default.

    The credentials endpoint replaces the whole map on PUT, so the credentials are a
    `restful_operation` that sends the secret (write-only, never in plan or state) with
    EVERY write: changing only the client ID or the scope keeps the secret stored. A new
    secret value (rotation) is detected by the provider from a hash and shows in the plan
    as an update of `Credentials` whose output is "(known after apply)", never the value.

    Construct ids (public contract): `Integration` and `StoredCredentials` (data sources),
    `Credentials`, `DataAccess`, `Enabled`, and the outputs `PlatformKey`, `RedirectUri`,
    `DashboardChecklist`.
    """

    def __init__(self, scope: Construct, id: str, props: StripeIntegrationProps) -> None:
        """Validate the props eagerly, then declare the resources."""
        super().__init__(scope, id)
        owner = f"StripeIntegration '{id}'"
        mode = StripeMode(require_choice(owner, "mode", _enum_value(props.mode), ["test", "live"]))
        data_access = DataAccess(
            require_choice(
                owner, "data_access", _enum_value(props.data_access), ["one-off", "continuous"]
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
        client_id = _validate_client_id(owner, props.client_id)
        secret_key = _validate_secret_key(owner, mode, props.secret_key)

        self.mode = mode
        self.platform_key = mode.platform_key
        self.connection = props.connection
        api = props.connection.provider

        self.integration = RestfulDataSource(
            self,
            "Integration",
            provider=api,
            path=endpoints.integration(self.platform_key),
            output_attrs=["integrationId", "key"],
        )
        credentials_path = endpoints.integration_credentials(self.platform_key)
        self.credentials = RestfulOperation(
            self,
            "Credentials",
            provider=api,
            path=credentials_path,
            method="PUT",
            body={
                assumptions.CREDENTIAL_CLIENT_ID: client_id,
                assumptions.CREDENTIAL_USE_READ_WRITE_SCOPE: "true"
                if use_read_write_scope
                else "false",
            },
            ephemeral_body={assumptions.CREDENTIAL_SECRET_KEY: secret_key},
            delete_method="DELETE",
            # A bumped revision adds a marker to output_attrs: an attribute the provider keeps
            # for itself (it only filters what the response leaves in state), so nothing
            # extra reaches Codat, yet the change makes Terraform run the PUT again.
            output_attrs=[
                assumptions.CREDENTIAL_CLIENT_ID,
                assumptions.CREDENTIAL_USE_READ_WRITE_SCOPE,
                *([f"credentialsRevision{revision}"] if revision else []),
            ],
        )
        settings_path = endpoints.integration_settings(
            self.integration.output_attribute("integrationId")
        )
        self.data_access = RestfulResource(
            self,
            "DataAccess",
            provider=api,
            path=settings_path,
            create_method="PATCH",
            update_method="PATCH",
            body={"oneTimeSync": data_access.one_time_sync},
            delete_method="PATCH",
            delete_body={"oneTimeSync": assumptions.DEFAULT_ONE_TIME_SYNC},
            depends_on=[self.credentials],
        )
        self.enabled = RestfulResource(
            self,
            "Enabled",
            provider=api,
            path=endpoints.integration_enabled(self.platform_key),
            read_path=endpoints.integration(self.platform_key),
            update_path=endpoints.integration_enabled(self.platform_key),
            create_method="PUT",
            update_method="PUT",
            body={"enabled": enabled},
            delete_method="PUT",
            delete_path=endpoints.integration_enabled(self.platform_key),
            delete_body={"enabled": False},
            output_attrs=["enabled", "key"],
            depends_on=[self.credentials, self.data_access],
        )

        if adopt_existing:
            import_existing(
                self.data_access, import_id(settings_path, settings_path, ["oneTimeSync"])
            )
            import_existing(
                self.enabled,
                import_id(
                    endpoints.integration(self.platform_key),
                    endpoints.integration_enabled(self.platform_key),
                    ["enabled"],
                ),
            )

        prefix = re.sub(r"[^a-zA-Z0-9]+", "_", id).strip("_").lower()
        self.credentials_check_name = f"{prefix}_credentials_match"
        self._declare_credentials_check(client_id, use_read_write_scope)
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
            output = TerraformOutput(self, output_id, value=value, description=description)
            output.override_logical_id(f"{prefix}_{name}")

    def _declare_credentials_check(self, client_id: str, use_read_write_scope: bool) -> None:
        """Read the stored credentials back (`StoredCredentials`) and compare them in a check.

        `Credentials` is an operation, which Terraform never reads back; this check makes a
        change made outside the code (client ID, scope, or the credentials deleted) show as a
        warning in every plan and as a failed check in the plan JSON, which the drift command
        reports. The read is the masked GET, so no secret is involved. (It is a regular data
        source, not one scoped to the check: a scoped one is re-read at every apply, which
        would make `plan -detailed-exitcode` report changes forever.)
        """
        self.stored_credentials = RestfulDataSource(
            self,
            "StoredCredentials",
            provider=self.connection.provider,
            path=endpoints.integration_credentials(self.platform_key),
            allow_not_exist=True,
            output_attrs=[
                assumptions.CREDENTIAL_CLIENT_ID,
                assumptions.CREDENTIAL_USE_READ_WRITE_SCOPE,
            ],
            # Read after any pending credentials write (at plan time when there is none).
            depends_on=[self.credentials],
        )
        observed = f"{self.stored_credentials.address}.output"
        stored_client_id = f'try({observed}.{assumptions.CREDENTIAL_CLIENT_ID}, "")'
        stored_scope = f'try({observed}.{assumptions.CREDENTIAL_USE_READ_WRITE_SCOPE}, "")'
        expected_scope = "true" if use_read_write_scope else "false"
        condition = (
            f"${{{self.credentials.address}.id == null || ("
            f"{stored_client_id} == {_hcl_string(client_id)} && "
            f'{stored_scope} == "{expected_scope}")}}'
        )
        TerraformStack.of(self).add_override(
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


def _hcl_string(value: str) -> str:
    """A Terraform string literal, or a token (which the CDK renders as a bare reference)."""
    if is_unresolved(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _enum_value(value: object) -> object:
    return value.value if isinstance(value, Enum) else value


def _validate_client_id(owner: str, client_id: object) -> str:
    value = require_str(owner, "client_id", client_id)
    if not is_unresolved(value) and not value.startswith(CLIENT_ID_PREFIX):
        raise CodatStripeConfigError(
            f"{owner}: client_id must be a Stripe Connect client ID starting with "
            f"'{CLIENT_ID_PREFIX}', got {value!r}"
        )
    return value


def _validate_secret_key(owner: str, mode: StripeMode, secret_key: object) -> str:
    if isinstance(secret_key, TerraformVariable):
        prefixes = mode.secret_key_prefixes
        condition = " || ".join(
            f'startswith(var.{secret_key.friendly_unique_id}, "{p}")' for p in prefixes
        )
        secret_key.add_validation(
            condition=f"${{{condition}}}",
            error_message=(
                f"The Stripe secret key for {mode.integration_name} must start with "
                f"{' or '.join(prefixes)} (a {mode.value}-mode key)."
            ),
        )
        return str(secret_key.string_value)
    if is_unresolved(secret_key):
        return str(secret_key)
    shown = (
        "a literal Stripe key"
        if str(secret_key).startswith(SECRET_KEY_PREFIXES)
        else repr(secret_key)
    )
    raise CodatStripeConfigError(
        f"{owner}: secret_key must be a TerraformVariable or Terraform token so the secret never "
        f"lands in synthesized JSON; got {shown}. Declare a sensitive variable and set it "
        "through TF_VAR_<name> at deploy time."
    )
