"""Deploy, zero-change review, drift check and a one-setting change: wall time, memory, calls.

Every run starts from fresh emulators and state, three ways side by side: the project's own
commands (the real `codat-stripe` CLI a user or CI runs: synth once, stacks in parallel),
the `cdktn` CLI users know (`cdktn deploy`, `cdktn diff`), and plain terraform on the
hand-written twins in bench/plain (each stack in turn, as a user runs it).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from codat_emulator.process import EmulatorProcess
from codat_stripe_ops.toolchain import TERRAFORM_GOGC, CommandFailedError

from .measure import Run, median, ratio, run_timed
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
#: test and live are on separate Codat instances (one emulator each), so each stack also
#: manages its instance's sync settings.
MANAGED_OBJECTS = {
    "test": ["integration enabled", "credentials", "data access", "client sync settings"],
    "live": ["integration enabled", "credentials", "data access", "client sync settings"],
}
OBJECTS = sum(len(v) for v in MANAGED_OBJECTS.values())
#: Objects a first deploy adopts with an import block (each must be read once): enabled,
#: data access and sync settings per stack.
ADOPTED = 6
#: Writes a first deploy needs on a fresh Codat: credentials, enabled and sync settings per
#: stack (data access is already continuous there, so adopting it needs no write).
FIRST_DEPLOY_WRITES = 6
#: The minimum API calls of each job for both stacks: (reads, writes).
MINIMUM = {
    "first_deploy": (ADOPTED, FIRST_DEPLOY_WRITES),
    "zero_change_plan": (OBJECTS, 0),
    "drift_check": (OBJECTS, 0),
    "one_setting_change": (OBJECTS, 1),
}
CHANGED_HOURS = "12"
CDKTN_DEPLOY = ("cdktn", "deploy", *STACKS, "--auto-approve", "--skip-provider-lock")
COMMANDS = {
    "project_deploy": "codat-stripe deploy test live --auto-approve (synth once; init, plan -out "
    "and show -json per stack, every summary printed, then the saved plans applied; stacks in "
    "parallel)",
    "project_plan": "codat-stripe plan (synth once, skipped when the synth cache proves its "
    "inputs unchanged; init reused; plan -out per stack, show -json only of a plan that "
    "reports something; stacks in parallel)",
    "project_plan_synthesized": "codat-stripe plan --no-synth-cache: the app always runs (a "
    "fresh checkout, e.g. a CI job without a cache)",
    "project_drift": "codat-stripe drift (refresh-only plans, synth included)",
    "project_change": f"codat-stripe deploy test live --auto-approve, sync_schedule_hours 24 -> "
    f"{CHANGED_HOURS}",
    "cdktn_deploy": " ".join(CDKTN_DEPLOY),
    "cdktn_plan": "cdktn diff test; cdktn diff live --skip-synth",
    "plain_deploy": "terraform init; terraform apply -auto-approve (per stack, in turn)",
    "plain_plan": "terraform plan -detailed-exitcode (per stack, in turn)",
    "plain_drift": "terraform plan -refresh-only -detailed-exitcode (per stack, in turn)",
    "plain_same_gogc": f"the plain jobs again with GOGC={TERRAFORM_GOGC}, the Go GC target the "
    "project's commands give terraform (a reference, not a target: how much of the difference "
    "is that setting)",
}


def _urls(codats: Sequence[EmulatorProcess]) -> dict[str, str]:
    """main.py's stacks pointed at their own emulator (Codat instance) each."""
    return {f"CODAT_BASE_URL_{s.upper()}": c.base_url for s, c in zip(STACKS, codats, strict=True)}


CODAT_STRIPE = str(Path(sys.executable).with_name("codat-stripe"))
"""The CLI's console script in the project's virtual environment."""
CLEAN, CHANGES = 0, 2
"""`codat-stripe plan` and `drift`: 0 nothing to report, 2 changes or drift (1 is an error)."""


def codat_stripe(
    command: str, directory: Path, env: Mapping[str, str], *arguments: str
) -> tuple[Run, bool]:
    """Run `codat-stripe COMMAND` on the project, timed: the run, and whether it synthesized.

    Whether the app ran is read from the synthesized manifest: the synth rewrites it, a
    synth skipped by the synth cache leaves it untouched.
    """
    manifest = directory / "cdktf.out" / "manifest.json"
    before = manifest.stat().st_mtime_ns if manifest.exists() else None
    command_line = [
        CODAT_STRIPE,
        command,
        "--project-dir",
        str(directory),
        "--allow-local-state",  # the benchmark's stacks keep local state, also under CI=true
        *arguments,
    ]
    run = run_timed(command_line, directory, env, sample_memory=True, check=False)
    if run.returncode not in (CLEAN, CHANGES):
        failed = subprocess.CompletedProcess(command_line, run.returncode, run.stdout, "")
        raise CommandFailedError(command_line, failed)
    synthesized = not manifest.exists() or manifest.stat().st_mtime_ns != before
    return run, synthesized


def expect_no_changes(command: str, run: Run) -> None:
    """Fail the benchmark when a review that should find nothing reports something."""
    if run.returncode != CLEAN:
        failed = subprocess.CompletedProcess([command], run.returncode, run.stdout, "")
        raise CommandFailedError(["codat-stripe", command], failed)


def _project_run(work: Path, env: Mapping[str, str]) -> dict[str, Any]:
    with emulators(work / "codat", 2) as codats:
        logs = logs_of(codats)
        run_env = {**clean_env(env), **secrets(STACKS), **_urls(codats)}
        cdk = project(work / "project", MAIN_APP, run_env)
        out: dict[str, Any] = {}
        skipped: dict[str, bool] = {}
        for job, command, arguments in (
            ("first_deploy", "deploy", (*STACKS, "--auto-approve")),
            ("zero_change_plan_synthesized", "plan", ("--no-synth-cache",)),
            ("zero_change_plan", "plan", ()),
            ("drift_check", "drift", ()),
        ):
            logs.mark()
            run, synthesized = codat_stripe(command, cdk.directory, run_env, *arguments)
            skipped[job] = not synthesized
            out[f"{job}_seconds"], out[f"{job}_rss_mib"] = run.seconds, run.peak_rss_mib
            out[f"{job}_cpu"] = run.cpu_seconds
            out[job if job in MINIMUM else f"{job}_calls"] = logs.since()
            if job != "first_deploy":
                expect_no_changes(command, run)
        out["synth_skipped"] = skipped
        change_env = {**run_env, "BENCH_SYNC_SCHEDULE_HOURS": CHANGED_HOURS}
        changed = project(work / "project", GENERATED_APP, change_env)
        logs.mark()
        run, _ = codat_stripe("deploy", changed.directory, change_env, *STACKS, "--auto-approve")
        out["one_setting_change_seconds"] = run.seconds
        out["one_setting_change_rss_mib"] = run.peak_rss_mib
        out["one_setting_change"] = logs.since()
        return out


def _cdktn_run(work: Path, env: Mapping[str, str]) -> dict[str, Any]:
    with emulators(work / "codat", 2) as codats:
        run_env = {**clean_env(env), **secrets(STACKS), **_urls(codats)}
        cdk = project(work / "project", MAIN_APP, run_env)
        deploy = run_timed(list(CDKTN_DEPLOY), cdk.directory, run_env, sample_memory=True)
        first = run_timed(
            ["cdktn", "diff", "test", "--skip-provider-lock"],
            cdk.directory,
            run_env,
            sample_memory=True,
        )
        second = run_timed(
            ["cdktn", "diff", "live", "--skip-synth", "--skip-provider-lock"],
            cdk.directory,
            run_env,
            sample_memory=True,
        )
        for result in (first, second):
            if "No changes" not in result.stdout:
                raise CommandFailedError(
                    ["cdktn", "diff"], subprocess.CompletedProcess([], 1, result.stdout, "")
                )
        return {
            "first_deploy_seconds": deploy.seconds,
            "first_deploy_rss_mib": deploy.peak_rss_mib,
            "zero_change_plan_seconds": round(first.seconds + second.seconds, 4),
            "zero_change_plan_rss_mib": max(first.peak_rss_mib, second.peak_rss_mib),
        }


def _plain_job(
    terraform: str,
    dirs: Mapping[str, Path],
    env: Mapping[str, str],
    urls: Mapping[str, str],
    *commands: list[str],
) -> tuple[float, float, float]:
    """Run the commands in each stack in turn: seconds, peak RSS of any one, CPU seconds."""
    seconds, peak, cpu = 0.0, 0.0, 0.0
    for stack in STACKS:
        stack_env = {**env, f"TF_VAR_{URL_VARIABLE}": urls[stack]}
        for args in commands:
            run = run_timed(
                [terraform, *args], dirs[stack], stack_env, sample_memory=True, check=False
            )
            unchanged = args[0] != "plan" or "No changes" in run.stdout
            if run.returncode not in (0, 2) or not unchanged:
                raise CommandFailedError(
                    [terraform, *args], subprocess.CompletedProcess([], 1, run.stdout, "")
                )
            seconds += run.seconds
            cpu += run.cpu_seconds
            peak = max(peak, run.peak_rss_mib)
    return round(seconds, 4), peak, round(cpu, 4)


def _plain_run(work: Path, env: Mapping[str, str]) -> dict[str, Any]:
    terraform = env["TERRAFORM_BINARY_NAME"]
    flags = ["-input=false", "-no-color"]
    with emulators(work / "codat", 2) as codats:
        logs = logs_of(codats)
        run_env = {**clean_env(env), **secrets(STACKS)}
        dirs = copy_stacks(work / "plain", STACKS)
        urls = {stack: codat.base_url for stack, codat in zip(STACKS, codats, strict=True)}
        out: dict[str, Any] = {}
        jobs = {
            "first_deploy": (["init", *flags], ["apply", "-auto-approve", *flags]),
            "zero_change_plan": (["plan", "-detailed-exitcode", *flags],),
            "drift_check": (["plan", "-refresh-only", "-detailed-exitcode", *flags],),
        }
        for job, commands in jobs.items():
            logs.mark()
            out[f"{job}_seconds"], out[f"{job}_rss_mib"], out[f"{job}_cpu"] = _plain_job(
                terraform, dirs, run_env, urls, *commands
            )
            out[job] = logs.since()
        return out


def _calls_summary(runs: list[dict[str, Any]], job: str) -> dict[str, Any]:
    calls: list[Calls] = [run[job] for run in runs]
    reads, writes = MINIMUM[job]
    total = median([c.total for c in calls])
    return {
        "calls": total,
        "reads": median([c.reads for c in calls]),
        "writes": median([c.writes for c in calls]),
        "minimum": reads + writes,
        "minimum_reads": reads,
        "minimum_writes": writes,
        "ratio": ratio(total, reads + writes),
        "same_in_every_run": len({tuple(c.by_route.items()) for c in calls}) == 1,
        "by_route": calls[0].by_route,
    }


def _medians(runs: list[dict[str, Any]], suffix: str) -> dict[str, float]:
    return {
        k.removesuffix(suffix): median([r[k] for r in runs]) for k in runs[0] if k.endswith(suffix)
    }


def bench_jobs(work: Path, env: Mapping[str, str], runs: int) -> dict[str, Any]:
    """Run the project, cdktn and plain flows `runs` times, interleaved; medians and ratios."""
    project_runs, cdktn_runs, plain_runs, gogc_runs = [], [], [], []
    # Plain terraform as users run it (Go's default GC), and again with the project's setting.
    plain_env = {k: v for k, v in env.items() if k != "GOGC"}
    gogc_env = {**plain_env, "GOGC": TERRAFORM_GOGC}
    for index in range(runs):
        project_runs.append(_project_run(work / f"project-{index}", env))
        plain_runs.append(_plain_run(work / f"plain-{index}", plain_env))
        gogc_runs.append(_plain_run(work / f"plain-gogc-{index}", gogc_env))
        cdktn_runs.append(_cdktn_run(work / f"cdktn-{index}", env))
    seconds = {
        "project": _medians(project_runs, "_seconds"),
        "cdktn": _medians(cdktn_runs, "_seconds"),
        "plain_terraform": _medians(plain_runs, "_seconds"),
        "plain_terraform_same_gogc": _medians(gogc_runs, "_seconds"),
    }
    memory = {
        "project": _medians(project_runs, "_rss_mib"),
        "cdktn": _medians(cdktn_runs, "_rss_mib"),
        "plain_terraform": _medians(plain_runs, "_rss_mib"),
        "plain_terraform_same_gogc": _medians(gogc_runs, "_rss_mib"),
    }
    cpu = {
        "project": _medians(project_runs, "_cpu"),
        "plain_terraform": _medians(plain_runs, "_cpu"),
        "plain_terraform_same_gogc": _medians(gogc_runs, "_cpu"),
    }
    plain, same_gogc = seconds["plain_terraform"], seconds["plain_terraform_same_gogc"]
    return {
        "managed_objects": MANAGED_OBJECTS,
        "api_calls": {job: _calls_summary(project_runs, job) for job in MINIMUM},
        "api_calls_plain_terraform": {
            job: _calls_summary(plain_runs, job)
            for job in ("first_deploy", "zero_change_plan", "drift_check")
        },
        "wall_seconds": seconds,
        "runs_seconds": {
            "project": {k: [r[k] for r in project_runs] for k in project_runs[0] if "sec" in k},
            "plain_terraform": {k: [r[k] for r in plain_runs] for k in plain_runs[0] if "sec" in k},
        },
        "peak_rss_mib": memory,
        "cpu_seconds": cpu,
        "synth_skipped": project_runs[0]["synth_skipped"],
        "ratio_vs_plain": {
            "project": {
                job: ratio(seconds["project"][job], plain[job.removesuffix("_synthesized")])
                for job in seconds["project"]
                if job.removesuffix("_synthesized") in plain
            },
            "cdktn": {job: ratio(seconds["cdktn"][job], plain[job]) for job in seconds["cdktn"]},
            "project_vs_plain_same_gogc": {
                job: ratio(seconds["project"][job], same_gogc[job.removesuffix("_synthesized")])
                for job in seconds["project"]
                if job.removesuffix("_synthesized") in same_gogc
            },
        },
        "commands": COMMANDS,
    }
