"""`RequestGuard`: framing, the API key, the body's size and pace, and large uploads, before any route reads a body.

A pure ASGI middleware (it sees each request before FastAPI parses anything):

- a request with both Content-Length and Transfer-Encoding gets 400 at once (ambiguous
  framing: a proxy in front may read the body differently);
- under `/v1/`, a request without a valid API key gets 401 at once; its body is never
  read (FastAPI reads a route's body before the route's dependencies run, so the key
  check cannot be left to them);
- every body is held to `max_body_bytes`: a declared Content-Length over it gets 413 at
  once, and a streamed (chunked) body is counted as it arrives and cut with 413 as soon as
  it passes the limit;
- a body must arrive within `body_timeout_s` of the route starting to read it: 408;
- requests with a large body (over `large_body_bytes`, or chunked) are handled `UploadSlots`
  at a time, a bounded number more wait for a slot, and the rest get 429 with Retry-After:
  parsing a large upload is CPU work that, many at once, would starve every other request.

These refusals close the connection, so the rest of an unwanted body is never read. The
body bytes read are left in the scope (`BODY_BYTES`) for the access log.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import check_key
from api.errors import RETRY_AFTER_UPLOADS, ApiError, BodyRefused, BodyTimeout, BodyTooLarge, error_body

PROTECTED_PREFIX = "/v1/"  # every route under it needs the key (when keys are configured)
BODY_BYTES = "tomtat.body_bytes"  # scope key: body bytes read so far


class UploadSlots:
    """At most `slots` large uploads handled at a time, and `queue` more waiting for a slot.

    `acquire` waits for a slot and returns True, or returns False at once when the slots
    are taken and `queue` requests already wait (the caller answers 429). One per app (its
    event loop).
    """

    def __init__(self, slots: int, queue: int) -> None:
        self.slots, self.queue = slots, queue
        self._semaphore = asyncio.Semaphore(slots)
        self._waiting = 0

    async def acquire(self) -> bool:
        if self._semaphore.locked() and self._waiting >= self.queue:
            return False
        self._waiting += 1
        try:
            await self._semaphore.acquire()
        finally:
            self._waiting -= 1
        return True

    def release(self) -> None:
        self._semaphore.release()


class RequestGuard:
    """400 for ambiguous framing; 401 before the body for protected paths without a valid key;
    413 past `max_body_bytes`; 408 for a body slower than `body_timeout_s`; 429 past `uploads`.

    Protected: every path under `PROTECTED_PREFIX`, and the paths in `also_protected`
    (e.g. "/metrics" when `TOMTAT_METRICS_REQUIRE_KEY` is on). A large body: a Content-Length
    over `large_body_bytes`, or none (chunked).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        key_digests: Sequence[str],
        also_protected: Sequence[str] = (),
        body_timeout_s: float = 30.0,
        large_body_bytes: int = 1_000_000,
        uploads: UploadSlots | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.key_digests = list(key_digests)
        self.also_protected = frozenset(also_protected)
        self.body_timeout_s = body_timeout_s
        self.large_body_bytes = large_body_bytes
        self.uploads = uploads or UploadSlots(1, 16)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if "transfer-encoding" in headers and "content-length" in headers:
            message = "the request has both Content-Length and Transfer-Encoding: send exactly one of them"
            await _refuse(scope, send, 400, "ambiguous_framing", message, {}, close=True)
            return
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
        large = has_body and (declared is None or declared > self.large_body_bytes)
        if large and not await self.uploads.acquire():
            message = (
                f"{self.uploads.slots} large uploads are being handled and {self.uploads.queue} more wait: "
                "retry in a moment (see Retry-After)"
            )
            await _refuse(
                scope, send, 429, "too_many_uploads", message, {"Retry-After": RETRY_AFTER_UPLOADS}, close=True
            )
            return
        try:
            await self._guarded(scope, receive, send)
        finally:
            if large:
                self.uploads.release()

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The app, with the body counted (413) and timed (408) as it is read."""
        read = 0
        refused = False  # the body was cut: the rest of it is still on the wire
        started = False
        body_done = False
        deadline: float | None = None

        async def counted_receive() -> Message:
            nonlocal read, refused, body_done, deadline
            if body_done:  # e.g. a route waiting for the client to disconnect
                return await receive()
            if deadline is None:
                deadline = asyncio.get_running_loop().time() + self.body_timeout_s
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                refused = True
                raise BodyTimeout(self.body_timeout_s) from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                scope[BODY_BYTES] = read
                if read > self.max_body_bytes:
                    refused = True
                    raise BodyTooLarge(self.max_body_bytes)
            return message

        async def closing_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if refused:  # the rest of the body is still on the wire: do not read it
                    message = {**message, "headers": [*_without_connection(message), (b"connection", b"close")]}
            await send(message)

        try:
            await self.app(scope, counted_receive, closing_send)
        except BodyRefused as exc:  # read outside a route (no exception handler answered)
            if started:
                raise
            await _refuse(scope, send, exc.status_code, exc.code, exc.detail, {}, close=True)


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
