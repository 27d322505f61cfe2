"""Construct-tree facts (path, stack, root) looked up once per construct, then remembered.

Every read of `node.path`, `node.root` or `TerraformStack.of` is a round trip to the jsii
runtime (Node); the constructs ask for the same few facts many times per environment, which
made synth time grow with the number of environments. The facts never change once a
construct exists (constructs cannot be re-parented), so the first answer is kept, keyed by
the Python object, and forgotten with it.

`note_scope(child, scope)` records where a construct of ours was created: a construct that
is not a stack lives in its scope's stack, so `stack_of(child)` needs no round trip when the
scope's stack is already known (this is what `TerraformStack.of` computes, walking up the scopes);
`note_stack(stack, scope)` records a stack of ours as its own stack.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from codat_stripe._cdk import TerraformStack
from constructs import IConstruct

_PATHS: WeakKeyDictionary[IConstruct, str] = WeakKeyDictionary()
_ROOTS: WeakKeyDictionary[IConstruct, IConstruct] = WeakKeyDictionary()
_STACKS: WeakKeyDictionary[IConstruct, TerraformStack] = WeakKeyDictionary()
_SCOPES: WeakKeyDictionary[IConstruct, IConstruct] = WeakKeyDictionary()


def path_of(construct: IConstruct) -> str:
    """`construct.node.path`."""
    path = _PATHS.get(construct)
    if path is None:
        path = _PATHS[construct] = construct.node.path
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


def note_scope(child: IConstruct, scope: IConstruct) -> None:
    """Record that `child`, which is not a stack, was created in `scope`."""
    _SCOPES[child] = scope


def note_stack(stack: TerraformStack, scope: IConstruct) -> None:
    """Record that `stack` is a stack (its own `TerraformStack.of`), created in `scope`."""
    _STACKS[stack] = stack
    _SCOPES[stack] = scope
