"""Where a stack keeps its Terraform state: local (default), S3, HCP Terraform or PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass

from codat_stripe._cdk import CloudBackend, LocalBackend, NamedCloudWorkspace, PgBackend, S3Backend
from constructs import Construct


@dataclass(frozen=True)
class LocalState:
    """A state file, `path` relative to the project root (where cdktf.json lives)."""

    path: str

    @property
    def location(self) -> str:
        """Where the state lives, for telling two stacks' states apart."""
        return f"local:{self.path}"

    def apply(self, stack: Construct) -> None:
        """Declare the backend on `stack`."""
        # terraform runs in cdktf.out/stacks/<stack>/: three levels below the project root.
        LocalBackend(stack, path=f"../../../{self.path}")


@dataclass(frozen=True)
class S3State:
    """An S3 bucket; credentials come from the usual AWS environment, never from here.

    Attributes:
        bucket: The bucket.
        key: The state object's key.
        region: The bucket's region.
        use_lockfile: Lock with an S3 lock object (S3-native locking). Default: True.
        endpoint_url: An S3-compatible server instead of AWS (e.g. MinIO); also skips the
            AWS-only account and region checks and uses path-style addressing.
            Default: None (AWS).

    """

    bucket: str
    key: str
    region: str
    use_lockfile: bool = True
    endpoint_url: str | None = None

    @property
    def location(self) -> str:
        """Where the state lives, for telling two stacks' states apart."""
        return f"s3://{self.bucket}/{self.key}"

    def apply(self, stack: Construct) -> None:
        """Declare the backend on `stack`."""
        backend = S3Backend(stack, bucket=self.bucket, key=self.key, region=self.region)
        # An override, not a keyword: CDKTF 0.21's S3Backend predates `use_lockfile`, and
        # CDK Terrain checks the keyword against a target Terraform version.
        backend.add_override("use_lockfile", self.use_lockfile)
        if self.endpoint_url:
            backend.add_override("endpoints", {"s3": self.endpoint_url})
            for flag in (
                "use_path_style",
                "skip_credentials_validation",
                "skip_requesting_account_id",
                "skip_metadata_api_check",
                "skip_region_validation",
            ):
                backend.add_override(flag, True)


@dataclass(frozen=True)
class HcpTerraformState:
    """An HCP Terraform workspace; the token comes from `terraform login` or TF_TOKEN_*."""

    organization: str
    workspace: str

    @property
    def location(self) -> str:
        """Where the state lives, for telling two stacks' states apart."""
        return f"hcp:{self.organization}/{self.workspace}"

    def apply(self, stack: Construct) -> None:
        """Declare the backend on `stack`."""
        CloudBackend(
            stack, organization=self.organization, workspaces=NamedCloudWorkspace(self.workspace)
        )


@dataclass(frozen=True)
class PostgresState:
    """A PostgreSQL schema with locking; the connection string comes from PG_CONN_STR.

    The connection string holds a password, so it is never written into the stack: the
    `pg` backend reads the PG_CONN_STR environment variable when `conn_str` is absent.
    """

    schema_name: str

    @property
    def location(self) -> str:
        """Where the state lives, for telling two stacks' states apart."""
        return f"pg:{self.schema_name}"

    def apply(self, stack: Construct) -> None:
        """Declare the backend on `stack`."""
        backend = PgBackend(stack, conn_str="", schema_name=self.schema_name)
        backend.add_override("conn_str", None)


StateBackend = LocalState | S3State | HcpTerraformState | PostgresState
