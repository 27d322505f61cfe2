"""Promotion check: live must run what test ran.

Two comparisons, both needed for a live deploy:

1. Static: the two synthesized stacks' Terraform JSON may differ only in `ALLOW_LIST`; every
   other difference is listed (JSON path, its Codat meaning, both values). The source must
   be a test-mode stack and the target a live-mode one.
2. Deployed: the shared parameters recorded in the source stack's DEPLOYED state (its
   `shared_parameters` output, read with `terraform output -json`) must equal the target's
   synthesized ones; a difference is named by `SharedParameters` field.

`codat-stripe promote-check` exits 0 (promotable), 2 (refused) or 1 (error).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from codat_stripe.stripe_facts import StripeMode
from codat_stripe_ops.plan_changes import Component, component_of
from codat_stripe_ops.stack_runner import StackRunError, StackRunner

PROMOTABLE, ERROR, REFUSED = 0, 1, 2

SHARED_OUTPUT = "shared_parameters"
SHARED_SHA_OUTPUT = "shared_parameters_sha256"
PER_STACK_OUTPUTS = (
    "codat_instance",
    "stripe_mode",
    "manages_sync_settings",
    "environments_on_instance",
)
"""Outputs that describe the environment itself, so they differ by design."""

ALLOW_LIST: tuple[str, ...] = (
    "platform key: the Stripe mode and what derives from it (Codat platform key and "
    "integration name, sk_/rk_ key prefixes, the Dashboard checklist's mode wording)",
    "client ID (Stripe Connect ca_...)",
    "secret and API-key variables (their names)",
    "base URL of the Codat instance, and the provider's retry count",
    "backend (where the state lives)",
    "credentials revision (re-sends one environment's credentials after drift)",
    "which stack owns the client's commerce sync settings (a singleton per Codat instance; "
    "compared when both stacks own a copy)",
    "the outputs describing the environment: " + ", ".join(PER_STACK_OUTPUTS),
)
"""What test and live may differ in; everything else must be identical."""


class PromotionRefusedError(Exception):
    """The promotion is refused for a reason other than a list of differences.

    `next_step` says what makes the check pass, in one sentence.
    """

    def __init__(self, message: str, next_step: str) -> None:
        """The reason and what to do about it."""
        super().__init__(message)
        self.next_step = next_step


@dataclass
class PromotionResult:
    """What the check found; `refused` when any list is non-empty."""

    source: str
    target: str
    differences: list[Difference] = field(default_factory=list)
    shared_differences: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    deployed_sha256: str | None = None
    checked_deployed: bool = False
    reason_steps: list[str] = field(default_factory=list)
    """The next step of each entry of `reasons`."""

    @property
    def refused(self) -> bool:
        """Whether live may not be deployed."""
        return bool(self.differences or self.shared_differences or self.reasons)

    def refuse(self, reason: str, next_step: str) -> None:
        """Add a reason to refuse, with what makes the check pass."""
        self.reasons.append(reason)
        self.reason_steps.append(next_step)

    @property
    def next_steps(self) -> list[str]:
        """What to do before running the check again, one line per kind of refusal."""
        source, target = self.source, self.target
        steps = list(dict.fromkeys(self.reason_steps))
        if self.shared_differences:
            steps.append(
                f"Deploy {source} (and verify it), then run promote-check again: {target} may "
                f"only run shared parameters that {source} runs. (Or, if {target} must not "
                f"change, change the code back to what {source} deployed.)"
            )
        if self.differences:
            steps.append(
                f"Make {target} the same as {source} outside the allow-list (in the app, "
                "e.g. main.py), then run promote-check again."
            )
        return steps

    def to_json(self) -> dict[str, Any]:
        """The result as plain data."""
        return {
            "source": self.source,
            "target": self.target,
            "promotable": not self.refused,
            "checked_deployed_state": self.checked_deployed,
            "deployed_shared_parameters_sha256": self.deployed_sha256,
            "reasons": self.reasons,
            "next_steps": self.next_steps,
            "shared_parameter_differences": self.shared_differences,
            "differences": [
                {"path": d.path, "source": d.source, "target": d.target} for d in self.differences
            ],
            "allowed_to_differ": list(ALLOW_LIST),
        }

    def report(self) -> str:
        """Plain text for people."""
        names = (self.source, self.target)
        allowed = "".join(f"\n  - {item}" for item in ALLOW_LIST)
        if not self.refused:
            deployed = (
                f" and {names[0]}'s deployed shared parameters (sha256 {self.deployed_sha256}) "
                f"are {names[1]}'s"
                if self.checked_deployed
                else ""
            )
            return (
                f"Promotion check passed: {names[1]} is {names[0]} except the allow-list"
                f"{deployed}.\nAllowed to differ:{allowed}\n"
            )
        lines = [f"Promotion check REFUSED: {names[1]} is not what {names[0]} ran."]
        lines += [f"  - {reason}" for reason in self.reasons]
        if self.shared_differences:
            lines.append(
                f"SharedParameters fields that differ between {names[0]}'s deployed state and "
                f"{names[1]}'s code:"
            )
            lines += [f"  - {d}" for d in self.shared_differences]
        if self.differences:
            lines.append(
                f"{len(self.differences)} difference(s) outside the allow-list "
                f"(values in {names[1]}'s terms):"
            )
            lines += [f"  - {d.describe(*names)}" for d in self.differences]
        lines.append("Next step:" if len(self.next_steps) == 1 else "Next steps:")
        lines += [f"  * {step}" for step in self.next_steps]
        lines.append(f"Allowed to differ:{allowed}")
        return "\n".join(lines) + "\n"


_VAR_REFERENCE = re.compile(r"var\.([A-Za-z_][A-Za-z0-9_-]*)")
_REVISION_MARKER = re.compile(r"^credentialsRevision[0-9]+$")


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
    if source_facts.mode is target_facts.mode:
        both = source_facts.mode.value
        raise PromotionRefusedError(
            f"{names[0]} and {names[1]} are both {both}-mode stacks: a promotion goes from a "
            "test-mode stack to a live-mode one",
            "Run promote-check with --from a test-mode stack and --to a live-mode stack.",
        )
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
    """The credentials block: an operation (RETAIN) or a resource (DESTROY)."""
    resources = document.get("resource", {})
    for kind in ("restful_operation", "restful_resource"):
        for name, body in resources.get(kind, {}).items():
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
    for name in PER_STACK_OUTPUTS:
        tree.get("output", {}).pop(name, None)
    for provider in tree.get("provider", {}).get("restful", []):
        provider.get("client", {}).get("retry", {}).pop("count", None)
    for name, body in tree.get("resource", {}).get("restful_operation", {}).items():
        if component_of(name) is Component.CREDENTIALS:
            body.pop("operation_header", None)
            attrs = body.get("output_attrs")
            if isinstance(attrs, list):
                body["output_attrs"] = [a for a in attrs if not _REVISION_MARKER.match(str(a))]
    for name, body in tree.get("resource", {}).get("terraform_data", {}).items():
        # Under RemovalPolicy.DESTROY the revision is part of the credentials' in-sync marker.
        if component_of(name) is Component.CREDENTIALS_IN_SYNC:
            body.get("input", {}).pop("revision", None)
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


def shared_parameters_of(stack: str, document: Mapping[str, Any]) -> dict[str, Any]:
    """The `shared_parameters` a synthesized stack would record, parsed."""
    output = document.get("output", {}).get(SHARED_OUTPUT)
    if not isinstance(output, Mapping) or not isinstance(output.get("value"), str):
        raise StackRunError(
            f"stack {stack!r} has no `{SHARED_OUTPUT}` output (string): the promotion check "
            "needs the stacks to record their shared parameters"
        )
    return _parse_shared(stack, output["value"])


def deployed_shared_parameters(runner: StackRunner, stack: str) -> tuple[dict[str, Any], str]:
    """The shared parameters recorded in the stack's deployed state, and their sha256.

    `runner.outputs` initialises the stack when (and only when) it needs it.
    """
    outputs = runner.outputs(stack)
    recorded = outputs.get(SHARED_OUTPUT, {})
    value = recorded.get("value") if isinstance(recorded, Mapping) else None
    if not isinstance(value, str):
        raise PromotionRefusedError(
            f"{stack} has no deployed `{SHARED_OUTPUT}` in its state: deploy {stack} first "
            "(live may only run what test ran)",
            f"Deploy {stack} (and verify it), then run promote-check again.",
        )
    digest = hashlib.sha256(value.encode()).hexdigest()
    recorded_sha = outputs.get(SHARED_SHA_OUTPUT, {})
    if isinstance(recorded_sha, Mapping) and recorded_sha.get("value") not in (None, digest):
        raise PromotionRefusedError(
            f"{stack}'s state records {SHARED_SHA_OUTPUT} {recorded_sha.get('value')} but its "
            f"{SHARED_OUTPUT} hash to {digest}: the state was edited by hand",
            f"Deploy {stack} again so that its state records its own values (and verify it), "
            "then run promote-check again.",
        )
    return _parse_shared(stack, value), digest


def _parse_shared(stack: str, text: str) -> dict[str, Any]:
    try:
        parsed = json.loads(text)
    except ValueError as error:
        raise StackRunError(f"stack {stack!r}: `{SHARED_OUTPUT}` is not JSON: {error}") from error
    if not isinstance(parsed, dict):
        raise StackRunError(f"stack {stack!r}: `{SHARED_OUTPUT}` is not a JSON object")
    return parsed


def shared_differences(
    deployed: Mapping[str, Any], code: Mapping[str, Any], names: tuple[str, str]
) -> list[str]:
    """One line per SharedParameters field whose values differ."""
    return [
        f"{key}: {names[0]} deployed {_show(deployed.get(key, _MISSING))}, "
        f"{names[1]} has {_show(code.get(key, _MISSING))}"
        for key in sorted(set(deployed) | set(code))
        if deployed.get(key, _MISSING) != code.get(key, _MISSING)
    ]


def check(
    runner: StackRunner,
    source: str,
    target: str,
    *,
    deployed: bool = True,
    expect_sha256: str | None = None,
) -> PromotionResult:
    """Run the promotion check; raises StackRunError on errors (not on refusals)."""
    runner.stacks([source, target])
    names = (source, target)
    result = PromotionResult(source=source, target=target)
    documents = runner.stack_document(source), runner.stack_document(target)
    try:
        result.differences = compare(documents[0], documents[1], names)
        if deployed:
            result.checked_deployed = True
            recorded, digest = deployed_shared_parameters(runner, source)
            result.deployed_sha256 = digest
            result.shared_differences = shared_differences(
                recorded, shared_parameters_of(target, documents[1]), names
            )
            if expect_sha256 is not None and expect_sha256 != digest:
                result.refuse(
                    f"{source}'s deployed shared parameters hash to {digest}, not the expected "
                    f"{expect_sha256} (another deploy of {source} ran in between?)",
                    f"Run the whole pipeline again from the {source} deploy (in CI: re-run the "
                    f"workflow on the latest commit), so that the check expects what {source} "
                    "runs now.",
                )
    except PromotionRefusedError as refused:
        result.refuse(str(refused), refused.next_step)
    return result


_MISSING = object()
