"""Command line: ``codat-emulator --host 127.0.0.1 --port N --db PATH --api-key KEY ...``."""

import argparse
import ipaddress
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from codat_emulator.app import create_app
from codat_emulator.control.faults import FaultRule, rule_from_spec
from codat_emulator.runtime import EmulatorConfig

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
        required=True,
        metavar="KEY",
        help="accepted API key (repeatable)",
    )
    parser.add_argument(
        "--rate-limit-per-minute", type=_non_negative, default=0, help="0 (default) = off"
    )
    parser.add_argument("--request-log", type=Path, default=None, help="JSON-lines request log")
    parser.add_argument(
        "--enable-admin", action="store_true", help="mount /_emulator/faults (fault injection)"
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
    parser.add_argument("--log-level", choices=LOG_LEVELS, default="info")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and serve until interrupted."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    config = EmulatorConfig(
        db_path=args.db,
        api_keys=tuple(args.api_keys),
        rate_limit_per_minute=args.rate_limit_per_minute,
        request_log=args.request_log,
        enable_admin=args.enable_admin,
        faults=tuple(args.faults),
    )
    uvicorn.run(
        create_app(config),
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=3,
    )
    return 0
