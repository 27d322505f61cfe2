"""The test and live stacks of Codat's Stripe integrations, from one set of shared parameters.

Edit SHARED for what both environments must agree on and ENVIRONMENTS for what differs.
Client IDs are not secrets: they are committed here, per environment. Secrets never are:
each stack reads its Codat API key and Stripe secret key from Terraform variables set at
deploy time as TF_VAR_codat_api_key_<stack> and TF_VAR_stripe_secret_key_<stack>.

The client IDs below are examples. Against a real Codat they are refused at synth until you
put your own (Stripe Dashboard > Settings > Connect, in test and in live mode); the local
emulator accepts them, so `make demo` runs as shipped.

Two environment variables redirect a stack explicitly, for the demo and the tests:
CODAT_BASE_URL_<STACK> (another Codat, e.g. the local emulator) and STRIPE_CLIENT_ID_<STACK>.
"""

from __future__ import annotations

import gc
import os
from dataclasses import replace

from codat_stripe import (
    App,
    CodatStripeStack,
    DataAccess,
    EnvironmentParameters,
    SharedParameters,
    StripeMode,
    build_stacks,
)

SHARED = SharedParameters(
    use_read_write_scope=False,
    data_access=DataAccess.CONTINUOUS,
    enabled=True,
    sync_schedule_hours=24,
    fetch_on_first_link=True,
)

ENVIRONMENTS = (
    EnvironmentParameters(
        name="test",
        mode=StripeMode.TEST,
        client_id="ca_ExampleTestClientId",
        codat_instance="example-sandbox",  # the Codat client whose API key test deploys with
    ),
    EnvironmentParameters(
        name="live",
        mode=StripeMode.LIVE,
        client_id="ca_ExampleLiveClientId",
        codat_instance="example-production",
    ),
)


def environments() -> list[EnvironmentParameters]:
    """ENVIRONMENTS, with an explicit CODAT_BASE_URL_<STACK> / STRIPE_CLIENT_ID_<STACK> applied."""
    redirected = []
    for env in ENVIRONMENTS:
        suffix = env.name.upper()
        redirected.append(
            replace(
                env,
                codat_base_url=os.environ.get(f"CODAT_BASE_URL_{suffix}", env.codat_base_url),
                client_id=os.environ.get(f"STRIPE_CLIENT_ID_{suffix}", env.client_id),
            )
        )
    return redirected


def build(app: App) -> list[CodatStripeStack]:
    """Add the test and live stacks to `app`."""
    return build_stacks(app, SHARED, environments())


def synth(app: App) -> None:
    """Write cdktf.out; the process then ends without collecting what the app created.

    Python's last garbage collection at exit walks every object jsii made for the constructs
    (about 40 ms for the two stacks, 0.14 s for 50 environments; bench/README.md) and frees
    nothing the exit does not. Frozen objects are left out of it; exit handlers still run.
    """
    app.synth()
    gc.freeze()


if __name__ == "__main__":
    application = App()
    build(application)
    synth(application)
