"""Run the CDK's jsii core on the project's Node.js (imported first by the package).

jsii starts `$JSII_NODE` (default: `node` on PATH) the first time any jsii library - the
CDK or `constructs` - is imported. When JSII_NODE is unset, prefer the project-local Node
(`node_modules/.bin/node`, installed by `npm ci`, the one the CDK CLI runs on), found from
the working directory upwards as `npx` does, so `python main.py` behaves like `cdktn synth`
and never runs on an end-of-life system Node.
"""

import os
from pathlib import Path


def project_node(start: Path) -> Path | None:
    """The nearest `node_modules/.bin/node` at or above `start`, if any."""
    for directory in (start, *start.parents):
        candidate = directory / "node_modules" / ".bin" / "node"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


if "JSII_NODE" not in os.environ and (_node := project_node(Path.cwd())):
    os.environ["JSII_NODE"] = str(_node)
