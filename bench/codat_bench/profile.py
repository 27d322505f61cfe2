"""Where N-environment synth time goes: a Node CPU profile of the jsii runtime.

Runs the generated app once (no CLI) with ``NODE_OPTIONS=--cpu-prof`` and attributes the
jsii runtime's samples to cdktn's synth and to its `terraform version` probe
(lib/validations/validate-binary-version.js), which is where the profile shows the time.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .measure import run_timed
from .synth import clean_env
from .workspace import GENERATED_APP

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
        "tool": "node --cpu-prof (jsii runtime), app run without the CLI",
        "environments": environments,
        "app_seconds": run.seconds,
        "app_synth_seconds": round(synth, 3),
        "terraform_version_probe_seconds": round(probe, 3),
        "probe_share_of_synth": round(probe / synth, 3) if synth else 0.0,
    }
