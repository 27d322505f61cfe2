"""Command line: ``codat-emulator --host 127.0.0.1 --port N --db PATH --client NAME=KEY ...``.

Exit codes: 0 after a clean stop, 2 for a bad command line (argparse), 1 for a configuration
the emulator refuses (e.g. one API key given to two clients).
"""

import argparse
import ipaddress
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from codat_emulator.app import create_app
from codat_emulator.control.faults import FaultRule, rule_from_spec
from codat_emulator.runtime import CREDENTIALS_PUT_RESPONSES, EmulatorConfig

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def _loopback(host: str) -> str:
    if host == "localhost":
        return host
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{host!r} is not a loopback address")


def _fault(spec: str) -> FaultRule:
    try:
        return rule_from_spec(spec)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _client(spec: str) -> tuple[str, str]:
    name, sep, key = spec.partition("=")
    name = name.strip()
    if not sep or not name or not key:
        raise argparse.ArgumentTypeError(f"expected NAME=KEY, got {spec.split('=')[0]!r}=...")
    if not all(c.isalnum() or c in "-_." for c in name):
        raise argparse.ArgumentTypeError(
            f"client name {name!r} may hold only letters, digits, '-', '_' and '.'"
        )
    return name, key


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``codat-emulator``."""
    parser = argparse.ArgumentParser(
        prog="codat-emulator", description="Local emulator of the Codat Platform API."
    )
    parser.add_argument("--host", type=_loopback, default="127.0.0.1", help="loopback address")
    parser.add_argument("--port", type=int, default=8080, help="TCP port (default 8080)")
    parser.add_argument("--db", type=Path, required=True, help="SQLite file holding the state")
    parser.add_argument(
        "--api-key",
        dest="api_keys",
        action="append",
        default=[],
        metavar="KEY",
        help="API key of the default client (repeatable)",
    )
    parser.add_argument(
        "--client",
        dest="clients",
        action="append",
        type=_client,
        default=[],
        metavar="NAME=KEY",
        help="a named Codat client and one of its API keys (repeatable; repeat NAME for more"
        " keys). Each client has its own state; the request log names it, never the key",
    )
    parser.add_argument(
        "--rate-limit-per-minute", type=_non_negative, default=0, help="0 (default) = off"
    )
    parser.add_argument("--request-log", type=Path, default=None, help="JSON-lines request log")
    parser.add_argument(
        "--enable-admin",
        action="store_true",
        help="mount the /_emulator admin routes (faults, holds, state, options)",
    )
    parser.add_argument(
        "--fault",
        dest="faults",
        action="append",
        type=_fault,
        default=[],
        metavar="STATUS:COUNT[:METHOD[:PATH_PREFIX]]",
        help="fail the next COUNT matching requests with STATUS (repeatable)",
    )
    parser.add_argument(
        "--credentials-put-response",
        choices=CREDENTIALS_PUT_RESPONSES,
        default="body",
        help="PUT /integrations/credentials/{key} answers the masked map (body, 200) or 204 with"
        " no body (empty): Codat does not document this endpoint's answer",
    )
    parser.add_argument("--log-level", choices=LOG_LEVELS, default="info")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and serve until interrupted."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.api_keys and not args.clients:
        parser.error("give at least one --api-key KEY or --client NAME=KEY")
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    config = EmulatorConfig(
        db_path=args.db,
        api_keys=tuple(args.api_keys),
        clients=tuple(args.clients),
        rate_limit_per_minute=args.rate_limit_per_minute,
        request_log=args.request_log,
        enable_admin=args.enable_admin,
        faults=tuple(args.faults),
        credentials_put_response=args.credentials_put_response,
    )
    try:
        app = create_app(config)
    except ValueError as exc:
        print(f"codat-emulator: {exc}", file=sys.stderr)
        return 1
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=3,
    )
    return 0
