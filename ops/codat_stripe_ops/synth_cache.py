"""Skip a synth whose inputs are unchanged since the synth that wrote cdktf.out.

A synthesized stack is a function of what the app reads: its command, its environment (the
app never sees TF_VAR_*), the files it opens and the directories it lists, and the Node
runtime jsii starts. A synth run through `synthesize_cached` records those inputs (an audit
hook in the app's Python process, `synth_trace`), then stores a hash of their contents and a
hash of the files it wrote. The next run hashes the same inputs again: if nothing changed and
cdktf.out still holds exactly what that synth wrote, the app would read the same inputs,
take the same steps and write the same files, so the synth is skipped. Any change - a
construct edited, a package upgraded, an environment variable set, a file added to a
directory on sys.path - is a miss and the app runs.

Preconditions, checked or documented: the app is deterministic (CDK apps are: no clock or
randomness in the output); it is a Python app (no trace file: no caching); Node-side file
reads are limited to jsii's bundles, which are hashed with the Python package that ships
them (a stack with CDK assets, copied by Node, is never cached).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from codat_stripe_ops.synth import SynthesizedStack, read_config, read_manifest, synthesize
from codat_stripe_ops.synth_trace import DIRECTORY as TRACE_DIRECTORY
from codat_stripe_ops.synth_trace import TRACE_ENV

RECORD = ".codat-synth-inputs.json"
"""Kept in cdktf.out: the last synth's inputs, their hash and the hash of its output."""


def _digest_file(path: Path) -> str:
    try:
        if path.is_dir():
            return "dir:" + ",".join(sorted(os.listdir(path)))
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()
    except FileNotFoundError:
        return "missing"
    except OSError as error:  # unreadable: never equal to a readable state
        return f"error:{error.errno}"


def _listing(path: Path) -> str:
    try:
        return ",".join(sorted(os.listdir(path)))
    except FileNotFoundError:
        return "missing"
    except OSError as error:
        return f"error:{error.errno}"


def _with_companions(files: Iterable[str]) -> list[str]:
    """Add what a traced file stands for: a bytecode file's source, a jsii package's bundles."""
    found = set(files)
    for name in list(found):
        path = Path(name)
        if path.parent.name == "__pycache__" and path.suffix == ".pyc":
            found.add(str(path.parent.parent / f"{path.name.split('.')[0]}.py"))
        if "_jsii" in path.parts:
            jsii_dir = Path(*path.parts[: path.parts.index("_jsii") + 1])
            if jsii_dir.is_dir():
                found.update(str(p) for p in jsii_dir.iterdir() if p.is_file())
    return sorted(found)


def _node_identity(env: Mapping[str, str]) -> list[Any]:
    node = shutil.which("node", path=env.get("PATH"))
    if node is None:
        return [None]
    stat = Path(node).resolve().stat()
    return [str(Path(node).resolve()), stat.st_size, stat.st_mtime_ns]


def inputs_key(
    config: Mapping[str, Any],
    project_dir: Path,
    env: Mapping[str, str],
    trace: Mapping[str, list[str]],
) -> str:
    """Hash of cdktf.json, the directory, environment, node and the traced files and listings."""
    digest = hashlib.sha256()
    material = {
        "config": config,
        "directory": str(project_dir.resolve()),
        "env": sorted((k, v) for k, v in env.items() if k != TRACE_ENV),
        "node": _node_identity(env),
    }
    digest.update(json.dumps(material, sort_keys=True).encode())
    for name in _with_companions(trace.get("files", [])):
        digest.update(f"\0f{name}\0{_digest_file(Path(name))}".encode())
    for name in sorted(trace.get("dirs", [])):
        digest.update(f"\0d{name}\0{_listing(Path(name))}".encode())
    return digest.hexdigest()


def output_key(outdir: Path) -> str | None:
    """Hash of the manifest and every stack's synthesized files (None with CDK assets)."""
    digest = hashlib.sha256()
    manifest = outdir / "manifest.json"
    if not manifest.is_file():
        return None
    digest.update(manifest.read_bytes())
    for name, entry in sorted(json.loads(manifest.read_text())["stacks"].items()):
        stack_dir = outdir / str(entry["workingDirectory"])
        if (stack_dir / "assets").exists():
            return None
        for path in sorted(stack_dir.glob("*.json")):
            digest.update(f"\0{name}/{path.name}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def _app_env(env: Mapping[str, str], trace: Path) -> dict[str, str]:
    traced = {k: v for k, v in env.items() if not k.startswith("TF_VAR_")}
    path = [str(TRACE_DIRECTORY), traced.get("PYTHONPATH", "")]
    traced["PYTHONPATH"] = os.pathsep.join(p for p in path if p)
    traced[TRACE_ENV] = str(trace)
    return traced


def synthesize_cached(
    project_dir: Path, env: Mapping[str, str]
) -> tuple[bool, dict[str, SynthesizedStack]]:
    """Synthesize unless provably unchanged; return (whether the app ran, stacks by name)."""
    config = read_config(project_dir)
    outdir = project_dir / str(config.get("output") or "cdktf.out")
    record_path = outdir / RECORD
    visible = {k: v for k, v in env.items() if not k.startswith("TF_VAR_")}
    try:
        record = json.loads(record_path.read_text())
    except (OSError, ValueError):
        record = None
    if (
        record is not None
        and record.get("output") is not None
        and record.get("output") == output_key(outdir)
        and record.get("inputs") == inputs_key(config, project_dir, visible, record["trace"])
    ):
        return False, read_manifest(outdir)
    record_path.unlink(missing_ok=True)
    trace_path = project_dir / f".codat-synth-trace-{os.getpid()}.json"
    trace_path.unlink(missing_ok=True)
    try:
        stacks: dict[str, SynthesizedStack] = synthesize(project_dir, _app_env(env, trace_path))
        trace = json.loads(trace_path.read_text()) if trace_path.exists() else None
    finally:
        trace_path.unlink(missing_ok=True)
    output = output_key(outdir)
    if trace is not None and output is not None:
        record = {
            "trace": trace,
            "inputs": inputs_key(config, project_dir, visible, trace),
            "output": output,
        }
        record_path.write_text(json.dumps(record) + "\n")
    return True, stacks
