"""One check's outcome: name, status, what was found and what to do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """Outcome of one check."""

    PASS = "pass"
    FAIL = "fail"
    NOT_CHECKABLE = "not-checkable"


@dataclass(frozen=True)
class CheckResult:
    """One check, in plain language; `action` says what to do when it did not pass."""

    name: str
    status: Status
    detail: str
    action: str = ""

    @classmethod
    def passed(cls, name: str, detail: str) -> CheckResult:
        """A check that passed."""
        return cls(name, Status.PASS, detail)

    @classmethod
    def failed(cls, name: str, detail: str, action: str) -> CheckResult:
        """A check that failed, with what to do about it."""
        return cls(name, Status.FAIL, detail, action)

    @classmethod
    def unknown(cls, name: str, detail: str, action: str = "") -> CheckResult:
        """A check that could not be made from the outside."""
        return cls(name, Status.NOT_CHECKABLE, detail, action)
