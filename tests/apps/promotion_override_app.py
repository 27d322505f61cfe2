"""CDK app for the promotion check: test and live built with different shared parameters.

PROMOTION_LIVE_OVERRIDES = JSON of SharedParameters fields that the live stack alone
overrides (e.g. {"use_read_write_scope": true}); empty or unset builds them identically.
"""

import json
import os
from dataclasses import replace

from codat_stripe import CodatStripeStack, EnvironmentParameters, SharedParameters, StripeMode
from codat_stripe._cdk import App

overrides = json.loads(os.environ.get("PROMOTION_LIVE_OVERRIDES") or "{}")
shared = SharedParameters()
app = App()
CodatStripeStack(
    app,
    "test",
    shared,
    EnvironmentParameters(name="test", mode=StripeMode.TEST, client_id="ca_fakeTestClient1"),
    owns_sync_settings=True,
)
CodatStripeStack(
    app,
    "live",
    replace(shared, **overrides),
    EnvironmentParameters(name="live", mode=StripeMode.LIVE, client_id="ca_fakeLiveClient1"),
    owns_sync_settings=False,
)
app.synth()
