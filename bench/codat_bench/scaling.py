"""Scaling: zero-change plan time and API calls for 1, 5 and 20 environments.

Environments come in test/live pairs, one emulator (Codat instance) per pair; the first
environment of each instance also manages the client's sync settings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .measure import median, ratio, run_timed
from .synth import clean_env
from .workspace import GENERATED_APP, emulators, logs_of, project, secrets


def stack_names(count: int) -> list[str]:
    """Stack names generated_app.py gives `count` environments."""
    return [f"{'test' if k % 2 == 0 else 'live'}{k // 2}" for k in range(count)]


def managed_objects(count: int) -> int:
    """Objects the environments manage: 3 each, plus sync settings once per instance."""
    return 3 * count + (count + 1) // 2


def _one_size(work: Path, env: Mapping[str, str], count: int, runs: int) -> dict[str, Any]:
    stacks = stack_names(count)
    with emulators(work / "codat", (count + 1) // 2) as codats:
        logs = logs_of(codats)
        run_env = {
            **clean_env(env),
            **secrets(stacks),
            "BENCH_ENVIRONMENTS": str(count),
            "BENCH_BASE_URLS": json.dumps([c.base_url for c in codats]),
        }
        cdk = project(work / "project", GENERATED_APP, run_env)
        deploy = run_timed(
            ["cdktn", "deploy", *stacks, "--auto-approve", "--skip-provider-lock"],
            cdk.directory,
            run_env,
            timeout=1800,
        )
        seconds, calls, writes = [], [], []
        for _ in range(runs):
            logs.mark()
            total = 0.0
            for stack in stacks:
                total += run_timed(
                    [
                        env["TERRAFORM_BINARY_NAME"],
                        "plan",
                        "-detailed-exitcode",
                        "-input=false",
                        "-no-color",
                    ],
                    cdk.stack_dir(stack),
                    run_env,
                ).seconds
            counted = logs.since()
            seconds.append(total)
            calls.append(counted.total)
            writes.append(counted.writes)
        objects = managed_objects(count)
        return {
            "environments": count,
            "codat_instances": len(codats),
            "managed_objects": objects,
            "first_deploy_seconds": deploy.seconds,
            "plan_seconds": median(seconds),
            "plan_seconds_per_environment": round(median(seconds) / count, 4),
            "plan_api_calls": median(calls),
            "plan_api_calls_per_environment": round(median(calls) / count, 3),
            "plan_writes": median(writes),
            "ratio_calls_vs_minimum": ratio(median(calls), objects),
        }


def bench_scaling(
    work: Path, env: Mapping[str, str], runs: int, sizes: Sequence[int]
) -> dict[str, Any]:
    """Plan time and calls per size, and how they grow relative to the smallest size."""
    results = [_one_size(work / f"envs-{n}", env, n, runs) for n in sizes]
    base = results[0]
    for result in results:
        result["plan_seconds_vs_smallest"] = ratio(result["plan_seconds"], base["plan_seconds"])
        result["plan_calls_vs_smallest"] = ratio(result["plan_api_calls"], base["plan_api_calls"])
    return {
        "command": "terraform plan -detailed-exitcode per stack, sequential, after one synth",
        "sizes": results,
    }
