"""Where Codat's OpenAPI spec comes from, and validation of emulator traffic against it.

The spec is not part of this repository. ``spec_dir()`` finds it:

1. ``CODAT_OAS_DIR`` (absolute, or relative to the current directory): a folder holding
   ``Codat-Platform.json`` as published in Codat's public repository ``codatio/oas``;
2. otherwise the pinned file is downloaded once from that repository at ``OAS_COMMIT`` into a
   cache folder (``$XDG_CACHE_HOME`` or ``~/.cache``, ``codat-oas/<commit>/``) and its sha256
   must equal ``PINNED_SHA256``;
3. if neither works, the tests fail with a message saying to set ``CODAT_OAS_DIR``.

``validate_logged_requests(spec, request_log_path)`` checks every request the emulator logged
to an endpoint the spec documents against the spec's parameters and request body schema.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import urllib.request
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest

ENV_VAR = "CODAT_OAS_DIR"
"""Environment variable naming a folder that holds Codat's spec files."""
OAS_REPOSITORY = "codatio/oas"
OAS_COMMIT = "1d1fab12d2d20a2b5e5f09a9d18401face690e90"
"""Commit of ``codatio/oas`` the project is tested against (2026-06-26)."""
PLATFORM_FILE = "Codat-Platform.json"
PINNED_SHA256 = {PLATFORM_FILE: "ca0b78fba5868cfab1e39f4bfef733bff366ff798e26caa9d1f0122f99549650"}
"""sha256 of each file at ``OAS_COMMIT`` (``json/<file>`` in the repository)."""
DOWNLOAD_TIMEOUT_SECONDS = 20
SPEC_HOST = "https://api.codat.io"
PLACEHOLDER_AUTH = "Basic ZW11bGF0b3ItbG9nZ2VkLWtleQ=="
"""Stands in for the Authorization header, which the request log never records."""


class SpecUnavailable(RuntimeError):
    """Neither ``CODAT_OAS_DIR`` nor the pinned download gives the spec."""


def download_url(name: str) -> str:
    """Return the raw GitHub URL of ``json/<name>`` at the pinned commit."""
    return f"https://raw.githubusercontent.com/{OAS_REPOSITORY}/{OAS_COMMIT}/json/{name}"


def cache_dir() -> Path:
    """Return the folder caching downloaded spec files of the pinned commit."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "codat-oas" / OAS_COMMIT


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _download(name: str) -> Path:
    target = cache_dir() / name
    pinned = PINNED_SHA256[name]
    if target.is_file() and _sha256(target.read_bytes()) == pinned:
        return target
    url = download_url(name)
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:
            data = response.read()
    except OSError as exc:
        raise SpecUnavailable(f"could not download {url}: {exc}") from exc
    if _sha256(data) != pinned:
        raise SpecUnavailable(f"{url} has sha256 {_sha256(data)}, expected {pinned}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(data)
    partial.replace(target)
    return target


def spec_file(name: str = PLATFORM_FILE) -> Path:
    """Return the path of one of Codat's spec files (see the module docstring).

    Raises:
        SpecUnavailable: With a message naming ``CODAT_OAS_DIR``.

    """
    configured = os.environ.get(ENV_VAR)
    if configured:
        path = Path(configured).expanduser().resolve() / name
        if not path.is_file():
            raise SpecUnavailable(
                f"{ENV_VAR}={configured!r} has no {name} (looked for {path}); point it at a "
                f"folder holding the json/ files of github.com/{OAS_REPOSITORY}"
            )
        return path
    if name not in PINNED_SHA256:
        raise SpecUnavailable(f"no pinned download for {name}; set {ENV_VAR}")
    try:
        return _download(name)
    except SpecUnavailable as exc:
        raise SpecUnavailable(
            f"Codat's OpenAPI spec is not available: {exc}. Set {ENV_VAR} to a folder holding "
            f"{name} from github.com/{OAS_REPOSITORY} (commit {OAS_COMMIT})"
        ) from exc


@cache
def load_spec(name: str = PLATFORM_FILE) -> dict[str, Any]:
    """Return a spec file parsed; fail the test run (never skip) when it is unavailable."""
    try:
        path = spec_file(name)
    except SpecUnavailable as exc:
        pytest.fail(str(exc))
    value = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(value, dict)
    return value


@cache
def _openapi(spec_json: str) -> OpenAPI:
    return OpenAPI.from_dict(json.loads(spec_json))


def openapi_for(spec: dict[str, Any]) -> OpenAPI:
    """Return the openapi-core object of ``spec`` (cached per spec content)."""
    return _openapi(json.dumps(spec, sort_keys=True))


HTTP_METHODS = frozenset({"get", "put", "post", "patch", "delete", "head", "options"})


def path_pattern(template: str) -> re.Pattern[str]:
    """Return a regex matching the concrete paths of an OpenAPI path template."""
    return re.compile("^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template)) + "$")


@cache
def _spec_paths(spec_json: str) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    paths = json.loads(spec_json)
    return [
        (path_pattern(template), frozenset(m.upper() for m in item if m in HTTP_METHODS))
        for template, item in paths.items()
    ]


def documented_operation(spec: dict[str, Any], method: str, path: str) -> tuple[bool, bool]:
    """Return whether ``spec`` documents ``path``, and whether it documents ``method`` on it."""
    matches = [
        methods
        for pattern, methods in _spec_paths(json.dumps(spec["paths"], sort_keys=True))
        if pattern.match(path)
    ]
    return bool(matches), any(method.upper() in methods for methods in matches)


@dataclass(frozen=True)
class RequestCheck:
    """How one logged request was checked: ``spec`` (validated) or ``undocumented``."""

    line: int
    method: str
    path: str
    status: int
    how: str


def validate_logged_requests(
    spec: dict[str, Any], request_log_path: Path | str
) -> list[RequestCheck]:
    """Validate every logged request to a documented endpoint against ``spec``.

    Reads the emulator's JSON-lines request log (``--request-log``). A request whose path
    and method the spec documents is validated (path and query parameters, request body
    against the operation's schema, with secrets as masked in the log); the Authorization
    header, never logged, is taken as present. Requests to undocumented (ASSUMED) endpoints
    are reported as ``undocumented``.

    Returns:
        One ``RequestCheck`` per logged line.

    Raises:
        AssertionError: Listing every request that does not conform.

    """
    openapi = openapi_for(spec)
    checks: list[RequestCheck] = []
    failures: list[str] = []
    lines = Path(request_log_path).read_text(encoding="utf-8").splitlines()
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        entry = json.loads(text)
        method, path, status = entry["method"], entry["path"], int(entry["status"])
        has_body = "body" in entry
        request = MockRequest(
            SPEC_HOST,
            method.lower(),
            path,
            args=entry.get("query") or {},
            headers={"Authorization": PLACEHOLDER_AUTH},
            data=json.dumps(entry["body"]).encode() if has_body else None,
            content_type="application/json",
        )
        if not documented_operation(spec, method, path)[1]:
            checks.append(RequestCheck(number, method, path, status, "undocumented"))
            continue
        try:
            openapi.validate_request(request)
            how = "spec"
        except Exception as exc:
            detail = "; ".join(str(e) for e in getattr(exc, "schema_errors", ())) or repr(exc)
            failures.append(f"line {number}: {method} {path} -> {status}: {detail}")
            how = "invalid"
        checks.append(RequestCheck(number, method, path, status, how))
    if failures:
        raise AssertionError(
            f"{len(failures)} logged request(s) do not match Codat's spec:\n" + "\n".join(failures)
        )
    return checks
