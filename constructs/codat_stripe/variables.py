"""Secret stack variables: set only at deploy time, never written to plans or state."""

from __future__ import annotations

from weakref import WeakSet

from codat_stripe._cdk import TerraformVariable
from codat_stripe.tree_lookups import note_logical_id
from constructs import Construct

_SECRET_VARIABLES: WeakSet[TerraformVariable] = WeakSet()


def secret_variable(scope: Construct, id: str, name: str, description: str) -> TerraformVariable:
    """A sensitive, ephemeral string variable named `name` (set as TF_VAR_<name>).

    Ephemeral (Terraform/OpenTofu >= 1.10/1.11): its value is never persisted in plan or
    state files; it may flow only into write-only attributes and provider configuration.
    """
    variable = TerraformVariable(
        scope,
        id,
        type="string",
        sensitive=True,
        nullable=False,
        description=f"{description} (set TF_VAR_{name}).",
    )
    note_logical_id(variable, name)
    variable.add_override("ephemeral", True)
    _SECRET_VARIABLES.add(variable)
    return variable


def is_secret_variable(value: object) -> bool:
    """True for a variable made by `secret_variable` (sensitive and ephemeral)."""
    return isinstance(value, TerraformVariable) and value in _SECRET_VARIABLES
