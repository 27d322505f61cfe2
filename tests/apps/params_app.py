"""CDK app for end-to-end tests: `build_stacks` from JSON parameters in STACK_PARAMS.

STACK_PARAMS = {"shared": {...SharedParameters fields}, "environments": [{...}, ...]}
"""

import json
import os

from codat_stripe import EnvironmentParameters, SharedParameters, StripeMode, build_stacks
from codat_stripe._cdk import App

params = json.loads(os.environ["STACK_PARAMS"])
app = App()
build_stacks(
    app,
    SharedParameters(**params.get("shared", {})),
    [
        EnvironmentParameters(**{**env, "mode": StripeMode(env["mode"])})
        for env in params["environments"]
    ],
)
app.synth()
