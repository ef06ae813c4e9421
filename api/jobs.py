"""Background jobs, stored in SQLite so that an accepted job survives a restart or a crash.

Exactly-once: a document's result is written in the same transaction that marks it done,
so a crash either loses an unfinished batch (its documents are still pending and are redone
after the restart) or keeps it whole; a done document is never summarized again.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,             -- queued | running | completed | cancelled
    created REAL NOT NULL,
    updated REAL NOT NULL,
    options TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    job_id TEXT NOT NULL REFERENCES jobs(id),
    position INTEGER NOT NULL,        -- input order
    doc_id TEXT NOT NULL,
    text TEXT,
    length INTEGER NOT NULL,
    status TEXT NOT NULL,             -- pending | done | error
    result TEXT,                      -- JSON: the summary, or {"error": {...}}
    PRIMARY KEY (job_id, position)
);
CREATE INDEX IF NOT EXISTS pending_by_job ON documents (job_id, status, length);
"""


@dataclass(frozen=True)
class JobDocument:
    """One submitted document; `error` set when it was refused at submission (kept, not dropped)."""

    doc_id: str
    text: str | None
    error: dict[str, str] | None = None


@dataclass(frozen=True)
class JobStatus:
    id: str
    status: str
    total: int
    done: int
    failed: int
    created: float
    updated: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "progress": {"done": self.done + self.failed, "total": self.total},
            "done": self.done,
            "failed": self.failed,
            "created": self.created,
            "updated": self.updated,
        }


class JobStore:
    """SQLite-backed job queue (WAL mode; one connection guarded by a lock)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def create(self, documents: list[JobDocument], options: dict[str, Any]) -> str:
        """Store a job and all its documents in one transaction; returns the job id."""
        job_id = uuid.uuid4().hex
        now = time.time()
        rows = [
            (
                job_id,
                position,
                doc.doc_id,
                doc.text,
                len(doc.text or ""),
                "error" if doc.error else "pending",
                json.dumps({"id": doc.doc_id, "error": doc.error}, ensure_ascii=False) if doc.error else None,
            )
            for position, doc in enumerate(documents)
        ]
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT INTO jobs VALUES (?, 'queued', ?, ?, ?)", (job_id, now, now, json.dumps(options))
                )
                self._db.executemany("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return job_id

    def status(self, job_id: str) -> JobStatus | None:
        with self._lock:
            job = self._db.execute("SELECT id, status, created, updated FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if job is None:
                return None
            counts = dict(
                self._db.execute(
                    "SELECT status, COUNT(*) FROM documents WHERE job_id = ? GROUP BY status", (job_id,)
                ).fetchall()
            )
        total = sum(counts.values())
        return JobStatus(job[0], job[1], total, counts.get("done", 0), counts.get("error", 0), job[2], job[3])

    def cancel(self, job_id: str) -> JobStatus | None:
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET status = 'cancelled', updated = ? WHERE id = ? AND status IN ('queued', 'running')",
                (time.time(), job_id),
            )
        return self.status(job_id)

    def pending_count(self) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*) FROM documents d JOIN jobs j ON j.id = d.job_id "
                "WHERE d.status = 'pending' AND j.status IN ('queued', 'running')"
            ).fetchone()
        return int(row[0])

    def next_batch(self, size: int) -> tuple[str, dict[str, Any], list[tuple[int, str, str]]] | None:
        """The oldest active job's next pending documents (shortest first), or None.

        A job with nothing pending is marked completed on the way.
        """
        with self._lock:
            while True:
                job = self._db.execute(
                    "SELECT id, options FROM jobs WHERE status IN ('queued', 'running') ORDER BY created LIMIT 1"
                ).fetchone()
                if job is None:
                    return None
                docs = self._db.execute(
                    "SELECT position, doc_id, text FROM documents WHERE job_id = ? AND status = 'pending' "
                    "ORDER BY length, position LIMIT ?",
                    (job[0], size),
                ).fetchall()
                now = time.time()
                if docs:
                    self._db.execute(
                        "UPDATE jobs SET status = 'running', updated = ? WHERE id = ? AND status = 'queued'",
                        (now, job[0]),
                    )
                    return job[0], json.loads(job[1]), [(int(p), str(d), str(t)) for p, d, t in docs]
                self._db.execute("UPDATE jobs SET status = 'completed', updated = ? WHERE id = ?", (now, job[0]))

    def complete(self, job_id: str, results: list[tuple[int, str, dict[str, Any]]]) -> None:
        """Write a batch's results (position, status, payload) in one transaction."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "UPDATE documents SET status = ?, result = ? "
                    "WHERE job_id = ? AND position = ? AND status = 'pending'",
                    [
                        (status, json.dumps(payload, ensure_ascii=False), job_id, pos)
                        for pos, status, payload in results
                    ],
                )
                self._db.execute("UPDATE jobs SET updated = ? WHERE id = ?", (time.time(), job_id))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def results(self, job_id: str) -> Iterator[str]:
        """Finished documents' result lines (JSON), in input order."""
        position = -1
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT position, result FROM documents WHERE job_id = ? AND position > ? "
                    "AND status IN ('done', 'error') ORDER BY position LIMIT 500",
                    (job_id, position),
                ).fetchall()
            if not rows:
                return
            yield from (result for _, result in rows)
            position = rows[-1][0]
