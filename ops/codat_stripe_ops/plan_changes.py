"""Read a saved plan's JSON (`terraform show -json`) and say what changes, in Codat terms.

Shared by the plan summary (PR comments) and the drift command. Resources are recognised by
their construct id (the part of the Terraform name before the hash: `..._Credentials_<hash>`,
`..._DataAccess_<hash>`, `..._Enabled_<hash>`, `..._Settings_<hash>`), never by the hash.
Only whitelisted body fields are ever rendered, and anything that looks like a Stripe key or a
masked secret is redacted, so no secret value can reach the output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum, StrEnum, auto
from typing import Any

from codat_api import assumptions
from codat_api import construct_ids as ids
from codat_api.data_types import COMMERCE_DATA_TYPES
from codat_api.platforms import COMMERCE_INTEGRATIONS, STRIPE_KEYS, STRIPE_LIVE_KEY

UNKNOWN = "(known after apply)"
ABSENT = "(none)"
REDACTED = "(secret, not shown)"
DELETED_OUTSIDE = "DELETED outside Terraform"
"""Codat holds no credentials although the state has them: deleted in the Portal or API."""

_NAME = re.compile(r"^(?:.+_)?(?P<construct>[A-Za-z0-9]+)_[0-9A-F]{8}$")
_SECRET_LIKE = re.compile(r"^(?:sk|rk)_[A-Za-z]+_|^" + re.escape(assumptions.MASK_PREFIX))
_SECRET_IN_TEXT = re.compile(r"(?:sk|rk)_[A-Za-z]+_|" + re.escape(assumptions.MASK_PREFIX))
_PLATFORM_IN_PATH = re.compile(r"/integrations/(?:credentials/)?(?P<key>[a-z]{4})(?:/|$)")


class PlanFormatError(ValueError):
    """The input is not the JSON of `terraform show -json <saved plan>`."""


class Component(StrEnum):
    """The Codat settings a stack manages, by construct id."""

    CREDENTIALS = "Stripe credentials"
    DATA_ACCESS = "access to company data"
    ENABLED = "integration enabled"
    SYNC_SETTINGS = "commerce sync settings"
    CREDENTIALS_IN_SYNC = "credentials sync marker"


class Cause(Enum):
    """Why a row of the Stripe credentials is in a plan: what writing them again is for."""

    CODE = auto()
    """The code changed the client ID or the scope."""
    REVISION = auto()
    """The credentials revision was bumped."""
    SECRET = auto()
    """A new Stripe secret key in TF_VAR_* (nothing visible explains the update)."""
    DELETED_IN_CODAT = auto()
    """Codat holds no credentials any more (deleted in the Portal or API)."""
    CHANGED_IN_CODAT = auto()
    """Codat holds another client ID or scope than the last deploy wrote."""


_CONSTRUCTS = {
    ids.CREDENTIALS: Component.CREDENTIALS,
    ids.DATA_ACCESS: Component.DATA_ACCESS,
    ids.ENABLED: Component.ENABLED,
    ids.SYNC_SETTINGS: Component.SYNC_SETTINGS,
}

_IN_SYNC_MARKER = re.compile(rf"^(?:.+_)?{ids.CREDENTIALS_IN_SYNC}$")
_OBSERVED_CREDENTIALS = ids.OBSERVED_CREDENTIALS
_WRITE = "one PUT of client ID, scope and the secret from TF_VAR_*"
_NOTHING_DELETED = "nothing is deleted first"
"""Under RETAIN a credentials write deletes nothing; whether the integration is enabled is
the `integration enabled` row's business, never claimed here."""

_SYNC_FIELDS = {
    "fetchOnFirstLink": "fetch on first link",
    "syncSchedule": "sync schedule (hours)",
    "syncOrder": "sync order",
    "monthsToSync": "months to sync",
}


@dataclass(frozen=True)
class SettingChange:
    """One setting with its value before and after, rendered for people."""

    setting: str
    before: str
    after: str
    risk: str | None = None
    cause: Cause | None = None
    """Why the row is there, for the Stripe credentials' rows that explain a write."""


@dataclass(frozen=True)
class ResourceChange:
    """One managed resource's planned action and the Codat settings it changes.

    `component` is None for a resource this module does not know: it is still listed, by
    its Terraform address, so that no change is ever hidden.
    """

    address: str
    component: Component | None
    action: str
    settings: tuple[SettingChange, ...]
    risks: tuple[str, ...] = ()
    importing: bool = False
    effect: str | None = None
    """What the change does in Codat, in plain words, where the table alone does not say."""

    @property
    def label(self) -> str:
        """What changes, for people: the Codat component, or the Terraform address."""
        return str(self.component) if self.component is not None else self.address


@dataclass(frozen=True)
class FailedCheck:
    """A `check` block that failed, with what Codat holds compared to the code."""

    name: str
    messages: tuple[str, ...]
    settings: tuple[SettingChange, ...] = ()


@dataclass(frozen=True)
class StackPlan:
    """Everything a plan says about one stack, in Codat terms."""

    stack: str
    platform_key: str | None
    changes: tuple[ResourceChange, ...]
    drift: tuple[ResourceChange, ...]
    failed_checks: tuple[FailedCheck, ...]
    counts: Mapping[str, int] = field(default_factory=dict)
    stripe_mode: str | None = None
    manages_sync_settings: bool | None = None
    environments_on_instance: tuple[str, ...] = ()
    codat_instance: str | None = None
    output_changes: tuple[str, ...] = ()
    applyable: bool | None = None

    @property
    def platform_name(self) -> str:
        """Codat's display name of the stack's integration."""
        if self.platform_key is None:
            return "no Stripe integration"
        return COMMERCE_INTEGRATIONS.get(self.platform_key, self.platform_key)

    @property
    def has_drift(self) -> bool:
        """Whether anything was changed outside the code."""
        return bool(self.drift or self.failed_checks)

    @property
    def is_empty(self) -> bool:
        """Nothing changes (resources or outputs) and nothing drifted."""
        return not (self.changes or self.output_changes or self.has_drift)

    @property
    def needs_apply(self) -> bool:
        """Whether applying the plan would do anything (Terraform's `applyable` when given).

        Output-only changes count: the state must record them (e.g. the shared parameters
        the promotion check reads).
        """
        if self.applyable is not None:
            return self.applyable
        return bool(self.changes or self.output_changes)

    @property
    def plan_line(self) -> str:
        """Terraform's own summary line ("Plan: 0 to add, 1 to change, 0 to destroy.")."""
        return plan_line(self.counts)

    @property
    def is_live(self) -> bool:
        """Whether the stack manages the live-mode (real money) Stripe integration."""
        if self.stripe_mode is not None:
            return self.stripe_mode == "live"
        return self.platform_key == STRIPE_LIVE_KEY

    @property
    def risks(self) -> tuple[str, ...]:
        """Every destructive or risky item of the planned changes, stack-wide ones first."""
        risks: list[str] = []
        if self.changes and self.is_live:
            risks.append(
                f"LIVE stack: {len(self.changes)} change(s) to the live-mode Stripe integration "
                "(real merchants' data)"
            )
            reenable = self._live_reenable_risk()
            if reenable:
                risks.append(reenable)
        shared_with = [name for name in self.environments_on_instance if name != self.stack]
        if shared_with and any(c.component is Component.SYNC_SETTINGS for c in self.changes):
            instance = f" {self.codat_instance}" if self.codat_instance else ""
            risks.append(
                f"commerce sync settings are shared: Codat instance{instance} also serves "
                f"{', '.join(shared_with)}, so this change applies to them too"
            )
        risks += [risk for change in self.changes for risk in change.risks]
        return tuple(dict.fromkeys(risks))

    def _live_reenable_risk(self) -> str | None:
        """The risk line of a plan that enables the live integration again, if it does."""
        if not any(_enables(c) for c in self.changes):
            return None
        if any(_disables(c) for c in self.drift):
            return (
                "RE-ENABLES the live integration for new connections (enabled: no -> yes): it "
                "was disabled outside the code (e.g. in the Codat Portal), perhaps on purpose; "
                "find out why before applying"
            )
        return "RE-ENABLES the live integration for new connections (enabled: no -> yes)"

    @property
    def remediation(self) -> tuple[str, ...]:
        """What to do about the drift, per kind (empty when nothing drifted)."""
        steps: list[str] = []
        healed = sorted({c.label for c in self.drift})
        if healed:
            steps.append(
                f"{', '.join(healed)}: the next deploy of stack {self.stack} puts the code's "
                "values back (or change the code to keep Codat's values)."
            )
        if self.failed_checks:
            steps.append(
                "Stripe credentials: the next deploy of stack "
                f"{self.stack} writes them again (client ID, scope and the secret from the "
                "TF_VAR_* variable); no code change is needed. A secret changed only in the "
                "Portal is not visible to a plan: `codat-stripe verify` finds it, and a bump "
                "of `credentials_revision` re-sends it."
            )
        return tuple(steps)


def _enabled_rows(change: ResourceChange) -> Iterable[SettingChange]:
    if change.component is Component.ENABLED:
        yield from (s for s in change.settings if s.setting == "enabled")


def _enables(change: ResourceChange) -> bool:
    return any(s.before == "no" and s.after == "yes" for s in _enabled_rows(change))


def _disables(change: ResourceChange) -> bool:
    return any(s.after == "no" and s.before != "no" for s in _enabled_rows(change))


def check_row(setting: SettingChange, markdown: bool = False) -> str:
    """One row of a failed credentials check for people: the code's value, then Codat's."""
    if setting.after == DELETED_OUTSIDE:
        return f"{setting.setting}: DELETED in Codat outside Terraform (the code sets them)"
    if markdown:
        return f"{setting.setting}: code `{setting.before}`, Codat now `{setting.after}`"
    return f"{setting.setting}: code {setting.before}, now in Codat {setting.after}"


def plan_line(counts: Mapping[str, int]) -> str:
    """Terraform's plan line for these counts, in Terraform's own wording and order."""
    parts = [
        f"{counts.get('add', 0)} to add",
        f"{counts.get('change', 0)} to change",
        f"{counts.get('destroy', 0)} to destroy",
    ]
    if counts.get("import", 0):
        parts.insert(0, f"{counts['import']} to import")
    if counts.get("forget", 0):
        parts.append(f"{counts['forget']} to forget")
    return "Plan: " + ", ".join(parts) + "."


def safe(value: Any) -> str:
    """Render a setting value for people, redacting anything that looks like a secret."""
    if value is None:
        return ABSENT
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return REDACTED if _SECRET_LIKE.search(text) else text


def component_of(resource_name: str) -> Component | None:
    """The Codat component a Terraform resource name (`<path>_<hash>`) manages, if any."""
    if _IN_SYNC_MARKER.match(resource_name):
        return Component.CREDENTIALS_IN_SYNC
    match = _NAME.match(resource_name)
    return _CONSTRUCTS.get(match["construct"]) if match else None


def parse_plan(stack: str, plan: Mapping[str, Any]) -> StackPlan:
    """Translate the JSON of a saved plan of one stack into Codat terms.

    Every managed resource with an action other than no-op is listed (unknown resource
    types generically, by address), and the counts are Terraform's: a replace is one add and
    one destroy, an import-only change counts as an import.
    """
    if not isinstance(plan, Mapping) or "format_version" not in plan:
        raise PlanFormatError(
            f"stack {stack!r}: not the JSON of `terraform show -json <saved plan>` "
            "(no format_version)"
        )
    changes: list[ResourceChange] = []
    counts = dict.fromkeys(COUNT_KINDS, 0)
    for entry in _managed(plan.get("resource_changes", [])):
        change = _resource_change(entry, drift=False, plan=plan)
        if change is None:
            continue
        actions = set(entry.get("change", {}).get("actions", []))
        counts["add"] += "create" in actions
        counts["change"] += "update" in actions
        counts["destroy"] += "delete" in actions
        counts["forget"] += "forget" in actions
        counts["import"] += change.importing
        changes.append(change)
    drift = [
        change
        for entry in _managed(plan.get("resource_drift", []))
        if (change := _resource_change(entry, drift=True, plan=plan)) is not None
        and change.settings
    ]
    outputs = output_values(plan)
    return StackPlan(
        stack=stack,
        platform_key=_platform_key(plan),
        changes=tuple(changes),
        drift=tuple(drift),
        failed_checks=tuple(_failed_checks(plan)),
        counts=counts,
        **_output_fields(outputs),
        output_changes=tuple(
            name
            for name, change in (plan.get("output_changes") or {}).items()
            if isinstance(change, Mapping) and set(change.get("actions", [])) - {"no-op"}
        ),
        applyable=plan["applyable"] if isinstance(plan.get("applyable"), bool) else None,
    )


COUNT_KINDS = ("import", "add", "change", "destroy", "forget")


def _output_fields(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """The StackPlan fields read from the stack's output values."""
    on_instance = outputs.get("environments_on_instance")
    manages = outputs.get("manages_sync_settings")
    instance = outputs.get("codat_instance")
    mode = outputs.get("stripe_mode")
    return {
        "stripe_mode": str(mode) if isinstance(mode, str) else None,
        "manages_sync_settings": manages if isinstance(manages, bool) else None,
        "environments_on_instance": tuple(str(n) for n in on_instance)
        if isinstance(on_instance, list)
        else (),
        "codat_instance": str(instance) if isinstance(instance, str) else None,
    }


def unchanged_plan(
    stack: str, config: Mapping[str, Any], *, refresh_only: bool = False
) -> StackPlan | None:
    """What `parse_plan` says of a plan in which terraform found nothing to change.

    For a plan that exited 0 under `-detailed-exitcode` and printed no diagnostic (so no
    check failed): no change, no drift, and every output in the state equal to its
    configured value. `config` is the stack's synthesized JSON; the outputs are read from
    it, so this holds only when every output is a constant (and none is sensitive): None
    otherwise, and the caller renders the saved plan instead. A plan that changes nothing is
    not applyable, except a refresh-only one, which Terraform may call applyable for a state
    difference it does not show (its data sources are read again): `applyable` is then left
    unknown (None); this tool never applies a refresh-only plan.
    """
    outputs: dict[str, Any] = {}
    for name, output in (config.get("output") or {}).items():
        value = output.get("value") if isinstance(output, Mapping) else None
        if value is None or output.get("sensitive") or "${" in json.dumps(value):
            return None
        outputs[name] = value
    resources = config.get("resource") or {}
    credentials_paths = (
        block.get("path", "")
        for blocks in resources.values()
        if isinstance(blocks, Mapping)
        for name, block in blocks.items()
        if isinstance(block, Mapping) and component_of(str(name)) is Component.CREDENTIALS
    )
    return StackPlan(
        stack=stack,
        platform_key=_platform_key_of(
            {name: {"value": value} for name, value in outputs.items()}, credentials_paths
        ),
        changes=(),
        drift=(),
        failed_checks=(),
        counts=dict.fromkeys(COUNT_KINDS, 0),
        **_output_fields(outputs),
        output_changes=(),
        applyable=None if refresh_only else False,
    )


def output_values(plan: Mapping[str, Any], *, prior: bool = True) -> dict[str, Any]:
    """The stack's output values as planned, falling back to the prior state's (`prior`).

    With `prior=False` only the values the plan itself leaves (known at plan time).
    """
    sources = [plan.get("planned_values", {}).get("outputs", {})]
    if prior:
        sources.insert(0, plan.get("prior_state", {}).get("values", {}).get("outputs", {}))
    values: dict[str, Any] = {}
    for source in sources:
        for name, output in (source or {}).items():
            if isinstance(output, Mapping) and "value" in output:
                values[name] = output["value"]
    return values


def _managed(entries: Iterable[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
    for entry in entries:
        if entry.get("mode", "managed") == "managed":
            yield entry


def _action(actions: Sequence[str], importing: bool) -> str | None:
    kinds = set(actions)
    if {"delete", "create"} <= kinds:
        return "replace"
    for kind in ("create", "update", "delete", "forget"):
        if kind in kinds:
            return kind
    if importing:
        return "import"
    return None


def _resource_change(
    entry: Mapping[str, Any], drift: bool, plan: Mapping[str, Any]
) -> ResourceChange | None:
    component = component_of(str(entry.get("name", "")))
    change = entry.get("change", {})
    importing = bool(change.get("importing")) and not drift
    action = _action(change.get("actions", []), importing)
    if action is None:
        return None
    before_body = _body(change.get("before"))
    after_body = _body(change.get("after"))
    after_unknown = change.get("after_unknown") or {}
    body_unknown = isinstance(after_unknown, Mapping) and after_unknown.get("body") is True
    if component is None:
        settings = list(_generic(change, drift))
    elif component is Component.CREDENTIALS_IN_SYNC:
        settings = list(_in_sync_marker(change, action, drift))
    else:
        settings = list(_translate(component, before_body, None if body_unknown else after_body))
        if body_unknown:
            settings.append(SettingChange("settings", ABSENT, UNKNOWN))
    effect = None
    if component is Component.CREDENTIALS and not drift:
        if action == "update":
            settings += _credentials_update(change, before_body, after_body)
        elif action == "replace":
            settings += _credentials_in_codat(plan, before_body, after_body)
        effect = _credentials_effect(entry, action, settings, plan)
    risks = [s.risk for s in settings if s.risk]
    if not drift and action in ("delete", "replace", "forget") and not _retained(entry):
        risks.insert(0, f"{action.upper()}: {_what_delete_does(component, action, entry)}")
    return ResourceChange(
        address=str(entry.get("address", entry.get("name", "?"))),
        component=component,
        action=action,
        settings=tuple(settings),
        risks=tuple(risks),
        importing=importing,
        effect=effect,
    )


def _in_sync_marker(change: Mapping[str, Any], action: str, drift: bool) -> Iterable[SettingChange]:
    """The marker's update re-creates the credentials: Codat's differ, or a revision bump."""
    if action in ("create", "delete") and not drift:
        watched = ("(none)", "yes") if action == "create" else ("yes", "(none)")
        yield SettingChange("compares Codat's credentials with the code", *watched)
        return
    if action != "update" or drift:
        yield from _generic(change, drift)
        return
    unknown = change.get("after_unknown") or {}
    unknown_input = unknown.get("input") if isinstance(unknown, Mapping) else None
    if isinstance(unknown_input, Mapping) and unknown_input.get("credentials") is True:
        yield SettingChange(
            "Codat's credentials match the code", "yes", "no: Stripe credentials written again"
        )
    bump = _marker_revisions(change)
    if bump is not None:
        yield SettingChange(
            "credentials revision", str(bump[0]), f"{bump[1]} (credentials written again)"
        )


def _marker_revisions(change: Mapping[str, Any]) -> tuple[int, int] | None:
    """(old, new) `revision` of the marker's input (RemovalPolicy.DESTROY), if it changed."""
    before, after = change.get("before") or {}, change.get("after") or {}
    old = (before.get("input") or {}).get("revision") or 0
    new = (after.get("input") or {}).get("revision") or 0
    return (int(old), int(new)) if old != new else None


def _marker_revision_bump(plan: Mapping[str, Any]) -> bool:
    """Whether the plan bumps a credentials revision kept in the in-sync marker."""
    return any(
        component_of(str(entry.get("name", ""))) is Component.CREDENTIALS_IN_SYNC
        and _marker_revisions(entry.get("change", {})) is not None
        for entry in plan.get("resource_changes", [])
    )


def _credentials_in_codat(
    plan: Mapping[str, Any], deployed: Mapping[str, Any] | None, code: Mapping[str, Any] | None
) -> list[SettingChange]:
    """What Codat holds that differs from the last deploy: why the credentials are re-created.

    `ObservedCredentials` holds Codat's masked credentials as read at plan time (no secret).
    One row per value changed in Codat since the deploy: Codat's value, then the code's.
    """
    found, observed = _observed_by_construct(plan)
    if not found or deployed is None or code is None:
        return []
    if observed is None:
        deleted = Cause.DELETED_IN_CODAT
        return [
            SettingChange("credentials in Codat", DELETED_OUTSIDE, "written again", cause=deleted)
        ]
    rows: list[SettingChange] = []
    for label, key, render in (
        ("client ID in Codat", assumptions.CREDENTIAL_CLIENT_ID, safe),
        ("scope in Codat", assumptions.CREDENTIAL_USE_READ_WRITE_SCOPE, _scope),
    ):
        if observed.get(key) != deployed.get(key):
            now = render(observed[key]) if key in observed else ABSENT
            wanted = render(code[key]) if key in code else ABSENT
            rows.append(SettingChange(label, now, wanted, cause=Cause.CHANGED_IN_CODAT))
    return rows


def _observed_by_construct(plan: Mapping[str, Any]) -> tuple[bool, dict[str, Any] | None]:
    """The `ObservedCredentials` data source's output as read by this plan: (found, output)."""
    module = plan.get("prior_state", {}).get("values", {}).get("root_module", {})
    for resource in module.get("resources", []):
        match = _NAME.match(str(resource.get("name", "")))
        if resource.get("mode") == "data" and match and match["construct"] == _OBSERVED_CREDENTIALS:
            output = (resource.get("values") or {}).get("output")
            return True, dict(output) if isinstance(output, Mapping) else None
    return False, None


def _credentials_effect(
    entry: Mapping[str, Any],
    action: str,
    settings: Sequence[SettingChange],
    plan: Mapping[str, Any],
) -> str | None:
    """What a change of the credentials operation does in Codat, in plain words."""
    retained = _retained(entry)
    causes = {s.cause for s in settings}
    if action == "create":
        return f"credentials written ({_WRITE})"
    if action == "delete":
        if retained:
            return "the credentials leave Terraform's management; Codat keeps them (no call)"
        return None  # the DELETE risk banner says it
    if action == "forget":
        return None
    if Cause.REVISION in causes:
        return (
            f"credentials written again because the credentials revision was bumped ({_WRITE}); "
            f"{_NOTHING_DELETED}"
        )
    if Cause.SECRET in causes:
        return (
            "the new Stripe secret key from TF_VAR_* is written with the unchanged client ID "
            f"and scope (one PUT); {_NOTHING_DELETED}"
        )
    in_code = Cause.CODE in causes
    deleted = Cause.DELETED_IN_CODAT in causes
    in_codat = Cause.CHANGED_IN_CODAT in causes
    why = (
        " with the code's new values"
        if in_code
        else " because they were deleted in Codat"
        if deleted
        else " because they were changed in Codat, outside the code"
        if in_codat
        else " because the credentials revision was bumped"
        if _marker_revision_bump(plan)
        else ""
    )
    if action == "update":
        return f"credentials written again{why} ({_WRITE}); {_NOTHING_DELETED}"
    if not retained:  # replace with removal policy DESTROY
        return (
            f"credentials DELETED from Codat, then written again{why} (a DELETE, then {_WRITE}); "
            "Codat disables the integration in between and the deploy enables it again"
        )
    after = (
        "Codat disabled the integration when they were deleted: see `integration enabled`"
        if deleted
        else _NOTHING_DELETED
    )
    return f"credentials written again{why} ({_WRITE}); {after}"


def _credentials_update(
    change: Mapping[str, Any],
    before_body: Mapping[str, Any] | None,
    after_body: Mapping[str, Any] | None,
) -> list[SettingChange]:
    """Why the credentials are written again: a revision bump, or a new secret.

    The secret is write-only, so the plan shows its change only as an update that nothing
    visible explains; a bumped `credentials_revision` shows as a new marker in output_attrs.
    """
    before = change.get("before") or {}
    after = change.get("after") or {}
    old = _revision(before.get("output_attrs"))
    new = _revision(after.get("output_attrs"))
    if old != new:
        return [
            SettingChange(
                "credentials revision",
                str(old),
                f"{new} (credentials written again, secret from TF_VAR_*)",
                cause=Cause.REVISION,
            )
        ]
    if before_body != after_body:
        return []
    others = [s for s in _generic(change, drift=False) if s.setting not in _OPERATION_INTERNAL]
    if others:
        # A visible attribute explains the update: not a rotation.
        return others
    return [
        SettingChange(
            "Stripe secret key", "(value hidden)", "rotated (new value)", cause=Cause.SECRET
        )
    ]


_OPERATION_INTERNAL = frozenset(
    {"body", "ephemeral_body", "id", "output", "output_attrs", "sensitive_output"}
)
"""Attributes of the credentials operation that a secret rotation alone changes or hides."""


_REVISION = re.compile(r"^credentialsRevision(?P<n>[0-9]+)$")


def _revision(attrs: Any) -> int:
    for attr in attrs if isinstance(attrs, list) else []:
        match = _REVISION.match(str(attr))
        if match:
            return int(match["n"])
    return 0


def _generic(change: Mapping[str, Any], drift: bool) -> Iterable[SettingChange]:
    """Top-level attributes that change, of a resource this module does not know."""
    before, after = change.get("before"), change.get("after")
    old = before if isinstance(before, Mapping) else {}
    new = after if isinstance(after, Mapping) else {}
    unknown = change.get("after_unknown") if not drift else {}
    unknown = unknown if isinstance(unknown, Mapping) else {}
    sensitive = change.get("after_sensitive")
    sensitive = sensitive if isinstance(sensitive, Mapping) else {}
    for key in sorted(set(old) | set(new) | {k for k, v in unknown.items() if v is True}):
        if unknown.get(key) is True:
            after_text = UNKNOWN
        elif sensitive.get(key) is True:
            after_text = REDACTED
        else:
            after_text = _short(new.get(key)) if key in new else ABSENT
        before_text = _short(old.get(key)) if key in old else ABSENT
        if sensitive.get(key) is True:
            before_text = REDACTED if key in old else ABSENT
        if old.get(key) != new.get(key) or after_text == UNKNOWN:
            if before_text == after_text == ABSENT:
                continue
            yield SettingChange(key, before_text, after_text)


def _short(value: Any) -> str:
    text = safe(value) if not isinstance(value, (Mapping, list)) else _json_safe(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _json_safe(value: Any) -> str:
    text = json.dumps(value, sort_keys=True)
    return REDACTED if _SECRET_IN_TEXT.search(text) else text


def _retained(entry: Mapping[str, Any]) -> bool:
    """True when leaving the state changes nothing in Codat (removal policy RETAIN).

    Under RETAIN the credentials operation has no delete call, and the other resources'
    delete writes back what Codat holds (`delete_body_raw`); a replacement of such a
    resource is one write of the code's values, not a teardown.
    """
    if entry.get("type") == "terraform_data":
        return True  # lives in the state only: no call to Codat
    before = entry.get("change", {}).get("before")
    if not isinstance(before, Mapping):
        return False
    if entry.get("type") == "restful_operation":
        return before.get("delete_method") is None
    return before.get("delete_body_raw") is not None and before.get("delete_body") is None


def _what_delete_does(component: Component | None, action: str, entry: Mapping[str, Any]) -> str:
    if action == "forget":
        return f"{entry.get('address')} leaves Terraform's management (Codat keeps it as is)"
    if component is None:
        return f"{entry.get('address')} is destroyed"
    return {
        Component.CREDENTIALS: "the Stripe credentials are deleted from Codat "
        "(which also disables the integration)",
        Component.DATA_ACCESS: "the sync mode is reset to Codat's default",
        Component.ENABLED: "the integration is disabled for new connections",
        Component.SYNC_SETTINGS: "the commerce sync settings leave Terraform's management",
        Component.CREDENTIALS_IN_SYNC: "the credentials sync marker leaves the state",
    }[component]


def _body(values: Any) -> dict[str, Any] | None:
    if not isinstance(values, Mapping):
        return None
    body = values.get("body")
    return dict(body) if isinstance(body, Mapping) else None


def _translate(
    component: Component, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> Iterable[SettingChange]:
    old, new = before or {}, after or {}
    if component is Component.CREDENTIALS:
        code = Cause.CODE
        yield from _field("client ID", old, new, assumptions.CREDENTIAL_CLIENT_ID, safe, cause=code)
        yield from _field(
            "scope",
            old,
            new,
            assumptions.CREDENTIAL_USE_READ_WRITE_SCOPE,
            _scope,
            _scope_risk,
            cause=code,
        )
    elif component is Component.DATA_ACCESS:
        yield from _field("sync mode", old, new, "oneTimeSync", _sync_mode, _sync_mode_risk)
    elif component is Component.ENABLED:
        yield from _field("enabled", old, new, "enabled", _yes_no, _disable_risk)
    else:
        yield from _sync_settings(old, new)


def _field(
    label: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    key: str,
    render: Any,
    risk: Any = None,
    *,
    cause: Cause | None = None,
) -> Iterable[SettingChange]:
    if old.get(key) == new.get(key):
        return
    before = render(old[key]) if key in old else ABSENT
    after = render(new[key]) if key in new else ABSENT
    yield SettingChange(
        label, before, after, risk(before, after, label) if risk else None, cause=cause
    )


def _scope(value: Any) -> str:
    return "read_write" if str(value) == assumptions.READ_WRITE_SCOPE_TRUE else "read_only"


def _scope_risk(before: str, after: str, label: str) -> str | None:
    if after == "read_write" and before != "read_write":
        return f"{label}: switches to the read_write scope ({before} -> {after})"
    return None


def _sync_mode(value: Any) -> str:
    return "one-off" if str(value) == assumptions.ONE_TIME_SYNC_ONE_OFF else "continuous"


def _sync_mode_risk(before: str, after: str, label: str) -> str | None:
    if before == ABSENT or after == ABSENT:
        return None
    return f"changes access to company data: {label} {before} -> {after}"


def _yes_no(value: Any) -> str:
    return "yes" if value is True or str(value).lower() == "true" else "no"


def _disable_risk(before: str, after: str, label: str) -> str | None:
    if after == "no" and before != "no":
        return "DISABLES the integration for new connections (enabled: yes -> no)"
    return None


def _sync_settings(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterable[SettingChange]:
    """One row per (setting, before, after), naming every data type it applies to."""
    if old.get("overridesDefaults") != new.get("overridesDefaults") and old and new:
        yield SettingChange(
            "overrides defaults",
            safe(old.get("overridesDefaults")),
            safe(new.get("overridesDefaults")),
        )
    before = _by_type(old.get("settings"))
    after = _by_type(new.get("settings"))
    groups: dict[tuple[str, str, str], list[str]] = {}
    for data_type in _ordered(set(before) | set(after)):
        was, now = before.get(data_type, {}), after.get(data_type, {})
        for key, label in _SYNC_FIELDS.items():
            if was.get(key) == now.get(key):
                continue
            row = (
                label,
                safe(was[key]) if key in was else ABSENT,
                safe(now[key]) if key in now else ABSENT,
            )
            groups.setdefault(row, []).append(data_type)
    for (label, was_text, now_text), data_types in groups.items():
        risk = None
        turned_off = [t for t in data_types if t in COMMERCE_DATA_TYPES]
        if label == _SYNC_FIELDS["fetchOnFirstLink"] and now_text == "false" and turned_off:
            risk = (
                f"turns OFF {_types_phrase(turned_off)} (fetch on first link: {was_text} -> false)"
            )
        yield SettingChange(f"{_types_phrase(data_types)}: {label}", was_text, now_text, risk)


def _types_phrase(data_types: Sequence[str]) -> str:
    """`commerce-orders`, or `all 11 commerce data types`, or `3 data types (a, b, c)`."""
    if len(data_types) == 1:
        return data_types[0]
    if set(data_types) == set(COMMERCE_DATA_TYPES):
        return f"all {len(data_types)} commerce data types"
    return f"{len(data_types)} data types ({', '.join(data_types)})"


def _by_type(settings: Any) -> dict[str, Mapping[str, Any]]:
    if not isinstance(settings, list):
        return {}
    return {str(s["dataType"]): s for s in settings if isinstance(s, Mapping) and "dataType" in s}


def _ordered(data_types: set[str]) -> list[str]:
    known = [t for t in COMMERCE_DATA_TYPES if t in data_types]
    return known + sorted(data_types - set(known))


def _platform_key(plan: Mapping[str, Any]) -> str | None:
    outputs = plan.get("planned_values", {}).get("outputs", {})
    credentials_paths = (
        resource.get("expressions", {}).get("path", {}).get("constant_value", "")
        for resource in plan.get("configuration", {}).get("root_module", {}).get("resources", [])
        if component_of(str(resource.get("name", ""))) is Component.CREDENTIALS
    )
    return _platform_key_of(outputs, credentials_paths)


def _platform_key_of(outputs: Mapping[str, Any], credentials_paths: Iterable[Any]) -> str | None:
    """The stack's platform key: its `*platform_key` output, else its credentials' path."""
    for name, output in outputs.items():
        if name.endswith("platform_key") and output.get("value") in STRIPE_KEYS:
            return str(output["value"])
    for path in credentials_paths:
        match = _PLATFORM_IN_PATH.search(str(path))
        if match:
            return match["key"]
    return None


def _failed_checks(plan: Mapping[str, Any]) -> Iterable[FailedCheck]:
    for check in plan.get("checks") or []:
        address = check.get("address", {})
        if address.get("kind") != "check" or check.get("status") != "fail":
            continue
        messages = tuple(
            str(problem.get("message", ""))
            for instance in check.get("instances", [])
            for problem in instance.get("problems", [])
        )
        yield FailedCheck(
            name=str(address.get("name", address.get("to_display", "check"))),
            messages=messages,
            settings=tuple(_credentials_observed(plan)),
        )


def _credentials_observed(plan: Mapping[str, Any]) -> Iterable[SettingChange]:
    """Compare the credentials in the code with the masked read-back of Codat's."""
    code: dict[str, Any] | None = None
    path = None
    for resource in plan.get("configuration", {}).get("root_module", {}).get("resources", []):
        if component_of(str(resource.get("name", ""))) is Component.CREDENTIALS:
            expressions = resource.get("expressions", {})
            code = expressions.get("body", {}).get("constant_value")
            path = expressions.get("path", {}).get("constant_value")
    if not isinstance(code, dict) or path is None:
        return
    found, observed = _observed_credentials(plan, str(path))
    if not found:
        return
    if observed is None:
        yield SettingChange("credentials", "set by the code", DELETED_OUTSIDE)
        return
    yield from _field("client ID", code, observed, assumptions.CREDENTIAL_CLIENT_ID, safe)
    yield from _field(
        "scope", code, observed, assumptions.CREDENTIAL_USE_READ_WRITE_SCOPE, _scope, _scope_risk
    )


def _observed_credentials(plan: Mapping[str, Any], path: str) -> tuple[bool, dict[str, Any] | None]:
    """Find the data source that read the credentials back: (found, its output)."""
    candidates: list[Mapping[str, Any]] = [
        entry.get("change", {}).get("after") or {}
        for entry in plan.get("resource_changes", [])
        if entry.get("mode") == "data"
    ]
    for module in (
        plan.get("prior_state", {}).get("values", {}).get("root_module", {}),
        plan.get("planned_values", {}).get("root_module", {}),
    ):
        candidates += [
            r.get("values") or {} for r in module.get("resources", []) if r.get("mode") == "data"
        ]
    for values in candidates:
        if values.get("id") == path and "output" in values:
            output = values["output"]
            return True, dict(output) if isinstance(output, Mapping) else None
    return False, None
