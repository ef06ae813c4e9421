"""GET /v1/jobs (the caller's jobs, newest first, by pages) and the shape of a job's status."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from datetime import UTC, datetime, timedelta

from api.jobs import JobDocument, JobStore
from tests.api.test_endpoints import TEXT, assert_error, wait_for_job


def _keys(*keys: str) -> list[str]:
    return [hashlib.sha256(key.encode()).hexdigest() for key in keys]


def test_list_jobs_newest_first_in_pages(client) -> None:
    ids = [client.post("/v1/jobs", json=[{"text": TEXT}]).json()["id"] for _ in range(5)]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/jobs", params=params)
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["jobs"]) <= 2
        seen += [job["id"] for job in body["jobs"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == ids[::-1] and pages == 3
    assert client.get("/v1/jobs").json()["jobs"][0]["progress"]["total"] == 1


def test_list_jobs_shows_only_the_callers_jobs(make_client) -> None:
    client = make_client(api_keys=_keys("mot", "hai"))
    mine = {"Authorization": "Bearer mot"}
    theirs = {"Authorization": "Bearer hai"}
    own = client.post("/v1/jobs", json=[{"text": TEXT}], headers=mine).json()["id"]
    other = client.post("/v1/jobs", json=[{"text": TEXT}], headers=theirs).json()["id"]
    assert [job["id"] for job in client.get("/v1/jobs", headers=mine).json()["jobs"]] == [own]
    assert [job["id"] for job in client.get("/v1/jobs", headers=theirs).json()["jobs"]] == [other]
    assert_error(client.get("/v1/jobs"), 401, "unauthorized")


def test_list_jobs_refuses_bad_paging(client) -> None:
    assert_error(client.get("/v1/jobs", params={"cursor": "không-phải"}), 422, "invalid_cursor")
    assert_error(client.get("/v1/jobs", params={"limit": 0}), 422, "invalid_request")
    assert_error(client.get("/v1/jobs", params={"limit": 101}), 422, "invalid_request")


def test_list_jobs_is_documented(client) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/v1/jobs"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"limit", "cursor"}
    assert "200" in operation["responses"]


def test_job_status_has_one_progress_count_and_iso_times(client) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    docs = [{"id": "a", "text": TEXT}, {"id": "b", "text": ""}, {"id": "c", "text": TEXT}]
    job = client.post("/v1/jobs", json=docs).json()
    status = wait_for_job(client, job["id"])
    assert set(status) == {"id", "status", "progress", "created", "updated"}
    assert status["progress"] == {"done": 3, "failed": 1, "total": 3}
    for field in ("created", "updated"):
        assert status[field].endswith("Z"), status[field]
        when = datetime.fromisoformat(status[field])
        assert when.utcoffset() == timedelta(0) and before <= when <= datetime.now(UTC) + timedelta(seconds=1)
    listed = client.get("/v1/jobs").json()["jobs"][0]
    assert listed == status


def test_cursor_round_trips_and_rejects_garbage() -> None:
    from api.jobs import JobCursor

    cursor = JobCursor(1_780_000_000.123456, "abc")
    assert JobCursor.parse(cursor.token()) == cursor
    for bad in ("", "%%%", "YWJj", JobCursor(float("nan"), "x").token()):
        try:
            JobCursor.parse(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted")


def test_a_new_database_is_logged_as_created_an_old_one_as_upgraded(tmp_path, caplog) -> None:
    caplog.set_level(logging.INFO, logger="api.jobs")
    JobStore(tmp_path / "new.db").close()
    assert "created" in caplog.text and "upgraded" not in caplog.text
    caplog.clear()
    old = sqlite3.connect(tmp_path / "old.db")  # the first release's tables, no user_version
    old.executescript(
        "CREATE TABLE jobs (id TEXT PRIMARY KEY, status TEXT NOT NULL, created REAL NOT NULL, "
        "updated REAL NOT NULL, options TEXT NOT NULL);"
        "CREATE TABLE documents (job_id TEXT NOT NULL, position INTEGER NOT NULL, doc_id TEXT NOT NULL, "
        "text TEXT, length INTEGER NOT NULL, status TEXT NOT NULL, result TEXT, PRIMARY KEY (job_id, position));"
    )
    old.close()
    store = JobStore(tmp_path / "old.db")
    store.create([JobDocument("a", TEXT)], {})
    store.close()
    assert "upgraded from schema 0" in caplog.text and "created" not in caplog.text
