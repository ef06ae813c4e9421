"""Background jobs, stored in SQLite so that an accepted job survives a restart or a crash.

Exactly-once: a worker claims documents atomically (`claim`, inside BEGIN IMMEDIATE) before it
summarizes them, and writes each result in the same transaction that marks it done. Several
server processes (`--workers N`) can share one database: a document is claimed by one of
them only. A crash leaves the crashed worker's claims behind; they are taken back at once
when its process is gone (same host), or when it has not renewed them for `claim_timeout_s`,
and the documents are redone. A done document is never summarized again.

A document that keeps failing (an error, or a crash while it was claimed) is retried alone,
and marked failed with its last error after `max_attempts` attempts: it never blocks a job.

The database has a schema version (`PRAGMA user_version`); an older database is upgraded in
place when it is opened (`MIGRATIONS`). Jobs belong to the API key that created them (the
key's sha256 digest, `owner`); finished jobs are deleted, texts and results with them, by
`purge` after the retention period. Input texts are dropped as soon as a document is done.

The store checks at each use that its file is still the one it opened (same device and
inode) and is writable: a deleted or replaced file would otherwise take accepted jobs with
it silently. Any failure is raised as `JobStoreError`, whose message says what to do, and
`problem()` reports it (the service's /readyz).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger("api.jobs")

SCHEMA_VERSION = 1

# Version 0: the tables of the first release (which set no user_version). Every database,
# new or old, goes through the same steps: these tables are created when missing, then each
# migration up to SCHEMA_VERSION runs, in one transaction.
SCHEMA_V0 = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    options TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    job_id TEXT NOT NULL REFERENCES jobs(id),
    position INTEGER NOT NULL,
    doc_id TEXT NOT NULL,
    text TEXT,
    length INTEGER NOT NULL,
    status TEXT NOT NULL,
    result TEXT,
    PRIMARY KEY (job_id, position)
);
CREATE INDEX IF NOT EXISTS pending_by_job ON documents (job_id, status, length);
"""

# version -> statements (no ';' inside a statement). Columns after version 1:
#   jobs.status: queued | running | completed | cancelled
#   jobs.owner: sha256 digest of the API key that created the job ('' without keys)
#   jobs.finished: when the job completed or was cancelled (retention counts from it)
#   documents.status: pending | running (claimed) | done | error
#   documents.title: the given title, apart from the text (version 0 put it on the text's first line)
#   documents.attempts, last_error: claims so far, and why the last one failed
#   documents.claimed_by, claimed_at: the worker holding the claim, and when it last renewed it
MIGRATIONS: dict[int, str] = {
    1: """
ALTER TABLE jobs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN finished REAL;
UPDATE jobs SET finished = updated WHERE status IN ('completed', 'cancelled');
CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status, created);
CREATE INDEX IF NOT EXISTS finished_jobs ON jobs (finished) WHERE finished IS NOT NULL;
ALTER TABLE documents ADD COLUMN title TEXT;
ALTER TABLE documents ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN last_error TEXT;
ALTER TABLE documents ADD COLUMN claimed_by TEXT;
ALTER TABLE documents ADD COLUMN claimed_at REAL;
CREATE INDEX IF NOT EXISTS claimed_documents ON documents (claimed_by) WHERE status = 'running'
""",
}

Finished = tuple[int, str, dict[str, Any]]
"""A document's final result: (position, "done" | "error", payload)."""


class JobStoreError(Exception):
    """The jobs database cannot be used; the message says why and what to do.

    `retry` is True when the cause is likely to pass (the database is locked by another
    connection), False when someone has to act (file deleted, not writable, disk full...).
    """

    def __init__(self, message: str, *, retry: bool = False) -> None:
        super().__init__(message)
        self.retry = retry


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


def worker_identity() -> str:
    """host/pid-namespace/pid/random: unique per store, and enough to tell a dead local process."""
    try:
        namespace = str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        namespace = "-"
    return f"{socket.gethostname()}/{namespace}/{os.getpid()}/{uuid.uuid4().hex[:12]}"


def _process_gone(worker: str, me: str) -> bool:
    """True when `worker` was a process on this host (same pid namespace) that has exited."""
    try:
        host, namespace, pid_text, _ = worker.split("/")
        my_host, my_namespace, my_pid, _ = me.split("/")
        pid = int(pid_text)
    except ValueError:
        return False
    if (host, namespace) != (my_host, my_namespace) or namespace == "-" or pid_text == my_pid:
        return False  # another host or namespace, or this process: only the timeout can tell
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # exists, owned by someone else
        return False
    return False


def failure_payload(doc_id: str, attempts: int, last_error: str | None) -> dict[str, Any]:
    return {
        "id": doc_id,
        "error": {
            "code": "summarization_failed",
            "message": f"summarization failed {attempts} times; last error: {last_error or 'unknown'}",
        },
    }


class JobStore:
    """SQLite-backed job queue (WAL mode; one connection guarded by a lock).

    Args:
        path: the database file (created with its folder when missing).
        busy_timeout_s: how long an operation waits for another connection's lock before
            it fails with JobStoreError(retry=True).
        worker: this worker's identity in claims (default: `worker_identity()`).

    Raises:
        JobStoreError: the file cannot be opened or upgraded, or it was written by a newer
            version of tomtat.
    """

    def __init__(self, path: Path, *, busy_timeout_s: float = 5.0, worker: str | None = None) -> None:
        self.path = Path(path)
        self.worker = worker or worker_identity()
        self._lock = threading.Lock()
        self._failure: str | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=busy_timeout_s, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA secure_delete=ON")  # deleted texts are overwritten, not left in free pages
            stat = os.stat(self.path)
        except (OSError, sqlite3.Error) as exc:
            raise JobStoreError(
                f"cannot open the jobs database {self.path}: {exc}; set TOMTAT_JOBS_DB to a writable file"
            ) from exc
        self._identity = (stat.st_dev, stat.st_ino)
        self.version = self._migrate()

    # -- the connection -------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def problem(self) -> str | None:
        """Why the database cannot be used now, or None. Quick: takes no lock, reads no table."""
        try:
            self._check_file()
        except JobStoreError as exc:
            return str(exc)
        return self._failure

    def _check_file(self) -> None:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            raise JobStoreError(
                f"the jobs database {self.path} was deleted while the service was running; jobs written now "
                "would be lost: restore the file, or restart the service to start a new database"
            ) from None
        except OSError as exc:
            raise JobStoreError(f"the jobs database {self.path} cannot be read: {exc}") from exc
        if (stat.st_dev, stat.st_ino) != self._identity:
            raise JobStoreError(
                f"the jobs database {self.path} was replaced by another file while the service was running; "
                "restart the service to open the new file"
            )
        if not os.access(self.path, os.W_OK) or not os.access(self.path.parent, os.W_OK):
            raise JobStoreError(
                f"the jobs database {self.path} (or its folder) is not writable by this process: fix the "
                "permissions or set TOMTAT_JOBS_DB to a writable place, then restart"
            )

    @contextlib.contextmanager
    def _session(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        """The connection under the lock; with write=True, inside BEGIN IMMEDIATE ... COMMIT.

        A failure rolls back only when a transaction is still open (SQLite rolls back by
        itself after some errors, such as a full disk) and never hides the original error.
        """
        with self._lock:
            try:
                self._check_file()
            except JobStoreError as exc:
                self._failure = str(exc)
                raise
            try:
                if write:
                    self._db.execute("BEGIN IMMEDIATE")
                yield self._db
                if write:
                    self._db.execute("COMMIT")
            except BaseException as exc:
                if self._db.in_transaction:
                    try:
                        self._db.execute("ROLLBACK")
                    except sqlite3.Error as rollback_error:
                        logger.error("rollback after %r failed too: %s", exc, rollback_error)
                if isinstance(exc, sqlite3.Error):
                    raise self._store_error(exc) from exc
                raise
            if write:
                self._failure = None

    def _store_error(self, exc: sqlite3.Error) -> JobStoreError:
        busy = isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)
        if busy:
            message = (
                f"the jobs database {self.path} is locked by another connection ({exc}); "
                "retry shortly (the job runner retries by itself)"
            )
        else:
            message = f"the jobs database {self.path} failed: {type(exc).__name__}: {exc}"
        self._failure = message
        return JobStoreError(message, retry=busy)

    def _migrate(self) -> int:
        """Bring the schema to SCHEMA_VERSION (one transaction); returns the version."""
        with self._session(write=False) as db:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if version == SCHEMA_VERSION:
            return version
        with self._session(write=True) as db:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])  # another worker may have done it
            if version > SCHEMA_VERSION:
                raise JobStoreError(
                    f"the jobs database {self.path} has schema version {version}, newer than this tomtat "
                    f"knows ({SCHEMA_VERSION}): upgrade tomtat, or set TOMTAT_JOBS_DB to another file"
                )
            steps = [SCHEMA_V0] if version == 0 else []
            steps += [MIGRATIONS[v] for v in range(version + 1, SCHEMA_VERSION + 1)]
            for script in steps:
                for statement in script.split(";"):
                    if statement.strip():
                        db.execute(statement)
            if version < SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                logger.info("jobs database %s upgraded from schema %d to %d", self.path, version, SCHEMA_VERSION)
        return SCHEMA_VERSION

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
        return status

    def results(self, job_id: str) -> Iterator[str]:
        """Finished documents' result lines (JSON), in input order."""
        position = -1
        while True:
            with self._session(write=False) as db:
                rows = db.execute(
                    "SELECT position, result FROM documents WHERE job_id = ? AND position > ? "
                    "AND status IN ('done', 'error') ORDER BY position LIMIT 500",
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
            retried = db.execute(
                "SELECT 1 FROM documents WHERE job_id = ? AND status = 'pending' AND attempts > 0 LIMIT 1", (job_id,)
            ).fetchone()
            rows = db.execute(
                "UPDATE documents SET status = 'running', claimed_by = ?, claimed_at = ?, attempts = attempts + 1 "
                "WHERE job_id = ? AND position IN (SELECT position FROM documents WHERE job_id = ? "
                "AND status = 'pending' ORDER BY attempts = 0, length, position LIMIT ?) "
                "RETURNING position, doc_id, title, text, attempts, length",
                (self.worker, now, job_id, job_id, 1 if retried else size),
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
                    (status, json.dumps(payload, ensure_ascii=False), claim.job_id, pos, self.worker)
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
        return len(expired)

    # -- inside a write transaction -------------------------------------------------------

    def _reclaim(self, db: sqlite3.Connection, now: float, claim_timeout_s: float) -> None:
        claimers = [row[0] for row in db.execute("SELECT DISTINCT claimed_by FROM documents WHERE status = 'running'")]
        gone = [c for c in claimers if c is not None and _process_gone(c, self.worker)]
        for worker in gone:
            logger.warning("taking back the documents of a worker that is gone: %s", worker)
        db.execute(
            "UPDATE documents SET status = 'pending', claimed_by = NULL, "
            "last_error = 'the worker summarizing it stopped (crash or timeout)' "
            f"WHERE status = 'running' AND (claimed_at < ? OR claimed_by IN ({','.join('?' * len(gone))}))",
            (now - claim_timeout_s, *gone),
        )

    def _fail_exhausted(self, db: sqlite3.Connection, max_attempts: int) -> None:
        rows = db.execute(
            "SELECT job_id, position, doc_id, attempts, last_error FROM documents "
            "WHERE status = 'pending' AND attempts >= ?",
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
