"""`create_app(settings)`: the FastAPI application of tomtat.

The model is loaded once, in the background, when the app starts (lifespan); /readyz says
503 until it is ready. Model calls run on one thread: interactive requests through the
micro-batcher, background jobs in between (they give way to interactive work).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.batcher import MicroBatcher
from api.errors import ApiError, error_body, install_error_handlers
from api.jobs import JobDocument, JobStore
from api.metrics import Metrics
from api.schemas import (
    EXAMPLE_TEXT,
    BatchItem,
    BatchRequest,
    BatchResponse,
    ErrorDetail,
    JobAccepted,
    JobStatusResponse,
    Output,
    SummaryRequest,
    SummaryResponse,
)
from api.settings import Settings
from summarizer.errors import InvalidInputError, SummarizerError
from summarizer.pipeline import Summarizer, prepare_text
from summarizer.types import Summary

logger = logging.getLogger("api")
access = logging.getLogger("api.access")

HEALTH_PATHS = ("/healthz", "/readyz", "/metrics")


class Service:
    """Everything one app instance owns: settings, model, batcher, jobs, metrics."""

    def __init__(self, settings: Settings, load: Callable[[], Summarizer]) -> None:
        self.settings = settings
        self.load = load
        self.metrics = Metrics()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tomtat-model")
        self.summarizer: Summarizer | None = None
        self.load_error: str | None = None
        self.jobs = JobStore(settings.jobs_db)
        self.job_event = asyncio.Event()
        self.key_digests = settings.key_digests()
        self.batcher = MicroBatcher(
            self._summarize_many,
            self.executor,
            self.metrics,
            max_size=settings.batch_max_size,
            wait_s=settings.batch_wait_ms / 1000,
            queue_size=settings.queue_size,
        )

    def _summarize_many(self, texts: list[str], max_bullets: int) -> list[Summary]:
        assert self.summarizer is not None
        return self.summarizer.summarize_many(texts, max_bullets=max_bullets, batch_size=len(texts))

    def ready(self) -> Summarizer:
        if self.summarizer is None:
            message = f"the model failed to load: {self.load_error}" if self.load_error else "the model is loading"
            raise ApiError(503, "not_ready", message + "; retry shortly", {"Retry-After": "5"})
        return self.summarizer

    def validate(self, text: Any, title: str | None = None) -> str:
        """The document as the model will read it, or InvalidInputError (422/413)."""
        from summarizer.errors import InputTooLongError

        if not isinstance(text, str):
            raise InvalidInputError(f"text must be a string, not {type(text).__name__}")
        if title:
            text = f"{title.strip()}\n{text}"
        if len(text) > self.settings.max_chars:
            raise InputTooLongError(
                f"text has {len(text):,} characters; the limit is {self.settings.max_chars:,}. "
                "Split the document or use a background job with shorter parts."
            )
        prepare_text(text)
        return text

    # -- background jobs ------------------------------------------------------------------

    async def run_jobs(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if self.summarizer is None or self.batcher.busy:
                await asyncio.sleep(0.05)
                continue
            batch = await loop.run_in_executor(None, self.jobs.next_batch, self.settings.job_batch_size)
            self.metrics.job_pending.set(await loop.run_in_executor(None, self.jobs.pending_count))
            if batch is None:
                self.job_event.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.job_event.wait(), 1.0)
                continue
            job_id, options, docs = batch
            results = await loop.run_in_executor(self.executor, self._summarize_job_docs, docs, options)
            await loop.run_in_executor(None, self.jobs.complete, job_id, results)

    def _summarize_job_docs(
        self, docs: list[tuple[int, str, str]], options: dict[str, Any]
    ) -> list[tuple[int, str, dict[str, Any]]]:
        max_bullets = int(options.get("max_bullets", 5))
        outputs = [Output(o) for o in options.get("outputs", [o.value for o in Output])]
        try:
            summaries = self._summarize_many([text for _, _, text in docs], max_bullets)
            pairs: list[Summary | Exception] = list(summaries)
        except SummarizerError:
            pairs = []
            for _, _, text in docs:
                try:
                    pairs.append(self._summarize_many([text], max_bullets)[0])
                except SummarizerError as exc:
                    pairs.append(exc)
        results = []
        for (position, doc_id, _), outcome in zip(docs, pairs, strict=True):
            if isinstance(outcome, Exception):
                payload = {"id": doc_id, "error": {"code": "invalid_text", "message": str(outcome)}}
                results.append((position, "error", payload))
                self.metrics.documents.labels("job", "error").inc()
            else:
                results.append((position, "done", response_body(outcome, outputs, doc_id)))
                self.metrics.documents.labels("job", "ok").inc()
                self.metrics.tokens.inc(outcome.info.generated_tokens)
        return results


def response_body(summary: Summary, outputs: list[Output], doc_id: str) -> dict[str, Any]:
    return {
        "id": doc_id,
        "headline": summary.headline if Output.headline in outputs else None,
        "abstract": summary.abstract if Output.abstract in outputs else None,
        "bullets": list(summary.bullets) if Output.bullets in outputs else None,
        "model": summary.info.model,
        "warnings": list(summary.info.warnings),
        "timings": summary.info.timings,
    }


def _default_loader(settings: Settings) -> Callable[[], Summarizer]:
    def load() -> Summarizer:
        return Summarizer.from_pretrained(
            settings.model, device=settings.device, backend=settings.backend, threads=settings.threads
        )

    return load


def create_app(settings: Settings | None = None, *, load: Callable[[], Summarizer] | None = None) -> FastAPI:
    """Build the app. `load` returns the Summarizer (default: settings.model from the registry)."""
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = Service(settings, load or _default_loader(settings))
        app.state.service = service
        loop = asyncio.get_running_loop()

        async def load_model() -> None:
            started = time.perf_counter()
            try:
                service.summarizer = await loop.run_in_executor(service.executor, service.load)
                logger.info("model ready in %.1f s", time.perf_counter() - started)
            except Exception as exc:
                service.load_error = str(exc)
                logger.error("model failed to load: %s", exc)

        tasks = [
            asyncio.create_task(load_model()),
            asyncio.create_task(service.batcher.run()),
            asyncio.create_task(service.run_jobs()),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            service.executor.shutdown(wait=True, cancel_futures=True)
            service.jobs.close()

    app = FastAPI(
        title="tomtat",
        version="0.1.0",
        description="Vietnamese summarization: headline, abstract (sapo) and bullet points.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )

    @app.middleware("http")
    async def observe(request: Request, call_next: Callable[[Request], Any]) -> Response:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        started = time.perf_counter()
        length = int(request.headers.get("content-length") or 0)
        if length > settings.max_body_bytes:
            response: Response = JSONResponse(
                error_body(
                    "body_too_large", f"the body has {length:,} bytes; the limit is {settings.max_body_bytes:,}"
                ),
                status_code=413,
            )
        else:
            response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        elapsed = time.perf_counter() - started
        service: Service | None = getattr(request.app.state, "service", None)
        if service is not None:
            service.metrics.requests.labels(path, str(response.status_code)).inc()
            service.metrics.latency.labels(path).observe(elapsed)
        response.headers["X-Request-ID"] = request_id
        access.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "request_bytes": length,
                "response_bytes": int(response.headers.get("content-length") or 0),
                "duration_ms": round(elapsed * 1000, 1),
            },
        )
        return response

    def service_of(request: Request) -> Service:
        return request.app.state.service

    def authorized(request: Request) -> None:
        digests = service_of(request).key_digests
        if not digests:
            return
        header = request.headers.get("authorization", "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key:
            raise ApiError(
                401, "unauthorized", "send an API key as 'Authorization: Bearer <key>'", {"WWW-Authenticate": "Bearer"}
            )
        digest = hashlib.sha256(key.strip().encode()).hexdigest()
        if not any(hmac.compare_digest(digest, known) for known in digests):  # constant time per comparison
            raise ApiError(401, "unauthorized", "the API key is not valid", {"WWW-Authenticate": "Bearer"})

    guarded = [Depends(authorized)]

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    async def readyz(request: Request) -> dict[str, str]:
        """503 until the model is loaded."""
        summarizer = service_of(request).ready()
        return {"status": "ready", "model": summarizer.spec.name}

    @app.get("/metrics", tags=["health"])
    async def metrics(request: Request) -> Response:
        """Prometheus metrics."""
        return Response(generate_latest(service_of(request).metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/v1/models", tags=["models"], dependencies=guarded)
    async def models(request: Request) -> dict[str, Any]:
        """The loaded model and its card data."""
        summarizer = service_of(request).ready()
        generator = summarizer.generator
        return {
            "model": summarizer.spec.card(),
            "backend": generator.backend if generator else "extractive",
            "device": generator.device if generator else "cpu",
        }

    @app.post("/v1/summaries", tags=["summaries"], dependencies=guarded, response_model=SummaryResponse)
    async def summarize(body: SummaryRequest, request: Request) -> dict[str, Any]:
        """Headline, abstract and bullets of one document."""
        service = service_of(request)
        service.ready()
        text = service.validate(body.text, body.title)
        summary = await service.batcher.submit(text, body.max_bullets, settings.request_timeout_s)
        service.metrics.documents.labels("request", "ok").inc()
        return response_body(summary, body.outputs, uuid.uuid4().hex)

    @app.post("/v1/summaries:batch", tags=["summaries"], dependencies=guarded, response_model=BatchResponse)
    async def summarize_batch(body: BatchRequest, request: Request) -> dict[str, Any]:
        """Several documents in one call; results in input order, one error entry per bad document."""
        service = service_of(request)
        service.ready()
        if len(body.documents) > settings.max_batch_documents:
            raise ApiError(
                413,
                "too_many_documents",
                f"{len(body.documents)} documents; the limit per call is {settings.max_batch_documents}: "
                "split the batch or submit a background job (POST /v1/jobs)",
            )
        entries: list[BatchItem | None] = [None] * len(body.documents)
        waiting = []
        for index, doc in enumerate(body.documents):
            try:
                text = service.validate(doc.text, doc.title)
            except InvalidInputError as exc:
                code = "text_too_long" if "limit" in str(exc) else "invalid_text"
                entries[index] = BatchItem(id=doc.id, error=ErrorDetail(code=code, message=str(exc)))
                continue
            waiting.append((index, service.batcher.submit(text, body.max_bullets, settings.request_timeout_s)))
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

    @app.post(
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
        documents, options = await _read_job_documents(request, service)
        if not documents:
            raise ApiError(422, "empty_job", "the job has no documents")
        if len(documents) > settings.max_job_documents:
            raise ApiError(
                413,
                "too_many_documents",
                f"{len(documents)} documents; the limit per job is {settings.max_job_documents}",
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

    @app.get("/v1/jobs/{job_id}", tags=["jobs"], dependencies=guarded, response_model=JobStatusResponse)
    async def job_status(job_id: str, request: Request) -> dict[str, Any]:
        """Status and progress (done/total) of a job."""
        status = service_of(request).jobs.status(job_id)
        if status is None:
            raise ApiError(404, "job_not_found", f"no job {job_id}")
        return status.as_dict()

    @app.get("/v1/jobs/{job_id}/results", tags=["jobs"], dependencies=guarded)
    async def job_results(job_id: str, request: Request) -> StreamingResponse:
        """Finished documents as JSONL, in input order (partial while the job runs)."""
        jobs = service_of(request).jobs
        if jobs.status(job_id) is None:
            raise ApiError(404, "job_not_found", f"no job {job_id}")
        return StreamingResponse((line + "\n" for line in jobs.results(job_id)), media_type="application/x-ndjson")

    @app.delete("/v1/jobs/{job_id}", tags=["jobs"], dependencies=guarded, response_model=JobStatusResponse)
    async def cancel_job(job_id: str, request: Request) -> dict[str, Any]:
        """Cancel a job: documents not yet summarized are left out; finished results stay."""
        status = service_of(request).jobs.cancel(job_id)
        if status is None:
            raise ApiError(404, "job_not_found", f"no job {job_id}")
        return status.as_dict()

    return app


async def _read_job_documents(request: Request, service: Service) -> tuple[list[JobDocument], dict[str, Any]]:
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
                text = service.validate(item.get("text"), item.get("title"))
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
