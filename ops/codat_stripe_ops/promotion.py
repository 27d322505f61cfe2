"""Promotion check: the live stack must be exactly what the test stack ran with.

    python -m codat_stripe_ops.promotion [--project-dir DIR] [--from test] [--to live]

Synthesizes the app (`cdktn synth`) and compares the two stacks' Terraform JSON. They may
differ only in the ALLOW_LIST below; every other difference is listed (JSON path, both
values) and the check fails. Exit 0: promotable; 1: the stacks differ; 2: error.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from codat_stripe.stripe_facts import StripeMode
from codat_stripe_ops.plan_changes import Component, component_of
from codat_stripe_ops.stack_runner import StackRunError, StackRunner

PROMOTABLE, DIFFERENT, ERROR = 0, 1, 2

ALLOW_LIST: tuple[str, ...] = (
    "platform key: the Stripe mode and what derives from it (Codat platform key and "
    "integration name, sk_/rk_ key prefixes, the Dashboard checklist's mode wording)",
    "client ID (Stripe Connect ca_...)",
    "secret and API-key variables (their names)",
    "base URL of the Codat instance",
    "backend (where the state lives)",
    "credentials revision (re-sends one environment's credentials after drift)",
    "which stack owns the client's commerce sync settings (a singleton per Codat instance; "
    "compared when both stacks own a copy)",
)
"""What test and live may differ in; everything else must be identical."""

_VAR_REFERENCE = re.compile(r"var\.([A-Za-z_][A-Za-z0-9_-]*)")


@dataclass(frozen=True)
class Difference:
    """One JSON path at which the stacks differ outside the allow-list."""

    path: str
    source: Any
    target: Any

    def describe(self, source_name: str, target_name: str) -> str:
        """One line: the path, its Codat meaning if known, both values."""
        parts = self.path.split(".")
        meaning = ""
        if len(parts) > 2 and parts[0] in ("resource", "data"):
            component = component_of(parts[2])
            meaning = f" ({component})" if component else ""
        return (
            f"{self.path}{meaning}: {source_name} = {_show(self.source)}, "
            f"{target_name} = {_show(self.target)}"
        )


@dataclass(frozen=True)
class StackFacts:
    """The allow-listed values of one synthesized stack."""

    mode: StripeMode
    client_id: str | None
    base_url: str | None
    variables: Mapping[str, str]


def facts_of(stack: str, document: Mapping[str, Any]) -> StackFacts:
    """Find a stack's allow-listed values in its Terraform JSON."""
    credentials = _credentials(document)
    if credentials is None:
        raise StackRunError(f"stack {stack!r} has no Stripe Credentials resource")
    path = str(credentials.get("path", ""))
    modes = [m for m in StripeMode if path.rstrip("/").endswith("/" + m.platform_key)]
    if not modes:
        raise StackRunError(f"stack {stack!r}: no Stripe platform key in the path {path!r}")
    providers = document.get("provider", {}).get("restful", [{}])
    provider = providers[0] if isinstance(providers, list) and providers else {}
    variables = {}
    for name in _VAR_REFERENCE.findall(json.dumps(provider.get("header", {}))):
        variables[name] = "<codat_api_key_variable>"
    for name in _VAR_REFERENCE.findall(json.dumps(credentials.get("ephemeral_body", {}))):
        variables[name] = "<stripe_secret_key_variable>"
    return StackFacts(
        mode=modes[0],
        client_id=credentials.get("body", {}).get("clientId"),
        base_url=provider.get("base_url"),
        variables=variables,
    )


def compare(
    source: Mapping[str, Any], target: Mapping[str, Any], names: tuple[str, str] = ("test", "live")
) -> list[Difference]:
    """Every difference between two stacks' Terraform JSON outside the allow-list."""
    source_facts, target_facts = facts_of(names[0], source), facts_of(names[1], target)
    both_own_sync = _owns_sync_settings(source) and _owns_sync_settings(target)
    normalized = [
        _normalize(document, facts, other.mode, keep_sync=both_own_sync)
        for document, facts, other in (
            (source, source_facts, target_facts),
            (target, target_facts, source_facts),
        )
    ]
    return list(_diff(normalized[0], normalized[1], ""))


def _credentials(document: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for name, body in document.get("resource", {}).get("restful_operation", {}).items():
        if component_of(name) is Component.CREDENTIALS:
            return dict(body)
    return None


def _sync_prefixes(document: Mapping[str, Any]) -> list[str]:
    """Name prefixes of the sync-settings construct (e.g. `CommerceSync_`)."""
    return [
        name[: name.rindex("_Settings_") + 1]
        for name in document.get("resource", {}).get("restful_resource", {})
        if component_of(name) is Component.SYNC_SETTINGS and "_Settings_" in name
    ]


def _owns_sync_settings(document: Mapping[str, Any]) -> bool:
    return bool(_sync_prefixes(document))


def _normalize(
    document: Mapping[str, Any], facts: StackFacts, other_mode: StripeMode, keep_sync: bool
) -> Any:
    tree = copy.deepcopy(dict(document))
    tree.get("terraform", {}).pop("backend", None)
    for name, body in tree.get("resource", {}).get("restful_operation", {}).items():
        if component_of(name) is Component.CREDENTIALS:
            body.pop("operation_header", None)
    if not keep_sync:
        for prefix in _sync_prefixes(document):
            for section in ("resource", "data"):
                for of_type in tree.get(section, {}).values():
                    for name in [n for n in of_type if n.startswith(prefix)]:
                        del of_type[name]
            locals_ = tree.get("locals", {})
            for name in [n for n in locals_ if n.startswith(prefix)]:
                del locals_[name]
            for section, blocks in tree.items():  # import, moved, removed blocks
                if isinstance(blocks, list):
                    tree[section] = [b for b in blocks if f".{prefix}" not in json.dumps(b)]
        _drop_empty(tree)
    replacements = _replacements(facts, other_mode)
    return _rewrite(tree, lambda text: _apply(text, replacements))


def _drop_empty(tree: dict[str, Any]) -> None:
    """Remove sections that pruning emptied (e.g. `locals` holding only sync settings)."""
    for key in list(tree):
        value = tree[key]
        if isinstance(value, dict):
            for inner in [k for k, v in value.items() if v in ({}, [])]:
                del value[inner]
        if value in ({}, []):
            del tree[key]


def _replacements(facts: StackFacts, other_mode: StripeMode) -> list[tuple[re.Pattern[str], str]]:
    """Allow-listed values -> placeholders; a test-mode stack's mode wording -> live's."""
    pairs: list[tuple[re.Pattern[str], str]] = []
    for name, placeholder in facts.variables.items():
        word = rf"{re.escape(name)}(?![A-Za-z0-9_])"
        pairs.append((re.compile(rf"\bTF_VAR_{word}"), f"TF_VAR_{placeholder}"))
        pairs.append((re.compile(rf"(?<![A-Za-z0-9_]){word}"), placeholder))
    for value, placeholder in ((facts.client_id, "<client_id>"), (facts.base_url, "<base_url>")):
        if value:
            pairs.append((re.compile(re.escape(value)), placeholder))
    mode, target = facts.mode, other_mode
    if mode is StripeMode.TEST and target is StripeMode.LIVE:
        # Translate the test stack into live terms: "Stripe Test" -> "Stripe" is unambiguous,
        # the reverse is not.
        pairs.append((re.compile(re.escape(mode.integration_name)), target.integration_name))
        for old, new in zip(mode.secret_key_prefixes, target.secret_key_prefixes, strict=True):
            pairs.append((re.compile(re.escape(old)), new))
        for joiner in (" ", "-"):
            pairs.append(
                (
                    re.compile(rf"\b{mode.value}{joiner}mode\b"),
                    f"{target.value}{joiner}mode",
                )
            )
        pairs.append(
            (
                re.compile(rf"(?<![A-Za-z0-9]){mode.platform_key}(?![A-Za-z0-9])"),
                target.platform_key,
            )
        )
    return pairs


def _apply(text: str, replacements: Sequence[tuple[re.Pattern[str], str]]) -> str:
    for pattern, replacement in replacements:
        text = pattern.sub(replacement, text)
    return text


def _rewrite(value: Any, rewrite: Callable[[str], str]) -> Any:
    if isinstance(value, Mapping):
        return {rewrite(k): _rewrite(v, rewrite) for k, v in value.items() if k != "//"}
    if isinstance(value, list):
        return [_rewrite(item, rewrite) for item in value]
    if isinstance(value, str):
        return rewrite(value)
    return value


_MISSING = object()


def _diff(source: Any, target: Any, path: str) -> Iterable[Difference]:
    if isinstance(source, Mapping) and isinstance(target, Mapping):
        for key in sorted(set(source) | set(target)):
            yield from _diff(
                source.get(key, _MISSING), target.get(key, _MISSING), f"{path}.{key}".lstrip(".")
            )
    elif isinstance(source, list) and isinstance(target, list) and len(source) == len(target):
        for index, (a, b) in enumerate(zip(source, target, strict=True)):
            yield from _diff(a, b, f"{path}[{index}]")
    elif source != target:
        yield Difference(path, source, target)


def _show(value: Any) -> str:
    if value is _MISSING:
        return "(absent)"
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 300 else text[:297] + "..."


def load_stack(runner: StackRunner, stack: str) -> dict[str, Any]:
    """The synthesized Terraform JSON of one stack."""
    path = runner.project.stack_dir(stack) / "cdk.tf.json"
    try:
        document: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise StackRunError(f"cannot read stack {stack!r} from {path}: {error}") from error
    return document


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: exit 0 (promotable), 1 (stacks differ) or 2 (error)."""
    parser = argparse.ArgumentParser(prog="promotion", description=__doc__)
    StackRunner.add_arguments(parser)
    parser.add_argument("--from", dest="source", default="test", help="stack promoted from")
    parser.add_argument("--to", dest="target", default="live", help="stack promoted to")
    args = parser.parse_args(argv)
    try:
        runner = StackRunner.from_arguments(args)
        runner.stacks([args.source, args.target])
        names = (args.source, args.target)
        differences = compare(load_stack(runner, names[0]), load_stack(runner, names[1]), names)
    except StackRunError as error:
        print(f"promotion: {error}", file=sys.stderr)
        return ERROR
    allowed = "".join(f"\n  - {item}" for item in ALLOW_LIST)
    if not differences:
        print(f"Promotion check passed: {names[1]} is {names[0]} except the allow-list:{allowed}")
        return PROMOTABLE
    print(
        f"Promotion check FAILED: {names[0]} and {names[1]} differ in {len(differences)} "
        f"place(s) outside the allow-list (values in {names[1]}'s terms):"
    )
    for difference in differences:
        print(f"  - {difference.describe(*names)}")
    print(f"Allowed to differ:{allowed}")
    return DIFFERENT


if __name__ == "__main__":
    sys.exit(main())
