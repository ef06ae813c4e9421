"""Parsing job uploads: a JSON list, {"documents": [...]}, JSONL, or a multipart file."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from api.errors import ApiError
from api.jobs import JobDocument
from api.schemas import Output
from api.service import Service
from summarizer.document import clean_title
from summarizer.errors import InvalidInputError


async def read_job_documents(request: Request, service: Service) -> tuple[list[JobDocument], dict[str, Any]]:
    """Parse a job upload; bad documents become error entries (with their position), never dropped."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    options: dict[str, Any] = {}
    if content_type == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ApiError(422, "missing_file", "send the JSONL file in a form field named 'file'")
        raw = await upload.read()
        items = _jsonl_items(raw)
    else:
        raw = await request.body()
        if content_type in ("application/x-ndjson", "application/jsonl", "application/x-jsonlines"):
            items = _jsonl_items(raw)
        else:
            try:
                payload = json.loads(raw)
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise ApiError(400, "invalid_json", "the body is not valid UTF-8 JSON (or send JSONL)") from None
            if isinstance(payload, dict):
                options = {k: payload[k] for k in ("max_bullets", "outputs") if k in payload}
                payload = payload.get("documents")
            if not isinstance(payload, list):
                raise ApiError(422, "invalid_job", 'send a JSON list of documents or {"documents": [...]}')
            items = [(i + 1, item, None) for i, item in enumerate(payload)]
    _check_options(options)
    documents: list[JobDocument] = []
    seen: set[str] = set()
    for number, item, problem in items:
        doc_id = str(item.get("id")) if isinstance(item, dict) and item.get("id") is not None else str(number)
        if problem is None and doc_id in seen:
            problem = f"duplicate id {doc_id!r}"
        if problem is None and not isinstance(item, dict):
            problem = "a document must be a JSON object with a 'text' field"
        text = None
        if problem is None:
            try:
                title = item.get("title")
                service.validate(item.get("text"), title)
                # stored as the model will read it: a given title as the first line
                text = f"{clean_title(title)}\n{item['text']}" if title else item["text"]
            except InvalidInputError as exc:
                problem = str(exc)
        seen.add(doc_id)
        error = {"code": "invalid_document", "message": f"document {number}: {problem}"} if problem else None
        documents.append(JobDocument(doc_id, text, error))
    return documents, options


def _jsonl_items(raw: bytes) -> list[tuple[int, Any, str | None]]:
    try:
        lines = raw.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_encoding", "the upload is not UTF-8 text") from None
    items: list[tuple[int, Any, str | None]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            items.append((number, json.loads(line), None))
        except json.JSONDecodeError:
            items.append((number, None, "not valid JSON"))
    return items


def _check_options(options: dict[str, Any]) -> None:
    bullets = options.get("max_bullets", 5)
    if not isinstance(bullets, int) or not 1 <= bullets <= 10:
        raise ApiError(422, "invalid_request", "max_bullets must be an integer from 1 to 10")
    outputs = options.get("outputs", [o.value for o in Output])
    if not isinstance(outputs, list) or not outputs or any(o not in [x.value for x in Output] for o in outputs):
        raise ApiError(422, "invalid_request", "outputs must be a non-empty list of headline, abstract, bullets")
