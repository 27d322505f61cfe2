"""Helpers for the emulator tests: the official spec, validation against it, a validating client."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import httpx
import jsonschema
from codat_spec import SPEC_HOST, documented_operation, load_spec, openapi_for, path_pattern
from openapi_core import OpenAPI
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.testing import MockRequest, MockResponse
from openapi_core.validation.response.exceptions import MissingData

from codat_api import endpoints
from codat_emulator.process import EmulatorProcess

API_KEY = "emu-test-key-1"
OTHER_API_KEY = "emu-test-key-2"

# Spec defect: DELETE /apiKeys/{apiKeyId} documents its 204 with the Too-Many-Requests
# response (an ErrorMessage body); a 204 has no body, so only the status is checked.
BODYLESS_DEFECTS = {("delete", "/apiKeys/", 204)}

METRICS: dict[str, str] = {}


def _template(method: str, path: str) -> tuple[str, re.Pattern[str]]:
    return method, path_pattern(path)


UNDOCUMENTED_ENDPOINTS = [
    _template(method, path)
    for method, path in [
        ("GET", endpoints.integration_credentials("{key}")),
        ("PUT", endpoints.integration_credentials("{key}")),
        ("DELETE", endpoints.integration_credentials("{key}")),
        ("PUT", endpoints.integration_enabled("{key}")),
        ("GET", endpoints.integration_settings("{id}")),
        ("PATCH", endpoints.integration_settings("{id}")),
        ("PUT", endpoints.integration_settings("{id}")),
    ]
]
"""The ASSUMED endpoints Codat's spec does not document (CODAT_API.md): only these may answer
a success the spec cannot check."""


def is_assumed_endpoint(method: str, path: str) -> bool:
    return any(m == method.upper() and p.match(path) for m, p in UNDOCUMENTED_ENDPOINTS)


def raw_spec() -> dict[str, Any]:
    return load_spec()


def documented(method: str, path: str) -> tuple[bool, bool]:
    """Return whether the spec documents ``path``, and whether it documents ``method`` on it."""
    return documented_operation(raw_spec(), method, path)


def openapi() -> OpenAPI:
    return openapi_for(raw_spec())


@cache
def error_validator() -> jsonschema.Draft202012Validator:
    spec = raw_spec()
    schema = {
        "$ref": "#/components/schemas/ErrorMessage",
        "components": spec["components"],
        "paths": spec["paths"],
    }
    return jsonschema.Draft202012Validator(schema)


def assert_error_body(response: httpx.Response, status: int | None = None) -> dict[str, Any]:
    """Assert ``response`` carries Codat's ErrorMessage (with a correlationId)."""
    if status is not None:
        assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    error_validator().validate(body)
    assert body["statusCode"] == response.status_code
    assert body["correlationId"]
    assert isinstance(body["error"], str) and body["error"]
    return body


class SpecViolation(AssertionError):
    pass


def validate_against_spec(response: httpx.Response) -> str:
    """Validate one response against the official spec; return how it was checked.

    Documented operation and status: openapi-core. An error (>= 400) with a status the
    operation does not document, or on a path outside the spec, must still be Codat's
    ErrorMessage. A success (< 400) is accepted only when the spec validates it, or on one of
    the ASSUMED endpoints the spec does not document: an undocumented success on a documented
    path (unknown status, or a method the path does not have) fails.
    """
    request = response.request
    mock_request = MockRequest(
        SPEC_HOST,
        request.method.lower(),
        request.url.path,
        args=dict(request.url.params),
        headers=dict(request.headers),
    )
    mock_response = MockResponse(
        response.content,
        status_code=response.status_code,
        content_type=response.headers.get("content-type", "application/json").split(";")[0],
        headers=dict(response.headers),
    )
    try:
        openapi().validate_response(mock_request, mock_response)
        return "spec"
    except (PathError, ResponseNotFound) as exc:
        path_documented, operation_documented = documented(request.method, request.url.path)
        if operation_documented and not isinstance(exc, ResponseNotFound):
            raise SpecViolation(
                f"openapi-core could not find {request.method} {request.url.path}"
            ) from exc
        documented_path = path_documented
        kind = "undocumented-status" if documented_path else "undocumented-path"
        if response.status_code >= 400:
            assert_error_body(response)
            return kind
        if documented_path or not is_assumed_endpoint(request.method, request.url.path):
            raise SpecViolation(
                f"{request.method} {request.url.path} -> {response.status_code}: a success the "
                f"spec does not document ({type(exc).__name__})\n{response.text[:500]}"
            ) from exc
        return kind
    except MissingData:
        key = (request.method.lower(), _prefix(request.url.path), response.status_code)
        if key in BODYLESS_DEFECTS and not response.content:
            return "spec-defect"
        raise
    except Exception as exc:
        raise SpecViolation(
            f"{request.method} {request.url.path} -> {response.status_code}: {exc!r} "
            f"{getattr(exc, '__cause__', '')}\n{response.text[:2000]}"
        ) from exc


def _prefix(path: str) -> str:
    return path.rsplit("/", 1)[0] + "/"


class ApiClient(httpx.Client):
    """httpx client that validates every response against the official spec."""

    checked: list[tuple[str, str, int, str]]

    def __init__(self, emulator: EmulatorProcess, api_key: str | None = API_KEY) -> None:
        headers = (
            {"Authorization": emulator.auth_headers(api_key)["Authorization"]} if api_key else {}
        )
        super().__init__(base_url=emulator.base_url, headers=headers, timeout=10)
        self.checked = []

    def request(self, method: str, url: Any, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        response = super().request(method, url, **kwargs)
        how = validate_against_spec(response)
        self.checked.append((method, response.request.url.path, response.status_code, how))
        return response
