"""Parsing job uploads: a JSON list, {"documents": [...]}, JSONL, or a multipart file.

Reading the body is async (`read_job_upload`); parsing and validating it is plain CPU work
(`parse_job_documents`), run in a worker thread so that a large upload never holds the event
loop. Each document is validated like a `:batch` document (`JobDocumentBody`, then the
service's text check); a bad one becomes an error entry at its position, never dropped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from pydantic import ValidationError

from api.errors import ApiError, summarizer_error_status
from api.jobs import JobDocument
from api.schemas import JobDocumentBody, JobOptions
from api.service import Service
from summarizer.errors import InvalidInputError
from summarizer.jsonl import parse_lines

JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")


@dataclass(frozen=True)
class Upload:
    """A job's raw body: `jsonl` when it holds one document per line, else a JSON document."""

    raw: bytes
    jsonl: bool


async def read_job_upload(request: Request) -> Upload:
    """The body of POST /v1/jobs (a multipart upload's 'file' field), unparsed."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ApiError(422, "missing_file", "send the JSONL file in a form field named 'file'")
        return Upload(await upload.read(), jsonl=True)
    return Upload(await request.body(), jsonl=content_type in JSONL_TYPES)


def parse_job_documents(upload: Upload, service: Service) -> tuple[list[JobDocument], dict[str, Any]]:
    """The job's documents and options (blocking: call it in a worker thread).

    Raises:
        ApiError: 400 for a body that is not UTF-8 JSON (or JSONL), 422 for a body that is
            not a list of documents or has bad options or none, 413 for too many documents.
    """
    options: dict[str, Any] = {}
    if upload.jsonl:
        # counted before anything is parsed: a body of many tiny lines must not fill memory first
        lines = sum(1 for line in upload.raw.split(b"\n") if line.strip())
        _check_count(lines, service)
        items = _jsonl_items(upload.raw)
    else:
        try:
            payload = json.loads(upload.raw)
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            hint = " (one document per line is JSONL: send it as application/x-ndjson)" if b"\n{" in upload.raw else ""
            raise ApiError(
                400, "invalid_json", f"the body is not valid UTF-8 JSON ({_json_problem(exc)}){hint}"
            ) from None
        if isinstance(payload, dict):
            try:
                options = JobOptions.model_validate(
                    {k: payload[k] for k in ("max_bullets", "outputs") if k in payload}
                ).model_dump(mode="json")
            except ValidationError as exc:
                raise ApiError(422, "invalid_request", _validation_problem(exc)) from None
            payload = payload.get("documents")
        if not isinstance(payload, list):
            raise ApiError(422, "invalid_job", 'send a JSON list of documents or {"documents": [...]} (or JSONL)')
        items = [(i + 1, item, None) for i, item in enumerate(payload)]
    if not items:
        raise ApiError(422, "empty_job", "the job has no documents")
    _check_count(len(items), service)
    seen: set[str] = set()
    return [_document(number, item, problem, seen, service) for number, item, problem in items], options


def _document(number: int, item: Any, problem: str | None, seen: set[str], service: Service) -> JobDocument:
    """One validated document, or its error entry (named by its id when it has a usable one)."""
    code = "invalid_document"
    body: JobDocumentBody | None = None
    if problem is None and not isinstance(item, dict):
        problem = "a document must be a JSON object with a 'text' field"
    if problem is None:
        try:
            body = JobDocumentBody.model_validate(item)
        except ValidationError as exc:
            problem = _validation_problem(exc)
    raw_id = item.get("id") if isinstance(item, dict) else None
    doc_id = body.id if body is not None and body.id else str(number)
    if body is None and isinstance(raw_id, str) and 0 < len(raw_id) <= 200 and raw_id.isprintable():
        doc_id = raw_id
    if body is not None and doc_id in seen:
        body, problem = None, f"duplicate id {doc_id!r}"
    seen.add(doc_id)
    if body is not None:
        try:
            service.validate(body.text, body.title)
        except InvalidInputError as exc:
            body, problem = None, str(exc)
            _, code, _ = summarizer_error_status(exc)
    if body is None:
        error = {"code": code, "message": f"document {number}: {problem}"}
        return JobDocument(doc_id, None, error)
    return JobDocument(doc_id, body.text, title=body.title)


def _check_count(documents: int, service: Service) -> None:
    if documents > service.settings.max_job_documents:
        raise ApiError(
            413,
            "too_many_documents",
            f"{documents} documents; the limit per job is {service.settings.max_job_documents}: split the job",
        )


def _jsonl_items(raw: bytes) -> list[tuple[int, Any, str | None]]:
    """Each non-blank line: (number, value, None), or (number, None, why it cannot be read).

    Lines are split at "\\n" only (U+2028 may sit inside a JSON string) and decoded one by one,
    so a line that is not UTF-8 is an error entry of its own (the library's JSONL reader).
    """
    return [
        (line.number, line.value, None if line.ok else f"line {line.number}: {line.error}")
        for line in parse_lines(raw.split(b"\n"))
    ]


def _json_problem(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8"
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    return str(exc).split(";")[0]  # e.g. a number with more than 4300 digits


def _validation_problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    where = ".".join(str(p) for p in first.get("loc", ()))
    return f"{where}: {message}" if where else message
