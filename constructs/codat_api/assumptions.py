"""Every ASSUMED Codat behaviour, in one place (see CODAT_API.md).

Codat documents none of what follows. Each name states the reading the project takes; the
emulator enforces it and the CDK constructs rely on it, so correcting an assumption here
corrects both. The strictness flags pick the least forgiving reading, so the project is safe
whichever way the real API behaves.
"""

from collections.abc import Mapping
from types import MappingProxyType
from urllib.parse import urlencode

from codat_api.platforms import STRIPE_LIVE_KEY, STRIPE_REDIRECT_URI, STRIPE_TEST_KEY

# --- Stripe / Stripe Test credential map (GET|PUT|DELETE /integrations/credentials/{key}) ---

CREDENTIAL_CLIENT_ID = "clientId"
"""ASSUMED credential key holding the Stripe Connect client ID (``ca_...``)."""

CREDENTIAL_SECRET_KEY = "secretKey"
"""ASSUMED credential key holding the Stripe secret key (``sk_...``) or restricted ``rk_...``."""

CREDENTIAL_USE_READ_WRITE_SCOPE = "useReadWriteScope"
"""ASSUMED credential key: ``"true"`` asks Stripe for ``read_write``, else ``read_only``."""

READ_WRITE_SCOPE_TRUE = "true"
"""ASSUMED value of ``useReadWriteScope`` that selects the ``read_write`` scope."""

DEFAULT_USE_READ_WRITE_SCOPE = "false"
"""ASSUMED default of ``useReadWriteScope`` when absent: Stripe's ``read_only`` scope."""

USE_READ_WRITE_SCOPE_VALUES: frozenset[str] = frozenset({READ_WRITE_SCOPE_TRUE, "false"})
"""ASSUMED accepted values of ``useReadWriteScope``."""

REQUIRED_CREDENTIAL_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        STRIPE_LIVE_KEY: (CREDENTIAL_CLIENT_ID, CREDENTIAL_SECRET_KEY),
        STRIPE_TEST_KEY: (CREDENTIAL_CLIENT_ID, CREDENTIAL_SECRET_KEY),
    }
)
"""ASSUMED credential keys a PUT must carry, per platform key (others: any non-empty map)."""

SECRET_CREDENTIAL_KEYS: frozenset[str] = frozenset({CREDENTIAL_SECRET_KEY})
"""ASSUMED credential keys whose values GET returns masked; other keys come back in clear."""

MASK_PREFIX = "********"
"""ASSUMED fixed prefix of a masked secret."""

MASK_VISIBLE_CHARS = 4
"""ASSUMED number of trailing characters of a secret left visible by masking."""


def mask_secret(value: str) -> str:
    """Mask a secret credential value the way GET credentials is ASSUMED to return it.

    Args:
        value: The secret as stored.

    Returns:
        ``"********"`` followed by the last 4 characters of ``value`` (fewer if it is shorter).

    """
    return MASK_PREFIX + value[-MASK_VISIBLE_CHARS:] if value else MASK_PREFIX


def is_masked(value: str) -> bool:
    """Tell whether a credential value looks like the output of ``mask_secret``."""
    return value.startswith(MASK_PREFIX)


REJECT_MASKED_SECRETS = True
"""ASSUMED: a PUT whose secret value is a masked value (read back from GET) is refused (400).

Guards against a client writing the mask back over the real secret.
"""


# --- Integration settings (GET|PATCH /settings/integrations/{integrationId}) ---

INTEGRATION_SETTING_ONE_TIME_SYNC = "oneTimeSync"
"""ASSUMED key of the integration setting behind the Portal's "Access to company data"."""

ONE_TIME_SYNC_ONE_OFF = "true"
"""ASSUMED ``oneTimeSync`` value: one-off sync when the company authorizes."""

ONE_TIME_SYNC_CONTINUOUS = "false"
"""ASSUMED ``oneTimeSync`` value: continuous sync."""

ONE_TIME_SYNC_VALUES: frozenset[str] = frozenset({ONE_TIME_SYNC_ONE_OFF, ONE_TIME_SYNC_CONTINUOUS})
"""Every accepted ``oneTimeSync`` value."""

DEFAULT_ONE_TIME_SYNC = ONE_TIME_SYNC_CONTINUOUS
"""ASSUMED ``oneTimeSync`` of an integration nobody configured: continuous."""

# --- Client sync settings (GET|POST /profile/syncSettings) ---

SYNC_SETTINGS_OVERRIDES_DEFAULTS_WHEN_MANAGED = True
"""ASSUMED: ``overridesDefaults`` must be ``true`` for Codat to apply the entries we send.

The spec describes the flag only as "set to true if you want to override the default sync
settings". Entries a stack manages ARE overrides of Codat's defaults, and a fresh client holds
``false``, under which the most cautious reading is that Codat may ignore them. So a stack
that manages entries always sends ``true``.
"""

# --- Strictness flags ---

PUT_CREDENTIALS_REPLACES_MAP = True
"""ASSUMED: PUT credentials replaces the whole map; keys omitted from the body are dropped."""

ENABLE_REQUIRES_CREDENTIALS = True
"""ASSUMED: enabling an OAuth integration that has no stored credentials is refused (400)."""

DELETE_CREDENTIALS_DISABLES_INTEGRATION = True
"""ASSUMED: deleting the credentials of an enabled integration also disables it."""

CONNECTION_REQUIRES_ENABLED_INTEGRATION = True
"""ASSUMED: creating a connection for a disabled integration is refused (400)."""

SYNC_SETTINGS_POST_REPLACES_LIST = True
"""ASSUMED: POST sync settings replaces the whole list (data types omitted are dropped)."""

# --- What Codat reads from Stripe with the platform's secret key ---

STRIPE_ACCOUNT_PATH = "/v1/account"
"""Stripe's endpoint for the platform account the secret key belongs to."""

STRIPE_CONNECTED_ACCOUNTS_PATH = "/v1/accounts?limit=1"
"""Stripe's list of the platform's connected accounts (one is enough to prove the read)."""

STRIPE_READS_CODAT_NEEDS: tuple[tuple[str, str], ...] = (
    (STRIPE_ACCOUNT_PATH, "Account: read"),
    (STRIPE_CONNECTED_ACCOUNTS_PATH, "Connect / connected accounts: read"),
)
"""ASSUMED: the Stripe reads Codat makes with the key, as (path, permission name) pairs.

Neither Codat nor Stripe lists what Codat needs from the platform key; a restricted key
(``rk_...``) must allow at least these reads. `codat-stripe verify` tries each of them.
"""

# --- Stripe OAuth link (a new Stripe connection's ``linkUrl``) ---

STRIPE_OAUTH_AUTHORIZE_URL = "https://connect.stripe.com/oauth/authorize"
"""Stripe Connect's OAuth authorize endpoint (Standard accounts)."""

STRIPE_SCOPE_READ_ONLY = "read_only"
"""Stripe OAuth scope requested unless ``useReadWriteScope`` is ``"true"``."""

STRIPE_SCOPE_READ_WRITE = "read_write"
"""Stripe OAuth scope requested when ``useReadWriteScope`` is ``"true"``."""


def wants_read_write(credentials: dict[str, str]) -> bool:
    """Tell whether a stored credential map asks for Stripe's ``read_write`` scope."""
    flag = credentials.get(CREDENTIAL_USE_READ_WRITE_SCOPE, DEFAULT_USE_READ_WRITE_SCOPE)
    return flag.strip().lower() == READ_WRITE_SCOPE_TRUE


def stripe_oauth_url(client_id: str, read_write: bool, state: str) -> str:
    """Build the Stripe Connect OAuth request Codat is ASSUMED to send a company to.

    Args:
        client_id: The platform's Stripe Connect client ID (``ca_...``).
        read_write: Ask for ``read_write`` instead of ``read_only``.
        state: Opaque state Codat round-trips (the emulator uses the connection id).

    Returns:
        ``https://connect.stripe.com/oauth/authorize?response_type=code&client_id=...&scope=...``
        ``&redirect_uri=https://stripe.codat.io/oauth/callback&state=...``, URL-encoded.

    """
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "scope": STRIPE_SCOPE_READ_WRITE if read_write else STRIPE_SCOPE_READ_ONLY,
            "redirect_uri": STRIPE_REDIRECT_URI,
            "state": state,
        }
    )
    return f"{STRIPE_OAUTH_AUTHORIZE_URL}?{query}"
