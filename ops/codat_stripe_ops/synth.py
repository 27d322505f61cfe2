"""Synthesize a CDK app by running its app command directly, as the `cdktn` CLI would.

`cdktn synth` starts Node, starts the CLI, then runs the app command from cdktf.json with
CDKTF_OUTDIR set; that Node start is most of a synth. Running the app command ourselves with
the same environment the CLI gives it (no TF_VAR_* secrets, CDKTF_OUTDIR, CDKTF_CONTEXT_JSON)
writes the same cdktf.out, then stale stack directories are removed as the CLI does.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"


class SynthError(RuntimeError):
    """The app command failed or wrote no usable manifest; the message says which."""


@dataclass(frozen=True)
class SynthesizedStack:
    """One stack of the manifest: its name, working directory and the stacks it depends on."""

    name: str
    directory: Path
    dependencies: tuple[str, ...]


def read_config(project_dir: Path) -> dict[str, Any]:
    """The project's cdktf.json."""
    path = project_dir / "cdktf.json"
    try:
        config: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise SynthError(f"cannot read {path}: {error}") from error
    if not isinstance(config.get("app"), str) or not config["app"].strip():
        raise SynthError(f'{path}: no "app" command to synthesize with')
    return config


def app_environ(base: Mapping[str, str], outdir: Path, config: Mapping[str, Any]) -> dict[str, str]:
    """The environment the `cdktn` CLI gives the app: no TF_VAR_*, outdir and context set."""
    env = {k: v for k, v in base.items() if not k.startswith("TF_VAR_")}
    context: dict[str, Any] = dict(config.get("context") or {})
    if base.get("CDKTF_CONTEXT_JSON"):
        context.update(json.loads(base["CDKTF_CONTEXT_JSON"]))
    context.setdefault("cdktfRelativeModules", [])
    env["CDKTF_OUTDIR"] = str(outdir)
    env["CDKTF_CONTEXT_JSON"] = json.dumps(context)
    return env


def read_manifest(outdir: Path) -> dict[str, SynthesizedStack]:
    """The stacks listed in `outdir`'s manifest.json, by name."""
    path = outdir / MANIFEST
    try:
        stacks = json.loads(path.read_text())["stacks"]
        return {
            name: SynthesizedStack(
                name=name,
                directory=outdir / str(entry["workingDirectory"]),
                dependencies=tuple(str(d) for d in entry.get("dependencies", [])),
            )
            for name, entry in sorted(stacks.items())
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise SynthError(f"cannot read the synthesized stacks from {path}: {error}") from error


def synthesize(
    project_dir: Path, env: Mapping[str, str], *, timeout: float = 600
) -> dict[str, SynthesizedStack]:
    """Run the app command of `project_dir`'s cdktf.json into its cdktf.out; return the stacks.

    Stack working directories are kept (their `.terraform`, saved plans and lock files
    survive); directories of stacks the app no longer has are removed.
    """
    config = read_config(project_dir)
    outdir = project_dir / str(config.get("output") or "cdktf.out")
    try:
        result = subprocess.run(
            config["app"],
            shell=True,
            cwd=project_dir,
            env=app_environ(env, outdir, config),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        raise SynthError(f"app command {config['app']!r} ran over {timeout} s") from expired
    if result.returncode != 0:
        tail = (result.stderr or result.stdout)[-4000:]
        raise SynthError(f"app command {config['app']!r} exited {result.returncode}:\n{tail}")
    stacks = read_manifest(outdir)
    stacks_root = outdir / "stacks"
    if stacks_root.is_dir():
        wanted = {s.directory.resolve() for s in stacks.values()}
        for entry in stacks_root.iterdir():
            if entry.is_dir() and entry.resolve() not in wanted:
                shutil.rmtree(entry)
    return stacks
