"""The real server process: concurrency, a crash in the middle of a job, and a fuzz run."""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.api.servers import TEXT, TOMTAT, free_port, server, wait_until_ready


def test_concurrent_requests_never_fail_with_5xx(tmp_path: Path) -> None:
    with server(tmp_path, "--model", "lead") as url:
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            statuses = list(
                pool.map(
                    lambda i: (
                        httpx.post(f"{url}/v1/summaries", json={"text": f"{TEXT} Số {i}."}, timeout=60).status_code
                    ),
                    range(64),
                )
            )
        assert all(s == 200 or s == 429 for s in statuses) and statuses.count(200) >= 32
        log = next(tmp_path.glob("server-*.log")).read_text()
        assert '"path": "/v1/summaries"' in log and "ùn tắc" not in log  # JSON access log, no article text


def test_a_job_survives_a_crash_and_every_document_is_done_once(tmp_path: Path, tiny_model_dir: Path) -> None:
    env = {"TOMTAT_JOB_BATCH_SIZE": "2", "TOMTAT_BACKEND": "transformers", "TOMTAT_DEVICE": "cpu"}
    report = (Path(__file__).parents[2] / "examples" / "bao-cao-mau.txt").read_text(encoding="utf-8").splitlines()[2]
    docs = [{"id": f"doc-{i}", "text": report} for i in range(40)]
    port = free_port()
    process_env = {**os.environ, "TOMTAT_JOBS_DB": str(tmp_path / "jobs.db"), **env}
    log = (tmp_path / "first.log").open("ab")
    first = subprocess.Popen(
        [TOMTAT, "serve", "--port", str(port), "--model", str(tiny_model_dir)], env=process_env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, first)  # a server that never comes up fails at the first request
        job = httpx.post(f"{url}/v1/jobs", json=docs, timeout=30).json()
        for _ in range(600):
            done = httpx.get(f"{url}/v1/jobs/{job['id']}", timeout=5).json()["progress"]["done"]
            if done >= 4:
                break
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)  # a crash, mid-job
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
        log.close()
    assert 0 < done < 40, f"the crash came too late or too early to test anything (done={done})"
    with server(tmp_path, "--model", str(tiny_model_dir), env=env, port=port) as url:
        for _ in range(1200):
            status = httpx.get(f"{url}/v1/jobs/{job['id']}", timeout=5).json()
            if status["status"] == "completed":
                break
            time.sleep(0.1)
        assert status["status"] == "completed" and status["progress"] == {"done": 40, "failed": 0, "total": 40}
        lines = [json.loads(x) for x in httpx.get(f"{url}/v1/jobs/{job['id']}/results", timeout=30).text.splitlines()]
    assert [line["id"] for line in lines] == [d["id"] for d in docs]
    assert all(line["abstract"] for line in lines)


def test_fuzzing_the_openapi_schema_finds_no_5xx(tmp_path: Path) -> None:
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings

    with server(tmp_path, "--model", "lead") as url:
        schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
        tried: dict[str, int] = {}

        def fuzz(operation) -> None:
            label = f"{operation.method.upper()} {operation.path}"

            @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            @given(case=operation.as_strategy())
            def check(case) -> None:
                tried[label] = tried.get(label, 0) + 1
                response = case.call(base_url=url, timeout=30)
                assert response.status_code < 500, f"{label}: {response.status_code} {response.text[:200]}"

            check()

        for result in schema.get_all_operations():
            fuzz(result.ok())
        assert len(tried) >= 9 and sum(tried.values()) >= 100
        print(f"fuzz: {sum(tried.values())} cases over {len(tried)} operations: {tried}")
