"""Webhook consumers: list, create, delete."""

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from codat_api import endpoints
from codat_emulator import ids, kinds
from codat_emulator.errors import ApiError, not_found
from codat_emulator.jsonio import JsonResponse, read_object
from codat_emulator.state import state_of
from codat_emulator.validate import invalid, is_uri

MAX_CONSUMERS = 50
"""Codat allows at most 50 webhook consumers per client."""
MAX_COMPANY_TAGS = 10
MAX_COMPANY_TAG_LENGTH = 128


def _validate(body: dict[str, Any]) -> dict[str, Any]:
    url = body.get("url")
    if not is_uri(url):
        raise invalid("url", "'url' is required and must be an absolute URI.")
    consumer: dict[str, Any] = {"url": url}
    event_types = body.get("eventTypes", [])
    if not isinstance(event_types, list) or not all(isinstance(e, str) for e in event_types):
        raise invalid("eventTypes", "'eventTypes' must be an array of strings.")
    consumer["eventTypes"] = event_types
    disabled = body.get("disabled", False)
    if disabled is None:
        disabled = False
    if not isinstance(disabled, bool):
        raise invalid("disabled", "'disabled' must be a boolean.")
    consumer["disabled"] = disabled
    tags = body.get("companyTags")
    if tags is not None:
        if (
            not isinstance(tags, list)
            or len(tags) > MAX_COMPANY_TAGS
            or not all(isinstance(t, str) and len(t) <= MAX_COMPANY_TAG_LENGTH for t in tags)
        ):
            raise invalid("companyTags", "'companyTags' must be at most 10 short strings.")
        consumer["companyTags"] = tags
    return consumer


async def list_consumers(request: Request) -> Response:
    """``GET /webhooks``: ``{"results": [...]}``."""
    return JsonResponse({"results": state_of(request).store.list(kinds.WEBHOOK)})


async def create_consumer(request: Request) -> Response:
    """``POST /webhooks`` -> 201 WebhookConsumer; 400 beyond 50 consumers."""
    consumer = _validate(await read_object(request))
    store = state_of(request).store
    with store.transaction():
        if store.count(kinds.WEBHOOK) >= MAX_CONSUMERS:
            raise ApiError(400, f"A client may have at most {MAX_CONSUMERS} webhook consumers.")
        consumer = {"id": ids.new_id(), **consumer}
        store.put(kinds.WEBHOOK, consumer["id"], consumer)
    return JsonResponse(consumer, status_code=201)


async def delete_consumer(request: Request) -> Response:
    """``DELETE /webhooks/{webhookId}`` -> 204."""
    webhook_id = request.path_params["webhookId"]
    if not ids.is_uuid(webhook_id) or not state_of(request).store.delete(kinds.WEBHOOK, webhook_id):
        raise not_found(f"Webhook consumer '{webhook_id}'")
    return Response(status_code=204)


def routes() -> list[Route]:
    """Return the routes of this module."""
    return [
        Route(endpoints.WEBHOOKS, list_consumers, methods=["GET"]),
        Route(endpoints.WEBHOOKS, create_consumer, methods=["POST"]),
        Route(endpoints.webhook("{webhookId}"), delete_consumer, methods=["DELETE"]),
    ]
