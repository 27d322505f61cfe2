"""Thin HTTP handlers: parse the request, call the client's backend, shape the answer.

Each handler serves one row of ``routes.API_ROUTES``; the rules live in
``codat_emulator.backend``. The client is the one the request's API key belongs to (set by
``control.gate``).
"""

from starlette.requests import Request
from starlette.responses import Response

from codat_emulator.backend import ClientBackend
from codat_emulator.httpkit import JsonResponse, parse_json, read_json
from codat_emulator.paging import paginate
from codat_emulator.runtime import CLIENT_SCOPE_KEY, state_of


def client_of(request: Request) -> ClientBackend:
    """Return the backend of the client whose API key authenticated ``request``."""
    return state_of(request).backend.client(request.scope[CLIENT_SCOPE_KEY])


def _paged(request: Request, items: list[dict[str, object]]) -> Response:
    return JsonResponse(paginate(request.url.path, request.query_params, items))


def _no_content() -> Response:
    return Response(status_code=204)


# --- integrations, enabled toggle, credentials, integration settings ---


async def list_integrations(request: Request) -> Response:
    """``GET /integrations``: every integration, paged."""
    return _paged(request, client_of(request).integrations())


async def get_integration(request: Request) -> Response:
    """``GET /integrations/{platformKey}``."""
    return JsonResponse(client_of(request).integration(request.path_params["platformKey"]))


async def get_branding(request: Request) -> Response:
    """``GET /integrations/{platformKey}/branding``."""
    return JsonResponse(client_of(request).branding(request.path_params["platformKey"]))


async def put_enabled(request: Request) -> Response:
    """``PUT /integrations/{platformKey}/enabled`` body ``{"enabled"}`` -> Integration."""
    key = request.path_params["platformKey"]
    client = client_of(request)
    client.require_known(key)  # 404 before reading the body
    return JsonResponse(client.set_enabled(key, await read_json(request)))


async def get_credentials(request: Request) -> Response:
    """``GET /integrations/credentials/{platformKey}``: the stored map, secrets masked."""
    return JsonResponse(client_of(request).credentials(request.path_params["platformKey"]))


async def put_credentials(request: Request) -> Response:
    """``PUT /integrations/credentials/{platformKey}``: replace the map; answer it masked.

    With ``--credentials-put-response=empty`` the answer is ``204`` with no body instead.
    """
    key = request.path_params["platformKey"]
    client = client_of(request)
    client.require_known(key)  # 404 before reading the body
    stored = client.put_credentials(key, await read_json(request))
    if state_of(request).options.credentials_put_response == "empty":
        return _no_content()
    return JsonResponse(stored)


async def delete_credentials(request: Request) -> Response:
    """``DELETE /integrations/credentials/{platformKey}`` -> 204."""
    client_of(request).delete_credentials(request.path_params["platformKey"])
    return _no_content()


async def get_integration_settings(request: Request) -> Response:
    """``GET /settings/integrations/{integrationId}``: ``{"oneTimeSync"}``."""
    return JsonResponse(
        client_of(request).integration_settings(request.path_params["integrationId"])
    )


async def set_integration_settings(request: Request) -> Response:
    """``PATCH`` (or ``PUT``) ``/settings/integrations/{integrationId}``."""
    integration_id = request.path_params["integrationId"]
    client = client_of(request)
    client.integration_settings(integration_id)  # 404 before reading the body
    return JsonResponse(client.set_integration_settings(integration_id, await read_json(request)))


# --- profile and client sync settings ---


async def get_profile(request: Request) -> Response:
    """``GET /profile``: the client's profile."""
    return JsonResponse(client_of(request).profile())


async def put_profile(request: Request) -> Response:
    """``PUT /profile``: replace the profile."""
    return JsonResponse(client_of(request).put_profile(await read_json(request)))


async def get_client_sync_settings(request: Request) -> Response:
    """``GET /profile/syncSettings``."""
    return JsonResponse(client_of(request).client_sync_settings())


async def post_client_sync_settings(request: Request) -> Response:
    """``POST /profile/syncSettings``: replace the list (204)."""
    client_of(request).set_client_sync_settings(await read_json(request))
    return _no_content()


# --- companies and company sync settings ---


async def list_companies(request: Request) -> Response:
    """``GET /companies``: paged."""
    return _paged(request, client_of(request).companies())


async def create_company(request: Request) -> Response:
    """``POST /companies`` -> 200 Company."""
    return JsonResponse(client_of(request).create_company(await read_json(request)))


async def get_company(request: Request) -> Response:
    """``GET /companies/{companyId}``."""
    return JsonResponse(client_of(request).company(request.path_params["companyId"]))


async def replace_company(request: Request) -> Response:
    """``PUT /companies/{companyId}``: replace name, description and tags."""
    body = await read_json(request)
    company_id = request.path_params["companyId"]
    return JsonResponse(client_of(request).update_company(company_id, body, replace=True))


async def update_company(request: Request) -> Response:
    """``PATCH /companies/{companyId}``: update the fields given."""
    body = await read_json(request)
    company_id = request.path_params["companyId"]
    return JsonResponse(client_of(request).update_company(company_id, body, replace=False))


async def delete_company(request: Request) -> Response:
    """``DELETE /companies/{companyId}``: the company, its connections and settings (204)."""
    client_of(request).delete_company(request.path_params["companyId"])
    return _no_content()


async def get_company_sync_settings(request: Request) -> Response:
    """``GET /companies/{companyId}/syncSettings``."""
    return JsonResponse(client_of(request).company_sync_settings(request.path_params["companyId"]))


async def post_company_sync_settings(request: Request) -> Response:
    """``POST /companies/{companyId}/syncSettings``: replace the list (204)."""
    company_id = request.path_params["companyId"]
    client = client_of(request)
    client.company(company_id)  # 404 before reading the body, as Codat does
    client.set_company_sync_settings(company_id, await read_json(request))
    return _no_content()


# --- connections ---


async def list_connections(request: Request) -> Response:
    """``GET /companies/{companyId}/connections``: paged."""
    return _paged(request, client_of(request).connections(request.path_params["companyId"]))


async def create_connection(request: Request) -> Response:
    """``POST /companies/{companyId}/connections`` body ``{"platformKey"}`` -> Connection."""
    company_id = request.path_params["companyId"]
    client = client_of(request)
    client.company(company_id)  # 404 before reading the body
    return JsonResponse(client.create_connection(company_id, await read_json(request)))


async def get_connection(request: Request) -> Response:
    """``GET /companies/{companyId}/connections/{connectionId}``."""
    params = request.path_params
    return JsonResponse(client_of(request).connection(params["companyId"], params["connectionId"]))


async def unlink_connection(request: Request) -> Response:
    """``PATCH .../connections/{connectionId}`` body ``{"status": "Unlinked"}``."""
    params = request.path_params
    body = await read_json(request)
    return JsonResponse(
        client_of(request).unlink_connection(params["companyId"], params["connectionId"], body)
    )


async def delete_connection(request: Request) -> Response:
    """``DELETE .../connections/{connectionId}``: 200 with no body (as the spec says)."""
    params = request.path_params
    client_of(request).delete_connection(params["companyId"], params["connectionId"])
    return Response(status_code=200)


# --- webhooks and API keys ---


async def list_webhooks(request: Request) -> Response:
    """``GET /webhooks``: ``{"results": [...]}``."""
    return JsonResponse({"results": client_of(request).webhooks()})


async def create_webhook(request: Request) -> Response:
    """``POST /webhooks`` -> 201 WebhookConsumer."""
    return JsonResponse(client_of(request).create_webhook(await read_json(request)), 201)


async def delete_webhook(request: Request) -> Response:
    """``DELETE /webhooks/{webhookId}`` -> 204."""
    client_of(request).delete_webhook(request.path_params["webhookId"])
    return _no_content()


async def list_api_keys(request: Request) -> Response:
    """``GET /apiKeys``: ``{"results": [ApiKeyDetails]}``."""
    return JsonResponse({"results": client_of(request).api_keys()})


async def create_api_key(request: Request) -> Response:
    """``POST /apiKeys`` body ``{"name"?}`` (optional, as the spec says) -> 201 ApiKeyDetails."""
    raw = await request.body()
    body = parse_json(raw) if raw.strip() else {}
    return JsonResponse(client_of(request).create_api_key(body), 201)


async def delete_api_key(request: Request) -> Response:
    """``DELETE /apiKeys/{apiKeyId}`` -> 204."""
    client_of(request).delete_api_key(request.path_params["apiKeyId"])
    return _no_content()
