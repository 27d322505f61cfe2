"""Deploy, zero-change plan, drift check and a one-setting change: wall time and API calls.

Each run starts from fresh emulators and state, once through the CDK (`cdktn` CLI on
main.py) and once with plain terraform on the hand-written twins in bench/plain.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from codat_stripe_ops.toolchain import CommandFailedError

from .measure import median, ratio, run_timed
from .plain import URL_VARIABLE, copy_stacks
from .synth import clean_env
from .workspace import (
    GENERATED_APP,
    MAIN_APP,
    Calls,
    emulators,
    logs_of,
    project,
    secrets,
)

STACKS = ("test", "live")
#: Objects each stack manages (one read each is the least a plan can do).
MANAGED_OBJECTS = {
    "test": ["integration enabled", "credentials", "data access", "client sync settings"],
    "live": ["integration enabled", "credentials", "data access"],
}
OBJECTS = sum(len(v) for v in MANAGED_OBJECTS.values())
#: Objects a first deploy adopts with an import block (each must be read once).
ADOPTED = 5
#: Writes a first deploy needs on a fresh Codat: credentials x2, enabled x2, sync settings x1
#: (data access is already continuous there, so adopting it needs no write).
FIRST_DEPLOY_WRITES = 5
#: The minimum API calls of each job for both stacks: (reads, writes).
MINIMUM = {
    "first_deploy": (ADOPTED, FIRST_DEPLOY_WRITES),
    "zero_change_plan": (OBJECTS, 0),
    "drift_check": (OBJECTS, 0),
    "one_setting_change": (OBJECTS, 1),
}
CHANGED_HOURS = "12"
DEPLOY = ("deploy", *STACKS, "--auto-approve", "--skip-provider-lock")


def _cdk_run(work: Path, env: Mapping[str, str]) -> dict[str, Any]:
    with emulators(work / "codat", 1) as (codat,):
        logs = logs_of([codat])
        run_env = {
            **clean_env(env),
            **secrets(STACKS),
            "CODAT_BASE_URL_TEST": codat.base_url,
            "CODAT_BASE_URL_LIVE": codat.base_url,
        }
        cdk = project(work / "project", MAIN_APP, run_env)
        out: dict[str, Any] = {}
        logs.mark()
        out["deploy_seconds"] = run_timed(["cdktn", *DEPLOY], cdk.directory, run_env).seconds
        out["first_deploy"] = logs.since()
        logs.mark()
        first = run_timed(["cdktn", "diff", "test", "--skip-provider-lock"], cdk.directory, run_env)
        second = run_timed(
            ["cdktn", "diff", "live", "--skip-synth", "--skip-provider-lock"],
            cdk.directory,
            run_env,
        )
        out["plan_seconds"] = round(first.seconds + second.seconds, 4)
        out["zero_change_plan"] = logs.since()
        for result in (first, second):
            if "No changes" not in result.stdout:
                raise CommandFailedError(["cdktn", "diff"], _completed(result.stdout))
        logs.mark()
        drift_seconds = 0.0
        for stack in STACKS:
            drift = run_timed(
                [
                    env["TERRAFORM_BINARY_NAME"],
                    "plan",
                    "-refresh-only",
                    "-detailed-exitcode",
                    "-input=false",
                    "-no-color",
                ],
                cdk.stack_dir(stack),
                run_env,
                check=False,
            )
            # A refresh-only plan may exit 2 with "No changes" (state metadata refreshed).
            if drift.returncode not in (0, 2) or "No changes." not in drift.stdout:
                raise CommandFailedError(
                    ["terraform", "plan", "-refresh-only"], _completed(drift.stdout)
                )
            drift_seconds += drift.seconds
        out["drift_seconds"] = round(drift_seconds, 4)
        out["drift_check"] = logs.since()
        change_env = {**run_env, "BENCH_SYNC_SCHEDULE_HOURS": CHANGED_HOURS}
        changed = project(work / "project", GENERATED_APP, change_env)
        logs.mark()
        out["change_seconds"] = run_timed(["cdktn", *DEPLOY], changed.directory, change_env).seconds
        out["one_setting_change"] = logs.since()
        return out


def _cdk_presynthesized_deploy(work: Path, env: Mapping[str, str]) -> float:
    """Seconds of `cdktn deploy --skip-synth` on fresh state: the CDK's cost beyond synth."""
    with emulators(work / "codat", 1) as (codat,):
        run_env = {
            **clean_env(env),
            **secrets(STACKS),
            "CODAT_BASE_URL_TEST": codat.base_url,
            "CODAT_BASE_URL_LIVE": codat.base_url,
        }
        cdk = project(work / "project", MAIN_APP, run_env)
        run_timed(["cdktn", "synth"], cdk.directory, run_env)
        return run_timed(["cdktn", *DEPLOY, "--skip-synth"], cdk.directory, run_env).seconds


def _plain_run(work: Path, env: Mapping[str, str]) -> dict[str, Any]:
    terraform = env["TERRAFORM_BINARY_NAME"]
    with emulators(work / "codat", 1) as (codat,):
        logs = logs_of([codat])
        run_env = {**clean_env(env), **secrets(STACKS), f"TF_VAR_{URL_VARIABLE}": codat.base_url}
        dirs = copy_stacks(work / "plain", STACKS)
        out: dict[str, Any] = {}
        logs.mark()
        seconds = 0.0
        for stack in STACKS:
            for args in (
                ("init", "-input=false", "-no-color"),
                ("apply", "-auto-approve", "-input=false", "-no-color"),
            ):
                seconds += run_timed([terraform, *args], dirs[stack], run_env).seconds
        out["deploy_seconds"] = round(seconds, 4)
        out["first_deploy"] = logs.since()
        logs.mark()
        seconds = 0.0
        for stack in STACKS:
            plan = run_timed(
                [terraform, "plan", "-detailed-exitcode", "-input=false", "-no-color"],
                dirs[stack],
                run_env,
            )
            seconds += plan.seconds
        out["plan_seconds"] = round(seconds, 4)
        out["zero_change_plan"] = logs.since()
        return out


def _completed(stdout: str) -> Any:
    import subprocess

    return subprocess.CompletedProcess(["cdktn"], 1, stdout, "")


def _calls_summary(runs: list[dict[str, Any]], job: str) -> dict[str, Any]:
    calls: list[Calls] = [run[job] for run in runs]
    reads, writes = MINIMUM[job]
    total = median([c.total for c in calls])
    return {
        "calls": median([c.total for c in calls]),
        "reads": median([c.reads for c in calls]),
        "writes": median([c.writes for c in calls]),
        "minimum": reads + writes,
        "minimum_reads": reads,
        "minimum_writes": writes,
        "ratio": ratio(total, reads + writes),
        "same_in_every_run": len({tuple(c.by_route.items()) for c in calls}) == 1,
        "by_route": calls[0].by_route,
    }


def bench_jobs(work: Path, env: Mapping[str, str], runs: int) -> dict[str, Any]:
    """Run the CDK and plain flows `runs` times, interleaved; medians, ratios, API calls."""
    cdk_runs, plain_runs = [], []
    for index in range(runs):
        cdk_runs.append(_cdk_run(work / f"cdk-{index}", env))
        cdk_runs[-1]["deploy_skip_synth_seconds"] = _cdk_presynthesized_deploy(
            work / f"cdk-skip-synth-{index}", env
        )
        plain_runs.append(_plain_run(work / f"plain-{index}", env))
    cdk = {k: median([r[k] for r in cdk_runs]) for k in cdk_runs[0] if k.endswith("_seconds")}
    plain = {k: median([r[k] for r in plain_runs]) for k in plain_runs[0] if k.endswith("_seconds")}
    return {
        "managed_objects": MANAGED_OBJECTS,
        "api_calls": {job: _calls_summary(cdk_runs, job) for job in MINIMUM},
        "api_calls_plain_terraform": {
            job: _calls_summary(plain_runs, job) for job in ("first_deploy", "zero_change_plan")
        },
        "wall_seconds": {"cdk": cdk, "plain_terraform": plain},
        "ratio_cdk_vs_plain": {
            "deploy": ratio(cdk["deploy_seconds"], plain["deploy_seconds"]),
            "deploy_skip_synth": ratio(cdk["deploy_skip_synth_seconds"], plain["deploy_seconds"]),
            "zero_change_plan": ratio(cdk["plan_seconds"], plain["plan_seconds"]),
        },
        "commands": {
            "cdk_deploy": "cdktn deploy test live --auto-approve --skip-provider-lock",
            "cdk_deploy_skip_synth": "cdktn synth, then (timed) cdktn deploy ... --skip-synth",
            "cdk_plan": "cdktn diff test; cdktn diff live --skip-synth",
            "drift_check": "terraform plan -refresh-only -detailed-exitcode (per stack)",
            "one_setting_change": f"cdktn deploy with sync_schedule_hours 24 -> {CHANGED_HOURS}",
            "plain_deploy": "terraform init; terraform apply -auto-approve (per stack)",
            "plain_plan": "terraform plan -detailed-exitcode (per stack)",
        },
    }
