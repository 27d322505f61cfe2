"""Which reads of a zero-change plan are inherent, and why: a model checked against the log.

Each read the configuration makes per stack is listed with the block that makes it and
whether Terraform's model lets it go. The model's expected calls per route are compared with
the emulator's request log, so a configuration change that adds or removes a read makes the
report say the model no longer matches instead of repeating a stale explanation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Read:
    """One GET a stack's plan makes: route (with `{key}`), the block making it, the verdict."""

    route: str
    block: str
    inherent: bool
    why: str
    sync_owner_only: bool = False
    #: Made only when the stack is not converged (a `count` that is 0 otherwise): listed for
    #: its reason, expected 0 times in a zero-change plan.
    only_when_diverged: bool = False


READS_PER_STACK = (
    Read(
        "GET /integrations/{key}",
        "Enabled (resource refresh, read_path)",
        True,
        "detects drift of the enabled toggle",
    ),
    Read(
        "GET /integrations/{key}",
        "Integration (data source)",
        True,
        "finds the integrationId for the data-access path; taking it from Enabled instead "
        "would enable the integration before its data-access setting is written",
    ),
    Read(
        "GET /integrations/credentials/{key}",
        "ObservedCredentials (data source)",
        True,
        "the only read of the credentials (an operation is never refreshed): drives healing",
    ),
    Read(
        "GET /integrations/credentials/{key}",
        "StoredCredentials (data source of the credentials check)",
        True,
        "made only when ObservedCredentials differs from the code or finds none (its `count` "
        "is 0 otherwise, so a plan of converged stacks skips it): a credentials write is then "
        "pending, and this read waits for it so the check verifies what Codat stored (a plan "
        "leaves it to the apply; a drift check, which plans no write, reads it). A check "
        "reading ObservedCredentials then would end every healing deploy with a false warning "
        "(that read precedes the write and is not repeated), and ObservedCredentials cannot "
        "wait for the write: the write is triggered from it",
        only_when_diverged=True,
    ),
    Read(
        "GET /settings/integrations/{id}",
        "DataAccess (resource refresh)",
        True,
        "detects drift of the data-access setting",
    ),
    Read(
        "GET /profile/syncSettings",
        "Settings (resource refresh)",
        True,
        "detects drift of the managed commerce entries",
        sync_owner_only=True,
    ),
    Read(
        "GET /profile/syncSettings",
        "Current (data source)",
        True,
        "Codat replaces the list wholesale, so the body is the current list merged with ours; "
        "a resource cannot reference its own refreshed state",
        sync_owner_only=True,
    ),
)


def _keyed(route: str) -> str:
    for key in ("yzth", "exgd"):
        route = route.replace(f"/{key}", "/{key}")
    return route


def classify(by_route: dict[str, int], stacks: int, sync_owners: int) -> dict[str, Any]:
    """Inherent and removable reads of a plan of `stacks` stacks, and whether the model holds."""
    expected: dict[str, int] = {}
    inherent = removable = 0
    for read in READS_PER_STACK:
        count = sync_owners if read.sync_owner_only else stacks
        if read.only_when_diverged:
            count = 0
        expected[read.route] = expected.get(read.route, 0) + count
        if read.inherent:
            inherent += count
        else:
            removable += count
    measured: dict[str, int] = {}
    for route, count in by_route.items():
        measured[_keyed(route)] = measured.get(_keyed(route), 0) + count
    return {
        "reads": sum(measured.values()),
        "inherent": inherent,
        "removable": removable,
        "model_matches_log": measured == expected,
        "expected_by_route": expected,
        "measured_by_route": measured,
        "per_stack": [
            {
                "route": r.route,
                "block": r.block,
                "inherent": r.inherent,
                "why": r.why,
                "sync_owner_only": r.sync_owner_only,
                "only_when_diverged": r.only_when_diverged,
            }
            for r in READS_PER_STACK
        ],
    }
