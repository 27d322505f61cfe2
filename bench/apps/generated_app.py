"""Benchmark app: main.py's shared parameters, optionally changed, for 2 or N environments.

BENCH_ENVIRONMENTS=N (unset: main.py's test and live) generates N environments from the
same SHARED: test-mode and live-mode environments in pairs, each pair on its own Codat
instance (`bench-<pair>`) from BENCH_BASE_URLS (a JSON list, one URL per pair), or on an
unused loopback URL when synth is all that runs (nothing is contacted at synth).
BENCH_SYNC_SCHEDULE_HOURS overrides one shared setting.
"""

import json
import os
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import main
from codat_stripe import EnvironmentParameters, StripeMode, build_stacks
from codat_stripe._cdk import App


def generated(count: int, base_urls: list[str]) -> list[EnvironmentParameters]:
    """`count` environments, a test/live pair per Codat instance."""
    pairs = (count + 1) // 2
    urls = base_urls or [f"http://127.0.0.1:{20000 + p}" for p in range(pairs)]
    if len(urls) < pairs:
        raise SystemExit(f"BENCH_BASE_URLS has {len(urls)} URLs, {pairs} needed")
    environments = []
    for k in range(count):
        mode = StripeMode.TEST if k % 2 == 0 else StripeMode.LIVE
        environments.append(
            EnvironmentParameters(
                name=f"{mode.value}{k // 2}",
                mode=mode,
                client_id=f"ca_{mode.value.capitalize()}ClientId{k // 2:04d}",
                codat_base_url=urls[k // 2],
                codat_instance=f"bench-{k // 2}",
            )
        )
    return environments


shared = main.SHARED
if os.environ.get("BENCH_SYNC_SCHEDULE_HOURS"):
    shared = replace(shared, sync_schedule_hours=int(os.environ["BENCH_SYNC_SCHEDULE_HOURS"]))
count = os.environ.get("BENCH_ENVIRONMENTS")
environments = (
    generated(int(count), json.loads(os.environ.get("BENCH_BASE_URLS", "[]")))
    if count
    else main.environments()
)
app = App()
build_stacks(app, shared, environments)
main.synth(app)
