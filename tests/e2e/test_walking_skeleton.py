"""The whole chain on real binaries: Python -> cdktn synth -> terraform -> restful -> HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

APPS = Path(__file__).resolve().parent.parent / "apps"


class _Store:
    def __init__(self) -> None:
        self.objects: dict[str, Any] = {}
        self.writes: list[tuple[str, str, Any]] = []
        self.lock = threading.Lock()


def _handler(store: _Store) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, body: Any = None) -> None:
            payload = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            with store.lock:
                found = self.path in store.objects
                body = store.objects.get(self.path)
            self._reply(200, body) if found else self._reply(404, {"error": "not found"})

        def do_PUT(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with store.lock:
                store.objects[self.path] = body
                store.writes.append(("PUT", self.path, body))
            self._reply(200, body)

        def do_DELETE(self) -> None:
            with store.lock:
                store.objects.pop(self.path, None)
                store.writes.append(("DELETE", self.path, None))
            self._reply(204)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def api_server() -> Iterator[tuple[str, _Store]]:
    store = _Store()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(store))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", store
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.e2e
def test_deploy_plan_destroy_against_loopback_api(cdk_project, api_server) -> None:  # type: ignore[no-untyped-def]
    base_url, store = api_server
    project = cdk_project(APPS / "skeleton_app.py")
    env = {"SKELETON_BASE_URL": base_url, "SKELETON_MESSAGE": "hello from the skeleton"}

    project.cli("deploy", "skeleton", "--auto-approve", "--skip-provider-lock", extra_env=env)
    assert store.writes == [("PUT", "/greetings/hello", {"message": "hello from the skeleton"})]

    plan = project.terraform("skeleton", "plan", "-detailed-exitcode", "-input=false")
    assert plan.returncode == 0, plan.stdout + plan.stderr

    # The same stack with a different body must plan a change (exit 2): the plan is real.
    project.cli("synth", extra_env={**env, "SKELETON_MESSAGE": "changed"})
    changed = project.terraform("skeleton", "plan", "-detailed-exitcode", "-input=false")
    assert changed.returncode == 2, changed.stdout + changed.stderr
    assert "changed" in changed.stdout

    project.cli("destroy", "skeleton", "--auto-approve", "--skip-provider-lock", extra_env=env)
    assert store.writes[-1] == ("DELETE", "/greetings/hello", None)
    assert "/greetings/hello" not in store.objects
