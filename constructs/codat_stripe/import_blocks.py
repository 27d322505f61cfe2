"""Terraform `import` blocks, written straight into the stack's JSON.

The CDK's own `TerraformResource.import_from` makes every synth run `terraform version` once
per import block (a binary-version validation), which dominated the synth time of apps with
many environments and made synth fail where no terraform binary is on PATH. The blocks it
would write are plain JSON, so this module writes them itself: one `import` list per stack.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from codat_stripe._cdk import TerraformResource, TerraformStack
from codat_stripe.restful import RestfulOperation, RestfulResource
from codat_stripe.tree_lookups import logical_id, stack_of

_BLOCKS: WeakKeyDictionary[TerraformStack, list[dict[str, Any]]] = WeakKeyDictionary()


def import_existing(resource: TerraformResource, import_id: str) -> None:
    """Declare `import { to = <resource>, id = <import_id> }` in the resource's stack.

    Terraform imports the object on the first plan and ignores the block once the resource
    is in state, so leaving it in place is harmless.
    """
    stack = stack_of(resource)
    blocks = _BLOCKS.setdefault(stack, [])
    if isinstance(resource, RestfulResource | RestfulOperation):
        address = resource.address  # its type is known here: one round trip to Node fewer
    else:
        address = f"{resource.terraform_resource_type}.{logical_id(resource)}"
    blocks.append({"id": import_id, "to": address})
    stack.add_override("import", list(blocks))
