"""Background jobs under faults (issue #12 items 1, 4-8; issue #11's jobs schema).

Faults are injected for real: a second SQLite connection holding BEGIN EXCLUSIVE, the
database file deleted or replaced, a full disk (SQLite's max_page_count), two apps sharing
one database, a model that raises, claims left by a process that is gone.
"""

from __future__ import annotations

import collections
import functools
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.job_db import SCHEMA_V0, SCHEMA_VERSION
from api.jobs import JobDocument, JobStore, JobStoreError, worker_identity
from api.service import Service
from api.settings import Settings
from summarizer import Summarizer
from tests.api.conftest import wait_ready
from tests.api.servers import server

TEXT = "Hà Nội mưa lớn. Nhiều tuyến phố ngập sâu. Giao thông ùn tắc đến tối."
POISON = "Chất độc"  # ScriptedSummarizer raises on a document with it


class ScriptedSummarizer(Summarizer):
    """The lead model, recording what it is given; it can wait on a gate, be slow, or raise.

    `seen` counts each text it summarized (shared between two apps to count across them).
    """

    def __init__(self, *, seconds_per_document: float = 0.0, seen: collections.Counter[str] | None = None) -> None:
        super().__init__(Summarizer.from_pretrained("lead").spec)
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()
        self.seconds_per_document = seconds_per_document
        self.seen: collections.Counter[str] = seen if seen is not None else collections.Counter()
        self.calls: list[list[tuple[str, str | None]]] = []
        self._lock = threading.Lock()

    def summarize_each(self, documents, *, titles=None, **kwargs):
        self.entered.set()
        self.gate.wait(20)
        texts = [d if isinstance(d, str) else d.text for d in documents]
        with self._lock:
            self.calls.append(list(zip(texts, titles or [None] * len(texts), strict=True)))
            self.seen.update(texts)
        time.sleep(self.seconds_per_document * len(documents))
        if any(POISON in t for t in texts):
            raise RuntimeError("the model broke")
        return super().summarize_each(documents, titles=titles, **kwargs)


@pytest.fixture
def start(make_client: Callable[..., TestClient]) -> Callable[..., TestClient]:
    """start(model, db="jobs.db", **settings): conftest's `make_client`, on tmp_path / "jobs.db"."""
    return functools.partial(make_client, db="jobs.db")


def service_of(client: TestClient) -> Service:
    return client.app.state.service  # type: ignore[attr-defined]


def until(check: Callable[[], Any], timeout_s: float = 20.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"{what} not reached in {timeout_s} s")


def finished(client: TestClient, job_id: str, timeout_s: float = 20.0, headers: dict[str, str] | None = None) -> dict:
    def done() -> dict | None:
        status = client.get(f"/v1/jobs/{job_id}", headers=headers).json()
        return status if status.get("status") == "completed" else None

    return until(done, timeout_s, f"job {job_id} completed")


def results(client: TestClient, job_id: str, headers: dict[str, str] | None = None) -> list[dict]:
    response = client.get(f"/v1/jobs/{job_id}/results", headers=headers)
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines()]


def assert_error(response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]["message"]


def rows(db: Path, sql: str, *args: Any) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql, args).fetchall()


# -- 1. the runner survives errors; a document that keeps failing is marked failed --------


def test_the_runner_survives_a_locked_database_and_readyz_says_why(start, tmp_path, caplog) -> None:
    model = ScriptedSummarizer()
    client = start(model, job_batch_size=1, job_db_timeout_s=0.2, job_retry_backoff_s=0.1)
    model.gate.clear()
    job = client.post("/v1/jobs", json=[{"id": "a", "text": TEXT}, {"id": "b", "text": "Một câu khác. Và câu nữa."}])
    assert job.status_code == 202
    job_id = job.json()["id"]
    assert model.entered.wait(10)
    other = sqlite3.connect(tmp_path / "jobs.db", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another process holds the database while results are written
    try:
        with caplog.at_level("ERROR", logger="api"):
            model.gate.set()
            ready = until(lambda: (r := client.get("/readyz")).status_code == 503 and r, what="readyz 503")
            assert "locked" in assert_error(ready, 503, "jobs_unavailable")
            refused = client.post("/v1/jobs", json=[{"text": TEXT}])
            assert "locked" in assert_error(refused, 503, "jobs_unavailable")
            time.sleep(0.5)  # several failed tries, with backoff
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert finished(client, job_id)["progress"] == {"done": 2, "failed": 0, "total": 2}
    until(lambda: client.get("/readyz").status_code == 200, what="ready again")
    logged = [r for r in caplog.records if r.levelname == "ERROR" and getattr(r, "job_id", None) == job_id]
    assert logged and "locked" in logged[0].getMessage()
    later = client.post("/v1/jobs", json=[{"text": TEXT}]).json()
    assert finished(client, later["id"])["progress"] == {"done": 1, "failed": 0, "total": 1}


def test_a_document_that_keeps_failing_is_marked_failed_and_others_go_on(start) -> None:
    model = ScriptedSummarizer()
    client = start(model, job_max_attempts=3, job_retry_backoff_s=0.01)
    first = client.post("/v1/jobs", json=[{"id": "doc", "text": f"{POISON} ở đây. Câu hai."}, {"text": TEXT}]).json()
    second = client.post("/v1/jobs", json=[{"text": "Tin thứ hai. Có hai câu."}]).json()
    assert finished(client, first["id"])["progress"] == {"done": 2, "failed": 1, "total": 2}
    assert finished(client, second["id"])["progress"] == {"done": 1, "failed": 0, "total": 1}
    lines = results(client, first["id"])
    assert lines[0]["error"]["code"] == "summarization_failed"
    assert "3 times" in lines[0]["error"]["message"] and "RuntimeError: the model broke" in lines[0]["error"]["message"]
    assert lines[1]["abstract"]
    assert sum(POISON in text for call in model.calls for text, _ in call) == 3  # 3 attempts, then no more


def test_readyz_is_503_when_the_job_runner_has_stopped(start) -> None:
    client = start()

    class Stop(BaseException):
        pass

    def broken() -> int:
        raise Stop

    service_of(client).jobs.pending_count = broken  # type: ignore[method-assign]
    response = until(lambda: (r := client.get("/readyz")).status_code == 503 and r, what="readyz 503")
    assert "stopped" in assert_error(response, 503, "jobs_unavailable")


# -- 4. one validation: no 500 for any job body ----------------------------------------------

DEEP = "[" * 10_000 + "]" * 10_000
BAD_DOCUMENTS = {  # one line of JSON each, and what its error message says
    "title number": (json.dumps({"text": TEXT, "title": 5}), "title"),
    "title list": (json.dumps({"text": TEXT, "title": ["a"]}), "title"),
    "title object": (json.dumps({"text": TEXT, "title": {"a": 1}}), "title"),
    "lone surrogate": (json.dumps({"text": "Hà Nội \ud800 mưa lớn. Phố ngập."}), "surrogate"),
    "surrogate title": (json.dumps({"text": TEXT, "title": "\udfff"}), "surrogate"),
    "deep nesting": (json.dumps({"text": TEXT})[:-1] + ', "title": ' + DEEP + "}", "nested too deeply"),
    "huge number": (json.dumps({"text": TEXT})[:-1] + ', "n": ' + "9" * 5000 + "}", "digits"),
}


@pytest.mark.parametrize("kind", ["json", "jsonl", "multipart"])
@pytest.mark.parametrize("name", list(BAD_DOCUMENTS))
def test_bad_job_documents_never_give_5xx(start, name: str, kind: str) -> None:
    client = start()
    bad, expected = BAD_DOCUMENTS[name]
    good = json.dumps({"id": "ok", "text": TEXT}, ensure_ascii=False)
    if kind == "json":
        response = client.post(
            "/v1/jobs", content=f"[{bad}, {good}]".encode(), headers={"content-type": "application/json"}
        )
    elif kind == "jsonl":
        response = client.post(
            "/v1/jobs", content=f"{bad}\n{good}\n".encode(), headers={"content-type": "application/x-ndjson"}
        )
    else:
        response = client.post(
            "/v1/jobs", files={"file": ("docs.jsonl", f"{bad}\n{good}\n".encode(), "application/jsonl")}
        )
    assert response.status_code < 500, response.text
    if response.status_code == 400:  # a JSON body that cannot be parsed at all, as for :batch
        assert kind == "json" and expected in assert_error(response, 400, "invalid_json")
        return
    assert response.status_code == 202 and response.json()["rejected"] == 1
    job_id = response.json()["id"]
    lines = results(client, finished(client, job_id)["id"])
    assert lines[0]["id"] == "1" and expected in lines[0]["error"]["message"]
    assert lines[1]["id"] == "ok" and lines[1]["abstract"]


def test_a_deep_json_body_and_a_huge_number_are_400_like_batch(start) -> None:
    client = start()
    for body in (DEEP, '{"documents": [{"text": "a"}], "max_bullets": %s}' % ("9" * 5000)):
        for path in ("/v1/jobs", "/v1/summaries:batch"):
            assert_error(
                client.post(path, content=body, headers={"content-type": "application/json"}), 400, "invalid_json"
            )
    assert_error(
        client.post("/v1/jobs", json={"documents": [{"text": TEXT}], "max_bullets": 11}), 422, "invalid_request"
    )


# -- 5. submitting never holds the event loop -------------------------------------------------


def test_healthz_answers_while_a_large_job_is_submitted(start) -> None:
    client = start(max_body_bytes=20_000_000)
    text = " ".join(f"Câu số {i} nói về mưa lớn ở Hà Nội và giao thông ùn tắc." for i in range(40))
    body = json.dumps([{"id": f"d{i}", "text": f"{i}. {text}"} for i in range(2_500)], ensure_ascii=False).encode()
    answer: dict[str, Any] = {}

    def submit() -> None:
        started = time.perf_counter()
        answer["response"] = client.post("/v1/jobs", content=body, headers={"content-type": "application/json"})
        answer["seconds"] = time.perf_counter() - started

    thread = threading.Thread(target=submit)
    thread.start()
    waits = []
    while thread.is_alive():
        started = time.perf_counter()
        assert client.get("/healthz").status_code == 200
        waits.append(time.perf_counter() - started)
        time.sleep(0.01)
    thread.join()
    assert answer["response"].status_code == 202, answer["response"].text
    assert answer["seconds"] > 0.5, "the job was too small to tell anything"
    assert len(waits) >= 5 and max(waits) < max(0.25, answer["seconds"] / 4), (max(waits), answer["seconds"])


# -- 6. a deleted, replaced or full database is reported and refused --------------------------


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_a_deleted_or_replaced_database_is_reported_and_new_jobs_refused(start, tmp_path, how) -> None:
    client = start()
    job = client.post("/v1/jobs", json=[{"text": TEXT}]).json()
    finished(client, job["id"])
    db = tmp_path / "jobs.db"
    if how == "deleted":
        for path in tmp_path.glob("jobs.db*"):
            path.unlink()
    else:
        shutil.copy(db, tmp_path / "copy.db")
        os.replace(tmp_path / "copy.db", db)
    reason = assert_error(client.get("/readyz"), 503, "jobs_unavailable")
    assert how in reason and "jobs.db" in reason and str(tmp_path) not in reason  # /readyz is public
    message = assert_error(client.post("/v1/jobs", json=[{"text": TEXT}]), 503, "jobs_unavailable")
    assert how in message and "restart" in message


def test_a_full_database_gives_503_and_the_log_names_the_real_error(start, caplog) -> None:
    client = start()
    store = service_of(client).jobs
    with store._lock:  # fault injection: the disk is full for this connection
        pages = store._db.execute("PRAGMA page_count").fetchone()[0]
        store._db.execute(f"PRAGMA max_page_count = {pages}")
    with caplog.at_level("ERROR"):
        response = client.post("/v1/jobs", json=[{"text": TEXT * 200}] * 20)
    assert "disk is full" in assert_error(response, 503, "jobs_unavailable")
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "disk is full" in logged and "cannot rollback" not in logged
    assert "disk is full" in assert_error(client.get("/readyz"), 503, "jobs_unavailable")
    with store._lock:
        store._db.execute("PRAGMA max_page_count = 1073741823")
    until(lambda: client.get("/readyz").status_code == 200, what="ready once the disk has room")  # the runner's write
    assert client.post("/v1/jobs", json=[{"text": TEXT}]).status_code == 202


# -- 7. several workers on one database: each document summarized once -----------------------


def test_two_apps_on_one_database_summarize_each_document_once(tmp_path) -> None:
    seen: collections.Counter[str] = collections.Counter()
    models = [ScriptedSummarizer(seconds_per_document=0.03, seen=seen) for _ in range(2)]
    settings = Settings(model="lead", jobs_db=tmp_path / "shared.db", job_batch_size=2)
    with (
        TestClient(create_app(settings, load=lambda: models[0])) as a,
        TestClient(create_app(settings, load=lambda: models[1])) as b,
    ):
        wait_ready(a)
        wait_ready(b)
        docs = [{"id": f"d{i}", "text": f"Tin số {i}. Hà Nội mưa lớn."} for i in range(60)]
        job = a.post("/v1/jobs", json=docs).json()
        assert finished(a, job["id"], timeout_s=60)["progress"] == {"done": 60, "failed": 0, "total": 60}
        assert [line["id"] for line in results(b, job["id"])] == [d["id"] for d in docs]
    assert seen == collections.Counter(d["text"] for d in docs), "a document was summarized twice"
    assert all(model.calls for model in models), "both apps should have taken part"


def test_two_server_processes_claim_each_document_once(tmp_path) -> None:
    docs = [{"id": f"d{i}", "text": f"Tin số {i}. Hà Nội mưa lớn. Phố ngập sâu."} for i in range(300)]
    with server(tmp_path, "--model", "lead", "--workers", "2", env={"TOMTAT_JOB_BATCH_SIZE": "4"}) as url:
        job = httpx.post(f"{url}/v1/jobs", json=docs, timeout=30).json()
        until(lambda: httpx.get(f"{url}/v1/jobs/{job['id']}", timeout=5).json()["status"] == "completed", 60)
    assert rows(tmp_path / "jobs.db", "SELECT attempts, COUNT(*) FROM documents GROUP BY attempts") == [(1, 300)]


def test_claims_of_a_dead_or_silent_worker_are_taken_back(tmp_path) -> None:
    db = tmp_path / "jobs.db"
    docs = [JobDocument(f"d{i}", f"Tin {i}. Hai câu.") for i in range(4)]
    gone = subprocess.Popen(["true"])
    gone.wait()
    host, namespace, _, _ = worker_identity().split("/")
    dead = JobStore(db, worker=f"{host}/{namespace}/{gone.pid}/dead")
    silent = JobStore(db, worker="elsewhere/1/1/silent")  # another host: only the timeout tells
    live = JobStore(db)
    job_id = live.create(docs, {})
    limits = {"max_attempts": 3, "claim_timeout_s": 3.0}  # well past a first drain on a loaded machine
    by_dead = dead.claim(2, **limits)
    by_silent = silent.claim(2, **limits)
    assert by_dead and by_silent and set(by_dead.positions) | set(by_silent.positions) == {0, 1, 2, 3}

    def drain() -> list[tuple[int, int]]:
        """(position, attempt) of every document `live` can claim now, each completed."""
        claimed = []
        while (claim := live.claim(4, **limits)) is not None:
            claimed += [(d.position, d.attempts) for d in claim.documents]
            assert len(claim.documents) == 1  # a document claimed before is retried alone
            live.complete(claim, [(p, "done", {"id": "x"}) for p in claim.positions])
        return claimed

    started = time.monotonic()
    assert drain() == [(p, 2) for p in sorted(by_dead.positions)]  # the dead process's claims at once
    assert time.monotonic() - started < limits["claim_timeout_s"], "the first drain took past the timeout"
    time.sleep(limits["claim_timeout_s"] + 0.2)
    assert drain() == [(p, 2) for p in sorted(by_silent.positions)]  # the silent worker's after the timeout
    assert silent.complete(by_silent, [(p, "done", {"id": "y"}) for p in by_silent.positions]) == 0  # too late
    assert live.status(job_id).status == "completed"  # type: ignore[union-attr]


# -- 8. owners and retention --------------------------------------------------------------


def test_a_job_belongs_to_the_key_that_created_it(start) -> None:
    keys = {"toa-soan-a": {"Authorization": "Bearer toa-soan-a"}, "toa-soan-b": {"Authorization": "Bearer toa-soan-b"}}
    client = start(api_keys=[hashlib.sha256(k.encode()).hexdigest() for k in keys])
    a, b = keys.values()
    job = client.post("/v1/jobs", json=[{"text": TEXT}], headers=a).json()
    finished(client, job["id"], headers=a)
    for method, path in [
        ("GET", f"/v1/jobs/{job['id']}"),
        ("GET", f"/v1/jobs/{job['id']}/results"),
        ("POST", f"/v1/jobs/{job['id']}:cancel"),
        ("DELETE", f"/v1/jobs/{job['id']}"),
    ]:
        assert_error(client.request(method, path, headers=b), 404, "job_not_found")
    assert len(results(client, job["id"], headers=a)) == 1
    assert client.delete(f"/v1/jobs/{job['id']}", headers=a).json()["status"] == "deleted"
    assert_error(client.get(f"/v1/jobs/{job['id']}", headers=a), 404, "job_not_found")


def test_finished_jobs_and_their_texts_are_deleted_after_the_retention_period(start, tmp_path) -> None:
    client = start(job_retention_hours=1 / 3600)  # one second
    job = client.post("/v1/jobs", json=[{"text": TEXT}]).json()
    finished(client, job["id"])
    assert rows(tmp_path / "jobs.db", "SELECT text FROM documents") == [(None,)]  # the text goes once it is done
    until(lambda: client.get(f"/v1/jobs/{job['id']}").status_code == 404, 10, "job deleted")
    assert rows(tmp_path / "jobs.db", "SELECT COUNT(*) FROM documents") == [(0,)]


def test_delete_removes_a_running_job_and_its_texts(start, tmp_path) -> None:
    model = ScriptedSummarizer()
    client = start(model, job_batch_size=1)
    model.gate.clear()
    marker = "Dấu vết riêng 7f3a9c của bài này."
    job = client.post("/v1/jobs", json=[{"text": f"{TEXT} {marker}"}] * 3).json()
    assert model.entered.wait(10)
    before = b"".join(f.read_bytes() for f in tmp_path.glob("jobs.db*"))
    assert marker.encode() in before  # the texts were stored (so the check below can fail)
    assert client.delete(f"/v1/jobs/{job['id']}").json()["status"] == "deleted"
    model.gate.set()
    time.sleep(0.2)
    assert rows(tmp_path / "jobs.db", "SELECT COUNT(*) FROM documents") == [(0,)]
    assert rows(tmp_path / "jobs.db", "SELECT COUNT(*) FROM jobs") == [(0,)]
    # nothing of the texts is left in the database file or its write-ahead log
    left = b"".join(f.read_bytes() for f in tmp_path.glob("jobs.db*"))
    assert marker.encode() not in left


# -- issue #11: schema version and migration, the title column, the default location -------


def test_a_database_of_the_old_schema_is_upgraded_and_its_jobs_run(start, tmp_path) -> None:
    db = tmp_path / "jobs.db"
    now = time.time()
    with sqlite3.connect(db) as old:
        old.executescript(SCHEMA_V0)
        old.execute("INSERT INTO jobs VALUES ('old', 'running', 1.0, 2.0, '{\"max_bullets\": 2}')")
        old.execute("INSERT INTO jobs VALUES ('done', 'completed', ?, ?, '{}')", (now - 60, now - 30))
        old.execute("INSERT INTO jobs VALUES ('ancient', 'completed', 1.0, 2.0, '{}')")  # past any retention
        old.execute("INSERT INTO documents VALUES ('old', 0, 'a', ?, 10, 'pending', NULL)", (f"Tiêu đề cũ\n{TEXT}",))
        old.execute("INSERT INTO documents VALUES ('old', 1, 'b', NULL, 0, 'error', '{\"id\": \"b\"}')")
        old.execute("INSERT INTO documents VALUES ('done', 0, 'c', NULL, 0, 'done', '{\"id\": \"c\"}')")
    client = start()
    assert rows(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    status = finished(client, "old")
    assert status["progress"] == {"done": 2, "failed": 1, "total": 2}
    assert [line["id"] for line in results(client, "old")] == ["a", "b"]
    assert rows(db, "SELECT finished FROM jobs WHERE id = 'done'") == [(now - 30,)]  # retention counts from it
    assert client.get("/v1/jobs/done").json()["status"] == "completed"
    assert_error(client.get("/v1/jobs/ancient"), 404, "job_not_found")  # finished long ago: purged


def test_a_database_of_a_newer_schema_is_refused_with_a_clear_message(tmp_path) -> None:
    db = tmp_path / "jobs.db"
    with sqlite3.connect(db) as newer:
        newer.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(JobStoreError, match="newer than this tomtat"):
        JobStore(db)


def test_a_given_title_reaches_the_summarizer_as_the_title(start, tmp_path) -> None:
    model = ScriptedSummarizer()
    client = start(model)
    job = client.post("/v1/jobs", json=[{"text": TEXT, "title": "Mưa lớn ở thủ đô"}]).json()
    finished(client, job["id"])
    assert model.calls[-1] == [(TEXT, "Mưa lớn ở thủ đô")]
    assert results(client, job["id"])[0]["headline"] == "Mưa lớn ở thủ đô"


def test_the_jobs_database_defaults_to_the_user_data_folder(tmp_path, monkeypatch, caplog) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("TOMTAT_JOBS_DB", raising=False)
    settings = Settings(model="lead")
    assert settings.jobs_db == tmp_path / "data" / "tomtat" / "jobs.sqlite3"
    with caplog.at_level("INFO"), TestClient(create_app(settings)) as client:
        wait_ready(client)
    assert settings.jobs_db.is_file() and not list(tmp_path.glob("*.sqlite3"))
    assert any(str(settings.jobs_db) in r.getMessage() for r in caplog.records)
