"""The one module that imports the CDK: CDK Terrain (`cdktn`), or CDKTF 0.21 (`cdktf`).

CDK Terrain is the maintained continuation of CDKTF and keeps its API, so the library runs
on either. Everything else in the project imports CDK names from here, never from `cdktn`
or `cdktf` directly; `make test-cdktf-compat` runs the synth tests with `cdktf` installed
instead of `cdktn`.

"""

try:
    from cdktn import (
        App,
        CloudBackend,
        DataResource,
        Fn,
        LocalBackend,
        NamedCloudWorkspace,
        PgBackend,
        S3Backend,
        TerraformDataSource,
        TerraformElement,
        TerraformLocal,
        TerraformOutput,
        TerraformProvider,
        TerraformProviderGeneratorMetadata,
        TerraformResource,
        TerraformResourceLifecycle,
        TerraformStack,
        TerraformVariable,
        Testing,
        Token,
    )

    CDK_PACKAGE = "cdktn"
except ModuleNotFoundError:  # pragma: no cover - exercised by make test-cdktf-compat
    from cdktf import (  # type: ignore[import-not-found,no-redef,unused-ignore]
        App,
        CloudBackend,
        DataResource,
        Fn,
        LocalBackend,
        NamedCloudWorkspace,
        PgBackend,
        S3Backend,
        TerraformDataSource,
        TerraformElement,
        TerraformLocal,
        TerraformOutput,
        TerraformProvider,
        TerraformProviderGeneratorMetadata,
        TerraformResource,
        TerraformResourceLifecycle,
        TerraformStack,
        TerraformVariable,
        Testing,
        Token,
    )

    CDK_PACKAGE = "cdktf"

__all__ = [
    "CDK_PACKAGE",
    "App",
    "CloudBackend",
    "DataResource",
    "Fn",
    "LocalBackend",
    "NamedCloudWorkspace",
    "PgBackend",
    "S3Backend",
    "TerraformDataSource",
    "TerraformElement",
    "TerraformLocal",
    "TerraformOutput",
    "TerraformProvider",
    "TerraformProviderGeneratorMetadata",
    "TerraformResource",
    "TerraformResourceLifecycle",
    "TerraformStack",
    "TerraformVariable",
    "Testing",
    "Token",
]
