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
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api.errors import install_error_handlers
from api.guard import BODY_BYTES, RequestGuard
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
    )
    install_error_handlers(app)
    # innermost of the middlewares: CORS answers preflights (which carry no key) first, and
    # `observe` logs and counts the guard's 401s and 413s too
    app.add_middleware(
        RequestGuard,
        max_body_bytes=settings.max_body_bytes,
        key_digests=settings.key_digests(),
        also_protected=["/metrics"] if settings.metrics_require_key else [],
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
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
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

    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
