"""CDK app for the operations tests: `build_stacks` from JSON in STACK_PARAMS, any state backend.

STACK_PARAMS = {"shared": {...SharedParameters fields},
                "environments": [{...EnvironmentParameters fields,
                                  "state"?: {"pg": "<schema>"} | {"local": "<path>"}}, ...]}

Unlike `params_app.py`, an environment may keep its state in PostgreSQL (`PostgresState`,
connection string from PG_CONN_STR at deploy time) or in a chosen local file.
"""

import json
import os
from typing import Any

from codat_stripe import EnvironmentParameters, SharedParameters, StripeMode, build_stacks
from codat_stripe._cdk import App
from codat_stripe.backends import LocalState, PostgresState, StateBackend


def _state(spec: dict[str, str] | None) -> StateBackend | None:
    """The backend an environment's JSON `state` names (None: the default local file)."""
    if spec is None:
        return None
    if "pg" in spec:
        return PostgresState(schema_name=spec["pg"])
    return LocalState(spec["local"])


def _environment(env: dict[str, Any]) -> EnvironmentParameters:
    """EnvironmentParameters from JSON, with the mode and backend converted."""
    return EnvironmentParameters(
        **{**env, "mode": StripeMode(env["mode"]), "state": _state(env.get("state"))}
    )


params = json.loads(os.environ["STACK_PARAMS"])
app = App()
build_stacks(
    app,
    SharedParameters(**params.get("shared", {})),
    [_environment(env) for env in params["environments"]],
)
app.synth()
