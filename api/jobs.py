"""Background jobs, stored in SQLite so that an accepted job survives a restart or a crash.

Exactly-once: a worker claims documents atomically (`claim`, inside BEGIN IMMEDIATE) before it
summarizes them, and writes each result in the same transaction that marks it done. Several
server processes (`--workers N`) can share one database: a document is claimed by one of
them only. A crash leaves the crashed worker's claims behind; they are taken back at once
when its process is gone (same host), or when it has not renewed them for `claim_timeout_s`,
and the documents are redone. A done document is never summarized again.

A document that keeps failing (an error, or a crash while it was claimed) is retried alone,
and marked failed with its last error after `max_attempts` attempts: it never blocks a job.

Jobs belong to the API key that created them (the key's sha256 digest, `owner`); finished
jobs are deleted, texts and results with them, by `purge` after the retention period. Input
texts are dropped as soon as a document is done. The file, its schema and its health are
`api.job_db`'s.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from api.job_db import JobDatabase, JobStoreError, process_gone, worker_identity

__all__ = [
    "Claim",
    "ClaimedDocument",
    "JobCursor",
    "JobDocument",
    "JobStatus",
    "JobStore",
    "JobStoreError",
    "worker_identity",
]

logger = logging.getLogger("api.jobs")

Finished = tuple[int, str, dict[str, Any] | None]
"""A document's final result: (position, "done" | "error", payload); a None payload: done, with no
result line of its own (a digest job's story has one line, at its first document)."""


@dataclass(frozen=True)
class JobDocument:
    """One submitted document; `error` set when it was refused at submission (kept, not dropped)."""

    doc_id: str
    text: str | None
    error: dict[str, str] | None = None
    title: str | None = None


@dataclass(frozen=True)
class ClaimedDocument:
    position: int
    doc_id: str
    title: str | None
    text: str
    attempts: int  # this claim included


@dataclass(frozen=True)
class Claim:
    """Documents of one job that this worker holds until it completes them (or the claim is taken back)."""

    job_id: str
    options: dict[str, Any]
    documents: list[ClaimedDocument]

    @property
    def positions(self) -> list[int]:
        return [d.position for d in self.documents]


@dataclass(frozen=True)
class JobStatus:
    """A job's state. `done` counts the documents summarized, `failed` those that ended in an
    error entry; times are Unix seconds (`as_dict` gives them in ISO 8601 UTC)."""

    id: str
    status: str
    total: int
    done: int
    failed: int
    created: float
    updated: float

    def as_dict(self) -> dict[str, Any]:
        """The API's view: one progress count (`progress.done`: documents with a result line,
        summary or error entry; `progress.failed`: how many of them are errors), ISO 8601 UTC times."""
        return {
            "id": self.id,
            "status": self.status,
            "progress": {"done": self.done + self.failed, "failed": self.failed, "total": self.total},
            "created": iso_utc(self.created),
            "updated": iso_utc(self.updated),
        }


@dataclass(frozen=True)
class JobCursor:
    """Where a page of `JobStore.list_jobs` ended: its last job. `token()` is the opaque string the API
    hands out (`next_cursor`); `parse` reads it back."""

    created: float
    job_id: str

    def token(self) -> str:
        raw = f"{self.created!r}/{self.job_id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def parse(cls, token: str) -> JobCursor:
        """Raises ValueError when `token` is not one that `token()` made."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            created, job_id = raw.split("/", 1)
            cursor = cls(float(created), job_id)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError("the cursor is not one this service gave out") from exc
        if not job_id or not math.isfinite(cursor.created):
            raise ValueError("the cursor is not one this service gave out")
        return cursor


def iso_utc(seconds: float) -> str:
    """Unix seconds as ISO 8601 UTC with milliseconds: "2026-07-05T08:30:00.250Z"."""
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def failure_payload(doc_id: str, attempts: int, last_error: str | None) -> dict[str, Any]:
    return {
        "id": doc_id,
        "error": {
            "code": "summarization_failed",
            "message": f"summarization failed {attempts} times; last error: {last_error or 'unknown'}",
        },
    }


class JobStore(JobDatabase):
    """SQLite-backed job queue: submitted jobs, claims, results, retention.

    Opened like `JobDatabase` (its arguments and errors), which owns the file and its health.
    """

    # -- the API's side -------------------------------------------------------------------

    def create(self, documents: list[JobDocument], options: dict[str, Any], owner: str = "") -> str:
        """Store a job and all its documents in one transaction; returns the job id."""
        job_id = uuid.uuid4().hex
        now = time.time()
        rows = [
            (
                job_id,
                position,
                doc.doc_id,
                doc.title,
                doc.text,
                len(doc.text or ""),
                "error" if doc.error else "pending",
                json.dumps({"id": doc.doc_id, "error": doc.error}, ensure_ascii=False) if doc.error else None,
            )
            for position, doc in enumerate(documents)
        ]
        with self._session(write=True) as db:
            db.execute(
                "INSERT INTO jobs (id, status, created, updated, options, owner) VALUES (?, 'queued', ?, ?, ?, ?)",
                (job_id, now, now, json.dumps(options), owner),
            )
            db.executemany(
                "INSERT INTO documents (job_id, position, doc_id, title, text, length, status, result) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            self._finish_jobs(db, now, job_id)  # a job of refused documents only is complete at once
        return job_id

    def status(self, job_id: str, owner: str | None = None) -> JobStatus | None:
        """The job's status; None when there is no such job (or it belongs to another owner).

        owner None: any job (no API keys); a digest: only that key's jobs.
        """
        with self._session(write=False) as db:
            return self._status(db, job_id, owner)

    def _status(self, db: sqlite3.Connection, job_id: str, owner: str | None) -> JobStatus | None:
        job = db.execute("SELECT id, status, created, updated, owner FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if job is None or (owner is not None and job[4] != owner):
            return None
        counts = dict(
            db.execute("SELECT status, COUNT(*) FROM documents WHERE job_id = ? GROUP BY status", (job_id,)).fetchall()
        )
        total = sum(counts.values())
        return JobStatus(job[0], job[1], total, counts.get("done", 0), counts.get("error", 0), job[2], job[3])

    def list_jobs(
        self, owner: str | None = None, *, limit: int = 20, after: JobCursor | None = None
    ) -> list[JobStatus]:
        """Up to `limit` jobs, newest first (ties by id), those after the cursor `after` when given.

        owner None: every job (no API keys); a digest: only that key's jobs.
        """
        where, args = [], []
        if owner is not None:
            where.append("owner = ?")
            args.append(owner)
        if after is not None:
            where.append("(created < ? OR (created = ? AND id < ?))")
            args += [after.created, after.created, after.job_id]
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        with self._session(write=False) as db:
            jobs = db.execute(
                f"SELECT id, status, created, updated FROM jobs {clause} ORDER BY created DESC, id DESC LIMIT ?",
                (*args, limit),
            ).fetchall()
            counts: dict[str, dict[str, int]] = {job[0]: {} for job in jobs}
            if jobs:
                rows = db.execute(
                    "SELECT job_id, status, COUNT(*) FROM documents "
                    f"WHERE job_id IN ({','.join('?' * len(jobs))}) GROUP BY job_id, status",
                    [job[0] for job in jobs],
                ).fetchall()
                for job_id, status, count in rows:
                    counts[job_id][status] = count
        return [
            JobStatus(
                job_id,
                status,
                sum(counts[job_id].values()),
                counts[job_id].get("done", 0),
                counts[job_id].get("error", 0),
                created,
                updated,
            )
            for job_id, status, created, updated in jobs
        ]

    def cancel(self, job_id: str, owner: str | None = None) -> JobStatus | None:
        """Stop a job: its documents not yet claimed are dropped (texts deleted); results stay."""
        now = time.time()
        with self._session(write=True) as db:
            if self._status(db, job_id, owner) is None:
                return None
            changed = db.execute(
                "UPDATE jobs SET status = 'cancelled', updated = ?, finished = ? "
                "WHERE id = ? AND status IN ('queued', 'running')",
                (now, now, job_id),
            ).rowcount
            if changed:
                db.execute(
                    "UPDATE documents SET text = NULL, title = NULL WHERE job_id = ? AND status = 'pending'", (job_id,)
                )
            return self._status(db, job_id, owner)

    def delete(self, job_id: str, owner: str | None = None) -> JobStatus | None:
        """Delete a job with its texts and results (a running job stops); its last status, or None."""
        with self._session(write=True) as db:
            status = self._status(db, job_id, owner)
            if status is None:
                return None
            db.execute("DELETE FROM documents WHERE job_id = ?", (job_id,))
            db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
        self.truncate_wal()
        return status

    def results(self, job_id: str) -> Iterator[str]:
        """Finished documents' result lines (JSON), in input order."""
        position = -1
        while True:
            with self._session(write=False) as db:
                rows = db.execute(
                    "SELECT position, result FROM documents WHERE job_id = ? AND position > ? "
                    "AND status IN ('done', 'error') AND result IS NOT NULL ORDER BY position LIMIT 500",
                    (job_id, position),
                ).fetchall()
            if not rows:
                return
            yield from (result for _, result in rows)
            position = rows[-1][0]

    # -- the runner's side ----------------------------------------------------------------

    def pending_count(self) -> int:
        with self._session(write=False) as db:
            row = db.execute(
                "SELECT COUNT(*) FROM documents d JOIN jobs j ON j.id = d.job_id "
                "WHERE d.status IN ('pending', 'running') AND j.status IN ('queued', 'running')"
            ).fetchone()
        return int(row[0])

    def claim(self, size: int, *, max_attempts: int, claim_timeout_s: float) -> Claim | None:
        """Claim the oldest active job's next pending documents (shortest first), or None.

        On the way: claims of dead workers (a local process that is gone, or no renewal for
        `claim_timeout_s`) are taken back, documents out of attempts are marked failed, and
        jobs with nothing left are marked completed. A document that failed before is
        claimed alone, so that it cannot fail the documents around it again.
        """
        now = time.time()
        with self._session(write=True) as db:
            self._reclaim(db, now, claim_timeout_s)
            self._fail_exhausted(db, max_attempts)
            self._finish_jobs(db, now)
            job = db.execute(
                "SELECT id, options FROM jobs WHERE status IN ('queued', 'running') AND EXISTS "
                "(SELECT 1 FROM documents d WHERE d.job_id = jobs.id AND d.status = 'pending') "
                "ORDER BY created LIMIT 1"
            ).fetchone()
            if job is None:
                return None
            job_id = str(job[0])
            whole = json.loads(job[1]).get("task") == "digest"  # a digest reads all its documents at once
            retried = db.execute(
                "SELECT 1 FROM documents WHERE job_id = ? AND status = 'pending' AND attempts > 0 LIMIT 1", (job_id,)
            ).fetchone()
            rows = db.execute(
                "UPDATE documents SET status = 'running', claimed_by = ?, claimed_at = ?, attempts = attempts + 1 "
                "WHERE job_id = ? AND position IN (SELECT position FROM documents WHERE job_id = ? "
                "AND status = 'pending' ORDER BY attempts = 0, length, position LIMIT ?) "
                "RETURNING position, doc_id, title, text, attempts, length",
                (self.worker, now, job_id, job_id, -1 if whole else 1 if retried else size),  # -1: no limit
            ).fetchall()
            db.execute(
                "UPDATE jobs SET status = 'running', updated = ? WHERE id = ? AND status = 'queued'", (now, job_id)
            )
        rows.sort(key=lambda r: (r[5], r[0]))
        documents = [ClaimedDocument(int(p), str(d), t, str(x or ""), int(a)) for p, d, t, x, a, _ in rows]
        return Claim(job_id, json.loads(job[1]), documents)

    def touch(self, claim: Claim) -> None:
        """Renew this worker's claim (called while the documents are being summarized)."""
        with self._session(write=True) as db:
            db.execute(
                "UPDATE documents SET claimed_at = ? WHERE job_id = ? AND claimed_by = ? AND status = 'running'",
                (time.time(), claim.job_id, self.worker),
            )

    def complete(
        self,
        claim: Claim,
        finished: list[Finished],
        failed: dict[int, str] | None = None,
        *,
        max_attempts: int = 1,
    ) -> int:
        """Write a claim's outcome in one transaction; returns how many results were written.

        finished: (position, "done" | "error", payload) of documents with a final result;
        their input text is deleted. failed: position -> error of documents whose attempt
        failed: they go back to pending, or are marked failed once out of attempts. Only
        documents this worker still holds are written (a claim taken back is not).
        """
        now = time.time()
        failed = failed or {}
        attempts = {d.position: d for d in claim.documents}
        with self._session(write=True) as db:
            written = db.executemany(
                "UPDATE documents SET status = ?, result = ?, text = NULL, title = NULL, claimed_by = NULL "
                "WHERE job_id = ? AND position = ? AND status = 'running' AND claimed_by = ?",
                [
                    (
                        status,
                        None if payload is None else json.dumps(payload, ensure_ascii=False),
                        claim.job_id,
                        pos,
                        self.worker,
                    )
                    for pos, status, payload in finished
                ],
            ).rowcount
            for position, error in failed.items():
                doc = attempts[position]
                if doc.attempts >= max_attempts:
                    payload = json.dumps(failure_payload(doc.doc_id, doc.attempts, error), ensure_ascii=False)
                    db.execute(
                        "UPDATE documents SET status = 'error', result = ?, last_error = ?, text = NULL, "
                        "title = NULL, claimed_by = NULL WHERE job_id = ? AND position = ? AND status = 'running' "
                        "AND claimed_by = ?",
                        (payload, error, claim.job_id, position, self.worker),
                    )
                else:
                    db.execute(
                        "UPDATE documents SET status = 'pending', last_error = ?, claimed_by = NULL "
                        "WHERE job_id = ? AND position = ? AND status = 'running' AND claimed_by = ?",
                        (error, claim.job_id, position, self.worker),
                    )
            db.execute("UPDATE jobs SET updated = ? WHERE id = ?", (now, claim.job_id))
            self._finish_jobs(db, now, claim.job_id)
        return max(written, 0)

    def purge(self, older_than_s: float) -> int:
        """Delete jobs finished more than `older_than_s` ago, with their texts and results."""
        cutoff = time.time() - older_than_s
        with self._session(write=True) as db:
            expired = [
                row[0]
                for row in db.execute(
                    "SELECT id FROM jobs WHERE finished IS NOT NULL AND finished < ?", (cutoff,)
                ).fetchall()
            ]
            for job_id in expired:
                db.execute("DELETE FROM documents WHERE job_id = ?", (job_id,))
                db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
        if expired:
            self.truncate_wal()
        return len(expired)

    # -- inside a write transaction -------------------------------------------------------

    def _reclaim(self, db: sqlite3.Connection, now: float, claim_timeout_s: float) -> None:
        claimers = [row[0] for row in db.execute("SELECT DISTINCT claimed_by FROM documents WHERE status = 'running'")]
        gone = [c for c in claimers if c is not None and process_gone(c, self.worker)]
        for worker in gone:
            logger.warning("taking back the documents of a worker that is gone: %s", worker)
        db.execute(
            "UPDATE documents SET status = 'pending', claimed_by = NULL, "
            "last_error = 'the worker summarizing it stopped (crash or timeout)' "
            f"WHERE status = 'running' AND (claimed_at < ? OR claimed_by IN ({','.join('?' * len(gone))}))",
            (now - claim_timeout_s, *gone),
        )
        # a cancelled job's documents that came back (failed or taken back) keep no text
        db.execute(
            "UPDATE documents SET text = NULL, title = NULL WHERE status = 'pending' AND text IS NOT NULL "
            "AND job_id IN (SELECT id FROM jobs WHERE status = 'cancelled')"
        )

    def _fail_exhausted(self, db: sqlite3.Connection, max_attempts: int) -> None:
        rows = db.execute(
            "SELECT job_id, position, doc_id, attempts, last_error FROM documents "
            "WHERE status = 'pending' AND attempts >= ? "
            "AND job_id IN (SELECT id FROM jobs WHERE status IN ('queued', 'running'))",
            (max_attempts,),
        ).fetchall()
        for job_id, position, doc_id, attempts, last_error in rows:
            payload = json.dumps(failure_payload(doc_id, attempts, last_error), ensure_ascii=False)
            db.execute(
                "UPDATE documents SET status = 'error', result = ?, text = NULL, title = NULL "
                "WHERE job_id = ? AND position = ?",
                (payload, job_id, position),
            )

    def _finish_jobs(self, db: sqlite3.Connection, now: float, job_id: str | None = None) -> None:
        """Mark active jobs with no pending or claimed document completed."""
        only = "AND id = ?" if job_id is not None else ""
        db.execute(
            "UPDATE jobs SET status = 'completed', updated = ?, finished = ? "
            f"WHERE status IN ('queued', 'running') {only} AND NOT EXISTS (SELECT 1 FROM documents d "
            "WHERE d.job_id = jobs.id AND d.status IN ('pending', 'running'))",
            (now, now) + ((job_id,) if job_id is not None else ()),
        )
