"""The body of POST /v1/summaries: JSON, or a multipart form with the document as a file.

A multipart request has the document in its `file` field (text, .docx, .pdf or .html, told
by its content: `summarizer.formats`) and the JSON body's other fields as form fields
(`title`, `max_bullets`, `max_words`, `outputs` repeated or comma-separated, `include_source`). The form
is parsed in memory (the body is already bounded by TOMTAT_MAX_BODY_BYTES): nothing is
written to disk. The file is read in a worker thread, within TOMTAT_MAX_PAGES,
TOMTAT_MAX_UNPACKED_BYTES and TOMTAT_MAX_CHARS; a file that cannot be read gets the
`DocumentFormatError`'s code (415 `unsupported_format`; 422 `damaged_file`,
`encrypted_pdf`, `no_text_layer`...; 413 `too_many_pages`...).
"""

from __future__ import annotations

import json
import re
from typing import Any, NoReturn, TypeVar

import anyio
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from api.deps import service_of
from api.errors import ApiError
from api.responses import DESCRIPTIONS
from api.schemas import ALL_OUTPUTS, SummaryRequest
from api.uploads import form_file, media_type, read_file, read_form
from summarizer.options import MAX_BULLETS, MAX_WORDS, MIN_WORDS

Body = TypeVar("Body", bound=BaseModel)


async def summary_request(request: Request) -> SummaryRequest:
    """The body of POST /v1/summaries: JSON, or a multipart form with the document as `file`."""
    if media_type(request) == "multipart/form-data":
        return await _from_form(request)
    return validated(SummaryRequest, await json_payload(request, "the document"))


async def json_payload(request: Request, what: str) -> Any:
    """A JSON body, parsed: refused (422) when it is another media type than JSON or a form
    (`what` names what the form's 'file' field holds), 400 `invalid_json` when not JSON."""
    kind = media_type(request)
    if kind and kind != "application/json" and not kind.endswith("+json"):
        raise ApiError(
            422,
            "invalid_request",
            f"body: {kind} is not accepted; send JSON (application/json) or a multipart form with "
            f"{what} in a field named 'file'",
        )
    raw = await request.body()
    if not raw:
        _invalid([{"type": "missing", "loc": (), "msg": "Field required", "input": None}])
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_json", "the body is not valid JSON (send UTF-8 encoded JSON)") from None


async def _from_form(request: Request) -> SummaryRequest:
    form = await read_form(request)
    try:
        upload = form_file(form, "file", "send the document (text, .docx, .pdf or .html) in a form field named 'file'")
        if "text" in form:
            raise ApiError(422, "invalid_request", "send the document either as the 'file' field or as JSON 'text'")
        data = await upload.read()
        fields = _form_fields(form)
    finally:
        await form.close()
    # the fields alone: a bad one is refused before the file is read
    checked = validated(SummaryRequest, {**fields, "text": "x"})
    settings = service_of(request).settings
    document = await anyio.to_thread.run_sync(read_file, data, upload.filename, settings)
    return checked.model_copy(update={"text": document.text, "title": checked.title or document.title})


# how a form field spells a whole number and a yes/no
FORM_INTEGER = re.compile(r"[0-9]{1,4}")
FORM_BOOLEANS = {"true": True, "false": False}


def _form_fields(form: FormData) -> dict[str, Any]:
    """The form's fields as the JSON body would have them (strings that cannot be converted
    are left as they are, for the model's validation to name)."""
    fields: dict[str, Any] = {}
    title = form.getlist("title")
    if title:
        fields["title"] = title[-1] if isinstance(title[-1], str) else None
    for name in ("max_bullets", "max_words"):
        value = form.get(name)
        if isinstance(value, str):
            fields[name] = int(value) if FORM_INTEGER.fullmatch(value.strip()) else value
    outputs = [part.strip() for value in form.getlist("outputs") if isinstance(value, str) for part in value.split(",")]
    if outputs:
        fields["outputs"] = [part for part in outputs if part]
    include_source = form.get("include_source")
    if isinstance(include_source, str):
        fields["include_source"] = FORM_BOOLEANS.get(include_source.strip().lower(), include_source)
    return fields


def validated(model: type[Body], payload: Any) -> Body:
    """`payload` as a `model` request body, or a 422 worded as for a body FastAPI declared."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        _invalid(exc.errors(include_url=False))


def _invalid(errors: list[Any]) -> NoReturn:
    """Raise the errors as FastAPI would for a declared body (the app's handler words them)."""
    raise RequestValidationError([{**error, "loc": ("body", *error.get("loc", ()))} for error in errors])


def _multipart_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {
                "type": "string",
                "format": "binary",
                "description": "the document: UTF-8 text, .docx, .pdf or .html (told by its content)",
            },
            "title": {"type": "string", "description": "overrides the file's own title"},
            "max_bullets": {"type": "integer", "minimum": 1, "maximum": MAX_BULLETS},
            "max_words": {"type": "integer", "minimum": MIN_WORDS, "maximum": MAX_WORDS},
            "outputs": {"type": "array", "items": {"type": "string", "enum": [o.value for o in ALL_OUTPUTS]}},
            "include_source": {"type": "boolean"},
        },
    }


def inline_schema(model: type[BaseModel]) -> Any:
    """`model`'s JSON schema with its local `$ref`s replaced by the definitions (self-contained
    for openapi_extra)."""
    schema = model.model_json_schema()
    return _inline(schema, schema.get("$defs", {}))


def _inline(schema: Any, defs: dict[str, Any]) -> Any:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inline(v, defs) for v in schema]
    return schema


FILE_RESPONSES = {
    "413": {
        "description": f"{DESCRIPTIONS[413]}; an uploaded file over TOMTAT_MAX_PAGES (`too_many_pages`) or "
        "TOMTAT_MAX_UNPACKED_BYTES (`document_too_large`)"
    },
    "415": {"description": "an uploaded file is not text, .docx, .pdf or .html (`unsupported_format`)"},
    "422": {
        "description": f"{DESCRIPTIONS[422]}; an uploaded file that cannot be read: `no_text_layer` (a scanned "
        "PDF: no OCR), `encrypted_pdf`, `damaged_file`, `invalid_encoding`, `empty_document`; a form without "
        "one `file` (`missing_file`, `too_many_files`)"
    },
}
"""What an uploaded file adds to the answers of a route (merged into its declared responses)."""


def summary_openapi() -> dict[str, Any]:
    """The OpenAPI extra of POST /v1/summaries: its two request bodies, and its 415."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": inline_schema(SummaryRequest)},
                "multipart/form-data": {"schema": _multipart_schema()},
            },
        },
        "responses": FILE_RESPONSES,
    }
