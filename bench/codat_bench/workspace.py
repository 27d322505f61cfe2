"""Emulators with request logs, CDK projects for the bench apps, and API-call counting."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from codat_emulator.process import EmulatorProcess
from codat_stripe_ops.toolchain import REPO, CdkProject

BENCH_DIR = REPO / "bench"
APPS = BENCH_DIR / "apps"
MAIN_APP = REPO / "main.py"
BARE_APP = APPS / "bare_app.py"
GENERATED_APP = APPS / "generated_app.py"
ELEMENT_FLOOR_APP = APPS / "element_floor_app.py"
CODAT_KEY = "bench-codat-key"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_ID = re.compile(r"/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def secrets(stacks: Sequence[str]) -> dict[str, str]:
    """Obviously fake TF_VAR_* secrets for the named stacks."""
    env: dict[str, str] = {}
    for stack in stacks:
        live = stack.startswith("live")
        env[f"TF_VAR_codat_api_key_{stack}"] = CODAT_KEY
        env[f"TF_VAR_stripe_secret_key_{stack}"] = (
            "sk_live_bench5678" if live else "sk_test_bench1234"
        )
    return env


def project(directory: Path, app: Path, base_env: Mapping[str, str]) -> CdkProject:
    """A CDK project in `directory` running `app`, with cdktf.json written."""
    result = CdkProject(directory=directory, app_script=app, env=dict(base_env))
    result.write_config()
    return result


@dataclass(frozen=True)
class Calls:
    """Codat API calls of one job: total, reads, writes and a breakdown by route."""

    total: int
    reads: int
    writes: int
    by_route: dict[str, int]
    peak_per_minute: int = 0

    def as_dict(self) -> dict[str, object]:
        """JSON form."""
        return {
            "total": self.total,
            "reads": self.reads,
            "writes": self.writes,
            "by_route": self.by_route,
            "peak_per_minute": self.peak_per_minute,
        }


class RequestLogs:
    """The request logs of one or more emulators; `mark()` then `since()` counts a job's calls."""

    def __init__(self, paths: Sequence[Path]) -> None:
        """Watch these JSON-lines request logs."""
        self.paths = list(paths)
        self._offsets = [0 for _ in self.paths]

    def mark(self) -> None:
        """Start counting from now."""
        self._offsets = [p.stat().st_size if p.exists() else 0 for p in self.paths]

    def since(self) -> Calls:
        """Calls logged since the last mark (health checks excluded)."""
        routes: Counter[str] = Counter()
        stamps: list[float] = []
        for path, offset in zip(self.paths, self._offsets, strict=True):
            if not path.exists():
                continue
            with path.open("rb") as handle:
                handle.seek(offset)
                for line in handle.read().decode().splitlines():
                    if not line.strip():
                        continue
                    entry = json.loads(line)
                    route = _ID.sub("/{id}", str(entry["path"]).split("?")[0])
                    if route.startswith("/_emulator"):
                        continue
                    routes[f"{entry['method']} {route}"] += 1
                    stamps.append(float(entry.get("ts", 0.0)))
        writes = sum(n for r, n in routes.items() if r.split()[0] in WRITE_METHODS)
        total = sum(routes.values())
        return Calls(
            total, total - writes, writes, dict(sorted(routes.items())), peak_in_window(stamps)
        )


def peak_in_window(stamps: Sequence[float], seconds: float = 60.0) -> int:
    """The most requests in any window of `seconds` (all emulators together: one IP)."""
    ordered = sorted(stamps)
    peak, start = 0, 0
    for end, stamp in enumerate(ordered):
        while stamp - ordered[start] >= seconds:
            start += 1
        peak = max(peak, end - start + 1)
    return peak


@contextmanager
def emulators(directory: Path, count: int, *, log: bool = True) -> Iterator[list[EmulatorProcess]]:
    """Start `count` emulators with fresh databases (and request logs); stop them after."""
    directory.mkdir(parents=True, exist_ok=True)
    processes = [
        EmulatorProcess(
            directory / f"codat{index}.db",
            [CODAT_KEY],
            request_log=directory / f"requests{index}.jsonl" if log else None,
            log_level="warning",
        )
        for index in range(count)
    ]
    with ExitStack() as stack:
        for process in processes:
            stack.callback(process.__exit__, None, None, None)
        # Many instances (the 200-environment size) start faster side by side.
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda p: p.start(), processes))
        yield processes


def logs_of(processes: Sequence[EmulatorProcess]) -> RequestLogs:
    """Request logs of these emulators."""
    return RequestLogs([p.request_log for p in processes if p.request_log is not None])
