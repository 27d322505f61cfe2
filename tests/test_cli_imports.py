"""The CLI's review, drift and deploy commands start without an HTTP client or the CDK.

Only `verify` and `demo` talk to Codat or Stripe themselves (with `requests`); every other
command runs terraform. Importing `requests` costs about 0.1 s, paid on every drift check
and review, so the parser must not pull it in. The CDK (cdktn, through jsii) costs about
0.3 s more: the app runs it in its own process, never the CLI.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
from codat_stripe_ops.cli import build_parser
build_parser(include_verify=False).parse_args({argv!r})
print(sorted(m for m in ("requests", "urllib3", "httpx", "cdktn", "jsii") if m in sys.modules))
"""


@pytest.mark.parametrize(
    "argv",
    [["plan"], ["drift"], ["deploy", "test"], ["promote-check"], ["export-hcl"]],
)
def test_terraform_commands_import_neither_an_http_client_nor_the_cdk(argv: list[str]) -> None:
    probe = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert probe.stdout.strip() == "[]", probe.stdout + probe.stderr
