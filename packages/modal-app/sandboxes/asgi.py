"""The HTTP API as a plain ASGI application (no web framework needed in the image). Modal's
proxy auth (Modal-Key / Modal-Secret) is checked by Modal before a request reaches it.

    POST   /v1/sandboxes                      create (201)
    GET    /v1/sandboxes?label=<name>=<value>  list the app's running Nightshift sandboxes
    GET    /v1/sandboxes/<id>                 status
    DELETE /v1/sandboxes/<id>                 terminate
    POST   /v1/sandboxes/<id>/snapshots       snapshot the filesystem (201), body {purpose?}
    GET    /v1/snapshots                      the snapshots the app took and still keeps
    DELETE /v1/snapshots/<id>                 delete one of them
    GET    /v1/health                         liveness

Errors are `{"error": {"code", "message"}}` with the status that says what to do.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qsl

from .errors import ApiError, invalid
from .requests import (
    parse_create,
    parse_label_filter,
    parse_sandbox_id,
    parse_snapshot_body,
    parse_snapshot_id,
)
from .service import SandboxService

log = logging.getLogger("nightshift.modal")

MAX_BODY_BYTES = 256 * 1024
_ONE = re.compile(r"^/v1/sandboxes/([^/]+)$")
_SNAPSHOTS = re.compile(r"^/v1/sandboxes/([^/]+)/snapshots$")
_ONE_SNAPSHOT = re.compile(r"^/v1/snapshots/([^/]+)$")

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ApiError(400, "invalid_request", "the client went away before the body arrived")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ApiError(413, "payload_too_large", f"the body is larger than {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _optional_json(body: bytes) -> object:
    return None if not body.strip() else _json(body)


def _json(body: bytes) -> object:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise invalid("the body is not valid JSON") from None


async def _respond(send: Send, status: int, payload: object) -> None:
    data = json.dumps(payload).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": data})


def _method_not_allowed(allowed: str) -> ApiError:
    return ApiError(405, "method_not_allowed", f"this path accepts {allowed}")


async def _route(service: SandboxService, method: str, path: str, query: str, receive: Receive) -> tuple[int, object]:
    if path == "/v1/health":
        if method != "GET":
            raise _method_not_allowed("GET")
        return 200, {"ok": True}
    if path == "/v1/sandboxes":
        if method == "POST":
            return 201, await service.create(parse_create(_json(await _read_body(receive))))
        if method == "GET":
            return 200, await service.list(parse_label_filter(parse_qsl(query, keep_blank_values=True)))
        raise _method_not_allowed("GET and POST")
    match = _SNAPSHOTS.match(path)
    if match:
        if method != "POST":
            raise _method_not_allowed("POST")
        sandbox_id = parse_sandbox_id(match.group(1))
        return 201, await service.snapshot(sandbox_id, parse_snapshot_body(_optional_json(await _read_body(receive))))
    if path == "/v1/snapshots":
        if method != "GET":
            raise _method_not_allowed("GET")
        return 200, await service.list_snapshots()
    match = _ONE_SNAPSHOT.match(path)
    if match:
        if method != "DELETE":
            raise _method_not_allowed("DELETE")
        return 200, await service.delete_snapshot(parse_snapshot_id(match.group(1)))
    match = _ONE.match(path)
    if match:
        sandbox_id = parse_sandbox_id(match.group(1))
        if method == "GET":
            return 200, await service.status(sandbox_id)
        if method == "DELETE":
            return 200, await service.terminate(sandbox_id)
        raise _method_not_allowed("GET and DELETE")
    raise ApiError(404, "not_found", f"no such endpoint: {method} {path}")


def make_asgi_app(service: SandboxService) -> Callable[[dict[str, Any], Receive, Send], Awaitable[None]]:
    async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        method = scope["method"].upper()
        path = scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        try:
            status, payload = await _route(service, method, path, query, receive)
        except ApiError as error:
            status, payload = error.status, {"error": {"code": error.code, "message": error.message}}
        except Exception as error:  # never a stack trace in an answer
            log.error("unhandled %s on %s %s", type(error).__name__, method, path)
            status = 500
            payload = {"error": {"code": "internal", "message": "the Modal app failed unexpectedly; see its logs"}}
        log.info("%s %s -> %d", method, path, status)
        await _respond(send, status, payload)

    return app
