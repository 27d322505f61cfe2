"""A project directory given relative to the current directory works like an absolute one.

The app and terraform run with the project (or a stack) as their working directory, so a
relative `--project-dir` must be made absolute first: `codat-stripe drift --project-dir
.demo/project` used to fail with "mkdir '.demo/project/cdktf.out'".
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from codat_stripe_ops.toolchain import CdkProject


def test_a_relative_project_directory_is_resolved_where_it_was_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "team" / "infra").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "team")
    project = CdkProject(directory=Path("infra"), env=dict(os.environ))
    assert project.directory == tmp_path / "team" / "infra"
    assert project.stack_dir("test") == tmp_path / "team" / "infra" / "cdktf.out/stacks/test"
