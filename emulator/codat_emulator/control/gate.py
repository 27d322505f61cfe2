"""ASGI middleware in front of every API route: auth, rate limit, faults, logging.

Order per request: ``/_emulator/...`` routes skip auth, limits and faults; every other request
must authenticate (401) and is served from the state of the client its key belongs to, then
counts against the rate limit (429 + ``Retry-After``), then may be failed by an injected
fault, then may wait on a hold (``holds``), then reaches its route. Each request is logged
(method, path, status, duration) to the ``codat_emulator.access`` logger and, when
configured, to the JSON-lines request log, which also records the client's NAME, the query
and the masked JSON body of writes (see ``request_log``); headers and API keys never are.
"""

import logging
import time
from urllib.parse import parse_qsl

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from codat_emulator.auth import api_key_from_header
from codat_emulator.control.request_log import MAX_LOGGED_BODY_BYTES, WRITE_METHODS
from codat_emulator.errors import ApiError
from codat_emulator.httpkit import error_response
from codat_emulator.runtime import CLIENT_SCOPE_KEY, EmulatorState

ADMIN_PREFIX = "/_emulator"
"""Path prefix of the emulator's own routes."""

access_logger = logging.getLogger("codat_emulator.access")


class EmulatorGate:
    """Pure ASGI middleware implementing the cross-cutting behaviour of the API."""

    def __init__(self, app: ASGIApp, state: EmulatorState) -> None:
        """Wrap ``app`` using the shared emulator ``state``."""
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection scope."""
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method: str = scope["method"]
        path: str = scope["path"]
        status = 500
        extra_headers: dict[str, str] = {}
        body = bytearray()
        keep_body = self.state.request_log is not None and method in WRITE_METHODS

        async def receive_wrapper() -> Message:
            message = await receive()
            if keep_body and message["type"] == "http.request":
                chunk = message.get("body", b"")
                if len(body) + len(chunk) <= MAX_LOGGED_BODY_BYTES + 1:
                    body.extend(chunk)
            return message

        logged = False

        def log_once() -> None:
            nonlocal logged
            if not logged:
                logged = True
                duration_ms = (time.perf_counter() - started) * 1000
                self._log(
                    scope, method, path, status, duration_ms, bytes(body) if keep_body else None
                )

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = MutableHeaders(scope=message)
                for name, value in extra_headers.items():
                    headers[name] = value
                if _complete_with_headers(method, status, headers):
                    # Nothing follows the headers (e.g. a 204): the client has its whole
                    # answer as soon as they leave, so log before they do.
                    log_once()
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                # Logged before the last byte leaves: a client that has its answer can read
                # the request log and find this request in it.
                log_once()
            await send(message)

        try:
            refusal = self._gate(scope, method, path, extra_headers)
            if refusal is not None:
                if keep_body:
                    await _drain(receive_wrapper)
                await error_response(refusal)(scope, receive, send_wrapper)
                return
            hold = self.state.holds.catch(method, path)
            if hold is not None:
                await self.state.holds.wait(hold)
            await self.app(scope, receive_wrapper, send_wrapper)
        finally:
            log_once()  # a request that ended without a complete response

    def _gate(
        self, scope: Scope, method: str, path: str, extra_headers: dict[str, str]
    ) -> ApiError | None:
        """Return the error refusing this request before routing, or None to let it through."""
        key = api_key_from_header(Headers(scope=scope).get("authorization"))
        client = self.state.backend.client_for_key(key)
        if client is None:
            return ApiError(401)
        scope[CLIENT_SCOPE_KEY] = client
        if self.state.limiter is not None:
            decision = self.state.limiter.hit()
            extra_headers.update(decision.headers())
            if not decision.allowed:
                return ApiError(429)
        fault = self.state.faults.take(method, path)
        if fault is not None:
            headers = {}
            if fault.retry_after_seconds is not None:
                headers["Retry-After"] = str(fault.retry_after_seconds)
            return ApiError(fault.status, f"Injected fault (rule {fault.id}).", headers=headers)
        return None

    def _log(
        self,
        scope: Scope,
        method: str,
        path: str,
        status: int,
        duration_ms: float,
        body: bytes | None,
    ) -> None:
        access_logger.info("%s %s %d %.1fms", method, path, status, duration_ms)
        if self.state.request_log is not None:
            raw_query = scope.get("query_string", b"").decode("latin-1")
            self.state.request_log.write(
                method,
                path,
                status,
                duration_ms,
                client=scope.get(CLIENT_SCOPE_KEY),
                query=dict(parse_qsl(raw_query, keep_blank_values=True)),
                body=body,
            )


async def _drain(receive: Receive) -> None:
    """Read a refused request's whole body (so the request log can record it)."""
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


def _complete_with_headers(method: str, status: int, headers: MutableHeaders) -> bool:
    """True when a response has no body, so the client has all of it with the headers."""
    return (
        method == "HEAD"
        or status in (204, 304)
        or 100 <= status < 200
        or headers.get("content-length") == "0"
    )
