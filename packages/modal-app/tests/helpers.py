"""Drives the ASGI app the way Modal's web server does, and builds valid requests."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import modal

from sandboxes.asgi import make_asgi_app
from sandboxes.config import Settings
from sandboxes.service import SandboxService

TOKEN = "nsb_bootstrap-token-do-not-leak-5f1e"


def create_body(n: int = 1, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "env": {
            "NIGHTSHIFT_CONTROL_PLANE_URL": "https://nightshift.example.com",
            "NIGHTSHIFT_SESSION_ID": f"ses{n}",
            "NIGHTSHIFT_BOOTSTRAP_TOKEN": TOKEN,
        },
        "labels": {
            "nightshift.tenant": "ten1",
            "nightshift.session": f"ses{n}",
            "nightshift.incarnation": f"inc{n}",
        },
        "allowHosts": ["registry.npmjs.org", "*.pythonhosted.org:443"],
    }
    body.update(overrides)
    return body


def service(settings: Settings | None = None) -> SandboxService:
    base = modal.Image("im-base")
    return SandboxService(modal, settings or Settings(), lambda: base)


def call(
    method: str,
    path: str,
    body: object = None,
    query: str = "",
    settings: Settings | None = None,
    raw: bytes | None = None,
    svc: SandboxService | None = None,
) -> tuple[int, Any]:
    app = make_asgi_app(svc or service(settings))
    data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    sent: list[dict[str, Any]] = []
    messages = [{"type": "http.request", "body": data, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "query_string": query.encode()}
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    payload = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert dict(start["headers"])[b"content-type"] == b"application/json"
    return start["status"], json.loads(payload)
