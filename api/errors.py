"""One error shape for every failure: {"error": {"code": ..., "message": ...}}."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from summarizer.errors import InputTooLongError, InvalidInputError, ModelLoadError

logger = logging.getLogger("api")


class ApiError(Exception):
    """A deliberate error response."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def _response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> tuple[int, str, str]:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return 400, "invalid_json", "the body is not valid JSON (send UTF-8 encoded JSON)"
    first = errors[0] if errors else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
    return 422, "invalid_request", f"{where}: {first.get('msg', 'invalid value')}"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        status, code, message = _validation_message(exc)
        return _response(status, code, message)

    @app.exception_handler(InputTooLongError)
    async def _too_long(_: Request, exc: InputTooLongError) -> JSONResponse:
        return _response(413, "text_too_long", str(exc))

    @app.exception_handler(InvalidInputError)
    async def _invalid(_: Request, exc: InvalidInputError) -> JSONResponse:
        return _response(422, "invalid_text", str(exc))

    @app.exception_handler(ModelLoadError)
    async def _model(_: Request, exc: ModelLoadError) -> JSONResponse:
        return _response(503, "model_unavailable", "the model is not available; try again later")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            return _response(400, "invalid_json", "the body is not valid JSON (send UTF-8 encoded JSON)")
        codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}
        return _response(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail), exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Logged with the request id, never with the article text; the client gets no internals.
        logger.exception("unexpected error on %s %s", request.method, request.url.path)
        return _response(500, "internal_error", "unexpected server error; it has been logged")
