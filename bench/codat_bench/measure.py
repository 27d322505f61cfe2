"""Timing, peak memory of a process tree, medians, and the machine and tool versions."""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import statistics
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from codat_stripe_ops.toolchain import REPO, CommandFailedError


@dataclass(frozen=True)
class Run:
    """One timed command: wall seconds, peak RSS of its process tree (MiB), its output.

    `cpu_seconds` is the user and system CPU time of the command and every descendant it
    waited for (what the work costs, whatever else the machine was doing).
    """

    seconds: float
    peak_rss_mib: float
    stdout: str
    returncode: int
    cpu_seconds: float = 0.0


def median(values: Sequence[float]) -> float:
    """Median, rounded for the report."""
    return round(statistics.median(values), 4)


def ratio(numerator: float, denominator: float) -> float:
    """Numerator / denominator, rounded (0 when the denominator is 0)."""
    return round(numerator / denominator, 3) if denominator else 0.0


def _children(pids: set[int]) -> set[int]:
    found = set(pids)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid in pids:
            found.add(int(entry.name))
    return found


def _tree_rss_kib(root: int) -> int:
    tree = {root}
    for _ in range(8):  # bounded depth: CLI -> node -> python -> jsii node -> ...
        grown = _children(tree)
        if grown == tree:
            break
        tree = grown
    total = 0
    for pid in tree:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        total += int(match.group(1)) if match else 0
    return total


def run_timed(
    command: Sequence[str],
    cwd: Path,
    env: Mapping[str, str],
    *,
    sample_memory: bool = False,
    check: bool = True,
    timeout: float = 900,
) -> Run:
    """Run `command`, timing it; with `sample_memory`, poll its tree's RSS every 50 ms."""
    peak = 0
    before = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    done = threading.Event()

    def sampler() -> None:
        nonlocal peak
        while not done.wait(0.05):
            peak = max(peak, _tree_rss_kib(proc.pid))

    thread = threading.Thread(target=sampler, daemon=True)
    if sample_memory:
        thread.start()
    try:
        stdout, _ = proc.communicate(timeout=timeout)
    finally:
        done.set()
        if proc.poll() is None:
            proc.kill()
    seconds = time.perf_counter() - started
    if sample_memory:
        thread.join()
    if check and proc.returncode != 0:
        result = subprocess.CompletedProcess(list(command), proc.returncode, stdout, "")
        raise CommandFailedError(command, result)
    cpu = _children_cpu() - before
    return Run(round(seconds, 4), round(peak / 1024, 1), stdout, proc.returncode, round(cpu, 4))


_CPU_LOCK = threading.Lock()


def _children_cpu() -> float:
    """CPU seconds of every waited-for child so far (commands run one at a time here)."""
    with _CPU_LOCK:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return float(usage.ru_utime + usage.ru_stime)


def _first_line(command: Sequence[str], env: Mapping[str, str]) -> str:
    try:
        out = subprocess.run(
            list(command), env=dict(env), capture_output=True, text=True, timeout=60, check=False
        )
    except OSError as error:
        return f"unavailable ({error})"
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


def _package_version(name: str) -> str:
    package = REPO / "node_modules" / name / "package.json"
    if not package.exists():
        return "absent"
    return str(json.loads(package.read_text())["version"])


def tool_versions(env: Mapping[str, str]) -> dict[str, str]:
    """Versions of everything the benchmark runs."""
    from importlib.metadata import version

    from codat_stripe.versions import RESTFUL_PROVIDER_VERSION

    return {
        "python": platform.python_version(),
        "node": _first_line(["node", "--version"], env),
        "cdktn (npm lib)": _package_version("cdktn"),
        "cdktn-cli (npm)": _package_version("cdktn-cli"),
        "cdktn (python)": version("cdktn"),
        "jsii (python)": version("jsii"),
        "terraform": _first_line([env["TERRAFORM_BINARY_NAME"], "version"], env),
        "provider magodo/restful": RESTFUL_PROVIDER_VERSION,
        "wrk": _first_line(["wrk", "--version"], env).split(" [")[0],
    }


def machine() -> dict[str, object]:
    """The machine, and how busy it was (load average)."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        cpu = match.group(1) if match else cpu
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    match = re.search(r"^MemTotal:\s+(\d+) kB", meminfo, re.M)
    return {
        "os": f"{platform.system()} {platform.release()}",
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gib": round(int(match.group(1)) / 1024 / 1024, 1) if match else None,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
