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
    same_gogc = seconds["plain_terraform_same_gogc"]
    direct = report["synth"]["direct"]["median_seconds"]["shipped"]
    cli = report["synth"]["cdktn"]["median_seconds"]["shipped"]
    return [
        "Where the time went and what changed: `cdktn diff`/`cdktn deploy` start Node and the "
        f"CLI before the app (a 2-stack `cdktn synth` takes {cli} s; running the app command "
        f"directly takes {direct} s), `cdktn diff` synthesizes per stack, and stacks ran one "
        "after the other. The project's commands (`codat-stripe plan`, `drift`, `deploy test "
        "live`, measured as a user runs them) synthesize once by running the app command "
        "itself, skip `terraform init` where the stack is provably initialised, and run the "
        "stacks on a pool of the machine's cores in dependency order.",
        f"Zero-change review of both stacks: {project['zero_change_plan']} s against "
        f"{plain['zero_change_plan']} s of plain `terraform plan` in each twin in turn "
        f"({ratios['project']['zero_change_plan']}x; `cdktn diff`: {cdktn['zero_change_plan']} "
        f"s, {ratios['cdktn']['zero_change_plan']}x). The review saves each plan (the file a "
        "deploy can apply) and renders it as JSON (`show -json`, a second terraform process) "
        "only when the plan reports something: a plan with no change, drift, output change "
        "or diagnostic is summarized from the synthesized outputs (`plan_stream`, "
        "`plan_changes.unchanged_plan`). The synth is skipped when the synth cache "
        "proves its inputs unchanged (`codat_stripe_ops.synth_cache`: every file the app "
        "opened, every directory it listed, its environment, cdktf.json and the Node runtime, "
        "hashed against the record the last synth left beside its output); with the app run "
        f"every time (a fresh checkout) the review takes {project['zero_change_plan_synthesized']}"
        f" s ({ratios['project']['zero_change_plan_synthesized']}x). A CI job can restore "
        "cdktf.out from its cache safely: the record proves or refuses it.",
        f"First deploy of both stacks: {project['first_deploy']} s against "
        f"{plain['first_deploy']} s of plain `init` + `apply` in turn "
        f"({ratios['project']['first_deploy']}x; `cdktn deploy`: {cdktn['first_deploy']} s, "
        f"{ratios['cdktn']['first_deploy']}x). The project's deploy prints every stack's "
        "summary before it applies anything and then applies exactly the saved plans shown "
        "(no second refresh), so it runs plan, show and apply where plain `apply` runs one "
        "process, after the synth.",
        "Go's garbage collector: the project's commands run terraform (and so its provider) "
        "with GOGC=400 unless the user set GOGC (`toolchain.TERRAFORM_GOGC`); at the default "
        "a plan of one stack spends about a fifth of its CPU collecting. Plain terraform "
        "given the same setting, as a reference: first deploy "
        f"{same_gogc['first_deploy']} s, review {same_gogc['zero_change_plan']} s, drift "
        f"{same_gogc['drift_check']} s, so against it the project's deploy is "
        f"{ratios['project_vs_plain_same_gogc']['first_deploy']}x, its review "
        f"{ratios['project_vs_plain_same_gogc']['zero_change_plan']}x and its drift check "
        f"{ratios['project_vs_plain_same_gogc']['drift_check']}x: the rest of the difference "
        "is the design (one synth, stacks in parallel, a plan shown before it is applied). The "
        "targets compare with plain terraform as users run it, at Go's default.",
        f"Drift check of both stacks: {project['drift_check']} s against "
        f"{plain['drift_check']} s of plain refresh-only plans in turn "
        f"({ratios['project']['drift_check']}x): the synth runs first, or is proven "
        "unchanged, so the check runs against the committed configuration; a check that "
        "finds nothing renders no plan (a refresh-only plan exits 2 under "
        "`-detailed-exitcode` even then, so the runner reads terraform's `-json` messages).",
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
        "path does the same terraform work, plus a `show -json` per stack where a plan "
        "reports something, and its own start-up; its terraform processes collect garbage "
        "less often (GOGC=400), and it wins the rest of its wall time by running stacks on "
        "idle cores: on this 2-core "
        f"machine, shared with other work (load average {load} at the start, "
        f"{report['machine']['load_average_at_end']} at the end), the cores are often busy, "
        "so parallel stacks gain less than on a dedicated CI runner "
        f"(review {seconds['project']['zero_change_plan']} s wall).",
    ]


def _inherent(report: dict[str, Any]) -> str:
    reads = report["inherent_reads"]
    listed = "; ".join(
        f"`{r['route']}` by {r['block']}"
        + (" (sync-settings owner only)" if r["sync_owner_only"] else "")
        + (" (not in a zero-change plan)" if r.get("only_when_diverged") else "")
        + f": {'inherent' if r['inherent'] else 'removable'}, {r['why']}"
        for r in reads["per_stack"]
    )
    holds = (
        "the model matches the request log route by route"
        if reads["model_matches_log"]
        else f"the model does NOT match the request log (expected {reads['expected_by_route']}, "
        f"measured {reads['measured_by_route']}): the configuration changed, revisit it"
    )
    return (
        f"Reads of a zero-change plan, per stack: {listed}. Of {reads['reads']} reads, "
        f"{reads['inherent']} are inherent and {reads['removable']} removable; {holds}. "
        "The runner adds none: plan and apply of a saved plan refresh once, and a deploy "
        "does not plan twice."
    )


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
        _inherent(report),
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
    per_env = _per_environment(med["generated"], med["shipped"], n)
    floor_per_env = _per_environment(med["floor_generated"], med["floor_shipped"], n)
    floor_direct = direct["ratios"]["floor_generated_vs_floor_shipped"]
    floor_cli = cli["ratios"]["floor_generated_vs_floor_shipped"]
    floor_reading = (
        "the CDK's floor alone is past that line, so no construct emitting these elements "
        "through the CDK meets the direct 2x here."
        if floor_direct > 2
        else "the CDK's floor alone is within it, so the rest is the constructs' own cost."
    )
    return [
        f"Synth, run directly (the project's path): bare {med['bare']} s, 2 stacks "
        f"{med['shipped']} s ({direct['ratios']['shipped_vs_bare']}x), {n} environments "
        f"{med['generated']} s ({direct['ratios']['generated_vs_shipped']}x the 2 stacks). "
        f"Through `cdktn synth`: {cli['median_seconds']['bare']} / "
        f"{cli['median_seconds']['shipped']} / {cli['median_seconds']['generated']} s "
        f"({cli['ratios']['shipped_vs_bare']}x, {cli['ratios']['generated_vs_shipped']}x). "
        "The bare app runs the CDK as it comes, behind jsii's relay process; on the "
        "kernel launcher the constructs use it takes "
        f"{med['bare_direct_kernel']} s, and the 2 stacks are "
        f"{direct['ratios']['shipped_vs_bare_direct_kernel']}x that. "
        "Without the Node CLI's start-up in every figure the ratios show what each "
        f"environment costs: about {per_env} s, jsii round trips to the Node runtime (a few "
        "dozen per environment) and the Python side of each (argument checks, "
        "serialization); every absolute figure is lower than through the CLI. Of that, the "
        "CDK alone takes about "
        f"{floor_per_env} s for the same elements (the floor apps: each stack's backend, "
        "provider, variables, locals, resources, data sources and outputs made with the "
        f"CDK's own classes and nothing else), and its {n} environments are "
        f"{floor_direct}x its 2 stacks run directly ({floor_cli}x "
        "through `cdktn synth`). Run directly, a synth of n environments stays within 2x of "
        "2 stacks only while each environment costs at most the fixed start-up divided by "
        f"n - 4; {floor_reading}",
    ]


def _per_environment(many: float, two: float, n: int) -> float:
    """Seconds each environment beyond the first two adds to a synth of `n` environments."""
    return round((many - two) / (n - 2), 4) if n > 2 else 0.0


def _scaling(report: dict[str, Any]) -> list[str]:
    scaling = report["scaling"]
    sizes = scaling["sizes"]
    fit = scaling["fit"]
    matrix = report["matrix_model"]
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
        "is one terraform plan on the pool (nothing to render in a zero-change review), so on "
        "this 2-core machine the slope is about half a sequential plan. The request budget "
        "(1,000/min, Codat's per-IP limit) admits a stack only when its declared upper bound "
        "of requests fits the last 60 s; the bound of a plan after a deploy is exact (one "
        "read per resource and data source; the credentials' read-back is left to an apply; "
        "tests/operate/test_request_cost.py), so a size is paced only when its declared "
        "requests (scaling table) exceed one minute's budget; measured peak "
        f"{scaling['peak_requests_per_minute']} requests in any 60 s.",
        "Past one machine (a model from the figures above, not a measured CI run): a "
        "workflow fans out one job per stack, the stack names read from the synthesized "
        "manifest (`StackRunner.stacks()`). A first job synthesizes the app once "
        f"({matrix['synth_job_seconds']} s for {matrix['synth_job_environments']} environments "
        "here) and hands cdktf.out on as an artifact; each stack job restores it and runs one "
        f"stack's init and plan, about the 1-environment review ({matrix['stack_job_seconds']}"
        f" s, {matrix['stack_job_peak_rss_mib']:,.0f} MiB) plus runner start-up, whatever N "
        "is. Jobs behind one egress IP share Codat's 1,000 requests per minute: at "
        f"{matrix['calls_per_stack_job']} calls per stack job, `max-parallel` must stay "
        f"<= {matrix['max_parallel_no_startup']} with no runner start-up (the worst case) "
        f"or <= {matrix['max_parallel_20s_startup']} with a 20 s start-up; the wall time is "
        "then the synth job plus ceil(N / max-parallel) stack jobs. The synth cache skips the "
        "synth in a stack job only where its record proves the inputs unchanged, and the "
        "record keys on absolute paths and the Node binary: a job on another checkout path or "
        "toolchain synthesizes again, adding the synth job's time to every job.",
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
