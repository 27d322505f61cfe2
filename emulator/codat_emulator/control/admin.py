"""Emulator-only routes under ``/_emulator``: health (always), the rest with ``--enable-admin``.

No API key is needed; the admin routes exist only when the emulator runs with
``--enable-admin``.

- ``GET /_emulator/health`` -> ``{"status": "ok", "pid"}`` (readiness probe).
- ``POST /_emulator/faults`` body ``{"status", "count"?, "method"?, "path_prefix"?,
  "retry_after_seconds"?}`` -> 201 rule: the next ``count`` matching requests fail with
  ``status``. ``GET`` lists active rules; ``DELETE`` clears them (204).
"""

import os

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from codat_emulator.control.faults import rule_from_dict
from codat_emulator.errors import ApiError
from codat_emulator.httpkit import JsonResponse, read_json
from codat_emulator.runtime import state_of

HEALTH = "/_emulator/health"
FAULTS = "/_emulator/faults"


async def health(request: Request) -> Response:
    """``GET /_emulator/health``: readiness probe (with the pid, so launchers know it is theirs)."""
    return JsonResponse({"status": "ok", "pid": os.getpid()})


async def add_fault(request: Request) -> Response:
    """``POST /_emulator/faults``: activate a fault rule."""
    try:
        rule = rule_from_dict(await read_json(request))
    except ValueError as exc:
        raise ApiError(400, f"Invalid fault: {exc}.") from exc
    return JsonResponse(state_of(request).faults.add(rule).as_dict(), status_code=201)


async def list_faults(request: Request) -> Response:
    """``GET /_emulator/faults``: the active rules."""
    return JsonResponse({"results": [r.as_dict() for r in state_of(request).faults.active()]})


async def clear_faults(request: Request) -> Response:
    """``DELETE /_emulator/faults``: drop every rule."""
    state_of(request).faults.clear()
    return Response(status_code=204)


def admin_routes(enable_admin: bool) -> list[Route]:
    """Return the health route, plus the admin routes when ``enable_admin``."""
    result = [Route(HEALTH, health, methods=["GET"])]
    if enable_admin:
        result += [
            Route(FAULTS, add_fault, methods=["POST"]),
            Route(FAULTS, list_faults, methods=["GET"]),
            Route(FAULTS, clear_faults, methods=["DELETE"]),
        ]
    return result
