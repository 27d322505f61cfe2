"""Emulator-only routes under ``/_emulator``: health (always), the rest with ``--enable-admin``.

No API key is needed; every route but health exists only when the emulator runs with
``--enable-admin``. Bodies and answers are JSON.

- ``GET /_emulator/health`` -> ``{"status": "ok", "pid"}`` (readiness probe).
- ``POST /_emulator/faults`` body ``{"status", "count"?, "method"?, "path_prefix"?,
  "retry_after_seconds"?}`` -> 201 rule: the next ``count`` matching requests fail with
  ``status``. ``GET`` lists active rules; ``DELETE`` clears them (204).
- ``POST /_emulator/holds`` body ``{"method"?, "path_prefix"?, "count"? (1), "timeout_seconds"?
  (30, at most 600)}`` -> 201 hold: the next ``count`` matching API requests wait inside the
  emulator (after auth, rate limit and faults, before any state change) until released or
  timed out, then are served. ``GET`` -> ``{"results": [hold], "held": N}`` (N = requests
  waiting now); ``DELETE /_emulator/holds/{id}`` releases one (204, 404 if unknown);
  ``DELETE /_emulator/holds`` releases all (204).
- ``GET /_emulator/state?client=NAME`` -> one client's whole state as canonical JSON (sorted
  keys, compact; secrets masked, no API keys): integrations enabled, credentials, integration
  settings, sync settings, profile, companies, webhooks, API key ids. ``client`` may be left
  out when only one client is configured; an unknown name is a 404 listing the known ones.
- ``POST /_emulator/crash`` body ``{"after_writes": N}`` -> 202: the process exits at once
  (exit code ``CRASH_EXIT_CODE``) right after the Nth following write statement, before its
  transaction commits: a crash in the middle of a multi-row write, for atomicity tests.
- ``GET /_emulator/options`` -> ``{"credentials_put_response": "body"|"empty"}``;
  ``PUT`` with the same body switches it (answers the new options).
"""

import os

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from codat_emulator.control.faults import rule_from_dict
from codat_emulator.errors import ApiError, invalid
from codat_emulator.httpkit import JsonResponse, read_json
from codat_emulator.runtime import CREDENTIALS_PUT_RESPONSES, state_of

CRASH_EXIT_CODE = 70
"""Exit code of a crash armed through ``POST /_emulator/crash``."""
MAX_CRASH_AFTER_WRITES = 1000

HEALTH = "/_emulator/health"
CRASH = "/_emulator/crash"
FAULTS = "/_emulator/faults"
STATE = "/_emulator/state"
HOLDS = "/_emulator/holds"
OPTIONS = "/_emulator/options"


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


async def add_hold(request: Request) -> Response:
    """``POST /_emulator/holds``: hold matching requests until released."""
    try:
        hold = state_of(request).holds.add_from_dict(await read_json(request))
    except ValueError as exc:
        raise ApiError(400, f"Invalid hold: {exc}.") from exc
    return JsonResponse(hold.as_dict(), status_code=201)


async def list_holds(request: Request) -> Response:
    """``GET /_emulator/holds``: the holds and how many requests wait now."""
    return JsonResponse(state_of(request).holds.view())


async def release_hold(request: Request) -> Response:
    """``DELETE /_emulator/holds/{id}``: release the requests one hold keeps waiting."""
    raw = request.path_params["hold_id"]
    if not raw.isdigit() or not state_of(request).holds.release(int(raw)):
        raise ApiError(404, f"Hold {raw!r} was not found.")
    return Response(status_code=204)


async def release_all_holds(request: Request) -> Response:
    """``DELETE /_emulator/holds``: release every hold."""
    state_of(request).holds.release_all()
    return Response(status_code=204)


async def client_state(request: Request) -> Response:
    """``GET /_emulator/state?client=NAME``: a canonical dump of one client's state."""
    backend = state_of(request).backend
    names = backend.client_names()
    name = request.query_params.get("client")
    if name is None:
        if len(names) != 1:
            raise invalid("client", f"Name the client: one of {', '.join(names)}.")
        name = names[0]
    if name not in names:
        raise ApiError(404, f"Client {name!r} is not configured; known: {', '.join(names)}.")
    return JsonResponse(backend.client(name).state_dump())


async def arm_crash(request: Request) -> Response:
    """``POST /_emulator/crash`` body ``{"after_writes": N}``: die mid-transaction."""
    body = await read_json(request)
    after = body.get("after_writes") if isinstance(body, dict) else None
    if isinstance(after, bool) or not isinstance(after, int):
        raise invalid("after_writes", "'after_writes' must be an integer.")
    if not 1 <= after <= MAX_CRASH_AFTER_WRITES:
        raise invalid("after_writes", f"'after_writes' must be 1 to {MAX_CRASH_AFTER_WRITES}.")
    remaining = [after]

    def count_write() -> None:
        remaining[0] -= 1
        if remaining[0] == 0:
            os._exit(CRASH_EXIT_CODE)

    state_of(request).store.after_write = count_write
    return JsonResponse({"after_writes": after}, status_code=202)


def _options_view(request: Request) -> dict[str, str]:
    return {"credentials_put_response": state_of(request).options.credentials_put_response}


async def get_options(request: Request) -> Response:
    """``GET /_emulator/options``: the run-time switches."""
    return JsonResponse(_options_view(request))


async def put_options(request: Request) -> Response:
    """``PUT /_emulator/options`` body ``{"credentials_put_response": "body"|"empty"}``."""
    body = await read_json(request)
    allowed = ", ".join(CREDENTIALS_PUT_RESPONSES)
    if not isinstance(body, dict) or set(body) - {"credentials_put_response"}:
        raise ApiError(400, f'The body must be {{"credentials_put_response": {allowed}}}.')
    value = body.get("credentials_put_response")
    if value is not None:
        if value not in CREDENTIALS_PUT_RESPONSES:
            raise invalid("credentials_put_response", f"{value!r} is not one of: {allowed}.")
        state_of(request).options.credentials_put_response = value
    return JsonResponse(_options_view(request))


def admin_routes(enable_admin: bool) -> list[Route]:
    """Return the health route, plus the admin routes when ``enable_admin``."""
    result = [Route(HEALTH, health, methods=["GET"])]
    if enable_admin:
        result += [
            Route(FAULTS, add_fault, methods=["POST"]),
            Route(FAULTS, list_faults, methods=["GET"]),
            Route(FAULTS, clear_faults, methods=["DELETE"]),
            Route(HOLDS, add_hold, methods=["POST"]),
            Route(HOLDS, list_holds, methods=["GET"]),
            Route(HOLDS, release_all_holds, methods=["DELETE"]),
            Route(HOLDS + "/{hold_id}", release_hold, methods=["DELETE"]),
            Route(STATE, client_state, methods=["GET"]),
            Route(CRASH, arm_crash, methods=["POST"]),
            Route(OPTIONS, get_options, methods=["GET"]),
            Route(OPTIONS, put_options, methods=["PUT"]),
        ]
    return result
