"""CommerceSyncSettings: every chosen commerce data type enabled in the client's sync settings."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from codat_api import assumptions, endpoints
from codat_api import construct_ids as ids
from codat_api.data_types import COMMERCE_DATA_TYPES
from codat_stripe._cdk import TerraformLocal
from codat_stripe.connection import CodatConnection
from codat_stripe.import_blocks import import_existing
from codat_stripe.ownership import claim_singleton
from codat_stripe.restful import RestfulDataSource, RestfulResource, import_id
from codat_stripe.tree_lookups import logical_id, note_scope
from codat_stripe.validation import (
    CodatStripeConfigError,
    require_bool,
    require_int_range,
    shown,
)
from constructs import Construct

MIN_SYNC_SCHEDULE_HOURS = 1
MAX_SYNC_SCHEDULE_HOURS = 24 * 31
"""Allowed `syncSchedule` range, in hours: hourly up to monthly."""

MAX_SYNC_ORDER = 1000
MAX_SYNC_FROM_WINDOW_MONTHS = 240
"""Longest history window accepted for `sync_from_window_months` (20 years)."""

_UTC_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


@dataclass(frozen=True)
class CommerceDataTypeOverride:
    """Per-data-type settings that differ from the CommerceSyncSettings defaults.

    Every attribute defaults to None: the CommerceSyncSettings value (or, for the history
    knobs and `sync_order`, whatever Codat holds) applies.

    Attributes:
        sync_schedule_hours: How often this data type syncs, in hours. Default: the
            CommerceSyncSettings value.
        fetch_on_first_link: Whether it is fetched when a company links its account.
            Default: the CommerceSyncSettings value.
        sync_order: Codat's `syncOrder` (lower syncs first). Default: what Codat holds.
        sync_from_window_months: How many months of history to fetch (`syncFromWindow`).
            Default: what Codat holds.
        sync_from_utc: Fetch history from this UTC date-time, e.g. "2024-01-01T00:00:00Z"
            (`syncFromUtc`). At most one of the two history knobs may be set. Default: what
            Codat holds.
        months_to_sync: Refused: Codat's `monthsToSync` applies to report data types only
            (balance sheet, profit and loss), never to commerce data types; use
            `sync_from_window_months` or `sync_from_utc`. Default: None (unset).

    """

    sync_schedule_hours: int | None = None
    fetch_on_first_link: bool | None = None
    sync_order: int | None = None
    sync_from_window_months: int | None = None
    sync_from_utc: str | None = None
    months_to_sync: int | None = None


@dataclass(frozen=True)
class CommerceSyncSettingsProps:
    """Props of `CommerceSyncSettings`.

    Attributes:
        connection: The Codat instance whose client-level sync settings are managed.
        sync_schedule_hours: How often each chosen commerce data type syncs, in hours.
            Default: 24.
        fetch_on_first_link: Fetch the data type when a company links (must be on for
            commerce data to be pulled from Stripe). Default: True.
        data_types: The commerce data types to manage. Default: all 11.
        overrides: Per-data-type exceptions, keyed by data type. Default: none.
        disable_on_destroy: On destroy, write the list of the last deploy back with the
            chosen commerce entries set to `fetchOnFirstLink: false`. Changes made to other
            data types since the last deploy would be undone: deploy right before such a
            destroy. Default: destroy leaves the client's sync settings as they are.
        adopt_existing: Import the client's sync settings on the first deploy (they always
            exist in Codat), so entries that already match are not rewritten. Default: True.

    """

    connection: CodatConnection
    sync_schedule_hours: int = 24
    fetch_on_first_link: bool = True
    data_types: Sequence[str] = COMMERCE_DATA_TYPES
    overrides: Mapping[str, CommerceDataTypeOverride] = field(default_factory=dict)
    disable_on_destroy: bool = False
    adopt_existing: bool = True


class CommerceSyncSettings(Construct):
    """The chosen commerce data types' entries of the client's sync settings.

    Codat's POST /profile/syncSettings replaces the whole list, so this reads the current
    list at plan time (`Current`), replaces or adds only the chosen commerce entries, and
    writes back every other data type's setting unchanged (`Settings`). A later change made
    in the Portal to a managed commerce entry shows as drift; changes to other data types are
    carried along, never reverted. Destroying leaves the settings as they are, unless
    `disable_on_destroy` is set.

    There is one such list per Codat client: manage it from one stack only (see
    `codat_stripe.stacks`, which enforces that).

    Construct ids (public contract): `Current`, `Desired`, `Settings`.
    """

    def __init__(self, scope: Construct, id: str, props: CommerceSyncSettingsProps) -> None:
        """Validate the props eagerly, then declare the read-merge-write."""
        super().__init__(scope, id)
        note_scope(self, scope, id)
        owner = f"CommerceSyncSettings '{id}'"
        self.desired = desired_commerce_settings(owner, props)
        self.connection = props.connection
        claim_singleton(
            self, props.connection.instance_name, "sync-settings", "the client's sync settings"
        )
        api = props.connection.provider

        self.current = RestfulDataSource(
            self, "Current", provider=api, path=endpoints.PROFILE_SYNC_SETTINGS
        )
        desired_local = TerraformLocal(self, "Desired", self.desired)
        note_scope(desired_local, self, "Desired")
        current = f"{self.current.address}.output"
        desired = f"local.{logical_id(desired_local)}"
        # Every current entry, with the chosen commerce entries' managed fields replaced;
        # then any chosen commerce data type the list did not have yet.
        merged = (
            "${concat("
            f"[for s in {current}.settings : merge(s, try({desired}[s.dataType], {{}}))], "
            f"[for t, d in {desired} : merge({{dataType = t, syncOrder = 0}}, d) "
            f"if !contains([for s in {current}.settings : s.dataType], t)]"
            ")}"
        )
        disable_on_destroy = require_bool(owner, "disable_on_destroy", props.disable_on_destroy)
        envelope = {
            "clientId": f"${{{current}.clientId}}",
            # Managed entries are overrides of Codat's defaults: see the assumption.
            "overridesDefaults": assumptions.SYNC_SETTINGS_OVERRIDES_DEFAULTS_WHEN_MANAGED,
        }
        # Destroy is a POST too: by default it writes back what the last refresh read (the
        # list is kept). With disable_on_destroy it writes what this deploy wrote, with the
        # chosen commerce entries switched off; out-of-band changes to other data types made
        # after the last deploy would be undone, so run a deploy before such a destroy.
        disabled = (
            f"${{[for s in {merged[2:-1]} : contains(keys({desired}), s.dataType) ? "
            "merge(s, {fetchOnFirstLink = false}) : s]}"
        )
        self.settings = RestfulResource(
            self,
            ids.SYNC_SETTINGS,
            provider=api,
            path=endpoints.PROFILE_SYNC_SETTINGS,
            create_method="POST",
            update_method="POST",
            delete_method="POST",
            body={**envelope, "settings": merged},
            delete_body={**envelope, "settings": disabled} if disable_on_destroy else None,
            delete_body_raw=None if disable_on_destroy else "$(body)",
        )
        if require_bool(owner, "adopt_existing", props.adopt_existing):
            import_existing(
                self.settings,
                import_id(
                    endpoints.PROFILE_SYNC_SETTINGS,
                    endpoints.PROFILE_SYNC_SETTINGS,
                    ["clientId", "overridesDefaults", "settings"],
                ),
            )


def desired_commerce_settings(
    owner: str, props: CommerceSyncSettingsProps
) -> dict[str, dict[str, Any]]:
    """The settings each chosen commerce data type must have, keyed by data type (validated)."""
    sync_hours = require_int_range(
        owner,
        "sync_schedule_hours",
        props.sync_schedule_hours,
        MIN_SYNC_SCHEDULE_HOURS,
        MAX_SYNC_SCHEDULE_HOURS,
    )
    fetch = require_bool(owner, "fetch_on_first_link", props.fetch_on_first_link)
    chosen = list(props.data_types)
    if isinstance(props.data_types, str) or not chosen:
        raise CodatStripeConfigError(
            f"{owner}: data_types must be a non-empty list of commerce data types, "
            f"got {shown(props.data_types)}"
        )
    _require_commerce_types(owner, "data_types", chosen)
    if len(set(chosen)) != len(chosen):
        raise CodatStripeConfigError(
            f"{owner}: data_types lists a data type twice: {shown(chosen)}"
        )
    _require_commerce_types(owner, "overrides", list(props.overrides))
    not_chosen = sorted(set(props.overrides) - set(chosen))
    if not_chosen:
        raise CodatStripeConfigError(
            f"{owner}: overrides given for data types not in data_types: {shown(not_chosen)}"
        )

    desired: dict[str, dict[str, Any]] = {}
    for data_type in sorted(chosen):
        override = props.overrides.get(data_type, CommerceDataTypeOverride())
        prop = f"overrides[{data_type!r}]"
        # Only the managed fields: merged into the current entry, which keeps the rest.
        setting: dict[str, Any] = {"fetchOnFirstLink": fetch, "syncSchedule": sync_hours}
        if override.sync_schedule_hours is not None:
            setting["syncSchedule"] = require_int_range(
                owner,
                f"{prop}.sync_schedule_hours",
                override.sync_schedule_hours,
                MIN_SYNC_SCHEDULE_HOURS,
                MAX_SYNC_SCHEDULE_HOURS,
            )
        if override.fetch_on_first_link is not None:
            setting["fetchOnFirstLink"] = require_bool(
                owner, f"{prop}.fetch_on_first_link", override.fetch_on_first_link
            )
        if override.sync_order is not None:
            setting["syncOrder"] = require_int_range(
                owner, f"{prop}.sync_order", override.sync_order, 0, MAX_SYNC_ORDER
            )
        if override.months_to_sync is not None:
            raise CodatStripeConfigError(
                f"{owner}: {prop}.months_to_sync is not allowed: Codat's monthsToSync applies "
                "to report data types only (balance sheet, profit and loss), not to commerce "
                "data types; set sync_from_window_months (months of history) or sync_from_utc "
                "(a start date-time) instead"
            )
        if override.sync_from_window_months is not None and override.sync_from_utc is not None:
            raise CodatStripeConfigError(
                f"{owner}: {prop} sets both sync_from_window_months and sync_from_utc; Codat "
                "takes one of the two"
            )
        if override.sync_from_window_months is not None:
            setting["syncFromWindow"] = require_int_range(
                owner,
                f"{prop}.sync_from_window_months",
                override.sync_from_window_months,
                1,
                MAX_SYNC_FROM_WINDOW_MONTHS,
            )
        if override.sync_from_utc is not None:
            if not isinstance(override.sync_from_utc, str) or not _UTC_DATE.match(
                override.sync_from_utc
            ):
                raise CodatStripeConfigError(
                    f"{owner}: {prop}.sync_from_utc must be a UTC date-time like "
                    f"'2024-01-01T00:00:00Z', got {shown(override.sync_from_utc)}"
                )
            setting["syncFromUtc"] = override.sync_from_utc
        desired[data_type] = setting
    return desired


def _require_commerce_types(owner: str, prop: str, data_types: list[str]) -> None:
    unknown = [t for t in data_types if t not in COMMERCE_DATA_TYPES]
    if unknown:
        raise CodatStripeConfigError(
            f"{owner}: {prop} has unknown commerce data type(s) {shown(unknown)}; "
            f"allowed: {', '.join(COMMERCE_DATA_TYPES)}"
        )


__all__ = [
    "CommerceDataTypeOverride",
    "CommerceSyncSettings",
    "CommerceSyncSettingsProps",
    "desired_commerce_settings",
]
