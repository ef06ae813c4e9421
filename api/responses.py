"""The error answers each route declares in the OpenAPI document (`responses=error_responses(...)`).

Every error has the body `{"error": {"code", "message"}}` (`ErrorResponse`), whatever the
route's own media type (JSONL, Prometheus text): `json_error_bodies` gives every 4xx and 5xx
answer of the document that body, FastAPI's default 422 included. The descriptions name the
codes a status carries; a route passes the statuses it can give and, where its codes differ
from the general ones, its own descriptions.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from api.schemas import ErrorDetail


class ErrorResponse(BaseModel):
    """The body of every error answer."""

    error: ErrorDetail


RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before retrying", "schema": {"type": "integer"}}}

DESCRIPTIONS: dict[int, str] = {
    400: "the body is not valid JSON (`invalid_json`), or the request has both Content-Length and "
    "Transfer-Encoding (`ambiguous_framing`)",
    401: "no valid API key (`unauthorized`); only when the service has API keys",
    404: "no such job, or it belongs to another API key (`job_not_found`)",
    408: "the body did not arrive within TOMTAT_BODY_TIMEOUT_S (`body_timeout`); the connection is closed",
    413: "the body is over TOMTAT_MAX_BODY_BYTES (`body_too_large`), or a text over TOMTAT_MAX_CHARS "
    "(`text_too_long`), or too many documents (`too_many_documents`)",
    422: "a field is missing or has the wrong type (`invalid_request`), or the text cannot be summarized "
    "(`invalid_text`)",
    429: "too many requests wait for the model (`overloaded`), or too many large uploads are being handled "
    "(`too_many_uploads`)",
    500: "the model failed on this document (`summarization_failed`), or an unexpected error (`internal_error`)",
    503: "the model is not loaded yet (`not_ready`, `model_unavailable`), or background jobs cannot run "
    "(`jobs_unavailable`)",
    504: "the request waited past TOMTAT_REQUEST_TIMEOUT_S (`timeout`)",
}

HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    429: RETRY_AFTER,
    503: RETRY_AFTER,
    504: RETRY_AFTER,
}

BODY_ERRORS = (400, 408, 413, 422, 429)
"""What any request with a body can get from the guard and the body parser."""


def error_responses(*statuses: int, descriptions: dict[int, str] | None = None) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status with its description and headers (the body is added
    by `json_error_bodies`)."""
    descriptions = {**DESCRIPTIONS, **(descriptions or {})}
    return {
        status: {"description": descriptions[status], **({"headers": HEADERS[status]} if status in HEADERS else {})}
        for status in statuses
    }


def json_error_bodies(document: dict[str, Any]) -> dict[str, Any]:
    """Give every 4xx/5xx answer of an OpenAPI document the `ErrorResponse` JSON body (in place;
    idempotent): the routes declare statuses only, and FastAPI's default 422 body
    (`HTTPValidationError`) is not what the service sends."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    schema = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in schema.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components["ErrorResponse"] = schema
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if status[0] in "45":
                    response["content"] = body
                    if status == "422" and response.get("description") == "Validation Error":
                        response["description"] = "a parameter is missing or invalid (`invalid_request`)"
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return document
