"""`S3State` and `HcpTerraformState`: the `terraform` block a real synth of `build_stacks` writes.

Each stack gets exactly the block its `state` names (bucket, key, region, S3-native locking
and an S3-compatible endpoint; HCP Terraform organization and workspace), and nothing else:
no credentials, no other backend.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from codat_stripe import EnvironmentParameters, SharedParameters, build_stacks
from codat_stripe.backends import HcpTerraformState, S3State, StateBackend
from synth_support import synth_stacks

pytestmark = pytest.mark.synth

ENDPOINT_FLAGS = (
    "use_path_style",
    "skip_credentials_validation",
    "skip_requesting_account_id",
    "skip_metadata_api_check",
    "skip_region_validation",
)


def _terraform_blocks(
    tmp_path: Path, test_state: StateBackend, live_state: StateBackend
) -> dict[str, dict[str, Any]]:
    """The `terraform` block of each stack of a two-stack app with these states."""
    environments = [
        EnvironmentParameters(
            name=name,
            mode=name,
            client_id=f"ca_{name}1",
            codat_instance=f"acme-{name}",
            state=state,
        )
        for name, state in (("test", test_state), ("live", live_state))
    ]
    stacks = synth_stacks(tmp_path, lambda app: build_stacks(app, SharedParameters(), environments))
    return {name: stack["terraform"] for name, stack in stacks.items()}


def test_s3_state_on_aws_and_on_an_s3_compatible_endpoint(tmp_path: Path) -> None:
    blocks = _terraform_blocks(
        tmp_path,
        S3State("acme-tf-state", "codat/test.tfstate", "eu-west-2"),
        S3State(
            "acme-tf-live",
            "codat/live.tfstate",
            "us-east-1",
            use_lockfile=False,
            endpoint_url="http://127.0.0.1:9000",
        ),
    )
    # AWS: bucket, key, region and S3-native locking, nothing more.
    assert blocks["test"]["backend"] == {
        "s3": {
            "bucket": "acme-tf-state",
            "key": "codat/test.tfstate",
            "region": "eu-west-2",
            "use_lockfile": True,
        }
    }
    # An S3-compatible server: its endpoint, path-style addressing, no AWS-only checks.
    assert blocks["live"]["backend"] == {
        "s3": {
            "bucket": "acme-tf-live",
            "key": "codat/live.tfstate",
            "region": "us-east-1",
            "use_lockfile": False,
            "endpoints": {"s3": "http://127.0.0.1:9000"},
            **dict.fromkeys(ENDPOINT_FLAGS, True),
        }
    }
    for block in blocks.values():
        assert "cloud" not in block


def test_hcp_terraform_state_names_the_organization_and_workspace(tmp_path: Path) -> None:
    blocks = _terraform_blocks(
        tmp_path,
        HcpTerraformState("acme", "codat-stripe-test"),
        S3State("acme-tf-live", "codat/live.tfstate", "eu-west-2"),
    )
    assert blocks["test"]["cloud"] == {
        "organization": "acme",
        "workspaces": {"name": "codat-stripe-test"},
    }
    assert "backend" not in blocks["test"]  # the cloud block replaces any backend
    assert set(blocks["live"]["backend"]) == {"s3"}
    assert "cloud" not in blocks["live"]
