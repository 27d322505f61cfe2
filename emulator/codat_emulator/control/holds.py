"""Holds: keep matching API requests waiting inside the emulator until released.

A hold catches the next ``count`` requests matching its method and path prefix, after they
passed authentication, rate limit and faults and before they touch any state. Each waits
until the hold is released (admin ``DELETE /_emulator/holds/{id}``) or its
``timeout_seconds`` pass, then is served normally. Tests use it to freeze a client (e.g. a
terraform apply) at a known point, observe, then let it go.
"""

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

DEFAULT_TIMEOUT_SECONDS = 30.0
MAX_TIMEOUT_SECONDS = 600.0
MAX_COUNT = 1000


@dataclass
class Hold:
    """One hold rule and the requests it keeps waiting.

    Attributes:
        id: Identifier (``DELETE /_emulator/holds/{id}`` releases it).
        method: Only requests with this method are caught (any if None).
        path_prefix: Only requests whose path starts with this are caught (any if None).
        count: How many more requests it will catch.
        timeout_seconds: Longest a request waits before it is served anyway.
        held: Requests waiting right now.
        caught: Requests caught so far.

    """

    id: int
    method: str | None
    path_prefix: str | None
    count: int
    timeout_seconds: float
    held: int = 0
    caught: int = 0
    released: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    def matches(self, method: str, path: str) -> bool:
        """Tell whether this hold catches a request (it must still have catches left)."""
        if self.count <= 0 or self.released.is_set():
            return False
        if self.method is not None and self.method != method.upper():
            return False
        return self.path_prefix is None or path.startswith(self.path_prefix)

    def as_dict(self) -> dict[str, Any]:
        """Return the hold as a JSON-ready dict."""
        return {
            "id": self.id,
            "method": self.method,
            "path_prefix": self.path_prefix,
            "count": self.count,
            "timeout_seconds": self.timeout_seconds,
            "held": self.held,
            "caught": self.caught,
        }


def _number(body: dict[str, Any], name: str, default: float, low: float, high: float) -> float:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low < value <= high:
        raise ValueError(f"'{name}' must be a number above {low:g} and at most {high:g}")
    return float(value)


def _text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and (not isinstance(value, str) or not value):
        raise ValueError(f"'{name}' must be a non-empty string")
    return value


class HoldRegistry:
    """The active holds of one emulator (used from its event loop only)."""

    def __init__(self) -> None:
        """Start with no hold."""
        self._ids = itertools.count(1)
        self._holds: dict[int, Hold] = {}

    def add_from_dict(self, body: Any) -> Hold:
        """Add a hold from ``{"method"?, "path_prefix"?, "count"?, "timeout_seconds"?}``.

        Raises:
            ValueError: Naming the bad field.

        """
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        unknown = set(body) - {"method", "path_prefix", "count", "timeout_seconds"}
        if unknown:
            raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
        count = _number(body, "count", 1, 0, MAX_COUNT)
        if not count.is_integer():
            raise ValueError("'count' must be an integer")
        method = _text(body, "method")
        hold = Hold(
            id=next(self._ids),
            method=method.upper() if method else None,
            path_prefix=_text(body, "path_prefix"),
            count=int(count),
            timeout_seconds=_number(
                body, "timeout_seconds", DEFAULT_TIMEOUT_SECONDS, 0, MAX_TIMEOUT_SECONDS
            ),
        )
        self._holds[hold.id] = hold
        return hold

    def catch(self, method: str, path: str) -> Hold | None:
        """Return the first hold catching this request (counting the catch), or None."""
        for hold in self._holds.values():
            if hold.matches(method, path):
                hold.count -= 1
                hold.caught += 1
                return hold
        return None

    async def wait(self, hold: Hold) -> None:
        """Wait until ``hold`` is released or its timeout passes."""
        hold.held += 1
        try:
            await asyncio.wait_for(hold.released.wait(), hold.timeout_seconds)
        except TimeoutError:
            pass
        finally:
            hold.held -= 1

    def release(self, hold_id: int) -> bool:
        """Release and drop one hold; return whether it existed."""
        hold = self._holds.pop(hold_id, None)
        if hold is None:
            return False
        hold.released.set()
        return True

    def release_all(self) -> None:
        """Release and drop every hold."""
        for hold_id in list(self._holds):
            self.release(hold_id)

    def view(self) -> dict[str, Any]:
        """Return ``{"results": [hold...], "held": requests waiting now}``."""
        holds = [hold.as_dict() for hold in self._holds.values()]
        return {"results": holds, "held": sum(h["held"] for h in holds)}
