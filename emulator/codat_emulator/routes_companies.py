"""Companies (create, list, get, replace, update, delete) and company sync settings."""

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from codat_api import endpoints
from codat_emulator import companies, ids, kinds, sync_settings
from codat_emulator.clock import utc_now
from codat_emulator.jsonio import JsonResponse, read_json, read_object
from codat_emulator.paging import paginate
from codat_emulator.state import state_of


async def list_companies(request: Request) -> Response:
    """``GET /companies``: paged."""
    store = state_of(request).store
    views = [companies.view(store, company) for company in store.list(kinds.COMPANY)]
    return JsonResponse(paginate(request.url.path, request.query_params, views))


async def create_company(request: Request) -> Response:
    """``POST /companies`` body ``{"name", "description"?, "tags"?}`` -> 200 Company."""
    body = await read_object(request)
    company_id = ids.new_id()
    company: dict[str, Any] = {
        "id": company_id,
        "redirect": f"{companies.LINK_BASE}/{company_id}",
        "created": utc_now(),
        "products": [],
        "referenceSubsidiaryCompanies": [],
    }
    companies.apply_fields(company, body, replace=True)
    store = state_of(request).store
    store.put(kinds.COMPANY, company_id, company)
    return JsonResponse(companies.view(store, company))


async def get_company(request: Request) -> Response:
    """``GET /companies/{companyId}``."""
    store = state_of(request).store
    company = companies.require(store, request.path_params["companyId"])
    return JsonResponse(companies.view(store, company))


async def _update(request: Request, *, replace: bool) -> Response:
    body = await read_object(request)
    store = state_of(request).store
    with store.transaction():
        company = companies.require(store, request.path_params["companyId"])
        companies.apply_fields(company, body, replace=replace)
        store.put(kinds.COMPANY, company["id"], company)
        view = companies.view(store, company)
    return JsonResponse(view)


async def replace_company(request: Request) -> Response:
    """``PUT /companies/{companyId}``: replace name, description and tags."""
    return await _update(request, replace=True)


async def update_company(request: Request) -> Response:
    """``PATCH /companies/{companyId}``: update the fields given."""
    return await _update(request, replace=False)


async def delete_company(request: Request) -> Response:
    """``DELETE /companies/{companyId}``: the company, its connections and settings (204)."""
    store = state_of(request).store
    with store.transaction():
        company = companies.require(store, request.path_params["companyId"])
        store.delete_children(kinds.CONNECTION, company["id"])
        store.delete(kinds.SYNC_SETTINGS, company["id"])
        store.delete(kinds.COMPANY, company["id"])
    return Response(status_code=204)


async def get_sync_settings(request: Request) -> Response:
    """``GET /companies/{companyId}/syncSettings``: its own, else the client's defaults."""
    store = state_of(request).store
    company = companies.require(store, request.path_params["companyId"])
    doc = store.get(kinds.SYNC_SETTINGS, company["id"])
    if doc is None:
        client = store.get(kinds.SYNC_SETTINGS, kinds.CLIENT_SETTINGS_ID) or {}
        doc = {"settings": client.get("settings", []), "overridesDefaults": False}
    return JsonResponse(
        {
            "companyId": company["id"],
            "settings": doc["settings"],
            "overridesDefaults": bool(doc["overridesDefaults"]),
        }
    )


async def post_sync_settings(request: Request) -> Response:
    """``POST /companies/{companyId}/syncSettings``: validate, then REPLACE the list (204)."""
    store = state_of(request).store
    company = companies.require(store, request.path_params["companyId"])
    settings, overrides = sync_settings.validate_body(await read_json(request), "companyId")
    with store.transaction():
        companies.require(store, company["id"])
        store.put(
            kinds.SYNC_SETTINGS,
            company["id"],
            {"settings": settings, "overridesDefaults": overrides},
            parent=company["id"],
        )
    return Response(status_code=204)


def routes() -> list[Route]:
    """Return the routes of this module."""
    company = endpoints.company("{companyId}")
    settings = endpoints.company_sync_settings("{companyId}")
    return [
        Route(endpoints.COMPANIES, list_companies, methods=["GET"]),
        Route(endpoints.COMPANIES, create_company, methods=["POST"]),
        Route(company, get_company, methods=["GET"]),
        Route(company, replace_company, methods=["PUT"]),
        Route(company, update_company, methods=["PATCH"]),
        Route(company, delete_company, methods=["DELETE"]),
        Route(settings, get_sync_settings, methods=["GET"]),
        Route(settings, post_sync_settings, methods=["POST"]),
    ]
