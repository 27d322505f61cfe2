"""Scaling: the project's zero-change review of 1 to 200 environments, time, calls and rate.

Environments come in test/live pairs, one emulator (Codat instance) per pair; the first
environment of each instance also manages the client's sync settings. The review is the
project's own path (synth once, stacks on a bounded pool within the Codat request budget);
the request logs of all emulators together give the peak requests in any 60 seconds, which
must stay within Codat's 1,000 per minute per IP.
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from codat_stripe_ops.rate_budget import CODAT_REQUESTS_PER_MINUTE
from codat_stripe_ops.stack_runner import StackRunner, Work

from .jobs import codat_stripe, expect_no_changes
from .measure import median, ratio
from .synth import clean_env
from .workspace import GENERATED_APP, emulators, logs_of, project, secrets

#: Sizes at or above this many environments take at most this many runs (each run of 200
#: environments is minutes of plans on a 2-core machine); the targets use the 2-stack jobs.
LARGE, LARGE_RUNS = 50, 3


def stack_names(count: int) -> list[str]:
    """Stack names generated_app.py gives `count` environments."""
    return [f"{'test' if k % 2 == 0 else 'live'}{k // 2}" for k in range(count)]


def managed_objects(count: int) -> int:
    """Objects the environments manage: 3 each, plus sync settings once per instance."""
    return 3 * count + (count + 1) // 2


def _one_size(work: Path, env: Mapping[str, str], count: int, runs: int) -> dict[str, Any]:
    stacks = stack_names(count)
    runs = min(runs, LARGE_RUNS) if count >= LARGE else runs
    with emulators(work / "codat", (count + 1) // 2) as codats:
        logs = logs_of(codats)
        run_env = {
            **clean_env(env),
            **secrets(stacks),
            "BENCH_ENVIRONMENTS": str(count),
            "BENCH_BASE_URLS": json.dumps([c.base_url for c in codats]),
        }
        cdk = project(work / "project", GENERATED_APP, run_env)
        logs.mark()
        deploy, _ = codat_stripe("deploy", cdk.directory, run_env, *stacks, "--auto-approve")
        deploy_calls = logs.since()
        # What the request budget paces a review by: each stack's declared upper bound.
        runner = StackRunner(project=cdk)
        declared = sum(runner.request_cost(stack, Work.PLAN) for stack in stacks)
        seconds, calls, writes, peaks, rss, cpu = [], [], [], [], [], []
        for _ in range(runs):
            logs.mark()
            run, _ = codat_stripe("plan", cdk.directory, run_env)
            expect_no_changes("plan", run)
            counted = logs.since()
            seconds.append(run.seconds)
            cpu.append(run.cpu_seconds)
            rss.append(run.peak_rss_mib)
            calls.append(counted.total)
            writes.append(counted.writes)
            peaks.append(counted.peak_per_minute)
        objects = managed_objects(count)
        return {
            "environments": count,
            "codat_instances": len(codats),
            "managed_objects": objects,
            "runs": runs,
            "first_deploy_seconds": deploy.seconds,
            "first_deploy_api_calls": deploy_calls.total,
            "first_deploy_peak_requests_per_minute": deploy_calls.peak_per_minute,
            "plan_seconds": median(seconds),
            "plan_seconds_per_environment": round(median(seconds) / count, 4),
            "plan_peak_rss_mib": median(rss),
            "plan_cpu_seconds": median(cpu),
            "plan_cores_used": round(median(cpu) / median(seconds), 2) if median(seconds) else 0.0,
            "plan_api_calls": median(calls),
            "plan_declared_requests": declared,
            "plan_api_calls_per_environment": round(median(calls) / count, 3),
            "plan_writes": median(writes),
            "plan_peak_requests_per_minute": max(peaks),
            "ratio_calls_vs_minimum": ratio(median(calls), objects),
        }


def _slope(results: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Least-squares plan seconds = fixed + per_environment * N, and the marginal costs."""
    sizes = [float(r["environments"]) for r in results]
    times = [float(r["plan_seconds"]) for r in results]
    if len(sizes) < 2:
        return {"fixed_seconds": times[0], "seconds_per_environment": 0.0}
    fit = statistics.linear_regression(sizes, times)
    return {
        "fixed_seconds": round(fit.intercept, 4),
        "seconds_per_environment": round(fit.slope, 4),
    }


def bench_scaling(
    work: Path, env: Mapping[str, str], runs: int, sizes: Sequence[int]
) -> dict[str, Any]:
    """Review time and calls per size; the per-environment slope; the peak request rate."""
    results = [_one_size(work / f"envs-{n}", env, n, runs) for n in sizes]
    base = results[0]
    for result in results:
        result["plan_seconds_vs_smallest"] = ratio(result["plan_seconds"], base["plan_seconds"])
        result["plan_calls_vs_smallest"] = ratio(result["plan_api_calls"], base["plan_api_calls"])
    marginal = [
        round((b["plan_seconds"] - a["plan_seconds"]) / (b["environments"] - a["environments"]), 4)
        for a, b in itertools.pairwise(results)
    ]
    return {
        "command": "codat-stripe plan (synth once, stacks in parallel), after one "
        "`codat-stripe deploy STACK... --auto-approve`",
        "parallelism": os.cpu_count(),
        "requests_per_minute_budget": CODAT_REQUESTS_PER_MINUTE,
        "sizes": results,
        "fit": _slope(results),
        "marginal_seconds_per_environment": marginal,
        "peak_requests_per_minute": max(
            max(r["plan_peak_requests_per_minute"], r["first_deploy_peak_requests_per_minute"])
            for r in results
        ),
    }
