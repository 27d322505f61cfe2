"""Helpers for in-process synthesis tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from codat_stripe._cdk import App, TerraformStack


def synth_stacks(tmp_path: Path, build: Callable[[App], object]) -> dict[str, dict[str, Any]]:
    """Synthesize what `build` adds to a fresh App; return each stack's Terraform JSON."""
    outdir = tmp_path / "cdktf.out"
    app = App(outdir=str(outdir))
    build(app)
    app.synth()
    return {
        stack_dir.name: json.loads((stack_dir / "cdk.tf.json").read_text())
        for stack_dir in sorted((outdir / "stacks").iterdir())
    }


def synth_one(tmp_path: Path, build: Callable[[TerraformStack], object]) -> dict[str, Any]:
    """Synthesize a single stack named `s` populated by `build`."""

    def make(app: App) -> None:
        build(TerraformStack(app, "s"))

    return synth_stacks(tmp_path, make)["s"]


def normalized(stack_json: dict[str, Any]) -> dict[str, Any]:
    """Drop what legitimately differs between CDK versions (the CDK's own version stamp)."""
    copy = json.loads(json.dumps(stack_json))
    copy.get("//", {}).get("metadata", {}).pop("version", None)
    return copy


def resources(stack_json: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    """Resources of one type, keyed by logical id."""
    return stack_json.get("resource", {}).get(kind, {})  # type: ignore[no-any-return]
