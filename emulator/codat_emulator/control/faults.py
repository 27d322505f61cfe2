"""Fault injection: make the next N matching requests fail with a chosen status."""

import itertools
import threading
from dataclasses import asdict, dataclass, replace
from typing import Any

MIN_STATUS = 400
MAX_STATUS = 599


@dataclass(frozen=True)
class FaultRule:
    """One fault: the next ``count`` requests matching it fail with ``status``.

    Attributes:
        status: HTTP status to answer (400-599).
        count: How many matching requests still fail.
        method: Only requests with this method match (any if None).
        path_prefix: Only requests whose path starts with this match (any if None).
        retry_after_seconds: ``Retry-After`` header value, if any.
        id: Identifier assigned when the rule is added.

    """

    status: int
    count: int
    method: str | None = None
    path_prefix: str | None = None
    retry_after_seconds: int | None = None
    id: int = 0

    def matches(self, method: str, path: str) -> bool:
        """Tell whether a request matches this rule."""
        if self.method is not None and self.method != method.upper():
            return False
        return self.path_prefix is None or path.startswith(self.path_prefix)

    def as_dict(self) -> dict[str, Any]:
        """Return the rule as a JSON-ready dict."""
        return asdict(self)


def _opt_int(value: Any, name: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"'{name}' must be an integer between {low} and {high}")
    return value


def _opt_str(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ValueError(f"'{name}' must be a non-empty string")
    return value


def rule_from_dict(body: Any) -> FaultRule:
    """Build a rule from a JSON body ``{"status", "count", "method"?, "path_prefix"?, ...}``.

    Raises:
        ValueError: If a field is missing or invalid.

    """
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    unknown = set(body) - {"status", "count", "method", "path_prefix", "retry_after_seconds"}
    if unknown:
        raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
    status = _opt_int(body.get("status"), "status", MIN_STATUS, MAX_STATUS)
    if status is None:
        raise ValueError("'status' is required")
    count = _opt_int(body.get("count", 1), "count", 1, 1_000_000)
    method = _opt_str(body.get("method"), "method")
    return FaultRule(
        status=status,
        count=count or 1,
        method=method.upper() if method else None,
        path_prefix=_opt_str(body.get("path_prefix"), "path_prefix"),
        retry_after_seconds=_opt_int(
            body.get("retry_after_seconds"), "retry_after_seconds", 0, 3600
        ),
    )


def rule_from_spec(spec: str) -> FaultRule:
    """Build a rule from a command-line spec ``STATUS:COUNT[:METHOD[:PATH_PREFIX]]``.

    Raises:
        ValueError: If the spec is malformed.

    """
    parts = spec.split(":", 3)
    if len(parts) < 2:
        raise ValueError("expected STATUS:COUNT[:METHOD[:PATH_PREFIX]]")
    try:
        body: dict[str, Any] = {"status": int(parts[0]), "count": int(parts[1])}
    except ValueError:
        raise ValueError("STATUS and COUNT must be integers") from None
    if len(parts) > 2 and parts[2] and parts[2] != "*":
        body["method"] = parts[2]
    if len(parts) > 3 and parts[3]:
        body["path_prefix"] = parts[3]
    return rule_from_dict(body)


class FaultInjector:
    """Thread-safe list of active fault rules, consumed in the order they were added."""

    def __init__(self, rules: tuple[FaultRule, ...] = ()) -> None:
        """Start with ``rules`` active."""
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._rules: list[FaultRule] = []
        for rule in rules:
            self.add(rule)

    def add(self, rule: FaultRule) -> FaultRule:
        """Activate ``rule`` and return it with its assigned id."""
        with self._lock:
            stored = replace(rule, id=next(self._ids))
            self._rules.append(stored)
        return stored

    def take(self, method: str, path: str) -> FaultRule | None:
        """Consume one use of the first rule matching the request, if any."""
        with self._lock:
            for index, rule in enumerate(self._rules):
                if rule.matches(method, path):
                    if rule.count <= 1:
                        del self._rules[index]
                    else:
                        self._rules[index] = replace(rule, count=rule.count - 1)
                    return rule
        return None

    def active(self) -> list[FaultRule]:
        """Return the active rules."""
        with self._lock:
            return list(self._rules)

    def clear(self) -> None:
        """Drop every rule."""
        with self._lock:
            self._rules.clear()
