"""CDK app for end-to-end tests: `build_stacks` from JSON parameters in STACK_PARAMS.

STACK_PARAMS = {"shared": {...SharedParameters fields}, "environments": [{...}, ...]}
An environment without "codat_instance" is on the instance "e2e-shared" (one emulator client).
"""

import json
import os

from codat_stripe import App, EnvironmentParameters, SharedParameters, StripeMode, build_stacks

params = json.loads(os.environ["STACK_PARAMS"])
app = App()
build_stacks(
    app,
    SharedParameters(**params.get("shared", {})),
    [
        EnvironmentParameters(
            **{"codat_instance": "e2e-shared", **env, "mode": StripeMode(env["mode"])}
        )
        for env in params["environments"]
    ],
)
app.synth()
