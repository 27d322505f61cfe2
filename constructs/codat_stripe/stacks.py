"""Test and live stacks composed from one set of shared parameters.

`SharedParameters` holds everything both environments must agree on (so live is what test
ran with); `EnvironmentParameters` holds what may differ: Stripe mode and client ID, the
Codat instance, the secret variables' names and the state backend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from codat_api.data_types import COMMERCE_DATA_TYPES
from codat_api.endpoints import BASE_URL
from codat_stripe._cdk import App, TerraformStack
from codat_stripe.backends import LocalState, StateBackend
from codat_stripe.commerce_sync import (
    CommerceDataTypeOverride,
    CommerceSyncSettings,
    CommerceSyncSettingsProps,
)
from codat_stripe.connection import CodatConnection, CodatConnectionProps
from codat_stripe.stripe_facts import StripeMode
from codat_stripe.stripe_integration import DataAccess, StripeIntegration, StripeIntegrationProps
from codat_stripe.validation import CodatStripeConfigError, require_terraform_name
from codat_stripe.variables import secret_variable
from constructs import Construct


@dataclass(frozen=True)
class SharedParameters:
    """What the test and live stacks share; promotion keeps these identical."""

    use_read_write_scope: bool = False
    data_access: DataAccess = DataAccess.CONTINUOUS
    enabled: bool = True
    sync_schedule_hours: int = 24
    fetch_on_first_link: bool = True
    commerce_data_types: Sequence[str] = COMMERCE_DATA_TYPES
    commerce_overrides: Mapping[str, CommerceDataTypeOverride] = field(default_factory=dict)
    disable_commerce_sync_on_destroy: bool = False


@dataclass(frozen=True)
class EnvironmentParameters:
    """What one environment sets for itself.

    Attributes:
        name: Stack name, e.g. "test" or "live".
        mode: Stripe mode (test pairs with Codat's Stripe Test, live with Stripe).
        client_id: Stripe Connect client ID of that mode.
        codat_base_url: The Codat instance.
        codat_api_key_variable: Variable (TF_VAR_<name>) with the Codat API key.
        stripe_secret_key_variable: Variable (TF_VAR_<name>) with the Stripe secret key.
        state: Where the stack's state lives.
        owns_sync_settings: Whether this stack manages the client's commerce sync settings.
            None: the first environment per Codat instance does.
        credentials_revision: Bump to write this environment's credentials again unchanged
            (after the drift check reports them changed outside the code).

    """

    name: str
    mode: StripeMode
    client_id: str
    codat_base_url: str = BASE_URL
    codat_api_key_variable: str = ""
    stripe_secret_key_variable: str = ""
    state: StateBackend | None = None
    owns_sync_settings: bool | None = None
    credentials_revision: int = 0

    @property
    def api_key_variable_name(self) -> str:
        """The Codat API key variable's name (default `codat_api_key_<name>`)."""
        return self.codat_api_key_variable or f"codat_api_key_{self.name}"

    @property
    def secret_key_variable_name(self) -> str:
        """The Stripe secret key variable's name (default `stripe_secret_key_<name>`)."""
        return self.stripe_secret_key_variable or f"stripe_secret_key_{self.name}"


class CodatStripeStack(TerraformStack):
    """One environment: a Codat connection, its Stripe integration and (if owned) sync settings.

    Construct ids (public contract): `Codat`, `StripeSecretKey`, `Stripe`, `CommerceSync`.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        shared: SharedParameters,
        environment: EnvironmentParameters,
        owns_sync_settings: bool,
    ) -> None:
        """Declare the environment's backend, variables and constructs."""
        super().__init__(scope, id)
        self.shared = shared
        self.environment = environment
        owner = f"environment '{environment.name}'"
        require_terraform_name(owner, "codat_api_key_variable", environment.api_key_variable_name)
        require_terraform_name(
            owner, "stripe_secret_key_variable", environment.secret_key_variable_name
        )
        if environment.api_key_variable_name == environment.secret_key_variable_name:
            raise CodatStripeConfigError(
                f"{owner}: the Codat API key and the Stripe secret key need different variables, "
                f"both are {environment.api_key_variable_name!r}"
            )
        (environment.state or LocalState(f"terraform.{id}.tfstate")).apply(self)

        self.codat = CodatConnection(
            self,
            "Codat",
            CodatConnectionProps(
                base_url=environment.codat_base_url,
                api_key_variable_name=environment.api_key_variable_name,
            ),
        )
        secret = secret_variable(
            self,
            "StripeSecretKey",
            environment.secret_key_variable_name,
            f"Stripe {environment.mode.value}-mode secret key",
        )
        self.stripe = StripeIntegration(
            self,
            "Stripe",
            StripeIntegrationProps(
                connection=self.codat,
                mode=environment.mode,
                client_id=environment.client_id,
                secret_key=secret,
                use_read_write_scope=shared.use_read_write_scope,
                data_access=shared.data_access,
                enabled=shared.enabled,
                credentials_revision=environment.credentials_revision,
            ),
        )
        self.commerce_sync: CommerceSyncSettings | None = None
        if owns_sync_settings:
            self.commerce_sync = CommerceSyncSettings(
                self,
                "CommerceSync",
                CommerceSyncSettingsProps(
                    connection=self.codat,
                    sync_schedule_hours=shared.sync_schedule_hours,
                    fetch_on_first_link=shared.fetch_on_first_link,
                    data_types=shared.commerce_data_types,
                    overrides=shared.commerce_overrides,
                    disable_on_destroy=shared.disable_commerce_sync_on_destroy,
                ),
            )


def build_stacks(
    app: App, shared: SharedParameters, environments: Sequence[EnvironmentParameters]
) -> list[CodatStripeStack]:
    """Add one stack per environment, checking that no Codat singleton has two owners.

    Per Codat instance (base URL): each Stripe integration is managed by at most one stack,
    and the client's sync settings by exactly one (the first environment unless an
    environment sets `owns_sync_settings`).
    """
    names = [e.name for e in environments]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise CodatStripeConfigError(f"environment names must be unique, repeated: {duplicates}")

    integration_owner: dict[tuple[str, str], str] = {}
    for env in environments:
        key = (_instance(env), env.mode.platform_key)
        if key in integration_owner:
            raise CodatStripeConfigError(
                f"environments '{integration_owner[key]}' and '{env.name}' would both manage "
                f"Codat's {env.mode.integration_name} integration ({env.mode.platform_key}) on "
                f"{key[0]}: give one of them another Codat instance or drop it"
            )
        integration_owner[key] = env.name

    sync_owner: dict[str, str] = {}
    for env in environments:
        if env.owns_sync_settings:
            instance = _instance(env)
            if instance in sync_owner:
                raise CodatStripeConfigError(
                    f"environments '{sync_owner[instance]}' and '{env.name}' both set "
                    f"owns_sync_settings for the Codat instance {instance}: the client's sync "
                    "settings are one singleton per instance, so exactly one stack may manage them"
                )
            sync_owner[instance] = env.name
    for env in environments:
        if env.owns_sync_settings is None:
            sync_owner.setdefault(_instance(env), env.name)

    return [
        CodatStripeStack(
            app,
            env.name,
            shared,
            env,
            owns_sync_settings=sync_owner.get(_instance(env)) == env.name,
        )
        for env in environments
    ]


def _instance(environment: EnvironmentParameters) -> str:
    return environment.codat_base_url.rstrip("/").lower()
