"""The jsii kernel run without its relay: same synth, clean channel, safe fallbacks."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codat_stripe._kernel_channel import (
    KERNEL_CHANNEL,
    KERNEL_NODE,
    LAUNCHER,
    OPT_OUT,
    kernel_program,
    supports_direct_kernel,
    use_direct_kernel,
)

REPO = Path(__file__).resolve().parents[1]
NODE = REPO / "node_modules" / ".bin" / "node"
LOOPBACK = {
    "CODAT_BASE_URL_TEST": "http://127.0.0.1:4010",
    "CODAT_BASE_URL_LIVE": "http://127.0.0.1:4010",
}

# A stand-in for the runtime's kernel program: it prints the way JavaScript and a child
# process would, then answers one request on the channel it opens.
FAKE_PROGRAM = """
const fs = require('fs');
const channel = {CHANNEL};
console.log('printed by the kernel');
process.stderr.write('written to stderr\\n');
require('child_process').execSync('echo printed by a child process', {stdio: 'inherit'});
const buffer = Buffer.alloc(256);
const size = fs.readSync(channel.readFD, buffer);
fs.writeSync(channel.writeFD, 'answer to ' + buffer.toString('utf8', 0, size));
""".replace("CHANNEL", KERNEL_CHANNEL.decode())


def _runtime_dir(tmp_path: Path, program: str) -> Path:
    (tmp_path / "bin").mkdir()
    (tmp_path / "lib").mkdir()
    (tmp_path / "bin" / "jsii-runtime.js").write_text("throw new Error('relay started');\n")
    (tmp_path / "lib" / "program.js").write_text(program)
    return tmp_path / "bin" / "jsii-runtime.js"


def _launch(
    args: list[str], request: str, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != OPT_OUT}
    return subprocess.run(
        [str(LAUNCHER), *args],
        input=request,
        capture_output=True,
        text=True,
        timeout=60,
        env={**base, KERNEL_NODE: str(NODE), **(extra or {})},
    )


def test_only_the_kernels_answers_reach_the_response_pipe(tmp_path: Path) -> None:
    runtime = _runtime_dir(tmp_path, FAKE_PROGRAM)
    result = _launch(["--max-old-space-size=64", str(runtime)], "ping\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "answer to ping\n"
    framed = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert {"stdout": base64.b64encode(b"printed by the kernel\n").decode()} in framed
    assert {"stderr": base64.b64encode(b"written to stderr\n").decode()} in framed
    assert "printed by a child process" in result.stderr


def test_a_call_the_launcher_does_not_know_runs_node_unchanged(tmp_path: Path) -> None:
    script = tmp_path / "other.js"
    script.write_text("console.log('argv', process.argv.slice(2).join(' '));\n")
    result = _launch([str(script), "a", "b"], "")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "argv a b\n"


def test_a_runtime_without_its_kernel_program_runs_unchanged(tmp_path: Path) -> None:
    runtime = _runtime_dir(tmp_path, FAKE_PROGRAM)
    (tmp_path / "lib" / "program.js").unlink()
    result = _launch(["--max-old-space-size=64", str(runtime)], "")
    assert result.returncode != 0
    assert "relay started" in result.stderr  # jsii's own runtime script ran


def test_a_kernel_program_the_launcher_does_not_recognize_runs_unchanged(tmp_path: Path) -> None:
    runtime = _runtime_dir(tmp_path, FAKE_PROGRAM.replace(KERNEL_CHANNEL.decode(), "fd:3"))
    result = _launch(["--max-old-space-size=64", str(runtime)], "")
    assert result.returncode != 0
    assert "relay started" in result.stderr


def test_the_opt_out_also_holds_for_an_inherited_launcher(tmp_path: Path) -> None:
    runtime = _runtime_dir(tmp_path, FAKE_PROGRAM)
    result = _launch(["--max-old-space-size=64", str(runtime)], "", {OPT_OUT: "1"})
    assert result.returncode != 0
    assert "relay started" in result.stderr


def test_the_installed_jsii_runtime_is_the_one_the_launcher_expects() -> None:
    assert supports_direct_kernel(kernel_program())


@pytest.mark.parametrize("occurrences", [0, 2])
def test_a_kernel_program_opening_its_channel_otherwise_is_not_used(
    tmp_path: Path, occurrences: int
) -> None:
    program = tmp_path / "program.js"
    program.write_bytes(b"start;" + KERNEL_CHANNEL * occurrences)
    assert not supports_direct_kernel(program)
    assert not supports_direct_kernel(tmp_path / "missing.js")


@pytest.mark.parametrize(
    ("environ", "chosen"),
    [
        ({}, True),
        ({OPT_OUT: "0"}, True),
        ({OPT_OUT: "1"}, False),
        ({"JSII_NODE": "/opt/node"}, False),
        ({"JSII_RUNTIME": "/opt/runtime.js"}, False),
        ({"JSII_DEBUG": "1"}, False),
    ],
)
def test_the_direct_kernel_is_chosen_only_when_nothing_else_is(
    environ: dict[str, str], chosen: bool
) -> None:
    before = dict(environ)
    assert use_direct_kernel(environ, "/project/node") is chosen
    if chosen:
        assert environ == {**before, "JSII_NODE": str(LAUNCHER), KERNEL_NODE: "/project/node"}
    else:
        assert environ == before


def _node_processes_below(pid: int) -> list[str]:
    """Executables of the Node processes descending from `pid` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], {pid}
    while frontier:
        children = {child for child, parent in parents.items() if parent in frontier}
        for child in children:
            try:
                exe = os.readlink(f"/proc/{child}/exe")
            except OSError:
                continue
            if Path(exe).name.startswith("node"):
                found.append(exe)
        frontier = children
    return found


SYNTH_AND_LIST_NODES = """
import json, os, runpy, sys
sys.path.insert(0, {tests!r})
from test_kernel_channel import _node_processes_below
runpy.run_path("main.py", run_name="__main__")
print(json.dumps(_node_processes_below(os.getpid())))
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree")
def test_main_synthesizes_the_same_stacks_with_one_node_process(tmp_path: Path) -> None:
    code = SYNTH_AND_LIST_NODES.format(tests=str(REPO / "tests"))
    base = {k: v for k, v in os.environ.items() if k not in ("JSII_NODE", KERNEL_NODE, OPT_OUT)}
    nodes: dict[str, list[str]] = {}
    for way, extra in (("direct", {}), ("relay", {OPT_OUT: "1"})):
        env = {**base, **LOOPBACK, **extra, "CDKTF_OUTDIR": str(tmp_path / way)}
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        nodes[way] = json.loads(result.stdout.strip().splitlines()[-1])
    # The kernel runs on the project's Node either way; the relay adds a second process.
    assert nodes["direct"] == [str(NODE.resolve())]
    assert nodes["relay"] == [str(NODE.resolve())] * 2
    direct, relay = tmp_path / "direct", tmp_path / "relay"
    files = sorted(p.relative_to(direct) for p in direct.rglob("*") if p.is_file())
    assert any(f.name == "cdk.tf.json" for f in files)
    assert files == sorted(p.relative_to(relay) for p in relay.rglob("*") if p.is_file())
    for relative in files:
        assert (direct / relative).read_bytes() == (relay / relative).read_bytes(), relative
