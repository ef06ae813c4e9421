"""`RequestGuard`: the API key and the body limit, enforced before any route reads a body.

A pure ASGI middleware (it sees each request before FastAPI parses anything):

- under `/v1/`, a request without a valid API key gets 401 at once; its body is never
  read (FastAPI reads a route's body before the route's dependencies run, so the key
  check cannot be left to them);
- every body is held to `max_body_bytes`: a declared Content-Length over it gets 413 at
  once, and a streamed (chunked) body is counted as it arrives and cut with 413 as soon as
  it passes the limit.

Both refusals close the connection, so the rest of an unwanted body is never read. The
body bytes read are left in the scope (`BODY_BYTES`) for the access log.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import check_key
from api.errors import ApiError, BodyTooLarge, error_body

PROTECTED_PREFIX = "/v1/"  # every route under it needs the key (when keys are configured)
BODY_BYTES = "tomtat.body_bytes"  # scope key: body bytes read so far


class RequestGuard:
    """401 before the body for protected paths without a valid key; 413 past `max_body_bytes`.

    Protected: every path under `PROTECTED_PREFIX`, and the paths in `also_protected`
    (e.g. "/metrics" when `TOMTAT_METRICS_REQUIRE_KEY` is on).
    """

    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, key_digests: Sequence[str], also_protected: Sequence[str] = ()
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.key_digests = list(key_digests)
        self.also_protected = frozenset(also_protected)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = _content_length(headers)
        has_body = bool(declared) or "transfer-encoding" in headers
        path = _route_path(scope)
        if path.startswith(PROTECTED_PREFIX) or path in self.also_protected:
            try:
                check_key(headers.get("authorization"), self.key_digests)
            except ApiError as exc:
                await _refuse(scope, send, exc.status, exc.code, exc.message, exc.headers, close=has_body)
                return
        if declared is not None and declared > self.max_body_bytes:
            too_large = BodyTooLarge(self.max_body_bytes, declared)
            await _refuse(scope, send, 413, "body_too_large", too_large.detail, {}, close=True)
            return

        read = 0
        cut = False
        started = False

        async def counted_receive() -> Message:
            nonlocal read, cut
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                scope[BODY_BYTES] = read
                if read > self.max_body_bytes:
                    cut = True
                    raise BodyTooLarge(self.max_body_bytes)
            return message

        async def closing_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if cut:  # the rest of the body is still on the wire: do not read it
                    message = {**message, "headers": [*_without_connection(message), (b"connection", b"close")]}
            await send(message)

        try:
            await self.app(scope, counted_receive, closing_send)
        except BodyTooLarge as exc:  # read outside a route (no exception handler answered)
            if started:
                raise
            await _refuse(scope, send, 413, "body_too_large", exc.detail, {}, close=True)


def _route_path(scope: Scope) -> str:
    """The path the router matches: without the mount prefix (`--root-path /api`)."""
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _content_length(headers: Headers) -> int | None:
    try:
        return int(headers["content-length"])
    except (KeyError, ValueError):
        return None


def _without_connection(message: Message) -> list[tuple[bytes, bytes]]:
    return [(name, value) for name, value in message.get("headers", []) if name.lower() != b"connection"]


async def _refuse(
    scope: Scope, send: Send, status: int, code: str, message: str, headers: dict[str, str], *, close: bool
) -> None:
    """Answer with the service's error shape without reading the body."""
    if close:
        headers = {**headers, "Connection": "close"}
    response = JSONResponse(error_body(code, message), status_code=status, headers=headers)

    async def no_body() -> Message:  # a Response never reads the request; this makes sure of it
        return {"type": "http.disconnect"}

    await response(scope, no_body, send)
