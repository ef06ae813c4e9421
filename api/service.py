"""`Service`: what one app instance owns (settings, model, batcher, jobs, metrics)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio

from api.batcher import MicroBatcher
from api.digest_work import is_digest_job, run_digest_job
from api.errors import RETRY_AFTER_NOT_READY, ApiError, summarizer_error_status
from api.jobs import Claim, Finished, JobStore, JobStoreError
from api.metrics import Metrics
from api.schemas import Output
from api.settings import Settings
from summarizer.document import Document, prepare_document
from summarizer.errors import InputTooLongError, InvalidInputError, SummarizerError
from summarizer.options import DEFAULT_BULLETS, SummarizeOptions
from summarizer.pipeline import Outcome, Summarizer
from summarizer.types import Summary

logger = logging.getLogger("api")

MAX_BACKOFF_S = 60.0  # the job runner's longest wait after an error
PURGE_EVERY_S = 600.0  # how often finished jobs past their retention are looked for


class Service:
    """Everything one app instance owns: settings, model, batcher, jobs, metrics."""

    def __init__(self, settings: Settings, load: Callable[[], Summarizer]) -> None:
        self.settings = settings
        self.load = load
        self.metrics = Metrics()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tomtat-model")
        self.summarizer: Summarizer | None = None
        self.load_error: str | None = None
        self.jobs = JobStore(settings.jobs_db, busy_timeout_s=settings.job_db_timeout_s)
        logger.info("jobs database: %s (schema version %d)", self.jobs.path, self.jobs.version)
        self.job_event = asyncio.Event()
        self.job_runner_problem: str | None = "the job runner has not started yet"
        self.key_digests = settings.key_digests()
        self.batcher = MicroBatcher(
            self._summarize_each,
            self.executor,
            self.metrics,
            max_size=settings.batch_max_size,
            wait_s=settings.batch_wait_ms / 1000,
            queue_size=settings.queue_size,
        )

    def _summarize_each(self, documents: list[Document], options: SummarizeOptions) -> list[Summary | SummarizerError]:
        """The micro-batcher's model call (model thread): one summary or error per document."""
        assert self.summarizer is not None
        # chunks of one long document are batched too, not only concurrent requests
        batch_size = max(len(documents), self.summarizer.batch_size)
        return self.summarizer.summarize_each(documents, options=options, batch_size=batch_size)

    def ready(self) -> Summarizer:
        if self.summarizer is None:
            message = f"the model failed to load: {self.load_error}" if self.load_error else "the model is loading"
            raise ApiError(503, "not_ready", message + "; retry shortly", {"Retry-After": RETRY_AFTER_NOT_READY})
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

    def jobs_problem(self) -> str | None:
        """Why background jobs cannot run now (runner down or failing, database unusable), or None."""
        return self.job_runner_problem or self.jobs.problem()

    async def run_jobs(self) -> None:
        """The job runner (one task per app): claim documents, summarize them, write the results.

        It never stops on an error: the error is logged (with the job id), reported by
        /readyz (`jobs_problem`) and the step is retried with exponential backoff. Documents
        whose attempt failed go back to the queue, or are marked failed after
        `job_max_attempts` attempts. Results the database refused are kept and written
        first at the next step.
        """
        failures = 0
        unsaved: tuple[Claim, list[Finished], dict[int, str]] | None = None
        next_purge = 0.0
        self.job_runner_problem = None
        try:
            while True:
                claim: Claim | None = unsaved[0] if unsaved else None
                try:
                    if unsaved is not None:
                        await anyio.to_thread.run_sync(self._save_job_results, *unsaved)
                        unsaved = None
                    if time.monotonic() >= next_purge:
                        await self._purge_jobs()
                        next_purge = time.monotonic() + self._purge_interval_s()
                    if self.summarizer is None or self.batcher.busy:
                        await asyncio.sleep(0.05)
                        continue
                    self.metrics.job_pending.set(await anyio.to_thread.run_sync(self.jobs.pending_count))
                    claim = await anyio.to_thread.run_sync(self._claim_jobs)  # from here on, nothing may lose it
                    if claim is None:
                        failures, self.job_runner_problem = 0, None
                        self.job_event.clear()
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self.job_event.wait(), 1.0)
                        continue
                    unsaved = await self._run_claim(claim)
                    await anyio.to_thread.run_sync(self._save_job_results, *unsaved)
                    failed_documents = bool(unsaved[2])
                    unsaved = None
                    self.job_runner_problem = None
                    failures = 0
                    if failed_documents:  # retried alone after a short pause (the cause may pass);
                        # a fixed pause, not the runner's backoff: other jobs go on meanwhile
                        await asyncio.sleep(self.settings.job_retry_backoff_s)
                except Exception as exc:  # the runner must outlive any error
                    failures += 1
                    delay = self._backoff_s(failures)
                    self.job_runner_problem = f"the job runner failed {failures} time(s) in a row: {exc}"
                    logger.error(
                        "job runner error (%d in a row); retrying in %.1f s: %s: %s",
                        failures,
                        delay,
                        type(exc).__name__,
                        exc,
                        exc_info=not isinstance(exc, JobStoreError),
                        extra={"job_id": claim.job_id if claim else None},
                    )
                    await asyncio.sleep(delay)
        except BaseException as exc:
            self.job_runner_problem = f"the job runner has stopped ({type(exc).__name__}); restart the service"
            if not isinstance(exc, asyncio.CancelledError):
                logger.critical("the job runner stopped: %r", exc)
            raise

    def _backoff_s(self, failures: int) -> float:
        # the exponent is capped: 2 ** 1025 overflows a float, and the wait is capped anyway
        return float(min(self.settings.job_retry_backoff_s * 2 ** min(failures - 1, 32), MAX_BACKOFF_S))

    def _claim_jobs(self) -> Claim | None:
        return self.jobs.claim(
            self.settings.job_batch_size,
            max_attempts=self.settings.job_max_attempts,
            claim_timeout_s=self.settings.job_claim_timeout_s,
        )

    def _purge_interval_s(self) -> float:
        return min(PURGE_EVERY_S, self.settings.job_retention_hours * 3600 / 4)

    async def _purge_jobs(self) -> None:
        deleted = await anyio.to_thread.run_sync(self.jobs.purge, self.settings.job_retention_hours * 3600)
        if deleted:
            logger.info("deleted %d finished job(s) past the retention period", deleted)

    async def _run_claim(self, claim: Claim) -> tuple[Claim, list[Finished], dict[int, str]]:
        """Summarize a claim's documents (renewing the claim meanwhile); its results to save.

        An exception from the model fails the attempt of every document in the claim.
        """
        loop = asyncio.get_running_loop()
        work = loop.run_in_executor(self.executor, self._summarize_job_docs, claim)
        renew_every = self.settings.job_claim_timeout_s / 4
        while True:
            done, _ = await asyncio.wait({work}, timeout=renew_every)
            if done:
                break
            try:
                await anyio.to_thread.run_sync(self.jobs.touch, claim)
            except JobStoreError as exc:
                logger.warning("could not renew a job claim: %s", exc, extra={"job_id": claim.job_id})
        try:
            outcomes = work.result()
        except Exception as exc:  # the documents are retried, or marked failed
            logger.error(
                "job documents failed: %s: %s", type(exc).__name__, exc, exc_info=True, extra={"job_id": claim.job_id}
            )
            return claim, [], {p: f"{type(exc).__name__}: {exc}" for p in claim.positions}
        try:
            return (claim, *self._job_results(claim, outcomes))
        except Exception as exc:  # e.g. stored options that cannot be read: fail the attempt, keep the claim's fate
            logger.error(
                "job results could not be made: %s", type(exc).__name__, exc_info=True, extra={"job_id": claim.job_id}
            )
            return claim, [], {p: f"{type(exc).__name__}: {exc}" for p in claim.positions}

    def _save_job_results(self, claim: Claim, finished: list[Finished], failed: dict[int, str]) -> None:
        self.jobs.complete(claim, finished, failed, max_attempts=self.settings.job_max_attempts)

    def _summarize_job_docs(self, claim: Claim) -> list[Outcome] | list[Finished]:
        """One result per claimed document (model thread): its summary or its error; a digest job's
        final results (claimed whole: one line per story, `api.digest_work`)."""
        assert self.summarizer is not None
        documents = claim.documents
        if is_digest_job(claim.options):
            return run_digest_job(self.summarizer, documents, claim.options)
        return self.summarizer.summarize_each(
            [d.text for d in documents],
            titles=[d.title for d in documents],
            options=SummarizeOptions(
                max_bullets=int(claim.options.get("max_bullets", DEFAULT_BULLETS)),
                max_words=claim.options.get("max_words"),
            ),
            batch_size=max(len(documents), self.summarizer.batch_size),
        )

    def _job_results(
        self, claim: Claim, outcomes: list[Outcome] | list[Finished]
    ) -> tuple[list[Finished], dict[int, str]]:
        """Final results (summaries, invalid documents) and failed attempts (other errors)."""
        if is_digest_job(claim.options):  # already final (a failed digest raised: the attempt failed)
            finished = [r for r in outcomes if isinstance(r, tuple)]
            self.metrics.documents.labels("job", "ok").inc(sum(status == "done" for _, status, _ in finished))
            return finished, {}
        outputs = [Output(o) for o in claim.options.get("outputs", [o.value for o in Output])]
        finished: list[Finished] = []
        failed: dict[int, str] = {}
        for doc, outcome in zip(claim.documents, outcomes, strict=True):
            if isinstance(outcome, InvalidInputError):
                _, code, message = summarizer_error_status(outcome)
                error = {"code": code, "message": message}
                finished.append((doc.position, "error", {"id": doc.doc_id, "error": error}))
                self.metrics.documents.labels("job", "error").inc()
            elif isinstance(outcome, SummarizerError):
                failed[doc.position] = f"{type(outcome).__name__}: {outcome}"
                logger.error(
                    "job document %s failed (attempt %d): %s",
                    doc.position,
                    doc.attempts,
                    failed[doc.position],
                    extra={"job_id": claim.job_id},
                )
            else:
                finished.append((doc.position, "done", response_body(outcome, outputs, doc.doc_id)))
                self.metrics.documents.labels("job", "ok").inc()
                self.metrics.tokens.inc(outcome.info.generated_tokens)
        return finished, failed


EVIDENCE_PART = {Output.headline: "headline", Output.abstract: "abstract", Output.bullets: "bullet"}
"""The `Evidence.part` of each output."""


def response_body(summary: Summary, outputs: list[Output], doc_id: str) -> dict[str, Any]:
    """A summary as the API returns it: only the asked `outputs`, and only their evidence."""
    parts = {EVIDENCE_PART[output] for output in outputs}
    return {
        "id": doc_id,
        "headline": summary.headline if Output.headline in outputs else None,
        "abstract": summary.abstract if Output.abstract in outputs else None,
        "bullets": list(summary.bullets) if Output.bullets in outputs else None,
        "model": summary.info.model,
        "evidence": [entry for entry in summary.evidence_dicts() if entry["part"] in parts],
        "warnings": list(summary.info.warnings),
        "timings": summary.info.timings,
    }


def default_loader(settings: Settings) -> Callable[[], Summarizer]:
    """Load `settings.model` with the settings' load options (device, dtype, backend...)."""

    def load() -> Summarizer:
        summarizer = Summarizer.from_pretrained(settings.model, load=settings.load_options())
        summarizer.warm_up()  # a service summarizes request after request
        return summarizer

    return load
