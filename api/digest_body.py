"""The body of POST /v1/digests: JSON, or a multipart form with one `file` field per article.

A multipart request has each article in a `file` field (text, .docx, .pdf or .html, told by
its content, read as for POST /v1/summaries: `summarizer.formats`), named by its file name
(the article's id), and the JSON body's other fields as form fields (`group`, `max_bullets`,
`include_source`). The form is parsed in memory and the files are read in a worker thread,
within TOMTAT_MAX_PAGES, TOMTAT_MAX_UNPACKED_BYTES and TOMTAT_MAX_CHARS; a file that cannot
be read refuses the request with its code, naming it.
"""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from starlette.datastructures import UploadFile

from api.deps import service_of
from api.errors import ApiError
from api.schemas import EXAMPLE_TEXT, JobDocumentBody, WholeInt
from api.settings import Settings
from api.summary_body import FORM_BOOLEANS, FORM_INTEGER, inline_schema, json_payload, validated
from api.uploads import media_type, read_file, read_form
from summarizer.options import DEFAULT_BULLETS, MAX_BULLETS

EXAMPLE_SECOND = (
    "Chiều 5/7, Lâm Hà họp sơ kết phòng, chống hạn mặn. Hạn mặn làm 12.400 ha lúa của tỉnh bị ảnh hưởng. "
    "Tỉnh đã vận hành 86 cống ngăn mặn và cấp nước ngọt cho người dân vùng ven biển."
)


class DigestDocument(JobDocumentBody):
    """One article of a digest: its id (unique in the request), text and optional title."""

    id: str = Field(min_length=1, max_length=200)  # type: ignore[assignment]
    text: str = Field(description="the article (plain text; HTML remnants are cleaned)")  # type: ignore[assignment]


class DigestRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "documents": [
                        {"id": "bao-a", "title": "Lâm Hà sơ kết phòng, chống hạn mặn", "text": EXAMPLE_TEXT},
                        {"id": "bao-b", "text": EXAMPLE_SECOND},
                    ],
                    "max_bullets": 3,
                }
            ]
        }
    )

    documents: list[DigestDocument] = Field(min_length=1, description="the articles, each with its own id")
    group: StrictBool = Field(False, description="group the articles into stories first: one digest per story")
    max_bullets: WholeInt = Field(DEFAULT_BULLETS, ge=1, le=MAX_BULLETS)
    include_source: StrictBool = Field(
        False, description="also return each article's cleaned text, which the evidence spans index (`sources`)"
    )


async def digest_request(request: Request) -> DigestRequest:
    """The body of POST /v1/digests: JSON, or a multipart form with the articles as `file` fields."""
    if media_type(request) == "multipart/form-data":
        return await _from_form(request)
    return validated(DigestRequest, await json_payload(request, "each article"))


async def _from_form(request: Request) -> DigestRequest:
    settings = service_of(request).settings
    limit = settings.max_digest_documents
    form = await read_form(request, max_files=limit + 1)  # one more: told as too many, not as a bad form
    try:
        values = form.getlist("file")
        if not values or not all(isinstance(v, UploadFile) for v in values):
            raise ApiError(422, "missing_file", "send each article as a file in a form field named 'file'")
        if len(values) > limit:
            raise ApiError(413, "too_many_documents", f"{len(values)} files; the limit per digest request is {limit}")
        uploads = [(await v.read(), v.filename) for v in values if isinstance(v, UploadFile)]
        fields = _form_fields(form)
    finally:
        await form.close()
    placeholder = [{"id": "x", "text": "x"}]  # the fields alone: a bad one is refused before the files are read
    checked = validated(DigestRequest, {**fields, "documents": placeholder})
    documents = await anyio.to_thread.run_sync(_read_files, uploads, settings)
    return checked.model_copy(update={"documents": documents})


def _read_files(uploads: list[tuple[bytes, str | None]], settings: Settings) -> list[DigestDocument]:
    """Each uploaded file as an article named by its file name (blocking: a worker thread).

    Raises:
        DocumentFormatError: a file cannot be read (answered with its code; the message names it).
    """
    documents = []
    for number, (data, filename) in enumerate(uploads, start=1):
        document = read_file(data, filename, settings)
        usable = filename and len(filename) <= 200 and filename.isprintable()
        documents.append(
            DigestDocument(id=filename if usable else f"file-{number}", text=document.text, title=document.title)
        )
    return documents


def _form_fields(form: Any) -> dict[str, Any]:
    """The form's fields as the JSON body would have them (strings that cannot be converted are
    left as they are, for the model's validation to name)."""
    fields: dict[str, Any] = {}
    max_bullets = form.get("max_bullets")
    if isinstance(max_bullets, str):
        fields["max_bullets"] = int(max_bullets) if FORM_INTEGER.fullmatch(max_bullets.strip()) else max_bullets
    for name in ("group", "include_source"):
        value = form.get(name)
        if isinstance(value, str):
            fields[name] = FORM_BOOLEANS.get(value.strip().lower(), value)
    return fields


def digest_openapi() -> dict[str, Any]:
    """The OpenAPI extra of POST /v1/digests: its two request bodies."""
    form = {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {
                "type": "array",
                "items": {"type": "string", "format": "binary"},
                "minItems": 1,
                "description": "the articles, one file each (UTF-8 text, .docx, .pdf or .html, told by content); "
                "each is named by its file name",
            },
            "group": {"type": "boolean"},
            "max_bullets": {"type": "integer", "minimum": 1, "maximum": MAX_BULLETS},
            "include_source": {"type": "boolean"},
        },
    }
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": inline_schema(DigestRequest)},
                "multipart/form-data": {"schema": form},
            },
        }
    }
