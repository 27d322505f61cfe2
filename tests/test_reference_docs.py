"""The construct reference is generated from the docstrings, and they cannot rot.

`make docs` renders it with pdoc; this test renders it the same way and checks that every
public name is in it, that every public class and function has a docstring, and that every
optional prop of a props class says what its default does.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import codat_stripe


def test_pdoc_renders_every_public_name(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pdoc",
            "codat_stripe",
            "--docformat",
            "google",
            "-o",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
        timeout=300,
        env={**os.environ, "PDOC_ALLOW_EXEC": "1"},
    )
    html = (tmp_path / "codat_stripe.html").read_text()
    for name in codat_stripe.__all__:
        assert f'id="{name}"' in html, f"{name} is missing from the reference"


def test_every_public_name_has_a_docstring_with_a_summary_line() -> None:
    for name in codat_stripe.__all__:
        doc = inspect.getdoc(getattr(codat_stripe, name))
        assert doc and doc.strip().splitlines()[0].strip(), f"{name} has no docstring"


def test_every_optional_prop_documents_its_default() -> None:
    own = [
        getattr(codat_stripe, name)
        for name in codat_stripe.__all__
        if dataclasses.is_dataclass(getattr(codat_stripe, name))
        and getattr(codat_stripe, name).__module__.startswith("codat_stripe")
    ]
    assert len(own) >= 6
    for cls in own:
        doc = inspect.getdoc(cls) or ""
        names = "|".join(f.name for f in dataclasses.fields(cls))
        for field in dataclasses.fields(cls):
            optional = (
                field.default is not dataclasses.MISSING
                or field.default_factory is not dataclasses.MISSING
            )
            if not optional:
                continue
            entry = re.search(
                rf"^\s*{field.name}:(.*?)(?=^\s*(?:{names}):|\Z)", doc, flags=re.S | re.M
            )
            assert entry, f"{cls.__name__}.{field.name} is not documented"
            assert "Default" in entry.group(1) or "default" in entry.group(1), (
                f"{cls.__name__}.{field.name}: the docstring does not say what the default does"
            )
