"""`Service`: what one app instance owns (settings, model, batcher, jobs, metrics)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from api.batcher import MicroBatcher
from api.errors import ApiError
from api.jobs import JobStore
from api.metrics import Metrics
from api.schemas import Output
from api.settings import Settings
from summarizer.document import Document, prepare_document
from summarizer.errors import InputTooLongError, InvalidInputError, SummarizerError
from summarizer.pipeline import Summarizer
from summarizer.types import Summary

logger = logging.getLogger("api")


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

    def _summarize_many(self, texts: list[str | Document], max_bullets: int) -> list[Summary]:
        assert self.summarizer is not None
        # chunks of one long document are batched too, not only concurrent requests
        batch_size = max(len(texts), self.summarizer.batch_size)
        return self.summarizer.summarize_many(texts, max_bullets=max_bullets, batch_size=batch_size)

    def ready(self) -> Summarizer:
        if self.summarizer is None:
            message = f"the model failed to load: {self.load_error}" if self.load_error else "the model is loading"
            raise ApiError(503, "not_ready", message + "; retry shortly", {"Retry-After": "5"})
        return self.summarizer

    def validate(self, text: Any, title: Any = None) -> Document:
        """The document as the model will read it, or InvalidInputError (422/413)."""
        if not isinstance(text, str):
            raise InvalidInputError(f"text must be a string, not {type(text).__name__}")
        size = len(text) + (len(title) if isinstance(title, str) else 0)
        if size > self.settings.max_chars:
            raise InputTooLongError(
                f"text has {size:,} characters; the limit is {self.settings.max_chars:,}. "
                "Split the document or use a background job with shorter parts."
            )
        return prepare_document(text, title=title)

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
            try:
                results = await loop.run_in_executor(self.executor, self._summarize_job_docs, docs, options)
            except Exception:  # the documents stay pending and are retried; the loop must not die
                logger.exception("job batch failed; retrying in 5 s", extra={"job_id": job_id})
                await asyncio.sleep(5)
                continue
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
        "evidence": summary.evidence_dicts(),
        "warnings": list(summary.info.warnings),
        "timings": summary.info.timings,
    }


def default_loader(settings: Settings) -> Callable[[], Summarizer]:
    def load() -> Summarizer:
        return Summarizer.from_pretrained(
            settings.model, device=settings.device, backend=settings.backend, threads=settings.threads
        )

    return load
