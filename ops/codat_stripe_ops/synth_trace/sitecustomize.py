"""Trace the files and directories a Python CDK app reads, for the synth cache.

Active only when CODAT_STRIPE_SYNTH_TRACE names a file: an audit hook records every path
opened (imports included: they open their source or bytecode) and every directory listed
(the import system lists each sys.path entry it searches), and the list is written to that
file when the app exits normally. A `sitecustomize` this one shadows still runs.

Each path's stat signature (see `_signature`) is taken when the app first opens or lists
it, before it reads it (and a bytecode file's source with it, as the import system checks
that source): `synth_cache` writes no record if any of them differs once it has hashed the
contents, so a file edited while the app ran, or before the hashing, can never be recorded
as the content the output came from.
"""

import atexit
import importlib.machinery
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

_TRACE = os.environ.get("CODAT_STRIPE_SYNTH_TRACE")
_HERE = Path(__file__).resolve().parent


def _chain_shadowed() -> None:
    """Run the next `sitecustomize` on sys.path, which this module shadows."""
    rest = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is not None and spec.loader is not None:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)


def _signature(path: str) -> list[int] | None:
    """(mtime_ns, size, ctime_ns, inode) of `path`, None if it cannot be read.

    Any write changes ctime; a replacement changes the inode. synth_cache.signature must
    compute exactly the same list.
    """
    try:
        found = os.stat(path)
    except OSError:
        return None
    return [found.st_mtime_ns, found.st_size, found.st_ctime_ns, found.st_ino]


if _TRACE:
    _files: set[str] = set()
    _dirs: set[str] = set()
    _stats: dict[str, list[int] | None] = {}

    def _note(path: str) -> None:
        if path not in _stats:
            _stats[path] = _signature(path)
            if path.endswith(".pyc") and os.path.basename(os.path.dirname(path)) == "__pycache__":
                source = os.path.join(
                    os.path.dirname(os.path.dirname(path)),
                    os.path.basename(path).split(".")[0] + ".py",
                )
                _stats.setdefault(source, _signature(source))

    _outdir = os.path.realpath(os.environ.get("CDKTF_OUTDIR", "cdktf.out"))
    _trace_path = os.path.realpath(_TRACE)
    _WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND

    def _path(value: Any) -> str | None:
        if isinstance(value, int):
            return None  # an already open descriptor
        try:
            return os.path.realpath(os.fsdecode(value))
        except (TypeError, ValueError):
            return None

    def _audit(event: str, args: tuple[Any, ...]) -> None:
        if event == "open":
            mode = args[1] if len(args) > 1 else None
            flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
            if (isinstance(mode, str) and any(c in mode for c in "wax+")) or flags & _WRITE:
                return  # written, not read: not an input
            path = _path(args[0])
            if path and path != _trace_path and not path.startswith(_outdir + os.sep):
                _files.add(path)
                _note(path)
        elif event in ("os.listdir", "os.scandir"):
            path = _path(args[0] if args and args[0] is not None else ".")
            if path and path != _outdir and not path.startswith(_outdir + os.sep):
                _dirs.add(path)
                _note(path)

    def _write() -> None:
        with open(_trace_path, "w", encoding="utf-8") as handle:
            json.dump({"files": sorted(_files), "dirs": sorted(_dirs), "stats": _stats}, handle)

    sys.addaudithook(_audit)
    atexit.register(_write)

_chain_shadowed()
