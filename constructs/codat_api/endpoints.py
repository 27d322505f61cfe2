"""Paths of every Codat endpoint the project drives, relative to the API base URL.

Each function takes the identifier to put in the path; pass a ``"{name}"`` placeholder to get
the path template (the emulator routes on those templates).
"""

BASE_URL = "https://api.codat.io"
"""Codat's production API base URL (no version in the path)."""

INTEGRATIONS = "/integrations"
PROFILE = "/profile"
PROFILE_SYNC_SETTINGS = "/profile/syncSettings"
COMPANIES = "/companies"
WEBHOOKS = "/webhooks"
API_KEYS = "/apiKeys"


def integration(platform_key: str) -> str:
    """Return the path of one integration (``GET``)."""
    return f"{INTEGRATIONS}/{platform_key}"


def integration_branding(platform_key: str) -> str:
    """Return the path of an integration's branding (``GET``)."""
    return f"{integration(platform_key)}/branding"


def integration_enabled(platform_key: str) -> str:
    """Return the path of an integration's enabled toggle (``PUT``; not in the current spec)."""
    return f"{integration(platform_key)}/enabled"


def integration_credentials(platform_key: str) -> str:
    """Return the path of an integration's credentials (``GET|PUT|DELETE``; not in the spec)."""
    return f"{INTEGRATIONS}/credentials/{platform_key}"


def integration_settings(integration_id: str) -> str:
    """Return the path of an integration's settings (``GET|PATCH``; not in the current spec)."""
    return f"/settings/integrations/{integration_id}"


def company(company_id: str) -> str:
    """Return the path of one company."""
    return f"{COMPANIES}/{company_id}"


def company_sync_settings(company_id: str) -> str:
    """Return the path of a company's sync settings (``GET|POST``)."""
    return f"{company(company_id)}/syncSettings"


def company_connections(company_id: str) -> str:
    """Return the path of a company's connections (``GET|POST``)."""
    return f"{company(company_id)}/connections"


def company_connection(company_id: str, connection_id: str) -> str:
    """Return the path of one connection of a company (``GET|PATCH|DELETE``)."""
    return f"{company_connections(company_id)}/{connection_id}"


def webhook(webhook_id: str) -> str:
    """Return the path of one webhook consumer (``DELETE``)."""
    return f"{WEBHOOKS}/{webhook_id}"


def api_key(api_key_id: str) -> str:
    """Return the path of one API key (``DELETE``)."""
    return f"{API_KEYS}/{api_key_id}"
