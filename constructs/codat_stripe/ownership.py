"""Codat singletons have one owner per Codat instance, checked across the whole construct tree.

Per Codat client (a named instance, i.e. one API key's account) there is exactly one Stripe
integration, one Stripe Test integration and one list of client sync settings. Two constructs
managing the same singleton would overwrite each other on every deploy, so the second claim
in one app is refused at construction, naming both construct paths, however the constructs
were composed (with `build_stacks` or by hand).
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from codat_stripe.tree_lookups import path_of, root_of, stack_of
from codat_stripe.validation import CodatStripeConfigError
from constructs import Construct

_CLAIMS: WeakKeyDictionary[object, dict[tuple[str, str], str]] = WeakKeyDictionary()


def claim_singleton(scope: Construct, instance: str, singleton: str, what: str) -> None:
    """Record that `scope` manages `singleton` of Codat instance `instance`, or refuse.

    Args:
        scope: The construct that manages it (its path is named in the error).
        instance: The Codat instance's name.
        singleton: A key for the singleton, e.g. "integration:yzth" or "sync-settings".
        what: How to call it in the error, e.g. "Codat's Stripe Test integration (yzth)".

    """
    # The root through the stack: the stack's lookups are shared with claim_name's.
    claims = _CLAIMS.setdefault(root_of(stack_of(scope)), {})
    key = (instance, singleton)
    path = path_of(scope)
    if key in claims and claims[key] != path:
        raise CodatStripeConfigError(
            f"'{claims[key]}' and '{path}' would both manage {what} of the Codat instance "
            f"'{instance}': it is one object per Codat client, so exactly one construct may "
            "manage it. Give one of them another Codat instance (another client's API key) "
            "or drop it."
        )
    claims[key] = path


def claim_name(scope: Construct, kind: str, name: str) -> None:
    """Refuse a second top-level Terraform name (output or check) of `kind` in one stack."""
    stack = stack_of(scope)
    claims = _CLAIMS.setdefault(stack, {})
    key = (kind, name)
    path = path_of(scope)
    if key in claims and claims[key] != path:
        raise CodatStripeConfigError(
            f"'{claims[key]}' and '{path}' would both declare the {kind} '{name}' in stack "
            f"'{stack.node.id}': give one of them another construct id"
        )
    claims[key] = path
