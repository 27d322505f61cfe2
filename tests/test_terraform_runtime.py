"""terraform/tofu runs with Go's GC target raised, unless the user chose their own.

The project's commands run many short-lived terraform processes; `toolchain.TERRAFORM_GOGC`
trades a little memory for less collection work (bench/README.md has the figures). The
binary here is a stand-in that prints the GOGC it was started with, so the test sees the
environment the real terraform gets.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from codat_stripe_ops.toolchain import TERRAFORM_GOGC, CdkProject


@pytest.fixture
def project(tmp_path: Path) -> CdkProject:
    binary = tmp_path / "terraform"
    binary.write_text('#!/bin/sh\nprintf "%s" "${GOGC-unset}"\n')
    binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
    env = {k: v for k, v in os.environ.items() if k != "GOGC"}
    env["TERRAFORM_BINARY_NAME"] = str(binary)
    result = CdkProject(directory=tmp_path / "project", env=env)
    result.stack_dir("test").mkdir(parents=True)
    return result


def test_terraform_runs_with_the_raised_gc_target(project: CdkProject) -> None:
    assert project.terraform("test", "plan").stdout == TERRAFORM_GOGC == "400"


def test_a_gogc_the_user_set_wins(project: CdkProject) -> None:
    project.env["GOGC"] = "100"
    assert project.terraform("test", "plan").stdout == "100"


def test_extra_env_still_reaches_terraform(project: CdkProject) -> None:
    assert project.terraform("test", "plan", extra_env={"GOGC": "off"}).stdout == "off"
