"""The synth floor: a CDK app with empty stacks (jsii and Node start-up, nothing of ours).

One stack by default; BENCH_BARE_STACKS=N adds N empty stacks, which isolates the CDK's own
per-stack synth cost from the cost of our constructs.
"""

import os

from cdktn import App, TerraformStack

app = App()
for index in range(int(os.environ.get("BENCH_BARE_STACKS", "1"))):
    TerraformStack(app, f"bare{index}")
app.synth()
