"""Where a stack keeps its Terraform state: local (default), S3, HCP Terraform or PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass

from codat_stripe._cdk import CloudBackend, LocalBackend, NamedCloudWorkspace, PgBackend, S3Backend
from constructs import Construct


@dataclass(frozen=True)
class LocalState:
    """A state file, `path` relative to the project root (where cdktf.json lives)."""

    path: str

    def apply(self, stack: Construct) -> None:
        """Declare the backend on `stack`."""
        # terraform runs in cdktf.out/stacks/<stack>/: three levels below the project root.
        LocalBackend(stack, path=f"../../../{self.path}")


@dataclass(frozen=True)
class S3State:
    """An S3 bucket; credentials come from the usual AWS environment, never from here."""

    bucket: str
    key: str
    region: str
    use_lockfile: bool = True

    def apply(self, stack: Construct) -> None:
        """Declare the backend on `stack`."""
        S3Backend(
            stack,
            bucket=self.bucket,
            key=self.key,
            region=self.region,
            use_lockfile=self.use_lockfile,
        )


@dataclass(frozen=True)
class HcpTerraformState:
    """An HCP Terraform workspace; the token comes from `terraform login` or TF_TOKEN_*."""

    organization: str
    workspace: str

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

    def apply(self, stack: Construct) -> None:
        """Declare the backend on `stack`."""
        backend = PgBackend(stack, conn_str="", schema_name=self.schema_name)
        backend.add_override("conn_str", None)


StateBackend = LocalState | S3State | HcpTerraformState | PostgresState
