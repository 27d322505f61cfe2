"""Run the jsii kernel without its relay process: one Node process instead of two.

jsii's Python runtime starts `$JSII_NODE <runtime>/bin/jsii-runtime.js`, which is a relay:
it starts a second Node process for the kernel and copies every request and response
between the pipes to Python and a socket to that process. Every call from the constructs
to the CDK (tens per stack) crosses both, and a synth spends about a fifth of its time
there (bench/README.md). `jsii_kernel/direct-kernel.sh`, given as JSII_NODE, runs the
kernel in the process Python started, on Python's own pipes; `direct-kernel.js` runs the
runtime's kernel program with one change, the file descriptor it answers on, and frames
what the JavaScript prints the way the relay does. Requests, responses and the
synthesized output are the same.

Used only when every condition holds, otherwise jsii's own runtime runs unchanged: a POSIX
system, JSII_NODE, JSII_RUNTIME and JSII_DEBUG not set by the user (debugging jsii gets jsii
as it comes), CODAT_STRIPE_KERNEL_RELAY not set (set it to `1` to opt out), and the
installed jsii runtime's kernel program opening its channel as this version of the script
expects (checked on its text).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import MutableMapping
from pathlib import Path

LAUNCHER = Path(__file__).with_name("jsii_kernel") / "direct-kernel.sh"
#: How the kernel program opens its channel: the text direct-kernel.js replaces.
KERNEL_CHANNEL = b"readFD:3,writeFD:3"
OPT_OUT = "CODAT_STRIPE_KERNEL_RELAY"
#: The Node.js the launcher runs (JSII_NODE names the launcher itself).
KERNEL_NODE = "CODAT_STRIPE_KERNEL_NODE"


def kernel_program() -> Path | None:
    """The jsii runtime's kernel program as the jsii package ships it, if found."""
    spec = importlib.util.find_spec("jsii")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        candidate = Path(location) / "_embedded" / "jsii" / "lib__program.js"
        if candidate.is_file():
            return candidate
    return None


def supports_direct_kernel(program: Path | None) -> bool:
    """Whether `program` opens its channel exactly once, the way direct-kernel.js expects."""
    if program is None:
        return False
    try:
        return program.read_bytes().count(KERNEL_CHANNEL) == 1
    except OSError:
        return False


def use_direct_kernel(environ: MutableMapping[str, str], node: str | None) -> bool:
    """Point JSII_NODE at the direct launcher (running `node`) when every condition holds."""
    if (
        os.name != "posix"
        or "JSII_NODE" in environ
        or "JSII_RUNTIME" in environ
        or environ.get("JSII_DEBUG")
        or environ.get(OPT_OUT, "") not in ("", "0")
        or not os.access(LAUNCHER, os.X_OK)
        or not supports_direct_kernel(kernel_program())
    ):
        return False
    environ[KERNEL_NODE] = node or "node"
    environ["JSII_NODE"] = str(LAUNCHER)
    return True
