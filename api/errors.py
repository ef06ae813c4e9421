"""One error shape for every failure: {"error": {"code": ..., "message": ...}}."""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from api.headers import API_HEADERS
from summarizer.errors import (
    ConfigurationError,
    DocumentFormatError,
    DocumentTooLargeError,
    InputTooLongError,
    InvalidInputError,
    ModelLoadError,
    SummarizerError,
    UnsupportedFormatError,
)

logger = logging.getLogger("api")

RETRY_AFTER_OVERLOADED = "1"  # 429: the queue is full; it drains in about a model call
RETRY_AFTER_NOT_READY = "5"  # 503: the model is loading
RETRY_AFTER_TIMEOUT = "5"  # 504: the model is behind by at least a request timeout
RETRY_AFTER_UPLOADS = "2"  # 429: large uploads are all being handled; one takes a second or two


class ApiError(Exception):
    """A deliberate error response."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


class BodyRefused(StarletteHTTPException):
    """The guard stopped reading a request body (`code` says why); the answer closes the connection.

    An HTTPException so that FastAPI's body reader passes it on unchanged (it turns other
    errors from `receive` into 400s); the rest of the body is never read.
    """

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(status, detail=message, headers={"Connection": "close"})
        self.code = code


class BodyTooLarge(BodyRefused):
    """The request body grew past TOMTAT_MAX_BODY_BYTES while it was read (413)."""

    def __init__(self, limit: int, size: int | None = None) -> None:
        has = f"has {size:,} bytes" if size is not None else "is larger than that"
        message = f"the body {has}; the limit is {limit:,} bytes: send less per request, or split it into jobs"
        super().__init__(413, "body_too_large", message)


class BodyTimeout(BodyRefused):
    """The request body did not arrive within TOMTAT_BODY_TIMEOUT_S (408)."""

    def __init__(self, timeout_s: float) -> None:
        message = (
            f"the request body did not arrive within {timeout_s:g} s; send it faster, "
            "or ask the operators to raise TOMTAT_BODY_TIMEOUT_S"
        )
        super().__init__(408, "body_timeout", message)


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def summarizer_error_status(exc: SummarizerError) -> tuple[int, str, str]:
    """Status, code and message for a library error about one document or about the model."""
    if isinstance(exc, UnsupportedFormatError):
        return 415, exc.code, str(exc)
    if isinstance(exc, DocumentTooLargeError):
        return 413, exc.code, str(exc)
    if isinstance(exc, DocumentFormatError):
        return 422, exc.code, str(exc)
    if isinstance(exc, InputTooLongError):
        return 413, "text_too_long", str(exc)
    if isinstance(exc, InvalidInputError):
        return 422, "invalid_text", str(exc)
    if isinstance(exc, ModelLoadError):
        return 503, "model_unavailable", "the model is not available; try again later"
    if isinstance(exc, ConfigurationError):
        return 500, "configuration_error", f"the service is misconfigured: {exc}; tell its operators"
    return 500, "summarization_failed", f"the model failed on this document: {exc}"


def _response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> tuple[int, str, str]:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return 400, "invalid_json", "the body is not valid JSON (send UTF-8 encoded JSON)"
    first = errors[0] if errors else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
    return 422, "invalid_request", f"{where}: {first.get('msg', 'invalid value')}"


def allowed_methods(request: Request, named: str | None) -> str:
    """The Allow header of a 405: the methods the OpenAPI document gives the request's path.

    Starlette names only those of the one route it matched (`named`), but GET and DELETE on a
    job are two routes. Where several documented paths match ("/v1/jobs/{job_id}" matches
    ".../x:cancel" too), the most specific one (most literal characters) is the path; `named`
    is used for paths outside the document (the page).
    """
    path, root = request.scope["path"], request.scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    matching = [
        (len(re.sub(r"\{[^}]*\}", "", template)), {method.upper() for method in operations})
        for template, operations in request.app.openapi().get("paths", {}).items()
        if compile_path(template)[0].match(path)
    ]
    if matching:
        best = max(specificity for specificity, _ in matching)
        methods = set().union(*(found for specificity, found in matching if specificity == best))
    else:
        methods = {m.strip().upper() for m in (named or "").split(",") if m.strip()}
    if "GET" in methods:
        methods.add("HEAD")  # Starlette answers HEAD wherever it answers GET
    return ", ".join(sorted(methods))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        status, code, message = _validation_message(exc)
        return _response(status, code, message)

    @app.exception_handler(SummarizerError)
    async def _summarizer(request: Request, exc: SummarizerError) -> JSONResponse:
        status, code, message = summarizer_error_status(exc)
        if status >= 500:
            logger.error("%s on %s %s: %s", code, request.method, request.url.path, type(exc).__name__)
        headers = {"Retry-After": RETRY_AFTER_NOT_READY} if status == 503 else None
        return _response(status, code, message, headers)

    @app.exception_handler(BodyRefused)
    async def _body_refused(_: Request, exc: BodyRefused) -> JSONResponse:
        return _response(exc.status_code, exc.code, str(exc.detail), exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            return _response(400, "invalid_json", "the body is not valid JSON (send UTF-8 encoded JSON)")
        codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 413: "body_too_large"}
        headers = exc.headers
        if exc.status_code == 405:  # Starlette names the methods of one route; a path can have several
            headers = {**(headers or {}), "Allow": allowed_methods(request, (headers or {}).get("Allow"))}
        return _response(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail), headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Logged with the request id, never with the article text; the client gets no internals.
        logger.exception("unexpected error on %s %s", request.method, request.url.path)
        # answered by Starlette's outermost middleware, past SecurityHeaders: its headers are added here
        return _response(500, "internal_error", "unexpected server error; it has been logged", API_HEADERS)
