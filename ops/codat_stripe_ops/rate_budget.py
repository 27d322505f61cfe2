"""A budget of Codat API requests per minute, shared by the stack jobs that run at once.

Codat limits each IP address to 1,000 requests per minute. The runner cannot see the
provider's requests, so every job declares an upper bound of its requests (`cost`) before it
starts. A job's cost counts from its start until 60 seconds after it ends; a job starts only
when the costs counted at that moment plus its own fit the budget. Any 60-second window of
real requests then holds at most the budget: every job with a request in the window started
no later than the window's last starter and ended no earlier than the window's start, so all
of them were counted when the last one was admitted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

CODAT_REQUESTS_PER_MINUTE = 1000
WINDOW_SECONDS = 60.0


@dataclass
class _Entry:
    cost: int
    ended: float | None = None


@dataclass
class RateBudget:
    """At most `requests_per_minute` declared requests in any window of `window` seconds."""

    requests_per_minute: int = CODAT_REQUESTS_PER_MINUTE
    window: float = WINDOW_SECONDS
    clock: Callable[[], float] = time.monotonic
    _entries: list[_Entry] = field(default_factory=list, init=False)
    _changed: threading.Condition = field(default_factory=threading.Condition, init=False)
    waited_seconds: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        """Refuse a budget that admits nothing."""
        if self.requests_per_minute < 1:
            raise ValueError(
                f"requests per minute must be at least 1, got {self.requests_per_minute}"
            )

    def _counted(self, now: float) -> int:
        self._entries = [e for e in self._entries if e.ended is None or now - e.ended < self.window]
        return sum(e.cost for e in self._entries)

    def acquire(self, cost: int) -> _Entry:
        """Block until `cost` more requests fit the budget; return the job's entry.

        A single job costing more than the whole budget starts only when nothing else is
        counted (it cannot be split).
        """
        started = self.clock()
        with self._changed:
            while True:
                now = self.clock()
                counted = self._counted(now)
                if counted + cost <= self.requests_per_minute or not self._entries:
                    entry = _Entry(cost)
                    self._entries.append(entry)
                    self.waited_seconds += now - started
                    return entry
                expiries = [e.ended + self.window - now for e in self._entries if e.ended]
                self._changed.wait(timeout=max(0.05, min(expiries)) if expiries else None)

    def release(self, entry: _Entry) -> None:
        """The job ended: its cost stays counted for one more window."""
        with self._changed:
            entry.ended = self.clock()
            self._changed.notify_all()
