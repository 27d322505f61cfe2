"""CDK app for the S3 shared-state tests: `build_stacks` from STACK_PARAMS, state in S3.

STACK_PARAMS is `operate_app.py`'s format; an environment's `state` may be
{"backend": "s3", "bucket": ..., "key": ..., "region": ..., "endpoint_url": ...}, which
becomes `S3State` with S3-native locking against that S3-compatible endpoint.
"""

import json
import os
from typing import Any

from codat_stripe import EnvironmentParameters, SharedParameters, StripeMode, build_stacks
from codat_stripe._cdk import App
from codat_stripe.backends import S3State


def _environment(env: dict[str, Any]) -> EnvironmentParameters:
    state = dict(env.pop("state", None) or {})
    backend = None
    if state:
        assert state.pop("backend") == "s3", state
        backend = S3State(**state)
    return EnvironmentParameters(**{**env, "mode": StripeMode(env["mode"]), "state": backend})


# S3-native locking needs terraform >= 1.10; the CDK checks the versions a project targets.
TARGET_VERSIONS = {"terraform": ">=1.10.0", "opentofu": ">=1.10.0"}

params = json.loads(os.environ["STACK_PARAMS"])
app = App(context={"targetVersions": TARGET_VERSIONS})
build_stacks(
    app,
    SharedParameters(**params.get("shared", {})),
    [_environment(env) for env in params["environments"]],
)
app.synth()
