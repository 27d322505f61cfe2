"""The one JSON encoding every emulator response uses: compact, sorted keys, deterministic."""

import json
from typing import Any


def dumps(value: Any) -> bytes:
    """Serialize ``value`` as compact UTF-8 JSON with sorted keys."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()
