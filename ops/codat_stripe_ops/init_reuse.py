"""Skip `terraform init` when a stack's working directory is already initialised for it.

`terraform init` depends on the stack's `terraform` block (backend and required providers),
its `module` blocks, the dependency lock file, the terraform binary and the CLI
configuration (provider installation). A stamp in `.terraform/` records a hash of exactly
those after a successful init; a later run re-initialises unless the hash is unchanged and
the provider directory and lock file are still there. Terraform itself refuses to plan when
the backend configuration changed without an init, so a wrong skip fails loudly, never
silently.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

STAMP = Path(".terraform") / "codat-stripe-init.sha256"
LOCK_FILE = ".terraform.lock.hcl"


def _file_identity(path: str | None) -> list[Any]:
    if not path:
        return [None]
    target = Path(path)
    try:
        stat = target.stat()
    except OSError:
        return [path, None]
    return [path, stat.st_size, stat.st_mtime_ns]


def _file_text(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def _config_blocks(stack_dir: Path) -> list[Any]:
    """The init-relevant blocks of every Terraform JSON file in the stack directory."""
    blocks: list[Any] = []
    for path in sorted(stack_dir.glob("*.tf.json")):
        document = json.loads(path.read_text())
        blocks.append([path.name, document.get("terraform"), document.get("module")])
    hcl = sorted(p.name for p in stack_dir.glob("*.tf"))
    if hcl:  # HCL files are hashed whole: their blocks are not parsed here.
        blocks.append([[name, _file_text(stack_dir / name)] for name in hcl])
    return blocks


def init_key(stack_dir: Path, env: Mapping[str, str]) -> str:
    """Hash of everything `terraform init` in `stack_dir` depends on."""
    material = {
        "config": _config_blocks(stack_dir),
        "lock_file": _file_text(stack_dir / LOCK_FILE),
        "binary": _file_identity(env.get("TERRAFORM_BINARY_NAME")),
        "cli_config": _file_text(Path(env["TF_CLI_CONFIG_FILE"]))
        if env.get("TF_CLI_CONFIG_FILE")
        else None,
        "plugin_cache": env.get("TF_PLUGIN_CACHE_DIR"),
        "workspace": env.get("TF_WORKSPACE"),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def is_initialised(stack_dir: Path, key: str) -> bool:
    """Whether the last successful init in `stack_dir` had this key and left its files."""
    stamp = _file_text(stack_dir / STAMP)
    return (
        stamp is not None
        and stamp.strip() == key
        and (stack_dir / LOCK_FILE).is_file()
        and (stack_dir / ".terraform" / "providers").is_dir()
    )


def mark_initialised(stack_dir: Path, env: Mapping[str, str]) -> None:
    """Record a successful init (the key is computed after init wrote the lock file)."""
    (stack_dir / STAMP).write_text(init_key(stack_dir, env) + "\n")


def forget(stack_dir: Path) -> None:
    """Drop the stamp, so the next run initialises again."""
    (stack_dir / STAMP).unlink(missing_ok=True)
