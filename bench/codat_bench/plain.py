"""The committed plain-Terraform twins of the two stacks (bench/plain/<stack>/main.tf.json).

They are written by hand, not copied from cdktf.out at run time; `check_equivalent` proves
on every bench run that they still declare the same blocks, addresses and attribute values
as the synthesized stacks, modulo CDK metadata, the backend and the Codat URL variable.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from codat_stripe_ops.toolchain import REPO

PLAIN_DIR = REPO / "bench" / "plain"
DEFAULT_BASE_URL = "https://api.codat.io"
URL_VARIABLE = "codat_base_url"


class PlainDriftError(AssertionError):
    """A hand-written plain stack no longer matches the synthesized one."""


def _strip_metadata(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_metadata(v) for k, v in value.items() if k != "//"}
    if isinstance(value, list):
        return [_strip_metadata(v) for v in value]
    return value


def normalized_cdk(path: Path) -> dict[str, Any]:
    """A synthesized stack without CDK metadata and backend, its Codat URL the default."""
    config: dict[str, Any] = _strip_metadata(json.loads(path.read_text()))
    config.get("terraform", {}).pop("backend", None)
    url = config["provider"]["restful"][0]["base_url"]
    normalized: dict[str, Any] = json.loads(json.dumps(config).replace(url, DEFAULT_BASE_URL))
    return normalized


def normalized_plain(path: Path) -> dict[str, Any]:
    """A plain stack with its Codat URL variable resolved to the default, as main.py does."""
    config: dict[str, Any] = json.loads(path.read_text())
    variable = config["variable"].pop(URL_VARIABLE)
    for provider in config["provider"]["restful"]:
        if provider["base_url"] == f"${{var.{URL_VARIABLE}}}":
            provider["base_url"] = variable["default"]
    return config


def _addresses(config: dict[str, Any]) -> list[str]:
    found = []
    for kind in ("resource", "data"):
        for rtype, blocks in config.get(kind, {}).items():
            prefix = "data." if kind == "data" else ""
            found += [f"{prefix}{rtype}.{name}" for name in blocks]
    return sorted(found)


def check_equivalent(synth_stacks: Path, stacks: tuple[str, ...]) -> dict[str, Any]:
    """Compare each plain stack with the synthesized one; raise PlainDriftError on a difference."""
    result: dict[str, Any] = {}
    for stack in stacks:
        cdk = normalized_cdk(synth_stacks / stack / "cdk.tf.json")
        plain = normalized_plain(PLAIN_DIR / stack / "main.tf.json")
        if _addresses(cdk) != _addresses(plain):
            raise PlainDriftError(
                f"{stack}: addresses differ: cdk {_addresses(cdk)} plain {_addresses(plain)}"
            )
        differing = sorted(k for k in cdk.keys() | plain.keys() if cdk.get(k) != plain.get(k))
        if differing:
            raise PlainDriftError(
                f"bench/plain/{stack}/main.tf.json differs from the synthesized stack in "
                f"{differing}: update the hand-written file"
            )
        result[stack] = {"equivalent": True, "addresses": _addresses(cdk)}
    return result


def copy_stacks(destination: Path, stacks: tuple[str, ...]) -> dict[str, Path]:
    """Copy the plain stacks to working directories (keeps state out of the repo)."""
    dirs = {}
    for stack in stacks:
        target = destination / stack
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(PLAIN_DIR / stack / "main.tf.json", target / "main.tf.json")
        dirs[stack] = target
    return dirs
