"""Choose how the CDK's jsii kernel runs (imported first by the package).

jsii starts `$JSII_NODE` (default: `node` on PATH) the first time any jsii library - the
CDK or `constructs` - is imported. When JSII_NODE is unset, prefer the project-local Node
(`node_modules/.bin/node`, installed by `npm ci`, the one the CDK CLI runs on), found from
the working directory upwards as `npx` does, so `python main.py` behaves like `cdktn synth`
and never runs on an end-of-life system Node. That Node then runs the kernel without
jsii's relay process (`_kernel_channel`).
"""

import os
from pathlib import Path

from codat_stripe._kernel_channel import use_direct_kernel


def project_node(start: Path) -> Path | None:
    """The nearest `node_modules/.bin/node` at or above `start`, if any."""
    for directory in (start, *start.parents):
        candidate = directory / "node_modules" / ".bin" / "node"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


if "JSII_NODE" not in os.environ:
    _node = project_node(Path.cwd())
    if not use_direct_kernel(os.environ, str(_node) if _node else None) and _node is not None:
        os.environ["JSII_NODE"] = str(_node)
