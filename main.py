"""The test and live stacks of Codat's Stripe integrations, from one set of shared parameters.

Edit SHARED for what both environments must agree on and ENVIRONMENTS for what differs.
Secrets are never in this file: each stack reads its Codat API key and Stripe secret key
from Terraform variables set at deploy time as TF_VAR_codat_api_key_<stack> and
TF_VAR_stripe_secret_key_<stack>. CODAT_BASE_URL_TEST / CODAT_BASE_URL_LIVE point a stack at
another Codat instance (`make demo` and the tests point them at the local emulator).
"""

from __future__ import annotations

import os

from codat_stripe import (
    CodatStripeStack,
    DataAccess,
    EnvironmentParameters,
    SharedParameters,
    StripeMode,
    build_stacks,
)
from codat_stripe._cdk import App

CODAT_API = "https://api.codat.io"

SHARED = SharedParameters(
    use_read_write_scope=False,
    data_access=DataAccess.CONTINUOUS,
    enabled=True,
    sync_schedule_hours=24,
    fetch_on_first_link=True,
)


def environments() -> list[EnvironmentParameters]:
    """The test and live environments (client IDs are not secret; keys come from TF_VAR_*)."""
    return [
        EnvironmentParameters(
            name="test",
            mode=StripeMode.TEST,
            client_id=os.environ.get("STRIPE_CLIENT_ID_TEST", "ca_TestClientId0000"),
            codat_base_url=os.environ.get("CODAT_BASE_URL_TEST", CODAT_API),
        ),
        EnvironmentParameters(
            name="live",
            mode=StripeMode.LIVE,
            client_id=os.environ.get("STRIPE_CLIENT_ID_LIVE", "ca_LiveClientId0000"),
            codat_base_url=os.environ.get("CODAT_BASE_URL_LIVE", CODAT_API),
        ),
    ]


def build(app: App) -> list[CodatStripeStack]:
    """Add the test and live stacks to `app`."""
    return build_stacks(app, SHARED, environments())


if __name__ == "__main__":
    application = App()
    build(application)
    application.synth()
