"""`create_app(settings)`: the FastAPI application of tomtat.

The model is loaded once, in the background, when the app starts (lifespan); /readyz says
503 until it is ready. Model calls run on one thread: interactive requests through the
micro-batcher, background jobs in between (they give way to interactive work).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api.digests import router as digest_router
from api.docs import DOCS_PAGES, install_docs
from api.errors import install_error_handlers
from api.guard import BODY_BYTES, RequestGuard, UploadSlots
from api.headers import SecurityHeaders
from api.responses import json_error_bodies
from api.routes import STATIC, router
from api.service import Service, default_loader
from api.settings import Settings
from summarizer.generation.allocator import share_malloc_arena
from summarizer.pipeline import Summarizer

logger = logging.getLogger("api")
access = logging.getLogger("api.access")

DISTRIBUTION = "tomtat"  # [project] name in pyproject.toml


def service_version() -> str:
    """The installed package's version (pyproject's), so /openapi.json never goes stale."""
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"


def create_app(settings: Settings | None = None, *, load: Callable[[], Summarizer] | None = None) -> FastAPI:
    """Build the app. `load` returns the Summarizer (default: settings.model from the registry)."""
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        share_malloc_arena()  # a `--workers N` child does not pass through the CLI's main
        service = Service(settings, load or default_loader(settings))
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
        version=service_version(),
        description="Vietnamese summarization: headline, abstract (sapo) and bullet points.",
        lifespan=lifespan,
        docs_url=None,  # api.docs serves /docs and /redoc, with their assets (no CDN)
        redoc_url=None,
    )
    install_error_handlers(app)
    generated_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        return json_error_bodies(generated_openapi())  # FastAPI caches the document; this is idempotent

    app.openapi = openapi  # type: ignore[method-assign]
    # innermost of the middlewares: CORS answers preflights (which carry no key) first, and
    # `observe` logs and counts the guard's 401s and 413s too
    app.add_middleware(
        RequestGuard,
        max_body_bytes=settings.max_body_bytes,
        key_digests=settings.key_digests(),
        also_protected=["/metrics"] if settings.metrics_require_key else [],
        body_timeout_s=settings.body_timeout_s,
        large_body_bytes=settings.large_body_bytes,
        uploads=UploadSlots(settings.max_uploads, settings.upload_queue),
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )

    @app.middleware("http")
    async def observe(request: Request, call_next: Callable[[Request], Any]) -> Response:
        request_id = request_id_of(request.headers.get("x-request-id"))
        started = time.perf_counter()
        response: Response = await call_next(request)
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
                "request_bytes": request.scope.get(BODY_BYTES, 0),
                "response_bytes": int(response.headers.get("content-length") or 0),
                "duration_ms": round(elapsed * 1000, 1),
            },
        )
        return response

    # outermost: every answer carries them, the guard's and CORS' refusals too
    app.add_middleware(
        SecurityHeaders,
        page_paths={"/"},
        docs_paths=DOCS_PAGES,
    )

    app.include_router(router)
    app.include_router(digest_router)
    install_docs(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id_of(given: str | None) -> str:
    """The client's X-Request-ID when it is a short printable token (1-128 of A-Z a-z 0-9 . _ : -),
    else a new one: a hostile value is never echoed nor logged."""
    if given is not None and REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex
