"""`codat-stripe verify` loads the app of the project it runs in, like every other command."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SENTINEL = "this-is-the-team-checkout-main-py"


def test_verify_uses_main_py_of_the_current_project(tmp_path: Path) -> None:
    (tmp_path / "cdktf.json").write_text('{"language": "python", "app": "python main.py"}\n')
    (tmp_path / "main.py").write_text(f"raise SystemExit({SENTINEL!r})\n")
    cli = shutil.which("codat-stripe") or str(Path(__file__).parents[2] / ".venv/bin/codat-stripe")
    result = subprocess.run(
        [cli, "verify", "test"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert str(tmp_path / "main.py") in result.stderr + result.stdout
    assert SENTINEL in result.stderr + result.stdout
