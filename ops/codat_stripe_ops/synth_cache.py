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
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from codat_stripe_ops.synth import SynthesizedStack, read_config, read_manifest, synthesize
from codat_stripe_ops.synth_trace import DIRECTORY as TRACE_DIRECTORY
from codat_stripe_ops.synth_trace import TRACE_ENV

RECORD = ".codat-synth-inputs.json"
"""Kept in cdktf.out: the last synth's inputs, their hash and the hash of its output."""

_pending_record: threading.Thread | None = None
"""The thread writing the last synth's record, if it has not finished (see `_record_later`)."""


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


def signature(path: str) -> list[int] | None:
    """(mtime_ns, size, ctime_ns, inode) of `path`, None if it cannot be read.

    The same list as the trace hook's `_signature` (synth_trace/sitecustomize.py), taken
    when the app first opened or listed the path.
    """
    try:
        found = os.stat(path)
    except OSError:
        return None
    return [found.st_mtime_ns, found.st_size, found.st_ctime_ns, found.st_ino]


def unchanged_since_read(trace: Mapping[str, Any]) -> bool:
    """Whether every path the app opened or listed is as it was when the app first did so.

    A path the app created itself and that is gone now (e.g. the jsii runtime's temporary
    directory) is its own scratch space, not an input: it was created after `started_ns`, a
    time taken from the filesystem's clock (a file's ctime) just before the app started. A
    trace without signatures or that time proves nothing, so it is False.
    """
    stats, started = trace.get("stats"), trace.get("started_ns")
    if not isinstance(stats, dict) or not isinstance(started, int):
        return False
    for path, before in stats.items():
        now = signature(path)
        scratch = now is None and before is not None and before[2] >= started
        if now != before and not scratch:
            return False
    return True


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
    trace: Mapping[str, Any],
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
    wait_for_record()  # an earlier synth's record (this process) is complete before it is read
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
        # Created now, so its ctime is the filesystem's clock just before the app starts.
        trace_path.touch()
        started_ns = trace_path.stat().st_ctime_ns
        stacks: dict[str, SynthesizedStack] = synthesize(project_dir, _app_env(env, trace_path))
        text = trace_path.read_text()
        trace = {**json.loads(text), "started_ns": started_ns} if text else None
    finally:
        trace_path.unlink(missing_ok=True)
    output = output_key(outdir)
    if trace is not None and output is not None:
        _record_later(record_path, config, project_dir, visible, trace, output)
    return True, stacks


def wait_for_record() -> None:
    """Return once the record of the last synth in this process is written (or given up)."""
    global _pending_record
    if _pending_record is not None:
        _pending_record.join()
        _pending_record = None


def _record_later(
    record_path: Path,
    config: Mapping[str, Any],
    project_dir: Path,
    visible: Mapping[str, str],
    trace: Mapping[str, Any],
    output: str,
) -> None:
    """Hash the traced inputs and write the record on a thread, while terraform starts.

    Hashing the app's inputs (the CDK's bundles are megabytes) took about 25 ms after every
    synth, before any stack could start. The thread starts at once, so the files are read
    as soon as before; it is not a daemon, so the interpreter waits for it and the record is
    complete before the command exits. The record is written whole (renamed into place):
    until then there is none, which is a miss, never a wrong hit.

    No record is written if any file the app opened or listed changed since it did (its stat
    signature, taken by the trace hook before the read, differs after the hashing): the hash
    could then be of content the app never saw.
    """
    global _pending_record

    def write() -> None:
        inputs = inputs_key(config, project_dir, visible, trace)
        if not unchanged_since_read(trace):
            return  # a file changed after the app read it: the hash may not be what it read
        record = {"trace": trace, "inputs": inputs, "output": output}
        partial = record_path.with_name(f"{record_path.name}.{os.getpid()}.tmp")
        try:
            partial.write_text(json.dumps(record) + "\n")
            partial.replace(record_path)
        except OSError:
            partial.unlink(missing_ok=True)  # no record: the next run synthesizes

    _pending_record = threading.Thread(target=write, name="synth-cache-record")
    _pending_record.start()
