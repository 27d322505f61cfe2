"""Run the benchmark: ``python -m codat_bench [--smoke] [--out DIR]``."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from codat_stripe_ops.toolchain import REPO, toolchain_environ

from . import report as report_module
from .findings import findings
from .jobs import STACKS, bench_jobs
from .load import bench_load
from .measure import machine, tool_versions
from .plain import check_equivalent
from .profile import profile_synth
from .scaling import bench_scaling
from .synth import bench_synth

_STARTED = time.perf_counter()


def _step(message: str) -> None:
    print(f"==> [{time.perf_counter() - _STARTED:5.0f} s] {message}", flush=True)


def run(smoke: bool, out: Path, runs: int) -> dict[str, Any]:
    """Measure everything; return the report (also written to `out`)."""
    started = time.perf_counter()
    env = toolchain_environ()
    environments, sizes = (2, (1, 2)) if smoke else (50, (1, 5, 20, 50, 200))
    load_seconds, concurrencies = (1, (1, 8, 32)) if smoke else (5, (1, 8, 32))
    report: dict[str, Any] = {"smoke": smoke, "runs": runs, "machine": machine()}
    report["tools"] = tool_versions(env)
    with tempfile.TemporaryDirectory(prefix="codat-bench-") as tmp:
        work = Path(tmp)
        _step(f"synth: bare, 2-stack and {environments}-environment apps x{runs}")
        report["synth"] = bench_synth(work / "synth", env, runs, environments)
        _step(f"profile: Node CPU profile of the {environments}-environment synth")
        report["synth_profile"] = profile_synth(work / "profile", env, environments)
        _step("plain twins: equivalence with the synthesized stacks")
        report["plain_equivalence"] = check_equivalent(
            Path(report["synth"].pop("shipped_stack_dir")), STACKS
        )
        _step(f"deploy, review, drift check, change: project, cdktn and plain terraform x{runs}")
        report["jobs"] = bench_jobs(work / "jobs", env, runs)
        _step(f"scaling: {', '.join(map(str, sizes))} environments x{runs}")
        report["scaling"] = bench_scaling(work / "scaling", env, runs, sizes)
        _step(f"load: wrk at concurrency {concurrencies}, {load_seconds} s x{runs}")
        report["load"] = bench_load(work / "load", env, runs, concurrencies, load_seconds)
    report["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["verdicts"] = report_module.verdicts(report)
    report["findings"] = findings(report)
    report["finished_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    report["duration_seconds"] = round(time.perf_counter() - started, 1)
    report_module.write(report, out)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run, check every figure was produced."""
    parser = argparse.ArgumentParser(prog="python -m codat_bench")
    parser.add_argument("--smoke", action="store_true", help="1 run, tiny sizes, short load")
    parser.add_argument("--out", type=Path, default=REPO / "bench", help="report directory")
    parser.add_argument("--runs", type=int, default=None, help="runs per figure (default 5)")
    args = parser.parse_args(argv)
    runs = args.runs or (1 if args.smoke else 5)
    if not args.smoke and runs < 5:
        parser.error("a full run takes the median of at least 5 runs")
    report = run(args.smoke, args.out, runs)
    missing = report_module.missing_figures(report)
    if missing:
        print(f"missing figures: {missing}", file=sys.stderr)
        return 1
    _step(f"report: {args.out / 'report.md'} ({report['duration_seconds']:.0f} s)")
    for name, verdict in report["verdicts"].items():
        print(
            f"    {name}: {verdict['measured']} ({verdict['target']}: "
            f"{verdict['verdict'] if verdict['met'] else verdict['verdict'].upper()})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
