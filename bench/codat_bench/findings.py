"""The report's findings: what the figures say, and why a missed target is missed."""

from __future__ import annotations

from typing import Any


def _key_routes(by_route: dict[str, int]) -> str:
    keyed: dict[str, int] = {}
    for route, count in by_route.items():
        for key in ("yzth", "exgd"):
            route = route.replace(key, "{key}")
        keyed[route] = keyed.get(route, 0) + count
    return ", ".join(f"`{r}` x{c}" for r, c in sorted(keyed.items()))


def _wall(report: dict[str, Any]) -> list[str]:
    jobs = report["jobs"]
    seconds, ratios = jobs["wall_seconds"], jobs["ratio_vs_plain"]
    project, plain, cdktn = seconds["project"], seconds["plain_terraform"], seconds["cdktn"]
    direct = report["synth"]["direct"]["median_seconds"]["shipped"]
    cli = report["synth"]["cdktn"]["median_seconds"]["shipped"]
    return [
        "Where the time went and what changed: `cdktn diff`/`cdktn deploy` start Node and the "
        f"CLI before the app (a 2-stack `cdktn synth` takes {cli} s; running the app command "
        f"directly takes {direct} s), `cdktn diff` synthesizes per stack, and stacks ran one "
        "after the other. The project's path (StackRunner) synthesizes once by running the "
        "app command itself, skips `terraform init` where the stack is provably initialised, "
        "and runs the stacks on a pool of the machine's cores in dependency order.",
        f"Zero-change review of both stacks: {project['zero_change_plan']} s against "
        f"{plain['zero_change_plan']} s of plain `terraform plan` in each twin in turn "
        f"({ratios['project']['zero_change_plan']}x; `cdktn diff`: {cdktn['zero_change_plan']} "
        f"s, {ratios['cdktn']['zero_change_plan']}x). The review also saves each plan and "
        "renders it as JSON (`show -json`, a second terraform process per stack) for the "
        "summary; parallel stacks pay for that. The synth is skipped when the synth cache "
        "proves its inputs unchanged (`codat_stripe_ops.synth_cache`: every file the app "
        "opened, every directory it listed, its environment, cdktf.json and the Node runtime, "
        "hashed against the record the last synth left beside its output); with the app run "
        f"every time (a fresh checkout) the review takes {project['zero_change_plan_synthesized']}"
        f" s ({ratios['project']['zero_change_plan_synthesized']}x). A CI job can restore "
        "cdktf.out from its cache safely: the record proves or refuses it.",
        f"First deploy of both stacks: {project['first_deploy']} s against "
        f"{plain['first_deploy']} s of plain `init` + `apply` in turn "
        f"({ratios['project']['first_deploy']}x; `cdktn deploy`: {cdktn['first_deploy']} s, "
        f"{ratios['cdktn']['first_deploy']}x). The project's deploy applies exactly the saved "
        "plan it showed (no second refresh), so it runs plan, show and apply where plain "
        "`apply` runs one process.",
        f"Drift check of both stacks: {project['drift_check']} s against "
        f"{plain['drift_check']} s of plain refresh-only plans in turn "
        f"({ratios['project']['drift_check']}x): the synth runs first, or is proven "
        "unchanged, so the check runs against the committed configuration.",
    ]


def _cpu(report: dict[str, Any]) -> list[str]:
    jobs = report["jobs"]
    cpu, seconds = jobs["cpu_seconds"], jobs["wall_seconds"]
    project, plain = cpu["project"], cpu["plain_terraform"]
    load = report["machine"]["load_average_at_start"]
    return [
        "CPU, not just wall time: the review spends "
        f"{project['zero_change_plan']} CPU s (plain {plain['zero_change_plan']}), the "
        f"drift check {project['drift_check']} (plain {plain['drift_check']}), the first "
        f"deploy {project['first_deploy']} (plain {plain['first_deploy']}). The project's "
        "path does the same terraform work plus one `show -json` per stack and its own "
        "start-up, and wins wall time only by running stacks on idle cores: on this 2-core "
        f"machine, shared with other work (load average {load} at the start, "
        f"{report['machine']['load_average_at_end']} at the end), the cores are often busy, "
        "so parallel stacks gain less than on a dedicated CI runner "
        f"(review {seconds['project']['zero_change_plan']} s wall).",
    ]


def _calls(report: dict[str, Any]) -> list[str]:
    calls = report["jobs"]["api_calls"]
    plain = report["jobs"]["api_calls_plain_terraform"]
    plan, deploy, change = (
        calls["zero_change_plan"],
        calls["first_deploy"],
        calls["one_setting_change"],
    )
    return [
        f"Codat API calls: a zero-change review makes {plan['calls']} calls "
        f"({plan['writes']} writes) for {plan['minimum']} managed objects "
        f"({plan['ratio']}x per object), the plain twins {plain['zero_change_plan']['calls']}; "
        f"the drift check {calls['drift_check']['calls']} "
        f"(twins {plain['drift_check']['calls']}). Same terraform, provider and JSON: the "
        "calls are the configuration's, not the runner's. By route, both stacks: "
        f"{_key_routes(plan['by_route'])}.",
        "Inherent reads: `GET /profile/syncSettings` twice in the stack that owns the sync "
        "settings (the resource's refresh and the read-merge-write data source: Codat "
        "replaces the settings list wholesale, so the list must be read to merge into it); "
        "`GET /integrations/{key}` twice per stack (the Enabled resource's refresh and the "
        "Integration data source that finds the integrationId for the data-access path: "
        "taking the id from the Enabled resource instead would save one read per stack but "
        "enable the integration before its data-access setting is written, a window in "
        "which a linking company gets the wrong sync mode); the credentials are read once by "
        "the StoredCredentials data source (restful_operation has no refresh of its own). "
        "No duplicate read is left that Terraform's model lets the runner remove: plan and "
        "apply of a saved plan refresh once, and a deploy does not plan twice.",
        f"First deploy: {deploy['calls']} calls ({deploy['reads']} reads, {deploy['writes']} "
        f"writes; plain twins {plain['first_deploy']['calls']}); the reads above the minimum "
        "are the data sources plus the provider's read-back after each write (inherent to "
        f"magodo/restful). A one-setting change: {change['calls']} calls, {change['writes']} "
        "write(s).",
    ]


def _synth(report: dict[str, Any]) -> list[str]:
    synth = report["synth"]
    n = synth["environments_generated"]
    direct, cli = synth["direct"], synth["cdktn"]
    med = direct["median_seconds"]
    per_env = round((med["generated"] - med["shipped"]) / (n - 2), 4) if n > 2 else 0.0
    return [
        f"Synth, run directly (the project's path): bare {med['bare']} s, 2 stacks "
        f"{med['shipped']} s ({direct['ratios']['shipped_vs_bare']}x), {n} environments "
        f"{med['generated']} s ({direct['ratios']['generated_vs_shipped']}x the 2 stacks). "
        f"Through `cdktn synth`: {cli['median_seconds']['bare']} / "
        f"{cli['median_seconds']['shipped']} / {cli['median_seconds']['generated']} s "
        f"({cli['ratios']['shipped_vs_bare']}x, {cli['ratios']['generated_vs_shipped']}x). "
        "Without the Node CLI's start-up in every figure the ratios show what the "
        f"constructs cost: about {per_env} s per environment, jsii round trips to the Node "
        "runtime (a few dozen per environment), which only fewer construct calls per "
        "environment can reduce; every absolute figure is lower than through the CLI.",
    ]


def _scaling(report: dict[str, Any]) -> list[str]:
    scaling = report["scaling"]
    sizes = scaling["sizes"]
    fit = scaling["fit"]
    return [
        "Scaling: "
        + "; ".join(
            f"{s['environments']} env: {s['plan_seconds']} s "
            f"({s['plan_seconds_per_environment']} s/env), {s['plan_api_calls']} calls, "
            f"peak {s['plan_peak_requests_per_minute']}/min"
            for s in sizes
        )
        + f". Fit: {fit['fixed_seconds']} s fixed + {fit['seconds_per_environment']} s per "
        "environment; per-environment time falls as the fixed synth is shared. Each stack "
        "is one terraform plan and one `show -json` on the pool, so on this 2-core machine the "
        "slope is about half a sequential plan. The request budget (1,000/min, Codat's per-IP "
        "limit) admits a stack only when its declared upper bound of requests fits the last "
        f"60 s; measured peak {scaling['peak_requests_per_minute']} requests in any 60 s.",
        "Past one machine: a CI matrix with one job per stack (the stack names from the "
        "synthesized manifest, `StackRunner.stacks()`) costs each job one synth plus one "
        "stack's init and plan: the wall time of the widest job, i.e. about the 1-environment "
        f"review ({sizes[0]['plan_seconds']} s here) plus runner start-up, whatever N is; the "
        "rate limit is then shared across jobs on one IP only if they share an egress IP, so "
        "a matrix should cap its concurrency (`max-parallel`) to fit 1,000/min at about "
        f"{sizes[0]['plan_api_calls_per_environment']} calls per environment.",
    ]


def findings(report: dict[str, Any]) -> list[str]:
    """Plain-language findings computed from the figures."""
    machine = report["machine"]
    noise = (
        f"Noise: {machine['cpus']}-core machine shared with other work, load average at start "
        f"{machine['load_average_at_start']}, at end {machine['load_average_at_end']}; the "
        "variants were run interleaved, so ratios are steadier than absolute seconds."
    )
    parts = (_wall, _cpu, _calls, _synth, _scaling)
    return [*(line for part in parts for line in part(report)), noise]
