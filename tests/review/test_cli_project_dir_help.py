"""`--project-dir`'s help says what its default does: the current directory when it has a
cdktf.json, else the repository. The help of the real console script, and the default."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from codat_stripe_ops import cli
from codat_stripe_ops.toolchain import REPO

DEFAULT = "(default: the current directory when it has a cdktf.json, else the repository)"
COMMANDS = ("plan", "drift", "promote-check", "deploy", "export-hcl")


@pytest.mark.parametrize("command", COMMANDS)
def test_help_states_the_default_project_dir(command: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "codat_stripe_ops.cli", command, "--help"],
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "100"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert DEFAULT in " ".join(result.stdout.split()), result.stdout
    assert "(default: the repository)" not in result.stdout


def test_the_default_is_what_the_help_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.build_parser().parse_args(["plan"]).project_dir == REPO
    (tmp_path / "cdktf.json").write_text("{}")
    for command in ("plan", "promote-check"):
        assert cli.build_parser().parse_args([command]).project_dir == tmp_path
