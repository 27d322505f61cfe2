"""The routes table: every Codat path template the emulator serves, with its handler.

Paths come from ``codat_api.endpoints``. Order matters only where templates overlap:
``/integrations/credentials/{platformKey}`` comes before ``/integrations/{platformKey}/...``.
For one path, the first row's method is the one a 405 answer names first in ``Allow``.
"""

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from codat_api import endpoints
from codat_emulator import responses as r

Handler = Callable[[Request], Awaitable[Response]]

_KEY = "{platformKey}"
_COMPANY = endpoints.company("{companyId}")
_COMPANY_SYNC = endpoints.company_sync_settings("{companyId}")
_CONNECTIONS = endpoints.company_connections("{companyId}")
_CONNECTION = endpoints.company_connection("{companyId}", "{connectionId}")
_CREDENTIALS = endpoints.integration_credentials(_KEY)
_SETTINGS = endpoints.integration_settings("{integrationId}")

API_ROUTES: tuple[tuple[str, str, Handler], ...] = (
    # ASSUMED endpoints (not in Codat's spec): credentials, enabled toggle, integration settings
    ("GET", _CREDENTIALS, r.get_credentials),
    ("PUT", _CREDENTIALS, r.put_credentials),
    ("DELETE", _CREDENTIALS, r.delete_credentials),
    ("GET", endpoints.INTEGRATIONS, r.list_integrations),
    ("GET", endpoints.integration(_KEY), r.get_integration),
    ("GET", endpoints.integration_branding(_KEY), r.get_branding),
    ("PUT", endpoints.integration_enabled(_KEY), r.put_enabled),
    ("GET", _SETTINGS, r.get_integration_settings),
    ("PATCH", _SETTINGS, r.set_integration_settings),
    ("PUT", _SETTINGS, r.set_integration_settings),
    # profile and client sync settings
    ("GET", endpoints.PROFILE, r.get_profile),
    ("PUT", endpoints.PROFILE, r.put_profile),
    ("GET", endpoints.PROFILE_SYNC_SETTINGS, r.get_client_sync_settings),
    ("POST", endpoints.PROFILE_SYNC_SETTINGS, r.post_client_sync_settings),
    # companies, company sync settings, connections
    ("GET", endpoints.COMPANIES, r.list_companies),
    ("POST", endpoints.COMPANIES, r.create_company),
    ("GET", _COMPANY, r.get_company),
    ("PUT", _COMPANY, r.replace_company),
    ("PATCH", _COMPANY, r.update_company),
    ("DELETE", _COMPANY, r.delete_company),
    ("GET", _COMPANY_SYNC, r.get_company_sync_settings),
    ("POST", _COMPANY_SYNC, r.post_company_sync_settings),
    ("GET", _CONNECTIONS, r.list_connections),
    ("POST", _CONNECTIONS, r.create_connection),
    ("GET", _CONNECTION, r.get_connection),
    ("PATCH", _CONNECTION, r.unlink_connection),
    ("DELETE", _CONNECTION, r.delete_connection),
    # webhooks and API keys
    ("GET", endpoints.WEBHOOKS, r.list_webhooks),
    ("POST", endpoints.WEBHOOKS, r.create_webhook),
    ("DELETE", endpoints.webhook("{webhookId}"), r.delete_webhook),
    ("GET", endpoints.API_KEYS, r.list_api_keys),
    ("POST", endpoints.API_KEYS, r.create_api_key),
    ("DELETE", endpoints.api_key("{apiKeyId}"), r.delete_api_key),
)
"""``(method, path template, handler)`` of every API route."""


def api_routes() -> list[Route]:
    """Return the Starlette routes of ``API_ROUTES``."""
    return [Route(path, handler, methods=[method]) for method, path, handler in API_ROUTES]
