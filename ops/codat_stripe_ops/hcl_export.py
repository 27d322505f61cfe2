"""Export the stacks as HCL: `cdktn synth --hcl`, plus the blocks its renderer drops.

The documented way off the CDK is `cdktn synth --hcl`, which writes
`cdktf.out/stacks/<stack>/cdk.tf`. Its renderer drops blocks written as stack overrides -
here the `check` blocks that compare the stored Stripe credentials with the code, the
`terraform_data` credentials markers and the `import` blocks that adopt existing Codat
settings - so this command writes them beside it as `stack-blocks.tf.json` (Terraform reads
the `.tf` and `.tf.json` files of a directory together). Lifecycle `replace_triggered_by`
overrides are plain strings in Terraform JSON, which the renderer would quote in HCL; they
are written back as bare references. The result is complete, valid Terraform.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

from codat_stripe_ops.toolchain import CdkProject

EXTRA_FILE = "stack-blocks.tf.json"
STACK_LEVEL_BLOCKS = ("check", "import")
OVERRIDDEN_RESOURCE_TYPE = "terraform_data"
_TRIGGERS = re.compile(r"(replace_triggered_by\s*=\s*\[)([^\]]*)(\])")


def unquote_triggers(hcl: str) -> str:
    """`replace_triggered_by = ["a.b"]` -> `replace_triggered_by = [a.b]` (references)."""
    return _TRIGGERS.sub(
        lambda m: m.group(1) + re.sub(r'"([A-Za-z_][\w.\-]*)"', r"\1", m.group(2)) + m.group(3),
        hcl,
    )


def export_hcl(project: CdkProject) -> dict[str, Path]:
    """Synthesize `project` as HCL into its cdktf.out; return each stack's directory."""
    project.cli("synth", "--hcl")
    with tempfile.TemporaryDirectory(prefix="cdktn-json-") as json_out:
        project.cli("synth", "--output", json_out)
        stacks: dict[str, Path] = {}
        for stack_json in sorted(Path(json_out, "stacks").glob("*/cdk.tf.json")):
            stack = stack_json.parent.name
            directory = project.stack_dir(stack)
            hcl_file = directory / "cdk.tf"
            if hcl_file.exists():
                hcl_file.write_text(unquote_triggers(hcl_file.read_text()))
            # A JSON synth left in the same directory would be loaded too (duplicates).
            (directory / "cdk.tf.json").unlink(missing_ok=True)
            document = json.loads(stack_json.read_text())
            extra = {block: document[block] for block in STACK_LEVEL_BLOCKS if block in document}
            # terraform_data blocks are stack overrides too (see StripeIntegration).
            overridden = document.get("resource", {}).get(OVERRIDDEN_RESOURCE_TYPE)
            if overridden:
                extra["resource"] = {OVERRIDDEN_RESOURCE_TYPE: overridden}
            target = directory / EXTRA_FILE
            if extra:
                target.write_text(json.dumps(extra, indent=2, sort_keys=True) + "\n")
            else:
                target.unlink(missing_ok=True)
            stacks[stack] = directory
    return stacks


def main(argv: list[str] | None = None) -> int:
    """`python -m codat_stripe_ops.hcl_export`: the same as `codat-stripe export-hcl`."""
    from codat_stripe_ops.cli import main as cli_main

    return cli_main(["export-hcl", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
