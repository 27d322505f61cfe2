"""The environment `make setup` prepared, and runners for the real CDK CLI and terraform.

`make setup` writes `.toolchain/env` (terraform binary, project-local CLI config, plugin
cache); everything that runs `cdktn` or terraform outside make loads it from here, with the
project's Node 22 and virtualenv first on PATH.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TOOLCHAIN_ENV = REPO / ".toolchain" / "env"
NODE_BIN = REPO / "node_modules" / ".bin"
TERRAFORM_GOGC = "400"
"""Go's garbage-collection target for the terraform/tofu processes run here (and their providers).

A plan, show or apply of one of these stacks is a short-lived process with a small heap; at
Go's default (100) a plan spends about a fifth of its CPU collecting. At 400 the heap may grow
to five times the live data before a collection: terraform and its provider peak at about
155 MiB instead of 110 MiB per stack, for about 22% less CPU (bench/README.md). A GOGC set
by the user wins.
"""


def default_project_dir() -> Path:
    """The current directory if it is a CDK project (has cdktf.json), else the repository.

    Every `codat-stripe` command takes its project (and `verify` its app, `main.py`) from
    here unless told otherwise, so a team's checkout is used, not the installed package's.
    """
    here = Path.cwd()
    return here if (here / "cdktf.json").exists() else REPO


class ToolchainMissingError(RuntimeError):
    """`make setup` has not been run."""


def toolchain_environ(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return `base` (default os.environ) plus the toolchain settings and PATH."""
    if not TOOLCHAIN_ENV.exists():
        raise ToolchainMissingError(f"{TOOLCHAIN_ENV} is missing: run `make setup` first")
    env = dict(os.environ if base is None else base)
    for line in TOOLCHAIN_ENV.read_text().splitlines():
        key, _, value = line.partition("=")
        if key and not key.startswith("#"):
            env[key] = value
    # Lets one run use another binary, e.g. `make test-opentofu` with OpenTofu built from source.
    if env.get("TERRAFORM_BINARY_OVERRIDE"):
        env["TERRAFORM_BINARY_NAME"] = env["TERRAFORM_BINARY_OVERRIDE"]
    prefix = [str(NODE_BIN), str(Path(sys.executable).parent)]
    env["PATH"] = os.pathsep.join([*prefix, env.get("PATH", "")])
    env.pop("TF_LOG", None)
    return env


@dataclass
class CdkProject:
    """A CDK project directory whose app is a Python script (by default this repo's main.py).

    Keeping the project directory apart from the repo keeps `cdktf.out` and local state
    files of demos and tests away from a user's real ones.
    """

    directory: Path
    app_script: Path = REPO / "main.py"
    env: dict[str, str] = field(default_factory=toolchain_environ)

    def __post_init__(self) -> None:
        # Absolute: the app and terraform run with the project (or a stack) as their working
        # directory, where a relative path given on the command line means something else.
        self.directory = Path(self.directory).resolve()

    def write_config(self) -> None:
        """Write cdktf.json, running `app_script` with this interpreter."""
        self.directory.mkdir(parents=True, exist_ok=True)
        config = {
            "language": "python",
            "app": f"{sys.executable} {self.app_script}",
            "terraformProviders": [],
            "terraformModules": [],
            "sendCrashReports": "false",
        }
        (self.directory / "cdktf.json").write_text(json.dumps(config, indent=2) + "\n")

    def stack_dir(self, stack: str) -> Path:
        """Working directory of a synthesized stack."""
        return self.directory / "cdktf.out" / "stacks" / stack

    def cli(
        self,
        *args: str,
        check: bool = True,
        extra_env: Mapping[str, str] | None = None,
        timeout: float = 600,
    ) -> subprocess.CompletedProcess[str]:
        """Run the real `cdktn` CLI in the project directory, capturing its output."""
        return self._run(["cdktn", *args], self.directory, check, extra_env, timeout)

    def terraform(
        self,
        stack: str,
        *args: str,
        check: bool = False,
        extra_env: Mapping[str, str] | None = None,
        timeout: float = 600,
    ) -> subprocess.CompletedProcess[str]:
        """Run terraform/tofu in a synthesized stack's working directory."""
        binary = self.env["TERRAFORM_BINARY_NAME"]
        go_runtime = {} if "GOGC" in self.env else {"GOGC": TERRAFORM_GOGC}
        run_env = {**go_runtime, **(extra_env or {})}
        return self._run([binary, *args], self.stack_dir(stack), check, run_env, timeout)

    def _run(
        self,
        command: Sequence[str],
        cwd: Path,
        check: bool,
        extra_env: Mapping[str, str] | None,
        timeout: float,
    ) -> subprocess.CompletedProcess[str]:
        env = {**self.env, **(extra_env or {})}
        result = subprocess.run(
            list(command),
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise CommandFailedError(command, result)
        return result


class CommandFailedError(RuntimeError):
    """A CLI run exited non-zero; the message carries its output."""

    def __init__(self, command: Sequence[str], result: subprocess.CompletedProcess[str]) -> None:
        """Keep the result for callers that want it."""
        self.result = result
        name = Path(command[0]).name
        super().__init__(
            f"{name} {' '.join(command[1:])} exited {result.returncode}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
