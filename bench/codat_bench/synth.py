"""Synth: the 2-stack app against the bare floor, an N-environment app against it.

Measured two ways, interleaved: as the project's commands synthesize (the app command run
directly, `codat_stripe_ops.synth`) and through the real `cdktn synth` CLI users know.
The CDK's own cost for the same elements (`element_floor_app.py`, mirroring what the 2-stack
and N-environment apps synthesized) is measured beside them, so a ratio can be read against
what the CDK alone would make of it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from codat_stripe_ops.synth import app_environ, read_config
from codat_stripe_ops.toolchain import CdkProject

from .measure import median, ratio, run_timed
from .workspace import BARE_APP, ELEMENT_FLOOR_APP, GENERATED_APP, MAIN_APP, project

WAYS = ("direct", "cdktn")
#: main.py refuses its placeholder client IDs unless its stacks point at a local emulator;
#: synth contacts nothing, so unused loopback URLs stand in for the emulators.
SYNTH_ONLY_URLS = {
    "CODAT_BASE_URL_TEST": "http://127.0.0.1:20001",
    "CODAT_BASE_URL_LIVE": "http://127.0.0.1:20002",
}


#: The apps whose synthesized elements the floor apps mirror, floor variant by mirrored one.
FLOORS = {"floor_shipped": "shipped", "floor_generated": "generated"}


#: Variants, each a CDK project: app script and extra environment. The bare app runs the
#: CDK as it comes (jsii's kernel behind its relay process); `bare_direct_kernel` is the
#: same app on the kernel launcher the constructs choose (`codat_stripe._kernel_channel`),
#: so the report can tell the launcher's share of a lead from the constructs'. The floor
#: apps run on that launcher too and read their shapes from `work` (`element_shape`).
def _variants(work: Path, environments: int) -> dict[str, tuple[Path, dict[str, str]]]:
    from codat_stripe._kernel_channel import LAUNCHER

    generated = {"BENCH_ENVIRONMENTS": str(environments)}
    launcher = {"JSII_NODE": str(LAUNCHER)}
    return {
        "bare": (BARE_APP, {}),
        "bare_direct_kernel": (BARE_APP, launcher),
        "shipped": (MAIN_APP, SYNTH_ONLY_URLS),
        "generated": (GENERATED_APP, generated),
        **{
            floor: (
                ELEMENT_FLOOR_APP,
                {**launcher, "BENCH_FLOOR_SHAPE": str(_shape_file(work, of))},
            )
            for floor, of in FLOORS.items()
        },
    }


def _shape_file(work: Path, variant: str) -> Path:
    """Where the element shape of `variant`'s synthesized output is kept for a floor app."""
    return work / f"shape-{variant}.json"


#: Element kinds of a synthesized stack: the key in its JSON, and whether to count the
#: entries one level further down (resources and data sources are keyed by type first).
_KINDS = {
    "providers": ("provider", True),
    "variables": ("variable", False),
    "locals": ("locals", False),
    "resources": ("resource", True),
    "data_sources": ("data", True),
    "outputs": ("output", False),
}


def element_shape(cdktf_out: Path) -> list[dict[str, int]]:
    """How many elements of each kind every stack in `cdktf_out` holds, in manifest order."""
    manifest = json.loads((cdktf_out / "manifest.json").read_text())
    shapes = []
    for stack in manifest["stacks"].values():
        document = json.loads((cdktf_out / stack["synthesizedStackPath"]).read_text())
        shape = {"backends": len(document.get("terraform", {}).get("backend", {}))}
        for kind, (key, nested) in _KINDS.items():
            block = document.get(key, {})
            shape[kind] = sum(len(v) for v in block.values()) if nested else len(block)
        shapes.append(shape)
    return shapes


def clean_env(env: Mapping[str, str]) -> dict[str, str]:
    """`env` without the variables that would point main.py elsewhere or choose its kernel."""
    drop = (
        "CODAT_BASE_URL_",
        "STRIPE_CLIENT_ID_",
        "BENCH_",
        "PYTHONDONTWRITEBYTECODE",
        "JSII_NODE",
        "JSII_RUNTIME",
        "CODAT_STRIPE_KERNEL_",
    )
    return {k: v for k, v in env.items() if not k.startswith(drop)}


def _command(way: str, cdk: CdkProject, env: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
    if way == "cdktn":
        return ["cdktn", "synth"], dict(env)
    config = read_config(cdk.directory)
    return ["sh", "-c", config["app"]], app_environ(env, cdk.directory / "cdktf.out", config)


def _ratios(med: Mapping[str, float]) -> dict[str, float]:
    return {
        "shipped_vs_bare": ratio(med["shipped"], med["bare"]),
        "shipped_vs_bare_direct_kernel": ratio(med["shipped"], med["bare_direct_kernel"]),
        "generated_vs_shipped": ratio(med["generated"], med["shipped"]),
        "floor_generated_vs_floor_shipped": ratio(med["floor_generated"], med["floor_shipped"]),
    }


def bench_synth(work: Path, env: Mapping[str, str], runs: int, environments: int) -> dict[str, Any]:
    """Each variant both ways, interleaved, `runs` times; medians, ratios, peak RSS."""
    base = clean_env(env)
    projects: dict[str, tuple[CdkProject, dict[str, str]]] = {}
    for name, (app, extra) in _variants(work, environments).items():
        projects[name] = (project(work / f"synth-{name}", app, base), {**base, **extra})
    keys = [(way, name) for way in WAYS for name in projects]
    seconds: dict[tuple[str, str], list[float]] = {key: [] for key in keys}
    rss: dict[tuple[str, str], list[float]] = {key: [] for key in keys}
    # Untimed warm-up: bytecode caches written, disk warm, and the mirrored apps' output
    # there for the floor apps to read their shapes from.
    for name in ("bare", "shipped", "generated"):
        run_timed(["cdktn", "synth"], projects[name][0].directory, projects[name][1])
    shapes = {}
    for of in FLOORS.values():
        shapes[of] = element_shape(projects[of][0].directory / "cdktf.out")
        _shape_file(work, of).write_text(json.dumps(shapes[of]))
    for _ in range(runs):
        for way, name in keys:
            cdk, run_env = projects[name]
            command, command_env = _command(way, cdk, run_env)
            result = run_timed(command, cdk.directory, command_env, sample_memory=True)
            seconds[(way, name)].append(result.seconds)
            rss[(way, name)].append(result.peak_rss_mib)
    by_way: dict[str, Any] = {}
    for way in WAYS:
        med = {name: median(seconds[(way, name)]) for name in projects}
        by_way[way] = {
            "median_seconds": med,
            "peak_rss_mib": {name: median(rss[(way, name)]) for name in projects},
            "runs_seconds": {name: seconds[(way, name)] for name in projects},
            "ratios": _ratios(med),
        }
    return {
        "environments_generated": environments,
        "commands": {
            "direct": "the app command from cdktf.json with CDKTF_OUTDIR (what the project's "
            "commands run)",
            "cdktn": "cdktn synth (real CLI: Node CLI, Python app, jsii runtime)",
        },
        **by_way,
        "python_bytecode_cache": "on (PYTHONDONTWRITEBYTECODE unset; one warm-up run)",
        "element_shapes": shapes,
        "shipped_stack_dir": str(projects["shipped"][0].directory / "cdktf.out" / "stacks"),
    }
