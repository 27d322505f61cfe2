"""The test and live stacks of Codat's Stripe integrations, from one set of shared parameters.

Secrets are never in this file: each stack reads its Codat API key and Stripe secret key
from Terraform variables, set at deploy time as TF_VAR_codat_api_key_<stack> and
TF_VAR_stripe_secret_key_<stack>. CODAT_BASE_URL_TEST / CODAT_BASE_URL_LIVE point a stack at
another Codat instance (the demo and tests point them at the local emulator).
"""

import os

from codat_stripe import (
    DataAccess,
    EnvironmentParameters,
    SharedParameters,
    StripeMode,
    build_stacks,
)
from codat_stripe._cdk import App

CODAT = "https://api.codat.io"

shared = SharedParameters(
    use_read_write_scope=False,
    data_access=DataAccess.CONTINUOUS,
    enabled=True,
    sync_schedule_hours=24,
    fetch_on_first_link=True,
)

environments = [
    EnvironmentParameters(
        name="test",
        mode=StripeMode.TEST,
        client_id=os.environ.get("STRIPE_CLIENT_ID_TEST", "ca_TestClientId0000"),
        codat_base_url=os.environ.get("CODAT_BASE_URL_TEST", CODAT),
    ),
    EnvironmentParameters(
        name="live",
        mode=StripeMode.LIVE,
        client_id=os.environ.get("STRIPE_CLIENT_ID_LIVE", "ca_LiveClientId0000"),
        codat_base_url=os.environ.get("CODAT_BASE_URL_LIVE", CODAT),
    ),
]

app = App()
build_stacks(app, shared, environments)
app.synth()
