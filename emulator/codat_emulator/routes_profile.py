"""Client profile (get, put) and client sync settings (get, post)."""

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from codat_api import endpoints
from codat_emulator import ids, kinds, sync_settings
from codat_emulator.jsonio import JsonResponse, read_json, read_object
from codat_emulator.state import state_of
from codat_emulator.validate import invalid, is_uri, require_bool, require_str


async def get_profile(request: Request) -> Response:
    """``GET /profile``."""
    return JsonResponse(state_of(request).store.get(kinds.PROFILE, kinds.PROFILE_ID))


def _validate_profile(body: dict[str, Any]) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "name": require_str(body, "name", "name"),
        "redirectUrl": require_str(body, "redirectUrl", "redirectUrl"),
    }
    for key in ("logoUrl", "iconUrl"):
        if key in body:
            profile[key] = require_str(body, key, key)
    if "whiteListUrls" in body:
        urls = body["whiteListUrls"]
        if not isinstance(urls, list) or not all(is_uri(url) for url in urls):
            raise invalid("whiteListUrls", "'whiteListUrls' must be an array of absolute URIs.")
        profile["whiteListUrls"] = urls
    if "confirmCompanyName" in body:
        profile["confirmCompanyName"] = require_bool(
            body, "confirmCompanyName", "confirmCompanyName"
        )
    return profile


async def put_profile(request: Request) -> Response:
    """``PUT /profile``: replace the profile (the deprecated ``apiKey`` is ignored)."""
    profile = _validate_profile(await read_object(request))
    state_of(request).store.put(kinds.PROFILE, kinds.PROFILE_ID, profile)
    return JsonResponse(profile)


async def get_sync_settings(request: Request) -> Response:
    """``GET /profile/syncSettings``."""
    doc = state_of(request).store.get(kinds.SYNC_SETTINGS, kinds.CLIENT_SETTINGS_ID) or {}
    return JsonResponse(
        {
            "clientId": ids.CLIENT_ID,
            "settings": doc.get("settings", []),
            "overridesDefaults": bool(doc.get("overridesDefaults", False)),
        }
    )


async def post_sync_settings(request: Request) -> Response:
    """``POST /profile/syncSettings``: validate every entry, then REPLACE the list (204)."""
    settings, overrides = sync_settings.validate_body(await read_json(request), "clientId")
    state_of(request).store.put(
        kinds.SYNC_SETTINGS,
        kinds.CLIENT_SETTINGS_ID,
        {"settings": settings, "overridesDefaults": overrides},
    )
    return Response(status_code=204)


def routes() -> list[Route]:
    """Return the routes of this module."""
    return [
        Route(endpoints.PROFILE, get_profile, methods=["GET"]),
        Route(endpoints.PROFILE, put_profile, methods=["PUT"]),
        Route(endpoints.PROFILE_SYNC_SETTINGS, get_sync_settings, methods=["GET"]),
        Route(endpoints.PROFILE_SYNC_SETTINGS, post_sync_settings, methods=["POST"]),
    ]
