"""The HTTP routes: health, models, summaries, jobs."""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import authorized, service_of
from api.errors import ApiError
from api.jobs import JobStatus
from api.schemas import (
    EXAMPLE_TEXT,
    BatchItem,
    BatchRequest,
    BatchResponse,
    ErrorDetail,
    JobAccepted,
    JobStatusResponse,
    SummaryRequest,
    SummaryResponse,
)
from api.service import response_body
from api.uploads import read_job_documents
from summarizer.errors import InputTooLongError, InvalidInputError

logger = logging.getLogger("api")

router = APIRouter()
STATIC = Path(__file__).with_name("static")
guarded = [Depends(authorized)]


@router.get("/", include_in_schema=False)
async def page() -> FileResponse:
    """The editors' page (static, offline; it calls the public endpoints below)."""
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


@router.get("/healthz", tags=["health"])
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get("/readyz", tags=["health"])
async def readyz(request: Request) -> dict[str, str]:
    """503 until the model is loaded."""
    summarizer = service_of(request).ready()
    return {"status": "ready", "model": summarizer.spec.name}


@router.get("/metrics", tags=["health"])
async def metrics(request: Request) -> Response:
    """Prometheus metrics."""
    return Response(generate_latest(service_of(request).metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/v1/models", tags=["models"], dependencies=guarded)
async def models(request: Request) -> dict[str, Any]:
    """The loaded model and its card data."""
    summarizer = service_of(request).ready()
    generator = summarizer.generator
    return {
        "model": summarizer.spec.card(),
        "backend": generator.backend if generator else "extractive",
        "device": generator.device if generator else "cpu",
    }


@router.post("/v1/summaries", tags=["summaries"], dependencies=guarded, response_model=SummaryResponse)
async def summarize(body: SummaryRequest, request: Request) -> dict[str, Any]:
    """Headline, abstract and bullets of one document."""
    service = service_of(request)
    service.ready()
    document = service.validate(body.text, body.title)
    summary = await service.batcher.submit(document, body.max_bullets, service.settings.request_timeout_s)
    service.metrics.documents.labels("request", "ok").inc()
    result = response_body(summary, body.outputs, uuid.uuid4().hex)
    if body.include_source:
        result["source"] = document.text
    return result


@router.post("/v1/summaries:batch", tags=["summaries"], dependencies=guarded, response_model=BatchResponse)
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
    entries: list[BatchItem | None] = [None] * len(body.documents)
    waiting = []
    for index, doc in enumerate(body.documents):
        try:
            document = service.validate(doc.text, doc.title)
        except InvalidInputError as exc:
            code = "text_too_long" if isinstance(exc, InputTooLongError) else "invalid_text"
            entries[index] = BatchItem(id=doc.id, error=ErrorDetail(code=code, message=str(exc)))
            continue
        waiting.append((index, service.batcher.submit(document, body.max_bullets, service.settings.request_timeout_s)))
    outcomes = await asyncio.gather(*(w for _, w in waiting), return_exceptions=True)
    for (index, _), outcome in zip(waiting, outcomes, strict=True):
        doc_id = body.documents[index].id
        if isinstance(outcome, ApiError):
            entries[index] = BatchItem(id=doc_id, error=ErrorDetail(code=outcome.code, message=outcome.message))
        elif isinstance(outcome, BaseException):
            logger.error("batch document failed: %s", type(outcome).__name__)
            entries[index] = BatchItem(id=doc_id, error=ErrorDetail(code="internal_error", message="failed"))
        else:
            entries[index] = BatchItem(id=doc_id, result=response_body(outcome, body.outputs, doc_id))
    return {"results": entries}


job_document = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "text": {"type": "string"}, "title": {"type": "string"}},
    "required": ["text"],
}
job_body = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "array", "items": job_document},
                "example": [{"id": "bai-1", "text": EXAMPLE_TEXT}, {"id": "bai-2", "text": "Hà Nội mưa lớn."}],
            },
            "application/x-ndjson": {"schema": {"type": "string", "description": "one document per line"}},
        },
    }
}


@router.post(
    "/v1/jobs",
    tags=["jobs"],
    dependencies=guarded,
    status_code=202,
    response_model=JobAccepted,
    openapi_extra=job_body,
)
async def create_job(request: Request) -> dict[str, Any]:
    """Submit documents for background summarization: a JSON list, {"documents": [...]}, or JSONL.

    Each document is {"id"?, "text", "title"?}. Documents that cannot be summarized are kept
    as error entries in the results, with their position; the job is stored before 202.
    """
    service = service_of(request)
    documents, options = await read_job_documents(request, service)
    if not documents:
        raise ApiError(422, "empty_job", "the job has no documents")
    if len(documents) > service.settings.max_job_documents:
        raise ApiError(
            413,
            "too_many_documents",
            f"{len(documents)} documents; the limit per job is {service.settings.max_job_documents}",
        )
    loop = asyncio.get_running_loop()
    job_id = await loop.run_in_executor(None, service.jobs.create, documents, options)
    service.job_event.set()
    logger.info("job accepted", extra={"job_id": job_id})
    return {
        "id": job_id,
        "status": "queued",
        "total": len(documents),
        "rejected": sum(d.error is not None for d in documents),
    }


def _found(status: JobStatus | None, job_id: str) -> JobStatus:
    if status is None:
        raise ApiError(404, "job_not_found", f"no job {job_id}")
    return status


@router.get("/v1/jobs/{job_id}", tags=["jobs"], dependencies=guarded, response_model=JobStatusResponse)
async def job_status(job_id: str, request: Request) -> dict[str, Any]:
    """Status and progress (done/total) of a job."""
    return _found(service_of(request).jobs.status(job_id), job_id).as_dict()


@router.get("/v1/jobs/{job_id}/results", tags=["jobs"], dependencies=guarded)
async def job_results(job_id: str, request: Request) -> StreamingResponse:
    """Finished documents as JSONL, in input order (partial while the job runs)."""
    jobs = service_of(request).jobs
    _found(jobs.status(job_id), job_id)
    return StreamingResponse((line + "\n" for line in jobs.results(job_id)), media_type="application/x-ndjson")


@router.delete("/v1/jobs/{job_id}", tags=["jobs"], dependencies=guarded, response_model=JobStatusResponse)
async def cancel_job(job_id: str, request: Request) -> dict[str, Any]:
    """Cancel a job: documents not yet summarized are left out; finished results stay."""
    return _found(service_of(request).jobs.cancel(job_id), job_id).as_dict()
