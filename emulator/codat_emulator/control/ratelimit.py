"""Per-minute fixed-window rate limiting with Codat's ``X-Rate-Limit-*`` headers."""

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class RateDecision:
    """Outcome of counting one request.

    Attributes:
        allowed: Whether the request may proceed.
        limit: Requests allowed per window.
        remaining: Requests left in the current window.
        reset_epoch: Unix time (seconds) at which the window resets.
        retry_after: Whole seconds until the reset (for ``Retry-After``).

    """

    allowed: bool
    limit: int
    remaining: int
    reset_epoch: int
    retry_after: int

    def headers(self) -> dict[str, str]:
        """Return the ``X-Rate-Limit-*`` headers (plus ``Retry-After`` when refused)."""
        headers = {
            "X-Rate-Limit-Limit": str(self.limit),
            "X-Rate-Limit-Remaining": str(self.remaining),
            "X-Rate-Limit-Reset": str(self.reset_epoch),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers


class RateLimiter:
    """Allow ``limit`` requests per 60-second window (shared by all API keys)."""

    def __init__(self, limit: int, clock: Callable[[], float] = time.time) -> None:
        """Create a limiter allowing ``limit`` (> 0) requests per minute."""
        if limit <= 0:
            raise ValueError("limit must be positive")
        self.limit = limit
        self._clock = clock
        self._lock = threading.Lock()
        self._window_start = 0.0
        self._used = 0

    def hit(self) -> RateDecision:
        """Count one request and decide whether it may proceed."""
        with self._lock:
            now = self._clock()
            if now - self._window_start >= WINDOW_SECONDS:
                self._window_start = now
                self._used = 0
            reset = self._window_start + WINDOW_SECONDS
            allowed = self._used < self.limit
            if allowed:
                self._used += 1
            return RateDecision(
                allowed=allowed,
                limit=self.limit,
                remaining=self.limit - self._used,
                reset_epoch=math.ceil(reset),
                retry_after=max(1, math.ceil(reset - now)),
            )
