"""Export the stacks as HCL: `cdktn synth --hcl`, plus the check blocks it cannot render.

The documented way off the CDK is `cdktn synth --hcl`, which writes
`cdktf.out/stacks/<stack>/cdk.tf`. Its renderer drops stack-level blocks it has no model
for - here the `check` blocks that compare the stored Stripe credentials with the code - so
this command writes them beside it as `checks.tf.json` (Terraform reads `.tf` and `.tf.json`
files of a directory together). The result is complete, valid Terraform.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from codat_stripe_ops.toolchain import REPO, CdkProject, CommandFailedError

CHECKS_FILE = "checks.tf.json"


def export_hcl(project: CdkProject) -> dict[str, Path]:
    """Synthesize `project` as HCL into its cdktf.out; return each stack's directory."""
    project.cli("synth", "--hcl")
    with tempfile.TemporaryDirectory(prefix="cdktn-json-") as json_out:
        project.cli("synth", "--output", json_out)
        stacks: dict[str, Path] = {}
        for stack_json in sorted(Path(json_out, "stacks").glob("*/cdk.tf.json")):
            stack = stack_json.parent.name
            directory = project.stack_dir(stack)
            # A JSON synth left in the same directory would be loaded too (duplicates).
            (directory / "cdk.tf.json").unlink(missing_ok=True)
            checks = json.loads(stack_json.read_text()).get("check")
            target = directory / CHECKS_FILE
            if checks:
                target.write_text(json.dumps({"check": checks}, indent=2, sort_keys=True) + "\n")
            else:
                target.unlink(missing_ok=True)
            stacks[stack] = directory
    return stacks


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: 0 on success, 1 when synthesis fails."""
    parser = argparse.ArgumentParser(
        prog="python -m codat_stripe_ops.hcl_export", description=__doc__
    )
    parser.add_argument(
        "--project-dir",
        type=Path,
        default=REPO,
        help="directory holding cdktf.json (default: this repository)",
    )
    args = parser.parse_args(argv)
    project = CdkProject(directory=args.project_dir.resolve())
    try:
        stacks = export_hcl(project)
    except CommandFailedError as failed:
        print(failed, file=sys.stderr)
        return 1
    for stack, directory in stacks.items():
        extra = f" + {CHECKS_FILE}" if (directory / CHECKS_FILE).exists() else ""
        print(f"{stack}: {directory / 'cdk.tf'}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
