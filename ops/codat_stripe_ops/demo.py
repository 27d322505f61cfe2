"""`make demo`: deploy the test and live stacks, show the result, test the integration.

By default everything runs against the embedded Codat emulator with a fresh database and
obviously fake credentials. `--codat-base-url URL` runs the same flow against a real Codat
instance instead, with the secrets taken from the usual TF_VAR_* environment variables.
"""

from __future__ import annotations

import argparse
import inspect
import os
import shutil
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codat_api.assumptions import ONE_TIME_SYNC_ONE_OFF
from codat_api.data_types import COMMERCE_DATA_TYPES
from codat_api.platforms import STRIPE_LIVE_KEY, STRIPE_TEST_KEY
from codat_stripe_ops.toolchain import REPO, CdkProject, CommandFailedError

if TYPE_CHECKING:  # `requests` only when the demo runs, not for every `codat-stripe` command
    from codat_stripe_ops.codat_client import CodatClient

STACKS = ("test", "live")
PLATFORM_KEYS = {"test": STRIPE_TEST_KEY, "live": STRIPE_LIVE_KEY}
# The emulator's clients: one Codat instance (API key) per environment, as in main.py.
DEMO_CLIENTS = {"test": "demo-sandbox", "live": "demo-production"}
DEMO_DIR = REPO / ".demo"
FAKE_SECRETS = {
    "TF_VAR_codat_api_key_test": "demo-codat-key-test",
    "TF_VAR_codat_api_key_live": "demo-codat-key-live",
    "TF_VAR_stripe_secret_key_test": "sk_test_demo1234",
    "TF_VAR_stripe_secret_key_live": "sk_live_demo5678",
}


def step(message: str) -> None:
    """Print a progress headline."""
    print(f"\n==> {message}", flush=True)


def detail(message: str) -> None:
    """Print an indented detail line."""
    print(f"    {message}", flush=True)


@contextmanager
def emulated_codat(directory: Path) -> Iterator[str]:
    """Run the emulator on a free loopback port with a fresh database; yield its URL."""
    from codat_emulator.process import EmulatorProcess

    keys = {stack: FAKE_SECRETS[f"TF_VAR_codat_api_key_{stack}"] for stack in STACKS}
    options: dict[str, Any] = {"request_log": directory / "requests.jsonl"}
    default_client = list(keys.values())
    if "clients" in inspect.signature(EmulatorProcess).parameters:
        options["clients"] = {DEMO_CLIENTS[stack]: key for stack, key in keys.items()}
        default_client = []
    process = EmulatorProcess(directory / "codat.db", default_client, **options)
    with process:
        detail(f"emulator ready at {process.base_url} in {process.startup_seconds:.2f} s")
        yield process.base_url
    step("Stopped the Codat emulator")


def deploy(project: CdkProject, env: Mapping[str, str]) -> None:
    """`cdktn deploy test live`, then report what each stack's state now holds.

    (The CLI interleaves both stacks' output, so the summary is read from the state rather
    than parsed from it.)
    """
    started = time.monotonic()
    project.cli("deploy", *STACKS, "--auto-approve", "--skip-provider-lock", extra_env=env)
    for stack in STACKS:
        listed = project.terraform(stack, "state", "list", check=True, extra_env=env)
        managed = [a for a in listed.stdout.split() if not a.startswith("data.")]
        detail(f"{stack}: deployed, {len(managed)} resources in state")
    detail(f"({time.monotonic() - started:.0f} s)")


def show_codat_state(client: CodatClient, stack: str) -> None:
    """Print what one Codat instance holds for the stack's integration and the sync settings."""
    key = PLATFORM_KEYS[stack]
    integration = client.integration(key)
    credentials = client.credentials(key) or {}
    access = client.integration_settings(integration["integrationId"])
    one_off = access.get("oneTimeSync") == ONE_TIME_SYNC_ONE_OFF
    state = "enabled" if integration["enabled"] else "DISABLED"
    detail(f"{integration['name']} ({key}): {state}; sync {'one-off' if one_off else 'continuous'}")
    for name, value in sorted(credentials.items()):
        detail(f"    {name} = {value}")
    settings = {s["dataType"]: s for s in client.sync_settings()["settings"]}
    on = [t for t in COMMERCE_DATA_TYPES if settings.get(t, {}).get("fetchOnFirstLink")]
    detail(f"Commerce sync settings: {len(on)}/{len(COMMERCE_DATA_TYPES)} data types enabled")
    for data_type in COMMERCE_DATA_TYPES:
        setting = settings.get(data_type, {})
        detail(
            f"    {data_type:28} fetchOnFirstLink={str(setting.get('fetchOnFirstLink')).lower():5} "
            f"every {setting.get('syncSchedule')} h"
        )


def second_plan(project: CdkProject, env: Mapping[str, str]) -> bool:
    """Plan each stack again; True when nothing would change."""
    converged = True
    for stack in STACKS:
        plan = project.terraform(stack, "plan", "-detailed-exitcode", "-input=false", extra_env=env)
        if plan.returncode == 0:
            detail(f"{stack}: no changes")
        else:
            converged = False
            detail(f"{stack}: plan exited {plan.returncode}\n{plan.stdout}{plan.stderr}")
    return converged


def test_integration(client: CodatClient) -> None:
    """Codat's "test the integration" step: a company and a Stripe Test connection."""
    company = client.create_company("Demo merchant")
    connection = client.create_connection(company["id"], STRIPE_TEST_KEY)
    detail(f"company {company['id']}")
    detail(f"connection {connection['id']}: {connection['status']}")
    detail(f"linkUrl: {connection['linkUrl']}")


def run(codat_base_url: str | None, work_dir: Path = DEMO_DIR) -> int:
    """Run the demo in `work_dir` (recreated); returns the process exit code."""
    from codat_stripe_ops.codat_client import CodatClient

    shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir(parents=True)
    project = CdkProject(directory=work_dir / "project")
    project.write_config()
    with _codat(codat_base_url, work_dir) as base_url:
        secrets = FAKE_SECRETS if codat_base_url is None else _secrets_from_environment()
        env = {**secrets, "CODAT_BASE_URL_TEST": base_url, "CODAT_BASE_URL_LIVE": base_url}
        step(f"Deploying the test and live stacks of main.py to {base_url}")
        try:
            deploy(project, env)
        except CommandFailedError as failed:
            print(failed, file=sys.stderr)
            return 1
        for stack in STACKS:
            with CodatClient(base_url, secrets[f"TF_VAR_codat_api_key_{stack}"]) as client:
                step(f"Codat now holds, for the {stack} stack's client")
                show_codat_state(client, stack)
        step("Planning again: a converged deploy has nothing left to do")
        if not second_plan(project, env):
            return 1
        with CodatClient(base_url, secrets["TF_VAR_codat_api_key_test"]) as client:
            step("Testing the integration: a company and a Stripe Test connection")
            test_integration(client)
    step(f"Demo complete. Its project, state and emulator database are in {work_dir}")
    return 0


@contextmanager
def _codat(codat_base_url: str | None, work_dir: Path) -> Iterator[str]:
    if codat_base_url is not None:
        yield codat_base_url
        return
    step("Starting the embedded Codat emulator (fresh database, fake credentials)")
    with emulated_codat(work_dir) as base_url:
        yield base_url


def _secrets_from_environment() -> dict[str, str]:
    missing = [name for name in FAKE_SECRETS if not os.environ.get(name)]
    if missing:
        raise SystemExit(
            f"--codat-base-url needs these environment variables: {', '.join(missing)}"
        )
    return {name: os.environ[name] for name in FAKE_SECRETS}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The demo's options (shared by `make demo` and `codat-stripe demo`)."""
    parser.add_argument(
        "--codat-base-url",
        default=os.environ.get("DEMO_CODAT_BASE_URL"),
        help="run against this Codat instance instead of the emulator (env DEMO_CODAT_BASE_URL)",
    )
    parser.add_argument(
        "--work-dir",
        type=lambda value: Path(value).resolve(),
        default=DEMO_DIR,
        help=f"where the demo's project, state and database go (recreated; default {DEMO_DIR})",
    )


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (`python -m codat_stripe_ops.demo`, as `make demo` runs it)."""
    parser = argparse.ArgumentParser(prog="make demo", description=__doc__)
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args.codat_base_url, args.work_dir)


if __name__ == "__main__":
    sys.exit(main())
