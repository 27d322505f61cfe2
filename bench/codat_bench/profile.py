"""Where N-environment synth time goes: jsii round trips, and a Node CPU profile.

Counts each app's requests to the jsii runtime (`jsii_requests`): every request is a round
trip over pipes to Node, so requests per environment are what the constructs cost beyond
the fixed start-up. Then runs the generated app once (no CLI) with
``NODE_OPTIONS=--cpu-prof`` and attributes the jsii runtime's samples to cdktn's synth and to
its `terraform version` probe (lib/validations/validate-binary-version.js), which dominated
before the constructs stopped triggering it; the figure shows it stays gone.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .measure import run_timed
from .synth import SYNTH_ONLY_URLS, clean_env
from .workspace import BARE_APP, GENERATED_APP, MAIN_APP

PROBE_FILE = "validate-binary-version.js"


def _inclusive_seconds(profile: dict[str, Any], predicate: Any) -> float:
    nodes = {n["id"]: n for n in profile["nodes"]}
    parent = {c: n["id"] for n in profile["nodes"] for c in n.get("children", [])}
    matching: dict[int, bool] = {}

    def matches(node_id: int) -> bool:
        chain = []
        current: int | None = node_id
        found = False
        for _ in range(10_000):  # bounded walk to the root
            if current is None:
                break
            if current in matching:
                found = matching[current]
                break
            chain.append(current)
            if predicate(nodes[current]["callFrame"]):
                found = True
                break
            current = parent.get(current)
        for visited in chain:
            matching[visited] = found
        return found

    total = 0
    for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        if matches(sample):
            total += delta
    return total / 1e6


def jsii_requests(work: Path, env: Mapping[str, str], environments: int) -> dict[str, Any]:
    """Requests to the jsii runtime of the bare, 2-stack and N-environment apps; per env."""
    apps = {
        "bare": (BARE_APP, {}),
        "shipped": (MAIN_APP, SYNTH_ONLY_URLS),
        "generated": (GENERATED_APP, {"BENCH_ENVIRONMENTS": str(environments)}),
    }
    counts: dict[str, Any] = {}
    work.mkdir(parents=True, exist_ok=True)
    for name, (app, extra) in apps.items():
        out = work / f"jsii-requests-{name}.json"
        run_env = {
            **clean_env(env),
            **extra,
            "CDKTF_OUTDIR": str(work / f"out-{name}"),
            "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        }
        run_timed(
            [sys.executable, "-m", "codat_bench.jsii_requests", str(app), str(out)], work, run_env
        )
        counts[name] = json.loads(out.read_text())
    extra_envs = environments - 2
    per_env = (
        round((counts["generated"]["total"] - counts["shipped"]["total"]) / extra_envs, 1)
        if extra_envs > 0
        else round((counts["shipped"]["total"] - counts["bare"]["total"]) / 2, 1)
    )
    return {
        "tool": "jsii process provider's send wrapped (codat_bench.jsii_requests)",
        "environments": environments,
        "total": {name: c["total"] for name, c in counts.items()},
        "per_environment": per_env,
        "generated_by_kind": counts["generated"]["by_kind"],
    }


def profile_synth(work: Path, env: Mapping[str, str], environments: int) -> dict[str, Any]:
    """Profile one synth of the generated app; seconds in synth and in the version probe."""
    profiles = work / "cpuprofiles"
    run_env = {
        **clean_env(env),
        "BENCH_ENVIRONMENTS": str(environments),
        "CDKTF_OUTDIR": str(work / "out"),
        "NODE_OPTIONS": f"--cpu-prof --cpu-prof-dir={profiles}",
    }
    work.mkdir(parents=True, exist_ok=True)
    run = run_timed([sys.executable, str(GENERATED_APP)], work, run_env)
    synth = probe = 0.0
    for path in profiles.glob("*.cpuprofile"):
        data = json.loads(path.read_text())
        synth += _inclusive_seconds(
            data, lambda f: f["functionName"] == "synth" and f["url"].endswith("/app.js")
        )
        probe += _inclusive_seconds(data, lambda f: f["url"].endswith(PROBE_FILE))
    return {
        "jsii_requests": jsii_requests(work / "requests", env, environments),
        "tool": "node --cpu-prof (jsii runtime), app run without the CLI",
        "environments": environments,
        "app_seconds": run.seconds,
        "app_synth_seconds": round(synth, 3),
        "terraform_version_probe_seconds": round(probe, 3),
        "probe_share_of_synth": round(probe / synth, 3) if synth else 0.0,
    }
