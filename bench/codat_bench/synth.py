"""Synth as shipped: the 2-stack app against the bare floor, an N-environment app against it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from codat_stripe_ops.toolchain import CdkProject

from .measure import median, ratio, run_timed
from .workspace import BARE_APP, GENERATED_APP, MAIN_APP, project


#: Variants, each a CDK project: app script and extra environment.
def _variants(environments: int) -> dict[str, tuple[Path, dict[str, str]]]:
    generated = {"BENCH_ENVIRONMENTS": str(environments)}
    return {
        "bare": (BARE_APP, {}),
        "shipped": (MAIN_APP, {}),
        "generated": (GENERATED_APP, generated),
    }


def clean_env(env: Mapping[str, str]) -> dict[str, str]:
    """`env` without the variables that would point main.py elsewhere."""
    drop = ("CODAT_BASE_URL_", "STRIPE_CLIENT_ID_", "BENCH_", "PYTHONDONTWRITEBYTECODE")
    return {k: v for k, v in env.items() if not k.startswith(drop)}


def bench_synth(work: Path, env: Mapping[str, str], runs: int, environments: int) -> dict[str, Any]:
    """`cdktn synth` of each variant, interleaved, `runs` times; medians, ratios, peak RSS."""
    base = clean_env(env)
    projects: dict[str, tuple[CdkProject, dict[str, str]]] = {}
    for name, (app, extra) in _variants(environments).items():
        projects[name] = (project(work / f"synth-{name}", app, base), {**base, **extra})
    seconds: dict[str, list[float]] = {name: [] for name in projects}
    rss: dict[str, list[float]] = {name: [] for name in projects}
    for name in ("bare", "shipped"):  # untimed warm-up: bytecode caches written, disk warm
        run_timed(["cdktn", "synth"], projects[name][0].directory, projects[name][1])
    for _ in range(runs):
        for name, (cdk, run_env) in projects.items():
            result = run_timed(["cdktn", "synth"], cdk.directory, run_env, sample_memory=True)
            seconds[name].append(result.seconds)
            rss[name].append(result.peak_rss_mib)
    med = {name: median(values) for name, values in seconds.items()}
    return {
        "environments_generated": environments,
        "command": "cdktn synth (real CLI: Node CLI, Python app, jsii runtime)",
        "median_seconds": med,
        "peak_rss_mib": {name: median(values) for name, values in rss.items()},
        "runs_seconds": seconds,
        "ratio_shipped_vs_bare": ratio(med["shipped"], med["bare"]),
        "python_bytecode_cache": "on (PYTHONDONTWRITEBYTECODE unset; one warm-up run)",
        "ratio_generated_vs_shipped": ratio(med["generated"], med["shipped"]),
        "shipped_stack_dir": str(projects["shipped"][0].directory / "cdktf.out" / "stacks"),
    }
