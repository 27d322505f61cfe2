"""The README's parameter tables list every field of the parameter classes, with its default.

A field added, renamed or given a new default without the README following fails here.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from pathlib import Path
from typing import Any

import pytest

from codat_stripe import EnvironmentParameters, SharedParameters

README = Path(__file__).resolve().parents[1] / "README.md"


def _table(heading: str) -> dict[str, str]:
    """The `prop -> default` rows of the table that follows the line naming `heading`."""
    lines = README.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"`{heading}`"))
    rows: dict[str, str] = {}
    for line in lines[start + 1 :]:
        if rows and not line.startswith("|"):
            break
        match = re.match(r"\| `(\w+)` \| (.+?) \|", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def _shown(default: Any) -> str | None:
    """How the README writes a literal default; None when it is described in words."""
    if isinstance(default, enum.Enum):
        return f"`{type(default).__name__}.{default.name}`"
    if isinstance(default, bool | int):
        return f"`{default}`"
    if isinstance(default, str) and default.startswith("https://"):
        return f"`{default}`"
    return None


@pytest.mark.parametrize("parameters", [SharedParameters, EnvironmentParameters])
def test_readme_lists_every_parameter_with_its_default(parameters: type) -> None:
    rows = _table(parameters.__name__)
    fields = {field.name: field for field in dataclasses.fields(parameters)}
    assert list(rows) == list(fields), "README rows differ from the fields (names or order)"
    for name, field in fields.items():
        if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            assert rows[name] == "required", f"{name} has no default: the README must say so"
            continue
        assert rows[name] != "required", f"{name} has a default, the README calls it required"
        expected = _shown(field.default)
        if expected is not None:
            assert rows[name] == expected, f"README default of {name}"
