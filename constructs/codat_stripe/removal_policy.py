"""What `cdktn destroy` does to the Codat objects a stack manages."""

from __future__ import annotations

from enum import StrEnum


class RemovalPolicy(StrEnum):
    """What destroying a stack (or removing a construct) does in Codat.

    In the spirit of AWS CDK's `RemovalPolicy`: the safe choice is the default.
    """

    RETAIN = "retain"
    """Destroy forgets the objects: Codat is left exactly as it is (default).

    The credentials are never deleted; the enabled toggle and the data-access setting are
    written back with the values Codat holds at destroy time (a write that changes nothing),
    because the provider always calls an API when a resource leaves the state.
    """

    DESTROY = "destroy"
    """Destroy tears the set-up down: disables the integration, deletes the credentials and
    resets the data-access setting to Codat's default. Opt-in, for stacks that created their
    set-up from scratch (e.g. a throwaway test client)."""


DEFAULT_REMOVAL_POLICY = RemovalPolicy.RETAIN
"""Default of every construct's and environment's `removal_policy`."""
