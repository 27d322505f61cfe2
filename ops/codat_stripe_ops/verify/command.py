"""`codat-stripe verify STACK`: the checks, wired for the CLI (`add_arguments`, `run`).

Exit codes: 0 every check passed (or could not be checked), 2 a check failed, 1 error (bad
arguments, the app could not be loaded, unknown stack, writes refused).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from codat_stripe_ops.toolchain import default_project_dir
from codat_stripe_ops.verify.assumption_probes import ProbeRefusedError, probe_assumptions
from codat_stripe_ops.verify.codat_checks import (
    client_id_checks,
    codat_preflight_checks,
    codat_state_checks,
    link_test,
)
from codat_stripe_ops.verify.dashboard import dashboard_checks
from codat_stripe_ops.verify.report import render_json, render_text
from codat_stripe_ops.verify.results import CheckResult, Status
from codat_stripe_ops.verify.stack_facts import AppLoadError, load_stacks, select_stack
from codat_stripe_ops.verify.stripe_api import STRIPE_API_BASE, stripe_key_checks

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_FAILED = 2

EPILOG = """\
phases:
  --preflight           before a deploy: Codat API key and instance, Stripe secret key
                        (accepted, mode, permissions), client ID, Stripe Dashboard checklist
  (default)             after a deploy: integration enabled, stored credentials (client ID,
                        scope, last four characters of the secret), data access, sync settings
  --probe-assumptions   report each assumed Codat behaviour as confirmed, contradicted or not
                        checkable (reads only; --probe-writes: Stripe Test only, restored)

secrets come from TF_VAR_<variable> as for a deploy; none is ever printed, not even a tail.

exit codes:
  0  every check passed or could not be checked
  2  a check failed (or an assumption was contradicted)
  1  error: bad arguments, the app could not be loaded, unknown stack, writes refused
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add verify's arguments to `parser` (the CLI's `verify` subcommand)."""
    parser.description = "Check Stripe and Codat before and after deploying one stack."
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("stack", help="stack name, e.g. test or live")
    phase = parser.add_mutually_exclusive_group()
    phase.add_argument("--preflight", action="store_true", help="checks before a deploy")
    phase.add_argument(
        "--probe-assumptions",
        action="store_true",
        help="probe the assumed behaviours of Codat's undocumented endpoints",
    )
    parser.add_argument(
        "--probe-writes",
        action="store_true",
        help="with --probe-assumptions: also write (Stripe Test only; restored afterwards)",
    )
    parser.add_argument(
        "--link-test",
        action="store_true",
        help="after a deploy: create a throwaway company and connection, check its linkUrl, "
        "delete the company",
    )
    parser.add_argument(
        "--app",
        type=Path,
        default=None,
        help="the CDK app script (default: main.py of the project in the current directory "
        "(it has a cdktf.json), else of the repository)",
    )
    parser.add_argument(
        "--stripe-api-base",
        default=STRIPE_API_BASE,
        help=f"Stripe API base URL (default {STRIPE_API_BASE}; e.g. a local stripe-mock)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")


def checks(args: argparse.Namespace, environ: Mapping[str, str]) -> tuple[str, list[CheckResult]]:
    """Run the checks `args` ask for; return the phase name and the results."""
    stacks = load_stacks(Path(args.app) if args.app else default_project_dir() / "main.py")
    stack = select_stack(stacks, args.stack)
    if args.probe_assumptions:
        return "probe-assumptions", probe_assumptions(stack, environ, args.probe_writes)
    if args.preflight:
        results = codat_preflight_checks(stack, stacks, environ)
        results += stripe_key_checks(
            stack.mode,
            stack.secret_key_variable,
            stack.stripe_secret_key(environ),
            args.stripe_api_base,
        )
        results += client_id_checks(stack, stacks)
        results += dashboard_checks(stack.mode, stack.use_read_write_scope, results)
        return "preflight", results
    results = codat_state_checks(stack, environ)
    if args.link_test:
        results.append(link_test(stack, environ))
    return "deployed", results


def run(args: argparse.Namespace) -> int:
    """Run verify; print the report; return 0 (all passed), 2 (a check failed) or 1 (error)."""
    if args.probe_writes and not args.probe_assumptions:
        print("verify: --probe-writes needs --probe-assumptions", file=sys.stderr)
        return EXIT_ERROR
    if args.link_test and (args.preflight or args.probe_assumptions):
        print("verify: --link-test is an after-deploy check (drop --preflight)", file=sys.stderr)
        return EXIT_ERROR
    try:
        phase, results = checks(args, os.environ)
    except (AppLoadError, ProbeRefusedError) as error:
        print(f"verify: {error}", file=sys.stderr)
        return EXIT_ERROR
    if args.format == "json":
        sys.stdout.write(render_json(args.stack, phase, results))
    else:
        sys.stdout.write(render_text(f"verify {args.stack} ({phase})", results))
    return EXIT_FAILED if any(r.status is Status.FAIL for r in results) else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Standalone entry point (`python -m codat_stripe_ops.verify`)."""
    parser = argparse.ArgumentParser(prog="codat-stripe verify")
    add_arguments(parser)
    return run(parser.parse_args(argv))
