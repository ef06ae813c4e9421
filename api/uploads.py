"""Parsing uploads: job bodies (a JSON list, {"documents": [...]}, JSONL, or a multipart file),
multipart forms (parsed in memory) and uploaded documents (.txt, .docx, .pdf, .html).

A job's multipart file is JSONL, unless its content is a .docx, .pdf or .html file, or it is
a .txt file: then it is the job's one document (read by `summarizer.formats`).

Reading the body is async (`read_job_upload`); parsing and validating it is plain CPU work
(`parse_job_documents`), run in a worker thread so that a large upload never holds the event
loop. Each document is validated like a `:batch` document (`JobDocumentBody`, then the
service's text check); a bad one becomes an error entry at its position, never dropped.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from api.errors import ApiError, summarizer_error_status
from api.jobs import JobDocument
from api.schemas import JobDocumentBody, JobOptions
from api.service import Service
from api.settings import Settings
from summarizer.errors import InvalidInputError, UnsupportedFormatError
from summarizer.formats import HEAD_BYTES, ExtractedDocument, Format, ReadLimits, read_document, sniff_format
from summarizer.jsonl import parse_lines

JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")
MAX_FORM_FIELDS = 20  # a summary form has five fields; outputs may repeat


@dataclass(frozen=True)
class Upload:
    """A job's raw body: `jsonl` when it holds one document per line, `document` when it is one
    document file (`filename`: its name in the form), else a JSON document."""

    raw: bytes
    jsonl: bool
    document: bool = False
    filename: str | None = None


async def read_job_upload(request: Request) -> Upload:
    """The body of POST /v1/jobs (a multipart upload's 'file' field), unparsed."""
    content_type = media_type(request)
    if content_type == "multipart/form-data":
        form = await read_form(request)
        try:
            upload = form_file(form, "file", "send the JSONL file (or one document file) in a form field named 'file'")
            raw = await upload.read()
        finally:
            await form.close()
        document = _is_document_file(raw, upload.filename)
        return Upload(raw, jsonl=not document, document=document, filename=upload.filename)
    return Upload(await request.body(), jsonl=content_type in JSONL_TYPES)


def _is_document_file(raw: bytes, filename: str | None) -> bool:
    """A .docx, .pdf or .html file, or a .txt file: one document, not JSONL."""
    try:
        kind = sniff_format(raw[:HEAD_BYTES], filename)
    except UnsupportedFormatError:
        return False  # JSONL with binary lines: each such line becomes an error entry
    suffix = PurePath(filename).suffix.lower() if filename else ""
    return kind is not Format.TEXT or suffix == ".txt"


def form_file(form: FormData, name: str, missing: str) -> UploadFile:
    """The one file in the multipart form field `name`.

    Raises:
        ApiError: 422 `missing_file` (with the message `missing`) when there is none or it
            is a plain field; 422 `too_many_files` when the field is given more than once
            (which one was meant cannot be told).
    """
    values = form.getlist(name)
    if len(values) > 1:
        raise ApiError(
            422, "too_many_files", f"the form has {len(values)} fields named {name!r}: send exactly one file in it"
        )
    if not values or isinstance(values[0], str):
        raise ApiError(422, "missing_file", missing)
    return values[0]


class _InMemoryParser(MultiPartParser):
    """Starlette's multipart parser, keeping uploaded files in memory (never a temporary file)."""

    spool_max_size = sys.maxsize


async def read_form(request: Request, *, max_files: int = 2) -> FormData:
    """The request's multipart form, parsed in memory (at most `max_files` files).

    Raises:
        ApiError: 400 `invalid_multipart` for a body that is not a well-formed form.
    """
    try:
        parser = _InMemoryParser(request.headers, request.stream(), max_files=max_files, max_fields=MAX_FORM_FIELDS)
        return await parser.parse()
    except MultiPartException as exc:
        raise ApiError(400, "invalid_multipart", f"the multipart body cannot be read: {exc.message}") from None


def media_type(request: Request) -> str:
    """The request's content type, without parameters, in lower case ("" when it has none)."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def read_limits(settings: Settings) -> ReadLimits:
    """How much of an uploaded file the service reads (pages, unpacked bytes, characters)."""
    return ReadLimits(
        max_pages=settings.max_pages, max_unpacked_bytes=settings.max_unpacked_bytes, max_chars=settings.max_chars
    )


def read_file(data: bytes, filename: str | None, settings: Settings) -> ExtractedDocument:
    """An uploaded file's text and title (blocking: call it in a worker thread).

    Raises:
        DocumentFormatError: the file cannot be read (answered with its code).
    """
    shown = filename if filename and len(filename) <= 200 and filename.isprintable() else None
    return read_document(data, shown, limits=read_limits(settings), name=f"the file {shown!r}" if shown else None)


def parse_job_documents(
    upload: Upload, service: Service, query: dict[str, Any] | None = None
) -> tuple[list[JobDocument], dict[str, Any]]:
    """The job's documents and options (blocking: call it in a worker thread). `query`: options given
    as query parameters (`task`, `group`: the only way to give them with a JSONL or file body).

    Raises:
        ApiError: 400 for a body that is not UTF-8 JSON (or JSONL), 422 for a body that is
            not a list of documents or has bad options or none, 413 for too many documents.
        DocumentFormatError: a document file that cannot be read (415/422/413 with its code).
    """
    query = query or {}
    options: dict[str, Any] = _job_options(query) if query else {}
    if upload.document:
        document = read_file(upload.raw, upload.filename, service.settings)
        name = upload.filename if upload.filename and 0 < len(upload.filename) <= 200 else None
        item = {"id": name, "text": document.text, "title": document.title}
        return [_document(1, item, None, set(), service)], options
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
            given = {k: payload[k] for k in ("max_bullets", "max_words", "outputs", "task", "group") if k in payload}
            clash = sorted(k for k in given if k in query and given[k] != query[k])
            if clash:
                raise ApiError(422, "invalid_request", f"{clash[0]}: the query and the body disagree; give it once")
            options = _job_options({**query, **given})
            payload = payload.get("documents")
        if not isinstance(payload, list):
            raise ApiError(422, "invalid_job", 'send a JSON list of documents or {"documents": [...]} (or JSONL)')
        items = [(i + 1, item, None) for i, item in enumerate(payload)]
    if not items:
        raise ApiError(422, "empty_job", "the job has no documents")
    _check_count(len(items), service)
    seen: set[str] = set()
    return [_document(number, item, problem, seen, service) for number, item, problem in items], options


def _job_options(values: dict[str, Any]) -> dict[str, Any]:
    """A job's options, checked (422 `invalid_request` naming the bad one), as stored."""
    try:
        return JobOptions.model_validate(values).model_dump(mode="json")
    except ValidationError as exc:
        raise ApiError(422, "invalid_request", _validation_problem(exc)) from None


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
