"""CDK Terrain constructs that set up Codat's Stripe integrations through magodo/restful.

Start with `build_stacks` (test and live stacks from shared parameters), or compose the
constructs yourself: `CodatConnection`, `StripeIntegration`, `CommerceSyncSettings`.
Everything a user needs is importable from here, `App` included; the modules behind it are
implementation details.
"""

import codat_stripe._node  # noqa: F401  (must run before any jsii library is imported)
from codat_stripe._cdk import App, TerraformStack
from codat_stripe.backends import HcpTerraformState, LocalState, PostgresState, S3State
from codat_stripe.commerce_sync import (
    CommerceDataTypeOverride,
    CommerceSyncSettings,
    CommerceSyncSettingsProps,
)
from codat_stripe.connection import CodatConnection, CodatConnectionProps
from codat_stripe.removal_policy import RemovalPolicy
from codat_stripe.stacks import (
    CodatStripeStack,
    EnvironmentParameters,
    SharedParameters,
    build_stacks,
    shared_parameters_json,
)
from codat_stripe.stripe_facts import StripeMode
from codat_stripe.stripe_integration import DataAccess, StripeIntegration, StripeIntegrationProps
from codat_stripe.validation import CodatStripeConfigError
from codat_stripe.variables import secret_variable

__all__ = [
    "App",
    "CodatConnection",
    "CodatConnectionProps",
    "CodatStripeConfigError",
    "CodatStripeStack",
    "CommerceDataTypeOverride",
    "CommerceSyncSettings",
    "CommerceSyncSettingsProps",
    "DataAccess",
    "EnvironmentParameters",
    "HcpTerraformState",
    "LocalState",
    "PostgresState",
    "RemovalPolicy",
    "S3State",
    "SharedParameters",
    "StripeIntegration",
    "StripeIntegrationProps",
    "StripeMode",
    "TerraformStack",
    "build_stacks",
    "secret_variable",
    "shared_parameters_json",
]
