"""POST /v1/digests: one digest of several documents, or one per story (`group`).

The documents are checked like `:batch` documents (ids unique, each text within
TOMTAT_MAX_CHARS, at most TOMTAT_MAX_DIGEST_DOCUMENTS of them), but a digest is one result:
a document that cannot be read refuses the request, naming it. The digest runs on the model
thread within the request's time limit (TOMTAT_REQUEST_TIMEOUT_S); a larger set goes through
a background job (`POST /v1/jobs` with `"task": "digest"`, see `api.digest_work`).
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from api.deps import authorized, service_of
from api.digest_body import DigestRequest, digest_openapi, digest_request
from api.digest_work import digest_body, digest_options, digest_stories
from api.errors import RETRY_AFTER_TIMEOUT, ApiError, summarizer_error_status
from api.responses import BODY_ERRORS, error_responses
from api.routes import _left, _refuse_duplicate_ids, _unless_client_leaves
from api.schemas import EvidenceBody, SourceSpanBody
from api.service import Service
from api.summary_body import FILE_RESPONSES
from summarizer.document import Document
from summarizer.errors import InvalidInputError, SummarizerError

router = APIRouter()


class DigestSourceBody(SourceSpanBody):
    document: int = Field(description="the article: an index into `ids`")
    id: str = Field(description="the article's id")


class DigestEvidenceBody(EvidenceBody):
    sources: list[DigestSourceBody]  # type: ignore[assignment]


class DigestResponse(BaseModel):
    ids: list[str] = Field(description="the digest's articles, in input order")
    headline: str
    abstract: str
    bullets: list[str]
    model: str
    evidence: list[DigestEvidenceBody] = Field(
        description="where each line comes from: spans of its articles' cleaned texts (every line names its articles)"
    )
    warnings: list[str] = Field(description='notes, e.g. "figures differ across articles: ..." naming both sources')
    timings: dict[str, float]
    sources: list[str] | None = Field(None, description="the articles' cleaned texts (as `ids`), with include_source")


class StoriesResponse(BaseModel):
    stories: list[DigestResponse] = Field(description="one digest per story, in the order of their first article")


DESCRIPTIONS = {
    413: "the body is over TOMTAT_MAX_BODY_BYTES (`body_too_large`), a text over TOMTAT_MAX_CHARS (`text_too_long`), "
    "more than TOMTAT_MAX_DIGEST_DOCUMENTS documents (`too_many_documents`: send a digest job), or an uploaded file "
    "over TOMTAT_MAX_PAGES (`too_many_pages`) or TOMTAT_MAX_UNPACKED_BYTES (`document_too_large`)",
    415: FILE_RESPONSES["415"]["description"],
    422: "a field is missing or has the wrong type (`invalid_request`), an id is repeated (`duplicate_id`), a "
    "document cannot be summarized (`invalid_text`, naming it), an uploaded file cannot be read (`no_text_layer`, "
    "`encrypted_pdf`, `damaged_file`, `invalid_encoding`, `empty_document`), or a form without `file` "
    "(`missing_file`)",
}


@router.post(
    "/v1/digests",
    tags=["digests"],
    dependencies=[Depends(authorized)],
    response_model=DigestResponse | StoriesResponse,
    responses=error_responses(*BODY_ERRORS, 401, 415, 500, 503, 504, descriptions=DESCRIPTIONS),
    openapi_extra=digest_openapi(),
)
async def create_digest(request: Request, body: Annotated[DigestRequest, Depends(digest_request)]) -> dict[str, Any]:
    """One digest of several articles on a story (headline, abstract, bullets; each line's evidence names
    its articles), or with `group` the articles grouped into stories and a digest of each (`stories`).

    JSON, or a multipart form with one `file` field per article (text, .docx, .pdf or .html; its id
    is the file name) and the other fields as form fields.

    For more than TOMTAT_MAX_DIGEST_DOCUMENTS articles, or long sets, submit a job:
    `POST /v1/jobs` with `{"task": "digest", "group"?: true, "documents": [...]}` (one result line per story).
    """
    service = service_of(request)
    summarizer = service.ready()
    limit = service.settings.max_digest_documents
    if len(body.documents) > limit:
        raise ApiError(
            413,
            "too_many_documents",
            f"{len(body.documents)} documents; the limit per digest request is {limit}: submit a digest job "
            '(POST /v1/jobs with "task": "digest")',
        )
    _refuse_duplicate_ids(body)
    deadline = time.monotonic() + service.settings.request_timeout_s
    documents = await anyio.to_thread.run_sync(_prepared, service, body)
    ids = [d.id for d in body.documents]

    def run() -> list[Any]:  # on the model thread, like every model call
        options = digest_options({"max_bullets": body.max_bullets})
        return digest_stories(summarizer, documents, ids, group=body.group, options=options)

    work = asyncio.get_running_loop().run_in_executor(service.executor, run)
    try:
        stories = await _unless_client_leaves(request, asyncio.wait_for(work, _left(deadline)))
    except TimeoutError:
        raise ApiError(
            504,
            "timeout",
            "the digest took longer than the request time limit (TOMTAT_REQUEST_TIMEOUT_S): "
            'send fewer articles, or a digest job (POST /v1/jobs with "task": "digest")',
            {"Retry-After": RETRY_AFTER_TIMEOUT},
        ) from None
    bodies = []
    for story in stories:
        if isinstance(story.outcome, SummarizerError):
            raise story.outcome  # answered with its status and code (api.errors)
        story_ids = [ids[i] for i in story.members]
        result = digest_body(story.outcome, story_ids)
        if body.include_source:
            result["sources"] = [documents[i].text for i in story.members]
        bodies.append(result)
    service.metrics.documents.labels("digest", "ok").inc(len(documents))
    return {"stories": bodies} if body.group else bodies[0]


def _prepared(service: Service, body: DigestRequest) -> list[Document]:
    """Each article as the model will read it (worker thread); one that cannot be read refuses the request.

    Raises:
        ApiError: 422 `invalid_text` or 413 `text_too_long`, naming the article.
    """
    documents = []
    for number, doc in enumerate(body.documents, start=1):
        try:
            documents.append(service.validate(doc.text, doc.title))
        except InvalidInputError as exc:
            status, code, message = summarizer_error_status(exc)
            raise ApiError(status, code, f"document {number} (id {doc.id!r}): {message}") from None
    return documents
