"""The bench's CDK floor: an app with exactly the elements of the app it mirrors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from codat_bench.synth import SYNTH_ONLY_URLS, element_shape
from codat_bench.workspace import ELEMENT_FLOOR_APP, MAIN_APP


def _synth(app: Path, out: Path, **env: str) -> Path:
    subprocess.run(
        [sys.executable, str(app)],
        env={**os.environ, **env, "CDKTF_OUTDIR": str(out)},
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out


def test_floor_app_declares_the_shape_it_is_given(tmp_path: Path) -> None:
    """Every kind is counted apart: a count read from the wrong block, or a floor app
    that drops a kind, gives a different shape back."""
    shape = [
        {
            "backends": 1,
            "providers": 1,
            "variables": 2,
            "locals": 3,
            "resources": 4,
            "data_sources": 5,
            "outputs": 6,
        },
        {
            "backends": 1,  # the CDK gives a stack without one its default local backend
            "providers": 2,
            "variables": 0,
            "locals": 0,
            "resources": 7,
            "data_sources": 1,
            "outputs": 0,
        },
    ]
    shape_file = tmp_path / "shape.json"
    shape_file.write_text(json.dumps(shape))
    out = _synth(ELEMENT_FLOOR_APP, tmp_path / "out", BENCH_FLOOR_SHAPE=str(shape_file))
    assert element_shape(out) == shape


def test_floor_of_main_py_holds_its_elements(tmp_path: Path) -> None:
    """Mirroring main.py's synthesized stacks gives back the same counts, per stack."""
    shipped = element_shape(_synth(MAIN_APP, tmp_path / "main", **SYNTH_ONLY_URLS))
    assert len(shipped) == 2
    assert all(s["resources"] > 0 and s["outputs"] > 0 for s in shipped)
    shape_file = tmp_path / "shape.json"
    shape_file.write_text(json.dumps(shipped))
    floor = _synth(ELEMENT_FLOOR_APP, tmp_path / "floor", BENCH_FLOOR_SHAPE=str(shape_file))
    assert element_shape(floor) == shipped
