"""What Stripe expects of the values we pass to Codat, and what Stripe's Dashboard needs.

Stripe has no API for a platform's Connect settings, so part of the set-up is manual; the
checklist below is emitted as a stack output so the person deploying sees it.
"""

from __future__ import annotations

import re
from enum import StrEnum

from codat_api.platforms import STRIPE_LIVE_KEY, STRIPE_REDIRECT_URI, STRIPE_TEST_KEY


class StripeMode(StrEnum):
    """Stripe mode: test mode pairs with Codat's Stripe Test, live mode with Stripe."""

    TEST = "test"
    LIVE = "live"

    @property
    def platform_key(self) -> str:
        """Codat platform key of the integration for this mode."""
        return STRIPE_TEST_KEY if self is StripeMode.TEST else STRIPE_LIVE_KEY

    @property
    def integration_name(self) -> str:
        """Codat's display name of that integration."""
        return "Stripe Test" if self is StripeMode.TEST else "Stripe"

    @property
    def secret_key_prefixes(self) -> tuple[str, ...]:
        """Prefixes of the Stripe keys valid in this mode (standard and restricted)."""
        return (f"sk_{self.value}_", f"rk_{self.value}_")


CLIENT_ID_PREFIX = "ca_"
"""Stripe Connect client IDs start with this."""

CLIENT_ID_PATTERN = re.compile(r"^ca_[A-Za-z0-9]+$")
"""A Stripe Connect client ID: `ca_` followed by letters and digits only."""

PLACEHOLDER_MARKERS = (
    "example",
    "placeholder",
    "your",
    "fake",
    "dummy",
    "demo",
    "changeme",
    "replace",
    "todo",
    "xxxx",
    "0000",
)
"""Substrings (case-insensitive) that mark a client ID as a placeholder, not a real one."""


def looks_like_placeholder(client_id: str) -> bool:
    """True for a client ID that is obviously not a real one (e.g. `ca_YourLiveClientId`)."""
    lowered = client_id.lower()
    return any(marker in lowered for marker in PLACEHOLDER_MARKERS)


SECRET_KEY_PREFIXES = ("sk_", "rk_")
"""Stripe secret (sk_) and restricted (rk_) keys start with these."""


def dashboard_checklist(mode: StripeMode, use_read_write_scope: bool) -> list[str]:
    """The Stripe Dashboard steps that code cannot do, for one mode, in order."""
    dashboard_mode = "test mode" if mode is StripeMode.TEST else "live mode"
    scope = (
        "read_write (note: only one third-party platform with read_write access may "
        "connect to a Stripe account)"
        if use_read_write_scope
        else "read_only: ask Stripe Support to enable the read_only scope for your platform"
    )
    steps = [
        f"In the Stripe Dashboard, switch to {dashboard_mode}.",
        "Settings > Connect: register your account as a Connect platform.",
        f"Scope: {scope}.",
        "Connect > Onboarding options > OAuth: choose 'OAuth for Standard accounts'.",
        f"Add the redirect URI {STRIPE_REDIRECT_URI}.",
        f"Copy the {dashboard_mode} client ID (ca_...) into client_id and the {dashboard_mode} "
        f"secret key ({mode.secret_key_prefixes[0]}...) into the secret variable.",
        "Do not create connected accounts: Standard accounts are created in Codat's Link flow.",
    ]
    return [f"{n}. {step}" for n, step in enumerate(steps, start=1)]
