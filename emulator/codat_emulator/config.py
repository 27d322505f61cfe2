"""Run-time configuration of one emulator instance."""

from dataclasses import dataclass, field
from pathlib import Path

from codat_emulator.faults import FaultRule


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything ``create_app`` needs to build the emulator.

    Attributes:
        db_path: SQLite file holding all state (created if missing).
        api_keys: API keys accepted at start-up (``Authorization: Basic base64(key)``).
        rate_limit_per_minute: Requests allowed per minute; 0 turns limiting off.
        request_log: File receiving one JSON line per API request, or None.
        enable_admin: Mount the ``/_emulator/...`` admin routes (fault injection).
        faults: Fault rules active from start-up.

    """

    db_path: Path
    api_keys: tuple[str, ...]
    rate_limit_per_minute: int = 0
    request_log: Path | None = None
    enable_admin: bool = False
    faults: tuple[FaultRule, ...] = field(default_factory=tuple)
