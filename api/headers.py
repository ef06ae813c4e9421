"""`SecurityHeaders`: the browser-facing headers of every answer (CSP, nosniff, referrer, framing).

The editors' page keeps the API key in `sessionStorage`, so it gets a strict Content-Security-
Policy: scripts, styles and connections from this origin only (the page has no inline script
or style), never framed. The interactive docs (Swagger UI, ReDoc) start with an inline script
that FastAPI writes, so their pages get a policy that allows inline code but still nothing
from another origin; every other answer (JSON, assets) is never a document to run anything in.
"""

from __future__ import annotations

from collections.abc import Collection

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
API_POLICY = "default-src 'none'; frame-ancestors 'none'"

COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
API_HEADERS = {"Content-Security-Policy": API_POLICY, **{k.decode(): v.decode() for k, v in COMMON}}
"""The headers of an API answer, for the one made outside the middleware: the 500 of an unexpected error."""


class SecurityHeaders:
    """Adds Content-Security-Policy (by kind of page), X-Content-Type-Options, Referrer-Policy and
    X-Frame-Options to every HTTP answer.

    Args:
        page_paths: paths of the editors' page (`PAGE_POLICY`).
        docs_paths: paths of the interactive docs' HTML pages (`DOCS_POLICY`).
    """

    def __init__(self, app: ASGIApp, *, page_paths: Collection[str], docs_paths: Collection[str]) -> None:
        self.app = app
        self.policies = {path: PAGE_POLICY.encode() for path in page_paths}
        self.policies.update({path: DOCS_POLICY.encode() for path in docs_paths})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, root = scope["path"], scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        policy = self.policies.get(path, API_POLICY.encode())

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                added = [(b"content-security-policy", policy), *COMMON]
                message = {
                    **message,
                    "headers": [*message.get("headers", []), *(h for h in added if h[0] not in names)],
                }
            await send(message)

        await self.app(scope, receive, with_headers)
