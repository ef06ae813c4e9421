"""The HTTP routes: health, models, summaries, jobs."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import anyio
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import FileResponse, PlainTextResponse, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import authorized, service_of
from api.errors import RETRY_AFTER_TIMEOUT, ApiError, summarizer_error_status
from api.jobs import JobCursor, JobDocument, JobStatus, JobStoreError
from api.responses import BODY_ERRORS, error_responses
from api.schemas import (
    EXAMPLE_TEXT,
    BatchItem,
    BatchRequest,
    BatchResponse,
    ErrorDetail,
    JobAccepted,
    JobListResponse,
    JobOptions,
    JobStatusResponse,
    SummaryRequest,
    SummaryResponse,
)
from api.service import Service, response_body
from api.summary_body import FILE_RESPONSES, summary_openapi, summary_request
from api.uploads import parse_job_documents, read_job_upload
from summarizer.document import Document
from summarizer.errors import InvalidInputError, SummarizerError

logger = logging.getLogger("api")

router = APIRouter()
STATIC = Path(__file__).with_name("static")
guarded = [Depends(authorized)]
T = TypeVar("T")
JOB_ERRORS = (401, 404, 503)  # the answers of a route on one job, besides its own
JOB_422 = (
    'not a list of documents or {"documents": [...]} (`invalid_job`), no documents (`empty_job`), bad options '
    "(`invalid_request`), or a multipart form without one `file` (`missing_file`, `too_many_files`)"
)


class JSONLinesResponse(StreamingResponse):
    """A streamed JSONL body (its media type for the OpenAPI document)."""

    media_type = "application/x-ndjson"


MAX_JOBS_PAGE = 100  # GET /v1/jobs: the largest `limit`


@router.get("/", include_in_schema=False)
async def page() -> FileResponse:
    """The editors' page (static, offline; it calls the public endpoints below)."""
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


@router.get("/favicon.ico", include_in_schema=False)
async def favicon() -> FileResponse:
    """The tab icon, where browsers look for it by default (the page and the docs link it too)."""
    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")


@router.get("/healthz", tags=["health"])
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get("/readyz", tags=["health"], responses=error_responses(503))
async def readyz(request: Request) -> dict[str, str]:
    """503 until the model is loaded, and while background jobs cannot run (the reason is given)."""
    service = service_of(request)
    summarizer = service.ready()
    problem = service.jobs_problem()
    if problem:
        # /readyz needs no key: name the database file, not where it lies (the log has the path)
        problem = problem.replace(str(service.jobs.path), service.jobs.path.name)
        raise ApiError(503, "jobs_unavailable", f"background jobs cannot run: {problem}", {"Retry-After": "5"})
    return {"status": "ready", "model": summarizer.spec.name}


@router.get(
    "/metrics",
    tags=["health"],
    response_class=PlainTextResponse,
    responses={**error_responses(401), 200: {"description": "Prometheus text format"}},
)
async def metrics(request: Request) -> Response:
    """Prometheus metrics."""
    return Response(generate_latest(service_of(request).metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/v1/models", tags=["models"], dependencies=guarded, responses=error_responses(401, 503))
async def models(request: Request) -> dict[str, Any]:
    """What runs, as loaded (name, revision, kind, backend, device, dtype, compute_type), and the model card."""
    summarizer = service_of(request).ready()
    return {**summarizer.info.as_dict(), "model": summarizer.spec.card()}


@router.post(
    "/v1/summaries",
    tags=["summaries"],
    dependencies=guarded,
    response_model=SummaryResponse,
    responses=error_responses(*BODY_ERRORS, 401, 500, 503, 504),
    openapi_extra=summary_openapi(),
)
async def summarize(request: Request, body: Annotated[SummaryRequest, Depends(summary_request)]) -> dict[str, Any]:
    """Headline, abstract and bullets of one document: JSON, or a multipart form whose `file` is the
    document (text, .docx, .pdf or .html; the other fields as form fields)."""
    service = service_of(request)
    service.ready()
    deadline = time.monotonic() + service.settings.request_timeout_s
    # cleaning a long text takes tens of milliseconds: not on the event loop
    document = await anyio.to_thread.run_sync(service.validate, body.text, body.title)
    summary = await _unless_client_leaves(request, service.batcher.submit(document, body.options(), _left(deadline)))
    service.metrics.documents.labels("request", "ok").inc()
    result = response_body(summary, body.outputs, uuid.uuid4().hex)
    if body.include_source:
        result["source"] = document.text
    return result


@router.post(
    "/v1/summaries:batch",
    tags=["summaries"],
    dependencies=guarded,
    response_model=BatchResponse,
    responses=error_responses(
        *BODY_ERRORS,
        401,
        503,
        504,
        descriptions={
            422: "a field is missing or has the wrong type (`invalid_request`), or an id is repeated (`duplicate_id`)"
        },
    ),
)
async def summarize_batch(body: BatchRequest, request: Request) -> dict[str, Any]:
    """Several documents in one call; results in input order, one error entry per bad document."""
    service = service_of(request)
    service.ready()
    if len(body.documents) > service.settings.max_batch_documents:
        raise ApiError(
            413,
            "too_many_documents",
            f"{len(body.documents)} documents; the limit per call is {service.settings.max_batch_documents}: "
            "split the batch or submit a background job (POST /v1/jobs)",
        )
    _refuse_duplicate_ids(body)
    deadline = time.monotonic() + service.settings.request_timeout_s
    entries: list[BatchItem | None] = [None] * len(body.documents)
    prepared = await anyio.to_thread.run_sync(_validate_all, service, body)
    waiting = []
    for index, (doc, document) in enumerate(zip(body.documents, prepared, strict=True)):
        if isinstance(document, InvalidInputError):
            _, code, message = summarizer_error_status(document)
            entries[index] = BatchItem(id=doc.id, error=ErrorDetail(code=code, message=message))
            continue
        waiting.append((index, service.batcher.submit(document, body.options(), _left(deadline))))
    outcomes = await _unless_client_leaves(request, asyncio.gather(*(w for _, w in waiting), return_exceptions=True))
    for (index, _), outcome in zip(waiting, outcomes, strict=True):
        doc_id = body.documents[index].id
        if isinstance(outcome, ApiError):
            entries[index] = BatchItem(id=doc_id, error=ErrorDetail(code=outcome.code, message=outcome.message))
        elif isinstance(outcome, SummarizerError):
            _, code, message = summarizer_error_status(outcome)
            entries[index] = BatchItem(id=doc_id, error=ErrorDetail(code=code, message=message))
        elif isinstance(outcome, BaseException):
            logger.error("batch document failed: %s", type(outcome).__name__)
            entries[index] = BatchItem(id=doc_id, error=ErrorDetail(code="internal_error", message="failed"))
        else:
            entries[index] = BatchItem(id=doc_id, result=response_body(outcome, body.outputs, doc_id))
    return {"results": entries}


async def _unless_client_leaves(request: Request, work: Awaitable[T]) -> T:
    """`work`, cancelled as soon as the client disconnects: its documents then leave the
    queue without reaching the model (neither uvicorn nor Starlette cancels a route by itself)."""
    task = asyncio.ensure_future(work)
    left = False

    async def watch() -> None:
        nonlocal left
        while (await request.receive())["type"] != "http.disconnect":
            pass
        left = True
        task.cancel()

    watcher = asyncio.ensure_future(watch())
    try:
        return await task
    except asyncio.CancelledError:
        if not left:
            raise
        raise ApiError(499, "client_closed_request", "the client closed the connection") from None
    finally:
        watcher.cancel()


def _validate_all(service: Service, body: BatchRequest) -> list[Document | InvalidInputError]:
    """Each document as the model will read it, or why it cannot be (run in a worker thread)."""
    out: list[Document | InvalidInputError] = []
    for doc in body.documents:
        try:
            out.append(service.validate(doc.text, doc.title))
        except InvalidInputError as exc:
            out.append(exc)
    return out


def _left(deadline: float) -> float:
    """Seconds left of the request's time limit (validation counts); 504 at once when none are."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise ApiError(
            504,
            "timeout",
            "preparing the text took the whole request time limit (TOMTAT_REQUEST_TIMEOUT_S); retry later",
            {"Retry-After": RETRY_AFTER_TIMEOUT},
        )
    return left


def _refuse_duplicate_ids(body: BatchRequest) -> None:
    """422 naming the first id given twice: results are matched to documents by id."""
    first: dict[str, int] = {}
    for number, doc in enumerate(body.documents, start=1):
        if doc.id in first:
            raise ApiError(
                422,
                "duplicate_id",
                f"duplicate id {doc.id!r} (documents {first[doc.id]} and {number}): give each document its own id",
            )
        first[doc.id] = number


# Any item is accepted: one that is not a document {"id"?, "text", "title"?} (not an object, no
# text, a field of the wrong type) becomes an error entry at its position; the job still runs.
job_document = {
    "description": 'a document {"id"?: string, "text": string, "title"?: string}; any other item is kept as '
    "an error entry at its position in the results",
}
job_list = {"type": "array", "items": job_document, "minItems": 1}
job_options = JobOptions.model_json_schema(ref_template="#/components/schemas/{model}")["properties"]
job_body = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "anyOf": [
                        job_list,
                        {
                            "type": "object",
                            "properties": {"documents": job_list, **job_options},
                            "required": ["documents"],
                        },
                    ]
                },
                "example": [{"id": "bai-1", "text": EXAMPLE_TEXT}, {"id": "bai-2", "text": "Hà Nội mưa lớn."}],
            },
            "application/x-ndjson": {
                "schema": {
                    "type": "string",
                    "pattern": "\\S",
                    "description": "one document per line (blank lines skipped)",
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "JSONL; or one document: a .docx, .pdf, .html or .txt file",
                        }
                    },
                }
            },
        },
    },
    "responses": {"415": FILE_RESPONSES["415"]},
}


@router.post(
    "/v1/jobs",
    tags=["jobs"],
    dependencies=guarded,
    status_code=202,
    response_model=JobAccepted,
    responses=error_responses(*BODY_ERRORS, 401, 503, descriptions={422: JOB_422}),
    openapi_extra=job_body,
)
async def create_job(
    request: Request,
    task: Annotated[
        Literal["summarize", "digest"] | None,
        Query(description="digest: one digest of the documents (or one per story with `group`), as in the body"),
    ] = None,
    group: Annotated[bool | None, Query(description="digest jobs: group the documents into stories")] = None,
) -> dict[str, Any]:
    """Submit documents for background summarization: a JSON list, {"documents": [...]}, or JSONL
    (also as a multipart `file`; a .docx, .pdf, .html or .txt file there is one document).
    `?task=digest[&group=true]` (or the same fields in a JSON object body) makes it a digest job:
    one result line per story.

    Each document is {"id"?, "text", "title"?}, checked like a `:batch` document. Documents
    that cannot be summarized are kept as error entries in the results, with their position;
    the job is stored before 202, and belongs to the API key that sent it. 503 while the
    jobs database cannot take it (see /readyz).
    """
    service = service_of(request)
    upload = await read_job_upload(request)
    owner = _owner(request) or ""

    def store() -> tuple[str, list[JobDocument]]:  # parsing, checking and writing: off the event loop
        query = {k: v for k, v in (("task", task), ("group", group)) if v is not None}
        documents, options = parse_job_documents(upload, service, query)
        return service.jobs.create(documents, options, owner), documents

    job_id, documents = await _jobs_call(store)
    service.job_event.set()
    logger.info("job accepted", extra={"job_id": job_id})
    return {
        "id": job_id,
        "status": "queued",
        "total": len(documents),
        "rejected": sum(d.error is not None for d in documents),
    }


def _owner(request: Request) -> str | None:
    """Whose jobs this request may see: its API key's sha256 digest; None without keys (every job)."""
    if not service_of(request).key_digests:
        return None
    _, _, key = request.headers.get("authorization", "").partition(" ")
    return hashlib.sha256(key.strip().encode()).hexdigest()


async def _jobs_call(call: Callable[..., T], *args: Any) -> T:
    """Run a blocking job-store call in a worker thread; an unusable database gives 503."""
    try:
        return await anyio.to_thread.run_sync(call, *args)
    except JobStoreError as exc:
        logger.error("jobs database error: %s", exc, exc_info=exc.__cause__ or exc)
        message = f"background jobs are unavailable: {exc}"
        raise ApiError(503, "jobs_unavailable", message, {"Retry-After": "5"}) from exc


def _found(status: JobStatus | None, job_id: str) -> JobStatus:
    if status is None:
        raise ApiError(404, "job_not_found", f"no job {job_id} (or it belongs to another API key)")
    return status


@router.get(
    "/v1/jobs",
    tags=["jobs"],
    dependencies=guarded,
    response_model=JobListResponse,
    responses=error_responses(401, 422, 503, descriptions={422: "a bad `limit` or `cursor` (`invalid_cursor`)"}),
)
async def list_jobs(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_JOBS_PAGE, description="jobs per page")] = 20,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
) -> dict[str, Any]:
    """The caller's jobs (with API keys on, only those of its key), newest first, a page at a time.

    Follow `next_cursor` until it is null; a bad cursor gets 422 `invalid_cursor`.
    """
    try:
        after = JobCursor.parse(cursor) if cursor is not None else None
    except ValueError as exc:
        raise ApiError(422, "invalid_cursor", f"{exc}; omit it for the first page") from exc
    jobs, owner = service_of(request).jobs, _owner(request)
    page = await _jobs_call(lambda: jobs.list_jobs(owner, limit=limit + 1, after=after))
    more = len(page) > limit
    page = page[:limit]
    next_cursor = JobCursor(page[-1].created, page[-1].id).token() if more else None
    return {"jobs": [status.as_dict() for status in page], "next_cursor": next_cursor}


@router.get(
    "/v1/jobs/{job_id}",
    tags=["jobs"],
    dependencies=guarded,
    response_model=JobStatusResponse,
    responses=error_responses(*JOB_ERRORS),
)
async def job_status(job_id: str, request: Request) -> dict[str, Any]:
    """Status and progress of a job (`progress.done` of `progress.total`; times in ISO 8601 UTC)."""
    return _found(await _jobs_call(service_of(request).jobs.status, job_id, _owner(request)), job_id).as_dict()


@router.get(
    "/v1/jobs/{job_id}/results",
    tags=["jobs"],
    dependencies=guarded,
    response_class=JSONLinesResponse,
    responses={**error_responses(*JOB_ERRORS), 200: {"description": "one JSON result per line"}},
)
async def job_results(job_id: str, request: Request) -> StreamingResponse:
    """Finished documents as JSONL, in input order (partial while the job runs)."""
    jobs = service_of(request).jobs
    _found(await _jobs_call(jobs.status, job_id, _owner(request)), job_id)
    # a plain iterator: Starlette reads it in a worker thread
    return StreamingResponse((line + "\n" for line in jobs.results(job_id)), media_type="application/x-ndjson")


@router.post(
    "/v1/jobs/{job_id}:cancel",
    tags=["jobs"],
    dependencies=guarded,
    response_model=JobStatusResponse,
    responses=error_responses(*JOB_ERRORS),
)
async def cancel_job(job_id: str, request: Request) -> dict[str, Any]:
    """Cancel a job: documents not yet summarized are left out (their texts deleted); results stay."""
    return _found(await _jobs_call(service_of(request).jobs.cancel, job_id, _owner(request)), job_id).as_dict()


@router.delete(
    "/v1/jobs/{job_id}",
    tags=["jobs"],
    dependencies=guarded,
    response_model=JobStatusResponse,
    responses=error_responses(*JOB_ERRORS),
)
async def delete_job(job_id: str, request: Request) -> dict[str, Any]:
    """Delete a job now, with its texts and results (a running job stops); its last status, as "deleted"."""
    status = _found(await _jobs_call(service_of(request).jobs.delete, job_id, _owner(request)), job_id)
    return {**status.as_dict(), "status": "deleted"}
