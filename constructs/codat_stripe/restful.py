"""Typed L1 bindings for the parts of the magodo/restful provider this library uses.

`cdktn get` would generate bindings for the whole provider schema; we need the provider,
`restful_resource`, `restful_operation` and the `restful_resource` data source, so they are
declared here by hand, each attribute documented in the provider's own terms.
Attribute maps are emitted verbatim: request bodies keep Codat's camelCase keys (the CDK
would otherwise snake_case nested keys of provider blocks, see `RestfulProvider`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jsii

from codat_stripe._cdk import (
    TerraformDataSource,
    TerraformProvider,
    TerraformProviderGeneratorMetadata,
    TerraformResource,
    TerraformResourceLifecycle,
)
from codat_stripe.tree_lookups import claim_logical_id, logical_id, note_scope
from codat_stripe.versions import RESTFUL_PROVIDER_SOURCE, RESTFUL_PROVIDER_VERSION
from constructs import Construct

_METADATA = TerraformProviderGeneratorMetadata(
    provider_name="restful",
    provider_version_constraint=RESTFUL_PROVIDER_VERSION,
)


def _compact(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Drop unset (None) attributes so the JSON holds only what was configured."""
    return {key: value for key, value in attributes.items() if value is not None}


def _hcl(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Describe attributes for `cdktn synth --hcl`, which needs each one's type.

    Strings, numbers and booleans are simple values, lists of strings are lists, and
    objects (request bodies, nested provider settings) are rendered as HCL object
    expressions with their keys as written.
    """
    described: dict[str, Any] = {}
    for name, value in _compact(attributes).items():
        if isinstance(value, bool):
            kind, storage = "simple", "boolean"
        elif isinstance(value, int | float):
            kind, storage = "simple", "number"
        elif isinstance(value, str):
            kind, storage = "simple", "string"
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            kind, storage = "list", "stringList"
        else:
            kind, storage = "any", "any"
        described[name] = {
            "value": value,
            "isBlock": False,
            "type": kind,
            "storageClassType": storage,
        }
    return described


def import_id(read_path: str, path: str, body_keys: Sequence[str]) -> str:
    """The `import` ID of a `restful_resource`: a JSON spec with its paths and tracked keys.

    Paths may contain `${...}` references (e.g. to a data source); they are rendered inside
    `jsonencode`, so Terraform evaluates the ID at plan time.
    """
    body = ", ".join(f"{key} = null" for key in body_keys)
    return f'${{jsonencode({{id = "{read_path}", path = "{path}", body = {{{body}}}}})}}'


class RestfulProvider(TerraformProvider):
    """`provider "restful"`: one REST API, its base URL, headers and retry policy."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        base_url: str,
        header: Mapping[str, str] | None = None,
        retry_status_codes: Sequence[int] = (),
        retry_count: int = 0,
        retry_wait_seconds: int = 1,
        alias: str | None = None,
    ) -> None:
        """Configure the provider; `header` is sent with every request (values may be tokens).

        Retries back off exponentially from `retry_wait_seconds`. `max_wait_in_sec` is never
        set: restful 0.25.2 reads it into the initial wait instead of the cap (provider.go,
        `populateRetry`), which would make every retry wait that long.
        """
        super().__init__(
            scope,
            id,
            terraform_resource_type="restful",
            terraform_generator_metadata=_METADATA,
            terraform_provider_source=RESTFUL_PROVIDER_SOURCE,
        )
        self._attributes: dict[str, Any] = _compact(
            {
                "base_url": base_url,
                "alias": alias,
                "client": {
                    "retry": {
                        "status_codes": list(retry_status_codes),
                        "count": retry_count,
                        "wait_in_sec": retry_wait_seconds,
                    }
                }
                if retry_count
                else None,
            }
        )
        if header:
            # Provider attributes are snake_cased by the CDK; an override is emitted verbatim,
            # which keeps header names such as "Authorization" as written.
            self.add_override("header", dict(header))

    @jsii.member(jsii_name="synthesizeAttributes")
    def _synthesize_attributes(self) -> Mapping[str, Any]:
        return self._attributes

    @jsii.member(jsii_name="synthesizeHclAttributes")
    def _synthesize_hcl_attributes(self) -> Mapping[str, Any]:
        return _hcl(self._attributes)


class RestfulResource(TerraformResource):
    """`resource "restful_resource"`: an API object that is created, read, updated, deleted.

    Terraform reads `read_path` (default `path`) on every refresh and compares the keys of
    `body` with the response, so out-of-band changes to managed keys show up as drift.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: TerraformProvider,
        path: str,
        body: Any,
        ephemeral_body: Any = None,
        read_path: str | None = None,
        read_response_template: str | None = None,
        update_path: str | None = None,
        create_method: str | None = None,
        update_method: str | None = None,
        delete_method: str | None = None,
        delete_path: str | None = None,
        delete_body: Any = None,
        delete_body_raw: str | None = None,
        merge_patch_disabled: bool | None = None,
        output_attrs: Sequence[str] | None = None,
        depends_on: Sequence[Any] | None = None,
        lifecycle: TerraformResourceLifecycle | None = None,
    ) -> None:
        """Declare the resource; methods are HTTP verbs (restful validates the allowed ones).

        `ephemeral_body` is write-only (never in plan or state). Unlike an operation's, it is
        merged into an update's body only when it changed itself: an update of `body` alone
        sends `body` without it.
        """
        super().__init__(
            scope,
            id,
            terraform_resource_type="restful_resource",
            terraform_generator_metadata=_METADATA,
            provider=provider,
            depends_on=depends_on,
            lifecycle=lifecycle,
        )
        note_scope(self, scope, id)
        self._attributes = _compact(
            {
                "path": path,
                "read_path": read_path,
                "read_response_template": read_response_template,
                "update_path": update_path,
                "create_method": create_method,
                "update_method": update_method,
                "delete_method": delete_method,
                "delete_path": delete_path,
                "delete_body_raw": delete_body_raw,
                "merge_patch_disabled": merge_patch_disabled,
                "output_attrs": list(output_attrs) if output_attrs is not None else None,
            }
        )
        self._body = body
        self._ephemeral_body = ephemeral_body
        self._delete_body = delete_body

    @jsii.member(jsii_name="synthesizeAttributes")
    def _synthesize_attributes(self) -> Mapping[str, Any]:
        # Bodies are resource (not provider) attributes: the CDK keeps their keys as written.
        return _compact(
            {
                **self._attributes,
                "body": self._body,
                "ephemeral_body": self._ephemeral_body,
                "delete_body": self._delete_body,
            }
        )

    @jsii.member(jsii_name="synthesizeHclAttributes")
    def _synthesize_hcl_attributes(self) -> Mapping[str, Any]:
        return _hcl(self._synthesize_attributes())

    @property
    def address(self) -> str:
        """The resource's Terraform address, for hand-written expressions."""
        return f"restful_resource.{logical_id(self)}"

    def override_logical_id(self, new_logical_id: str) -> None:
        """Rename the element in Terraform; refused once the constructs used its name."""
        claim_logical_id(self, new_logical_id)
        super().override_logical_id(new_logical_id)


class RestfulOperation(TerraformResource):
    """`resource "restful_operation"`: a call made on create and on every change.

    Unlike `restful_resource`, it sends `body` merged with the write-only `ephemeral_body`
    on EVERY create and update, not only when the ephemeral value changed. That is what an
    endpoint needs whose PUT replaces a whole map that includes a secret: changing a
    non-secret key must re-send the secret too. An operation is never read back, so it does
    not detect drift; pair it with a data source where drift matters.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: TerraformProvider,
        path: str,
        method: str,
        body: Any,
        ephemeral_body: Any = None,
        delete_method: str | None = None,
        delete_path: str | None = None,
        delete_body: Any = None,
        output_attrs: Sequence[str] | None = None,
        depends_on: Sequence[Any] | None = None,
        lifecycle: TerraformResourceLifecycle | None = None,
    ) -> None:
        """Declare the operation; `ephemeral_body` is write-only: never in plan or state."""
        super().__init__(
            scope,
            id,
            terraform_resource_type="restful_operation",
            terraform_generator_metadata=_METADATA,
            provider=provider,
            depends_on=depends_on,
            lifecycle=lifecycle,
        )
        note_scope(self, scope, id)
        self._attributes = _compact(
            {
                "path": path,
                "method": method,
                "delete_method": delete_method,
                "delete_path": delete_path,
                "output_attrs": list(output_attrs) if output_attrs is not None else None,
            }
        )
        self._body = body
        self._ephemeral_body = ephemeral_body
        self._delete_body = delete_body

    @jsii.member(jsii_name="synthesizeAttributes")
    def _synthesize_attributes(self) -> Mapping[str, Any]:
        return _compact(
            {
                **self._attributes,
                "body": self._body,
                "ephemeral_body": self._ephemeral_body,
                "delete_body": self._delete_body,
            }
        )

    @jsii.member(jsii_name="synthesizeHclAttributes")
    def _synthesize_hcl_attributes(self) -> Mapping[str, Any]:
        return _hcl(self._synthesize_attributes())

    @property
    def address(self) -> str:
        """The resource's Terraform address, for hand-written expressions."""
        return f"restful_operation.{logical_id(self)}"

    def override_logical_id(self, new_logical_id: str) -> None:
        """Rename the element in Terraform; refused once the constructs used its name."""
        claim_logical_id(self, new_logical_id)
        super().override_logical_id(new_logical_id)


class RestfulDataSource(TerraformDataSource):
    """`data "restful_resource"`: a GET made at plan time; its response is `output`."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: TerraformProvider,
        path: str,
        selector: str | None = None,
        output_attrs: Sequence[str] | None = None,
        allow_not_exist: bool | None = None,
        depends_on: Sequence[Any] | None = None,
        count: float | None = None,
    ) -> None:
        """Declare the read; `selector` (gjson) picks one member of a collection.

        With `allow_not_exist`, a 404 yields a null `output` instead of an error. With
        `count` (a number or a number token, e.g. `Token.as_number("${...}")`), it is read
        that many times, 0 included; refer to it as `address[0]` then.
        """
        super().__init__(
            scope,
            id,
            terraform_resource_type="restful_resource",
            terraform_generator_metadata=_METADATA,
            provider=provider,
            depends_on=depends_on,
            count=count,
        )
        note_scope(self, scope, id)
        self._attributes = _compact(
            {
                "id": path,
                "selector": selector,
                "allow_not_exist": allow_not_exist,
                "output_attrs": list(output_attrs) if output_attrs is not None else None,
            }
        )

    @jsii.member(jsii_name="synthesizeAttributes")
    def _synthesize_attributes(self) -> Mapping[str, Any]:
        return self._attributes

    @jsii.member(jsii_name="synthesizeHclAttributes")
    def _synthesize_hcl_attributes(self) -> Mapping[str, Any]:
        return _hcl(self._attributes)

    @property
    def address(self) -> str:
        """The data source's Terraform address, for hand-written expressions."""
        return f"data.restful_resource.{logical_id(self)}"

    def override_logical_id(self, new_logical_id: str) -> None:
        """Rename the element in Terraform; refused once the constructs used its name."""
        claim_logical_id(self, new_logical_id)
        super().override_logical_id(new_logical_id)

    def output_attribute(self, dotted_path: str) -> str:
        """Interpolation of one attribute of the response body, e.g. `${data...output.key}`."""
        return f"${{{self.address}.output.{dotted_path}}}"
