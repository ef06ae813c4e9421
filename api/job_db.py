"""The jobs database file: schema and migrations, the connection and its health.

`JobDatabase` owns the SQLite connections (WAL: one writer under a lock, and read connections
that never wait for it, since WAL readers see the last commit while a write goes on), upgrades the
schema in place (`PRAGMA user_version`, `MIGRATIONS`), and checks at each use that its file
is still the one it opened (same device and inode) and writable: a deleted or replaced file
would otherwise take accepted jobs with it silently. Any failure is raised as
`JobStoreError`, whose message says what to do, and `problem()` reports it (/readyz).
The job operations on top of it are in `api.jobs`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

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
CREATE INDEX IF NOT EXISTS claimed_documents ON documents (claimed_by) WHERE status = 'running';
CREATE INDEX IF NOT EXISTS retried_documents ON documents (attempts) WHERE status = 'pending'
""",
}


class JobStoreError(Exception):
    """The jobs database cannot be used; the message says why and what to do.

    `retry` is True when the cause is likely to pass (the database is locked by another
    connection), False when someone has to act (file deleted, not writable, disk full...).
    """

    def __init__(self, message: str, *, retry: bool = False) -> None:
        super().__init__(message)
        self.retry = retry


def worker_identity() -> str:
    """host/pid-namespace/pid/random: unique per store, and enough to tell a dead local process."""
    try:
        namespace = str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        namespace = "-"
    return f"{socket.gethostname()}/{namespace}/{os.getpid()}/{uuid.uuid4().hex[:12]}"


def process_gone(worker: str, me: str) -> bool:
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


class JobDatabase:
    """The jobs database: its connections, its schema and its health.

    Writes go through one connection, one at a time; reads each take a read connection of
    their own (a small pool), so they neither queue behind a write nor wait for another
    process's write lock.

    Args:
        path: the database file (created with its folder when missing).
        busy_timeout_s: the longest an operation waits, for this process's other writes and
            for another connection's lock together, before it fails with
            JobStoreError(retry=True).
        worker: this worker's identity in claims (default: `worker_identity()`).

    Raises:
        JobStoreError: the file cannot be opened or upgraded, or it was written by a newer
            version of tomtat.
    """

    def __init__(self, path: Path, *, busy_timeout_s: float = 5.0, worker: str | None = None) -> None:
        self.path = Path(path)
        self.worker = worker or worker_identity()
        self.busy_timeout_s = busy_timeout_s
        self._lock = threading.Lock()  # the writer connection's
        self._readers_lock = threading.Lock()
        self._idle_readers: list[sqlite3.Connection] = []
        self._closed = False
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
        with self._readers_lock:  # a read connection in use is closed by its thread when it is done
            self._closed = True
            for reader in self._idle_readers:
                reader.close()
            self._idle_readers.clear()

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
        """A connection for one operation: with write=True the writer, inside BEGIN IMMEDIATE ...
        COMMIT; with write=False a read connection of its own, inside one read transaction (a
        consistent snapshot of the last commit, which never waits for a writer).

        Either way the operation fails with JobStoreError(retry=True) once it has waited
        `busy_timeout_s` for locks, and any SQLite error is raised as JobStoreError.
        """
        session = self._writing(transaction=True) if write else self._reading()
        with session as db:
            yield db

    @contextlib.contextmanager
    def _writing(self, *, transaction: bool) -> Iterator[sqlite3.Connection]:
        """The writer connection under the lock; with transaction=True, inside BEGIN IMMEDIATE ... COMMIT.

        The wait for the lock and SQLite's busy wait share one budget (`busy_timeout_s`), so a
        write behind another one stuck on a locked file fails within that time, not twice it.
        A failure rolls back only when a transaction is still open (SQLite rolls back by
        itself after some errors, such as a full disk) and never hides the original error.
        """
        deadline = time.monotonic() + self.busy_timeout_s
        if not self._lock.acquire(timeout=self.busy_timeout_s):
            raise JobStoreError(
                f"the jobs database {self.path} is busy: another write of this process has held it for over "
                f"{self.busy_timeout_s:g} s (most likely waiting for a lock held by another connection); retry shortly",
                retry=True,
            )
        try:
            self._check_live()
            try:
                left_ms = max(0, int((deadline - time.monotonic()) * 1000))
                self._db.execute(f"PRAGMA busy_timeout = {left_ms}")
                if transaction:
                    self._db.execute("BEGIN IMMEDIATE")
                yield self._db
                if transaction:
                    self._db.execute("COMMIT")
            except BaseException as exc:
                self._rollback(self._db, exc)
                if isinstance(exc, sqlite3.Error):
                    raise self._store_error(exc) from exc
                raise
            if transaction:
                self._failure = None
        finally:
            self._lock.release()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A read connection from the pool (a new one when all are in use), inside BEGIN ... COMMIT."""
        self._check_live()
        try:
            db = self._take_reader()
        except sqlite3.Error as exc:
            raise self._store_error(exc) from exc
        try:
            db.execute("BEGIN")
            yield db
            db.execute("COMMIT")
        except BaseException as exc:
            self._rollback(db, exc)
            if isinstance(exc, sqlite3.Error):
                raise self._store_error(exc) from exc
            raise
        finally:
            with self._readers_lock:
                if self._closed:
                    db.close()
                else:
                    self._idle_readers.append(db)

    def _take_reader(self) -> sqlite3.Connection:
        with self._readers_lock:
            if self._closed:
                raise sqlite3.ProgrammingError("the jobs database was closed (the service is stopping)")
            if self._idle_readers:
                return self._idle_readers.pop()
        # mode=rw: never create a file that was deleted meanwhile; query_only: reads only
        uri = f"{self.path.absolute().as_uri()}?mode=rw"
        db = sqlite3.connect(uri, uri=True, timeout=self.busy_timeout_s, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA query_only = ON")
        return db

    def _check_live(self) -> None:
        """`_check_file`, recording the failure for `problem()`."""
        try:
            self._check_file()
        except JobStoreError as exc:
            self._failure = str(exc)
            raise

    @staticmethod
    def _rollback(db: sqlite3.Connection, exc: BaseException) -> None:
        if db.in_transaction:
            try:
                db.execute("ROLLBACK")
            except sqlite3.Error as rollback_error:
                logger.error("rollback after %r failed too: %s", exc, rollback_error)

    def truncate_wal(self) -> None:
        """Copy the write-ahead log into the database and empty it, so that deleted texts do not
        linger in the -wal file (`secure_delete` overwrites them in the database itself).
        Best effort: a reader in another process can keep part of the log until it is done."""
        try:
            with self._writing(transaction=False) as db:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except JobStoreError as exc:
            logger.warning("could not empty the jobs database's log after a delete: %s", exc)

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
        with self._writing(transaction=False) as db:
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
            new = version == 0 and db.execute("SELECT 1 FROM sqlite_master WHERE name = 'jobs'").fetchone() is None
            steps = [SCHEMA_V0] if version == 0 else []
            steps += [MIGRATIONS[v] for v in range(version + 1, SCHEMA_VERSION + 1)]
            for script in steps:
                for statement in script.split(";"):
                    if statement.strip():
                        db.execute(statement)
            if version < SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                if new:
                    logger.info("jobs database %s created (schema %d)", self.path, SCHEMA_VERSION)
                else:
                    logger.info("jobs database %s upgraded from schema %d to %d", self.path, version, SCHEMA_VERSION)
        return SCHEMA_VERSION
