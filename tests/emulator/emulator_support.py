"""Helpers for the emulator tests: the official spec, validation against it, a validating client."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from openapi_core import OpenAPI
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.testing import MockRequest, MockResponse
from openapi_core.validation.response.exceptions import MissingData

from codat_emulator.process import EmulatorProcess

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_HOST = "https://api.codat.io"


API_KEY = "emu-test-key-1"
OTHER_API_KEY = "emu-test-key-2"

# Spec defect: DELETE /apiKeys/{apiKeyId} documents its 204 with the Too-Many-Requests
# response (an ErrorMessage body); a 204 has no body, so only the status is checked.
BODYLESS_DEFECTS = {("delete", "/apiKeys/", 204)}

METRICS: dict[str, str] = {}


def spec_path() -> Path:
    base = os.environ.get("CODAT_OAS_DIR")
    directory = Path(base) if base else REPO_ROOT.parent / "shared" / "codat-oas"
    return directory / "Codat-Platform.json"


@cache
def raw_spec() -> dict[str, Any]:
    path = spec_path()
    if not path.is_file():
        pytest.fail(f"official Codat spec not found at {path} (set CODAT_OAS_DIR)")
    value = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(value, dict)
    return value


@cache
def openapi() -> OpenAPI:
    return OpenAPI.from_dict(raw_spec())


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

    Documented operation and status: openapi-core. Status the operation does not document, or
    a path outside the spec: error responses must still be Codat's ErrorMessage.
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
        kind = "undocumented-path" if isinstance(exc, PathError) else "undocumented-status"
        if response.status_code >= 400:
            assert_error_body(response)
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
