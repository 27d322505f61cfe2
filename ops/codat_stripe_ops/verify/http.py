"""A `requests` session with timeouts and bounded retries on 429 and 5xx, honouring Retry-After."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import requests

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
"""Statuses worth another attempt (Codat's SDKs retry the same ones)."""

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
"""Methods retried after a 5xx; others only after 408/429 or with an Idempotency-Key."""

DEFAULT_TIMEOUT = (5.0, 30.0)
"""Connect and read timeouts, in seconds."""


class TransportError(RuntimeError):
    """The server could not be reached or did not answer in time (no secret in the message)."""


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Parse a Retry-After header: delta seconds or an HTTP date; None when absent or invalid."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class HttpClient:
    """HTTP calls to one API base URL with fixed headers, timeouts and bounded retries.

    A response whose status is in `RETRY_STATUSES` is retried up to `max_attempts` times in
    all, waiting what its Retry-After header asks (or an exponential backoff from
    `backoff_seconds`), but never longer than `max_wait_seconds` per wait: a longer
    Retry-After ends the retries and the last response is returned.
    """

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str],
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_attempts: int = 4,
        backoff_seconds: float = 0.5,
        max_wait_seconds: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Open a session; nothing is sent before the first request."""
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.max_wait_seconds = max_wait_seconds
        self.attempts = 0
        self._sleep = sleep
        self._session = requests.Session()
        self._session.headers.update(headers)

    def close(self) -> None:
        """Close the connection pool."""
        self._session.close()

    def __enter__(self) -> HttpClient:
        """Use as a context manager."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close on exit."""
        self.close()

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send `method path` (relative to the base URL) and return the final response.

        Raises:
            TransportError: If no response came back after the allowed attempts.

        """
        method = method.upper()
        url = self.base_url + path
        retry_5xx = method in IDEMPOTENT_METHODS or "Idempotency-Key" in kwargs.get("headers", {})
        for attempt in range(1, self.max_attempts + 1):
            self.attempts += 1
            try:
                response = self._session.request(method, url, timeout=self.timeout, **kwargs)
            except requests.RequestException as error:
                if attempt == self.max_attempts or not retry_5xx:
                    raise TransportError(
                        f"{method} {url}: no answer ({type(error).__name__})"
                    ) from None
                self._sleep(self._backoff(attempt))
                continue
            status = response.status_code
            retryable = status in RETRY_STATUSES and (status in (408, 429) or retry_5xx)
            if not retryable or attempt == self.max_attempts:
                return response
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            wait = self._backoff(attempt) if wait is None else wait
            if wait > self.max_wait_seconds:
                return response
            response.close()
            self._sleep(wait)
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        return float(min(self.max_wait_seconds, self.backoff_seconds * 2 ** (attempt - 1)))

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        """Send a GET."""
        return self.request("GET", path, **kwargs)
