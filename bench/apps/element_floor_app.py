"""The CDK's own cost for our stacks' elements: the same elements, nothing of ours.

BENCH_FLOOR_SHAPE names a JSON file (written by `codat_bench.synth.element_shape`) listing,
per stack of a synthesized app, how many backends, providers, variables, locals, resources,
data sources and outputs it holds. This app declares one stack per entry with that many
elements, made with the CDK's classes as they come: no attributes, overrides, renames or
Python callbacks. Its synth is what any construct library emitting those elements pays to
the CDK, so the bench can tell the CDK's share of a synth from the constructs'.
"""

import json
import os
from pathlib import Path

from cdktn import (
    App,
    LocalBackend,
    TerraformDataSource,
    TerraformLocal,
    TerraformOutput,
    TerraformProvider,
    TerraformResource,
    TerraformStack,
    TerraformVariable,
)

app = App()
for index, shape in enumerate(json.loads(Path(os.environ["BENCH_FLOOR_SHAPE"]).read_text())):
    stack = TerraformStack(app, f"floor{index}")
    for k in range(shape["backends"]):
        LocalBackend(stack, path=f"terraform.floor{index}.{k}.tfstate")
    providers = [
        TerraformProvider(
            stack,
            f"provider{k}",
            terraform_resource_type="restful",
            terraform_provider_source="magodo/restful",
        )
        for k in range(shape["providers"])
    ]
    provider = providers[0] if providers else None
    for k in range(shape["variables"]):
        TerraformVariable(stack, f"variable{k}", type="string")
    for k in range(shape["locals"]):
        TerraformLocal(stack, f"local{k}", k)
    for k in range(shape["resources"]):
        TerraformResource(
            stack, f"resource{k}", terraform_resource_type="restful_resource", provider=provider
        )
    for k in range(shape["data_sources"]):
        TerraformDataSource(
            stack, f"data{k}", terraform_resource_type="restful_resource", provider=provider
        )
    for k in range(shape["outputs"]):
        TerraformOutput(stack, f"output{k}", value=k)
app.synth()
