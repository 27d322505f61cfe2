"""The emulator under load: wrk against an authenticated GET on loopback, bounded in time."""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from codat_emulator.auth import basic_header

from .measure import median, run_timed
from .workspace import CODAT_KEY, emulators

ENDPOINT = "/integrations/yzth"
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _milliseconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> dict[str, float]:
    """Requests/s, p50 and p99 latency (ms) and error count from `wrk --latency` output."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    if not (rps and p50 and p99):
        raise ValueError(f"cannot parse wrk output:\n{output}")
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*", output)
    return {
        "requests_per_second": float(rps.group(1)),
        "p50_ms": round(_milliseconds(p50.group(1)), 3),
        "p99_ms": round(_milliseconds(p99.group(1)), 3),
        "non_2xx": float(non2xx.group(1)) if non2xx else 0.0,
        "socket_errors": 1.0 if errors else 0.0,
    }


def bench_load(
    work: Path,
    env: Mapping[str, str],
    runs: int,
    concurrencies: Sequence[int],
    seconds: int,
) -> dict[str, Any]:
    """Run wrk `runs` times per concurrency for `seconds` each; medians of each figure."""
    wrk = shutil.which("wrk", path=env.get("PATH"))
    if wrk is None:
        raise RuntimeError("wrk is missing: run bench/setup-load-tool.sh")
    script = work / "auth.lua"
    work.mkdir(parents=True, exist_ok=True)
    script.write_text(f'wrk.headers["Authorization"] = "{basic_header(CODAT_KEY)}"\n')
    results = []
    with emulators(work / "codat", 1, log=False) as (codat,):
        url = codat.base_url + ENDPOINT
        if not url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"refusing to load anything but loopback: {url}")
        for concurrency in concurrencies:
            samples = []
            for _ in range(runs):
                command = [
                    wrk,
                    f"-t{min(concurrency, 2)}",
                    f"-c{concurrency}",
                    f"-d{seconds}s",
                    "--timeout",
                    "5s",
                    "--latency",
                    "-s",
                    str(script),
                    url,
                ]
                samples.append(
                    parse_wrk(run_timed(command, work, env, timeout=seconds + 30).stdout)
                )
            results.append(
                {
                    "concurrency": concurrency,
                    **{k: median([s[k] for s in samples]) for k in samples[0]},
                }
            )
    return {
        "tool": "wrk",
        "endpoint": f"GET {ENDPOINT} (authenticated; what every plan reads)",
        "seconds_per_run": seconds,
        "emulator_request_log": "off",
        "levels": results,
    }
