"""Test and live stacks composed from one set of shared parameters.

`SharedParameters` holds everything both environments must agree on (so live is what test
ran with); `EnvironmentParameters` holds what may differ: Stripe mode and client ID, the
Codat instance, the secret variables' names and the state backend.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from dataclasses import fields as dataclass_fields
from enum import Enum
from typing import Any

from codat_api.data_types import COMMERCE_DATA_TYPES
from codat_api.endpoints import BASE_URL
from codat_stripe._cdk import App, TerraformOutput, TerraformStack
from codat_stripe.backends import LocalState, StateBackend
from codat_stripe.commerce_sync import (
    CommerceDataTypeOverride,
    CommerceSyncSettings,
    CommerceSyncSettingsProps,
)
from codat_stripe.connection import DEFAULT_RETRY_COUNT, CodatConnection, CodatConnectionProps
from codat_stripe.removal_policy import DEFAULT_REMOVAL_POLICY, RemovalPolicy
from codat_stripe.stripe_facts import StripeMode
from codat_stripe.stripe_integration import DataAccess, StripeIntegration, StripeIntegrationProps
from codat_stripe.tree_lookups import note_stack
from codat_stripe.validation import (
    CodatStripeConfigError,
    require_choice,
    require_instance_name,
    require_stack_name,
    require_terraform_name,
    shown,
)
from codat_stripe.variables import secret_variable
from constructs import Construct


@dataclass(frozen=True)
class SharedParameters:
    """What the test and live stacks share; promotion keeps these identical.

    Attributes:
        use_read_write_scope: Ask Stripe for `read_write` instead of `read_only`.
            Default: False.
        data_access: One-off or continuous sync. Default: `DataAccess.CONTINUOUS`.
        enabled: The integration is enabled for new connections. Default: True.
        sync_schedule_hours: Commerce data types' sync schedule, 1 to 744. Default: 24.
        fetch_on_first_link: Fetch commerce data when a company links. Default: True.
        commerce_data_types: The commerce data types to manage. Default: all 11.
        commerce_overrides: Per-data-type `CommerceDataTypeOverride`. Default: none.
        disable_commerce_sync_on_destroy: Destroy switches the managed commerce types off
            again. Default: False (destroy keeps the sync settings).

    """

    use_read_write_scope: bool = False
    data_access: DataAccess = DataAccess.CONTINUOUS
    enabled: bool = True
    sync_schedule_hours: int = 24
    fetch_on_first_link: bool = True
    commerce_data_types: Sequence[str] = COMMERCE_DATA_TYPES
    commerce_overrides: Mapping[str, CommerceDataTypeOverride] = field(default_factory=dict)
    disable_commerce_sync_on_destroy: bool = False


@dataclass(frozen=True, kw_only=True)
class EnvironmentParameters:
    """What one environment sets for itself.

    Attributes:
        name: Stack name, e.g. "test" or "live" (letters, digits, '_' and '-').
        mode: Stripe mode: `StripeMode.TEST` (Codat's Stripe Test) or `StripeMode.LIVE`
            (Stripe); "test" and "live" are accepted too.
        client_id: Stripe Connect client ID of that mode (`ca_...`). Not a secret: commit it.
        codat_instance: Name of the Codat client (account) this environment's API key
            belongs to, e.g. "acme-sandbox". Environments on one instance share its
            integrations and sync settings; give test and live separate instances when they
            use separate Codat clients (the common layout).
        codat_base_url: The Codat API. Default: https://api.codat.io.
        codat_api_key_variable: Variable (TF_VAR_<name>) with the Codat API key.
            Default: "codat_api_key_<name>".
        stripe_secret_key_variable: Variable (TF_VAR_<name>) with the Stripe secret key.
            Default: "stripe_secret_key_<name>".
        state: Where the stack's state lives. Default: `LocalState("terraform.<name>.tfstate")`
            (for a laptop; CI refuses it: use S3State, HcpTerraformState or PostgresState).
        owns_sync_settings: Whether this stack manages the instance's commerce sync settings.
            Default (None): the first environment on each Codat instance does.
        credentials_revision: Bump to write this environment's credentials again unchanged.
            Default: 0.
        adopt_existing: Import what Codat already holds on the first deploy. Default: True.
        removal_policy: What destroy does in Codat. Default: `RemovalPolicy.RETAIN` (Codat is
            left as it is); `RemovalPolicy.DESTROY` tears the set-up down.
        retry_count: Retries of a Codat request answered 408, 429, 500, 502, 503 or 504.
            Default: 5.

    """

    name: str
    mode: StripeMode | str
    client_id: str
    codat_instance: str
    codat_base_url: str = BASE_URL
    codat_api_key_variable: str = ""
    stripe_secret_key_variable: str = ""
    state: StateBackend | None = None
    owns_sync_settings: bool | None = None
    credentials_revision: int = 0
    adopt_existing: bool = True
    removal_policy: RemovalPolicy | str = DEFAULT_REMOVAL_POLICY
    retry_count: int = DEFAULT_RETRY_COUNT

    @property
    def api_key_variable_name(self) -> str:
        """The Codat API key variable's name (default `codat_api_key_<name>`)."""
        return self.codat_api_key_variable or f"codat_api_key_{self.name}"

    @property
    def secret_key_variable_name(self) -> str:
        """The Stripe secret key variable's name (default `stripe_secret_key_<name>`)."""
        return self.stripe_secret_key_variable or f"stripe_secret_key_{self.name}"

    @property
    def stripe_mode(self) -> StripeMode:
        """`mode` as a `StripeMode` (validated)."""
        value = self.mode.value if isinstance(self.mode, StripeMode) else self.mode
        return StripeMode(
            require_choice(f"environment '{self.name}'", "mode", value, list(StripeMode))
        )

    @property
    def state_backend(self) -> StateBackend:
        """`state`, or the default local state file."""
        return self.state or LocalState(f"terraform.{self.name}.tfstate")


class CodatStripeStack(TerraformStack):
    """One environment: a Codat connection, its Stripe integration and (if owned) sync settings.

    Construct ids (public contract): `Codat`, `StripeSecretKey`, `Stripe`, `CommerceSync`,
    and the outputs `CodatInstance`, `StripeMode`, `ManagesSyncSettings`,
    `EnvironmentsOnInstance`, `SharedParametersJson`, `SharedParametersSha256` (Terraform
    names `codat_instance`, `stripe_mode`, `manages_sync_settings`, `environments_on_instance`,
    `shared_parameters`, `shared_parameters_sha256`), which review and promotion tools read.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        shared: SharedParameters,
        environment: EnvironmentParameters,
        owns_sync_settings: bool,
        environments_on_instance: Sequence[str] = (),
    ) -> None:
        """Declare the environment's backend, variables, constructs and outputs."""
        super().__init__(scope, id)
        note_stack(self, scope, id)
        self.shared = shared
        self.environment = environment
        owner = f"environment '{environment.name}'"
        mode = environment.stripe_mode
        require_terraform_name(owner, "codat_api_key_variable", environment.api_key_variable_name)
        require_terraform_name(
            owner, "stripe_secret_key_variable", environment.secret_key_variable_name
        )
        if environment.api_key_variable_name == environment.secret_key_variable_name:
            raise CodatStripeConfigError(
                f"{owner}: the Codat API key and the Stripe secret key need different variables, "
                f"both are {shown(environment.api_key_variable_name)}"
            )
        environment.state_backend.apply(self)

        self.codat = CodatConnection(
            self,
            "Codat",
            CodatConnectionProps(
                instance_name=environment.codat_instance,
                base_url=environment.codat_base_url,
                api_key_variable_name=environment.api_key_variable_name,
                retry_count=environment.retry_count,
            ),
        )
        secret = secret_variable(
            self,
            "StripeSecretKey",
            environment.secret_key_variable_name,
            f"Stripe {mode.value}-mode secret key",
        )
        self.stripe = StripeIntegration(
            self,
            "Stripe",
            StripeIntegrationProps(
                connection=self.codat,
                mode=mode,
                client_id=environment.client_id,
                secret_key=secret,
                use_read_write_scope=shared.use_read_write_scope,
                data_access=shared.data_access,
                enabled=shared.enabled,
                credentials_revision=environment.credentials_revision,
                adopt_existing=environment.adopt_existing,
                removal_policy=environment.removal_policy,
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
                    adopt_existing=environment.adopt_existing,
                ),
            )
        fingerprint = shared_parameters_json(shared)
        for output_id, name, value, description in (
            ("CodatInstance", "codat_instance", environment.codat_instance, "Codat instance."),
            ("StripeMode", "stripe_mode", mode.value, "Stripe mode of this environment."),
            (
                "ManagesSyncSettings",
                "manages_sync_settings",
                owns_sync_settings,
                "Whether this stack manages the Codat instance's sync settings.",
            ),
            (
                "EnvironmentsOnInstance",
                "environments_on_instance",
                list(environments_on_instance) or [environment.name],
                "Stacks that share this Codat instance (and so its sync settings).",
            ),
            (
                "SharedParametersJson",
                "shared_parameters",
                fingerprint,
                "The shared parameters this stack deploys (canonical JSON).",
            ),
            (
                "SharedParametersSha256",
                "shared_parameters_sha256",
                hashlib.sha256(fingerprint.encode()).hexdigest(),
                "sha256 of shared_parameters: promotion compares it with the test stack's.",
            ),
        ):
            output = TerraformOutput(self, output_id, value=value, description=description)
            output.override_logical_id(name)


def shared_parameters_json(shared: SharedParameters) -> str:
    """The shared parameters as canonical JSON (sorted keys, enums as their values)."""

    def plain(value: Any) -> Any:
        if isinstance(value, Enum):
            return value.value
        if is_dataclass(value) and not isinstance(value, type):
            return {k: plain(v) for k, v in asdict(value).items() if v is not None}
        if isinstance(value, Mapping):
            return {str(k): plain(v) for k, v in sorted(value.items())}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    fields = {f.name: plain(getattr(shared, f.name)) for f in dataclass_fields(shared)}
    return json.dumps(fields, sort_keys=True, separators=(",", ":"))


def build_stacks(
    app: App, shared: SharedParameters, environments: Sequence[EnvironmentParameters]
) -> list[CodatStripeStack]:
    """Add one stack per environment, after checking the environments against each other.

    Refused at synth, naming the environments: an empty list; repeated or invalid names; two
    environments with one state location; the same client ID in a test and a live
    environment; one Codat instance at two base URLs; two managers of one Codat singleton
    (each Stripe integration and the sync settings, per Codat instance); an instance whose
    sync settings nobody manages. Per instance, the sync settings belong to the environment
    that sets `owns_sync_settings`, else to the first environment on it.
    """
    environments = list(environments)
    if not environments:
        raise CodatStripeConfigError(
            "build_stacks needs at least one environment, got an empty list"
        )
    for env in environments:
        if not isinstance(env, EnvironmentParameters):
            raise CodatStripeConfigError(
                f"build_stacks: environments must be EnvironmentParameters, got {shown(env)}"
            )
        owner = f"environment {env.name!r}"
        require_stack_name(owner, env.name)
        require_instance_name(owner, "codat_instance", env.codat_instance)
        env.stripe_mode  # noqa: B018  (validates mode)
    _refuse_repeats("environment names must be unique", [(e.name, e.name) for e in environments])
    _refuse_repeats(
        "environments must keep their state in different places",
        [(e.state_backend.location, e.name) for e in environments],
    )
    by_client_id: dict[str, EnvironmentParameters] = {}
    for env in environments:
        other = by_client_id.setdefault(env.client_id, env)
        if other is not env and other.stripe_mode is not env.stripe_mode:
            raise CodatStripeConfigError(
                f"environments '{other.name}' ({other.stripe_mode.value}) and '{env.name}' "
                f"({env.stripe_mode.value}) use the same Stripe client ID: Stripe gives test "
                "and live mode different client IDs (Dashboard > Settings > Connect, in each "
                "mode)"
            )

    on_instance: dict[str, list[EnvironmentParameters]] = {}
    for env in environments:
        on_instance.setdefault(env.codat_instance, []).append(env)
    sync_owner: dict[str, str] = {}
    for instance, members in on_instance.items():
        urls = {m.codat_base_url.rstrip("/").lower() for m in members}
        if len(urls) > 1:
            raise CodatStripeConfigError(
                f"environments {[m.name for m in members]} name the Codat instance "
                f"'{instance}' with different base URLs "
                f"{', '.join(shown(m.codat_base_url) for m in members)}: one instance is one "
                "Codat client at one URL"
            )
        explicit = [m.name for m in members if m.owns_sync_settings]
        if len(explicit) > 1:
            raise CodatStripeConfigError(
                f"environments {explicit} all set owns_sync_settings for the Codat instance "
                f"'{instance}': its sync settings are one object per Codat client, so exactly "
                "one stack may manage them"
            )
        candidates = explicit or [m.name for m in members if m.owns_sync_settings is None]
        if not candidates:
            raise CodatStripeConfigError(
                f"no environment manages the sync settings of the Codat instance '{instance}' "
                f"(environments {[m.name for m in members]} all set owns_sync_settings=False), "
                "but its Stripe integrations need the commerce data types enabled: let one of "
                "them own them"
            )
        sync_owner[instance] = candidates[0]

    return [
        CodatStripeStack(
            app,
            env.name,
            shared,
            env,
            owns_sync_settings=sync_owner[env.codat_instance] == env.name,
            environments_on_instance=[m.name for m in on_instance[env.codat_instance]],
        )
        for env in environments
    ]


def _refuse_repeats(what: str, keyed: Sequence[tuple[str, str]]) -> None:
    seen: dict[str, list[str]] = {}
    for key, name in keyed:
        seen.setdefault(key, []).append(name)
    repeated = {key: names for key, names in seen.items() if len(names) > 1}
    if repeated:
        details = "; ".join(f"{names} share {shown(key)}" for key, names in repeated.items())
        raise CodatStripeConfigError(f"{what}: {details}")
