"""CDK app for the promotion check: test and live built with different shared parameters.

PROMOTION_LIVE_OVERRIDES = JSON of SharedParameters fields that the live stack alone
overrides (e.g. {"use_read_write_scope": true}); empty or unset builds them identically.
"""

import json
import os
from dataclasses import replace

from codat_stripe import (
    App,
    CodatStripeStack,
    EnvironmentParameters,
    SharedParameters,
    StripeMode,
)

# Synth only: a loopback Codat, where the fake client IDs below are accepted.
CODAT = os.environ.get("PROMOTION_CODAT_BASE_URL", "http://127.0.0.1:4010")

overrides = json.loads(os.environ.get("PROMOTION_LIVE_OVERRIDES") or "{}")
shared = SharedParameters()
app = App()
CodatStripeStack(
    app,
    "test",
    shared,
    EnvironmentParameters(
        name="test",
        mode=StripeMode.TEST,
        client_id="ca_fakeTestClient1",
        codat_instance="promo-sandbox",
        codat_base_url=CODAT,
    ),
    owns_sync_settings=True,
)
CodatStripeStack(
    app,
    "live",
    replace(shared, **overrides),
    EnvironmentParameters(
        name="live",
        mode=StripeMode.LIVE,
        client_id="ca_fakeLiveClient1",
        codat_instance="promo-prod",
        codat_base_url=CODAT,
    ),
    owns_sync_settings=False,
)
app.synth()
