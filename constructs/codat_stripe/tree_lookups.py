"""Construct-tree facts (path, stack, root) looked up once per construct, then remembered.

Every read of `node.path`, `node.root` or `TerraformStack.of` is a round trip to the jsii
runtime (Node); the constructs ask for the same few facts many times per environment, which
made synth time grow with the number of environments. The facts never change once a
construct exists (constructs cannot be re-parented), so the first answer is kept, keyed by
the Python object, and forgotten with it.

`note_scope(child, scope, id)` records where a construct of ours was created and its id: a
construct that is not a stack lives in its scope's stack, so `stack_of(child)` needs no
round trip when the scope's stack is already known (this is what `TerraformStack.of`
computes, walking up the scopes); `note_stack(stack, scope, id)` records a stack of ours as
its own stack. `logical_id(element)` computes an element's Terraform name from those ids, as the
CDK does, and asks Node only where the tree between the element and its stack is not ours.
"""

from __future__ import annotations

import hashlib
import re
from weakref import WeakKeyDictionary

from codat_stripe._cdk import App, TerraformElement, TerraformStack
from codat_stripe.validation import CodatStripeConfigError
from constructs import IConstruct

_PATHS: WeakKeyDictionary[IConstruct, str] = WeakKeyDictionary()
_ROOTS: WeakKeyDictionary[IConstruct, IConstruct] = WeakKeyDictionary()
_STACKS: WeakKeyDictionary[IConstruct, TerraformStack] = WeakKeyDictionary()
_SCOPES: WeakKeyDictionary[IConstruct, IConstruct] = WeakKeyDictionary()
_IDS: WeakKeyDictionary[IConstruct, str] = WeakKeyDictionary()
_LOGICAL_IDS: WeakKeyDictionary[IConstruct, str] = WeakKeyDictionary()


def path_of(construct: IConstruct) -> str:
    """`construct.node.path`: its scope's path and its id, asking Node only if not ours."""
    path = _PATHS.get(construct)
    if path is None:
        scope, id = _SCOPES.get(construct), _IDS.get(construct)
        if scope is None or id is None:
            path = construct.node.path
        elif isinstance(scope, App):
            path = id  # the root's own path is empty
        else:
            path = f"{path_of(scope)}/{id}"
        _PATHS[construct] = path
    return path


def root_of(construct: IConstruct) -> IConstruct:
    """`construct.node.root` (the app)."""
    root = _ROOTS.get(construct)
    if root is None:
        scope = _SCOPES.get(construct)
        root = root_of(scope) if scope is not None else construct.node.root
        _ROOTS[construct] = root
    return root


def stack_of(construct: IConstruct) -> TerraformStack:
    """`TerraformStack.of(construct)`: the construct itself if it is a stack, else its scope's."""
    stack = _STACKS.get(construct)
    if stack is None:
        scope = _SCOPES.get(construct)
        known = _STACKS.get(scope) if scope is not None else None
        # Unknown: ask Node about the construct itself, so a construct outside any stack
        # gets the CDK's own error naming its path (and the hint for an App as scope).
        stack = known if known is not None else TerraformStack.of(construct)
        _STACKS[construct] = stack
    return stack


def note_scope(child: IConstruct, scope: IConstruct, id: str) -> None:
    """Record that `child`, which is not a stack, was created in `scope` with this id."""
    _SCOPES[child] = scope
    _IDS[child] = id


def note_logical_id(element: TerraformElement, logical_id: str) -> None:
    """Give `element` this Terraform name (`override_logical_id`) and remember it."""
    claim_logical_id(element, logical_id)
    element.override_logical_id(logical_id)


def claim_logical_id(element: TerraformElement, logical_id: str) -> None:
    """Remember the name an element is given, or refuse a rename after its name was used.

    The constructs write references to their elements (addresses in expressions, import
    blocks) with `logical_id` while they are built. A later `override_logical_id` would
    rename the element in the JSON but not in those references, so it is refused here,
    naming the element, instead of leaving Terraform to fail on an undeclared resource.
    """
    used = _LOGICAL_IDS.get(element)
    if used is not None and used != logical_id:
        raise CodatStripeConfigError(
            f"'{path_of(element)}' cannot be renamed to {logical_id!r}: its Terraform name "
            f"{used!r} is already used in the references the constructs wrote. The names "
            "follow the construct ids; to keep the state of an old name, use a `moved` block "
            "or `terraform state mv`."
        )
    _LOGICAL_IDS[element] = logical_id


def logical_id(element: TerraformElement) -> str:
    """`element.friendly_unique_id` (its Terraform name), computed without Node when possible.

    The CDK names an element from the construct ids between its stack and itself
    (`make_unique_id`). When every construct on that path is one of ours (ids recorded by
    `note_scope`) and the stack keeps the CDK's naming (overrides neither
    `allocate_logical_id` nor `get_logical_id`), the name is computed here; otherwise Node
    is asked once. The synth snapshots and the CDKTF 0.21 synth tests hold both to the same
    names.
    """
    known = _LOGICAL_IDS.get(element)
    if known is None:
        components = _ids_below_stack(element)
        known = (
            make_unique_id(components)
            if components is not None
            else str(element.friendly_unique_id)
        )
        _LOGICAL_IDS[element] = known
    return known


def _ids_below_stack(element: TerraformElement) -> list[str] | None:
    """Construct ids from just below the element's stack down to it; None if not all known."""
    stack = stack_of(element)
    naming = ("_allocate_logical_id", "get_logical_id")
    if any(getattr(type(stack), m) is not getattr(TerraformStack, m) for m in naming):
        return None  # the stack names its elements its own way
    ids: list[str] = []
    current: IConstruct | None = element
    while current is not stack:
        if current is None or current not in _IDS:
            return None
        ids.append(_IDS[current])
        current = _SCOPES.get(current)
    return ids[::-1]


_HIDDEN_ID = "Default"  # left out of the name and the hash
_HIDDEN_FROM_HUMAN_ID = "Resource"  # left out of the readable part only
_HASH_LENGTH = 8
_MAX_HUMAN_LENGTH = 240
_MAX_ID_LENGTH = 255


def make_unique_id(components: list[str]) -> str:
    """The CDK's logical id of an element from its construct ids below the stack.

    A single id is used as it is (without characters outside [A-Za-z0-9_-]); a path is its
    readable part (ids joined by "_", a repeated suffix dropped) plus the first 8 hex digits
    of the MD5 of the ids joined by "/".
    """
    components = [c for c in components if c != _HIDDEN_ID]
    if not components:
        raise ValueError("a logical id needs at least one construct id other than 'Default'")
    if len(components) == 1:
        candidate = _allowed(components[0])
        if len(candidate) <= _MAX_ID_LENGTH:
            return candidate
    digest = hashlib.md5("/".join(components).encode(), usedforsecurity=False).hexdigest()
    human = "_".join(
        _allowed(c) for c in _without_repeats(components) if c != _HIDDEN_FROM_HUMAN_ID
    )[:_MAX_HUMAN_LENGTH]
    return f"{human}_{digest[:_HASH_LENGTH].upper()}"


def _allowed(component: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "", component)


def _without_repeats(components: list[str]) -> list[str]:
    """Drop a component when the one kept before it ends with it (the CDK's `removeDupes`)."""
    kept: list[str] = []
    for component in components:
        if not kept or not kept[-1].endswith(component):
            kept.append(component)
    return kept


def note_stack(stack: TerraformStack, scope: IConstruct, id: str) -> None:
    """Record that `stack` is a stack (its own `TerraformStack.of`), created in `scope`."""
    _STACKS[stack] = stack
    _SCOPES[stack] = scope
    _IDS[stack] = id
