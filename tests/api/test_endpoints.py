"""Every endpoint and error path, through TestClient."""

from __future__ import annotations

import hashlib
import json
import threading
import time

import pytest

from tests.api.conftest import GatedSummarizer

TEXT = "Hà Nội mưa lớn. Nhiều tuyến phố ngập sâu. Giao thông ùn tắc đến tối."


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


def test_health_ready_models_metrics(client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["model"] == "lead"
    assert client.get("/v1/models").json()["model"]["name"] == "lead"
    client.post("/v1/summaries", json={"text": TEXT})
    metrics = client.get("/metrics").text
    for name in (
        "tomtat_requests_total",
        "tomtat_request_seconds",
        "tomtat_batch_documents",
        "tomtat_queue_depth",
        "tomtat_generated_tokens_total",
    ):
        assert name in metrics


def test_readyz_is_503_until_the_model_is_loaded(make_client, tmp_path) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    loaded = threading.Event()

    def slow_load():
        loaded.wait(5)
        return GatedSummarizer()

    with TestClient(create_app(Settings(jobs_db=tmp_path / "j.db"), load=slow_load)) as c:
        assert_error(c.get("/readyz"), 503, "not_ready")
        assert_error(c.post("/v1/summaries", json={"text": TEXT}), 503, "not_ready")
        assert c.get("/healthz").status_code == 200
        loaded.set()
        for _ in range(100):
            if c.get("/readyz").status_code == 200:
                break
            time.sleep(0.02)
        assert c.get("/readyz").status_code == 200


def test_summary_and_outputs_selection(client) -> None:
    body = client.post("/v1/summaries", json={"text": TEXT, "max_bullets": 2, "outputs": ["bullets"]}).json()
    # lead's headline is the first sentence, so the bullets are the next ones (the output contract)
    assert body["bullets"] == ["Nhiều tuyến phố ngập sâu.", "Giao thông ùn tắc đến tối."]
    assert body["headline"] is None and body["abstract"] is None and body.get("source") is None
    assert body["model"] == "lead" and body["id"] and "timings" in body
    titled = client.post("/v1/summaries", json={"text": TEXT, "title": "Mưa lớn ở Hà Nội", "include_source": True})
    titled = titled.json()
    assert titled["headline"] == "Mưa lớn ở Hà Nội" and titled["bullets"][0] == "Hà Nội mưa lớn."
    assert titled["evidence"][0] == {
        "part": "headline",
        "index": 0,
        "text": "Mưa lớn ở Hà Nội",
        "origin": "title",
        "sources": [],
    }
    for evidence in titled["evidence"][1:]:
        for span in evidence["sources"]:
            assert titled["source"][span["start"] : span["end"]] in TEXT


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": ""}, 422, "invalid_text"),
        ({"text": "   \n "}, 422, "invalid_text"),
        ({"text": TEXT, "max_bullets": 0}, 422, "invalid_request"),
        ({"text": TEXT, "max_bullets": 11}, 422, "invalid_request"),
        ({"text": TEXT, "max_bullets": True}, 422, "invalid_request"),
        ({"text": TEXT, "outputs": ["tóm tắt"]}, 422, "invalid_request"),
        ({"nope": 1}, 422, "invalid_request"),
        ({"text": "x" * 2000}, 413, "text_too_long"),
    ],
)
def test_bad_requests(make_client, body, status, code) -> None:
    client = make_client(max_chars=1000)
    assert_error(client.post("/v1/summaries", json=body), status, code)


def test_non_json_and_non_utf8_bodies(client) -> None:
    assert_error(
        client.post("/v1/summaries", content=b"\xff\xfe{", headers={"content-type": "application/json"}),
        400,
        "invalid_json",
    )
    assert_error(
        client.post(
            "/v1/summaries", content=b"text=abc", headers={"content-type": "application/x-www-form-urlencoded"}
        ),
        422,
        "invalid_request",
    )


def test_body_size_limit(make_client) -> None:
    client = make_client(max_body_bytes=2000)
    assert_error(client.post("/v1/summaries", json={"text": "a " * 5000}), 413, "body_too_large")


def test_batch_keeps_order_and_isolates_bad_documents(client) -> None:
    docs = [{"id": "a", "text": TEXT}, {"id": "b", "text": ""}, {"id": "c", "text": 7}, {"id": "d", "text": "Một câu."}]
    results = client.post("/v1/summaries:batch", json={"documents": docs}).json()["results"]
    assert [r["id"] for r in results] == ["a", "b", "c", "d"]
    assert results[0]["result"]["headline"] == "Hà Nội mưa lớn"
    assert results[3]["result"]["headline"] == "Một câu" and results[3]["result"]["bullets"] == []  # only a headline
    assert results[1]["error"]["code"] == "invalid_text" and "string" in results[2]["error"]["message"]


def test_a_lone_surrogate_is_an_error_entry_in_a_batch_as_in_jobs(client) -> None:
    body = (
        '{"documents": [{"id": "a", "text": "C\\u00e2u \\ud800 m\\u1ed9t."}, '
        '{"id": "b", "text": "M\\u1ed9t c\\u00e2u."}]}'
    )
    response = client.post("/v1/summaries:batch", content=body, headers={"content-type": "application/json"})
    results = response.json()["results"]
    assert response.status_code == 200 and results[1]["result"]["headline"] == "Một câu"
    assert results[0]["error"]["code"] == "invalid_text" and "lone surrogate" in results[0]["error"]["message"]


def test_batch_size_limit(make_client) -> None:
    client = make_client(max_batch_documents=2)
    docs = [{"id": str(i), "text": TEXT} for i in range(3)]
    assert_error(client.post("/v1/summaries:batch", json={"documents": docs}), 413, "too_many_documents")


def test_concurrent_requests_are_batched(make_client) -> None:
    gated = GatedSummarizer()
    client = make_client(gated, batch_max_size=8, batch_wait_ms=200)
    gated.gate.clear()
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda: statuses.append(client.post("/v1/summaries", json={"text": TEXT}).status_code))
        for _ in range(6)
    ]
    for t in threads:
        t.start()
    time.sleep(0.5)
    gated.gate.set()
    for t in threads:
        t.join()
    assert statuses == [200] * 6
    assert max(gated.calls) > 1  # several requests went through one model call


def test_full_queue_gives_429_and_slow_requests_504(make_client) -> None:
    gated = GatedSummarizer()
    client = make_client(gated, queue_size=1, batch_max_size=1, batch_wait_ms=0, request_timeout_s=0.5)
    gated.gate.clear()
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda: statuses.append(client.post("/v1/summaries", json={"text": TEXT}).status_code))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
        time.sleep(0.05)
    for t in threads:
        t.join()
    gated.gate.set()
    assert sorted(statuses) == [429, 429, 504, 504]


def test_429_carries_retry_after(make_client) -> None:
    gated = GatedSummarizer()
    client = make_client(gated, queue_size=1, batch_max_size=1, batch_wait_ms=0, request_timeout_s=2)
    gated.gate.clear()
    threads = [
        threading.Thread(target=client.post, args=("/v1/summaries",), kwargs={"json": {"text": TEXT}}) for _ in range(2)
    ]
    for t in threads:
        t.start()
        time.sleep(0.1)
    response = client.post("/v1/summaries", json={"text": TEXT})
    gated.gate.set()
    for t in threads:
        t.join()
    assert_error(response, 429, "overloaded")
    assert response.headers["retry-after"] == "1"


def test_jobs_json_list_progress_results_and_bad_documents(client) -> None:
    docs = [{"id": "x", "text": TEXT}, {"id": "x", "text": "Trùng mã."}, {"text": ""}, {"id": "z", "text": "Một câu."}]
    accepted = client.post("/v1/jobs", json=docs)
    assert accepted.status_code == 202
    job = accepted.json()
    assert job["total"] == 4 and job["rejected"] == 2
    status = wait_for_job(client, job["id"])
    assert status["progress"] == {"done": 4, "failed": 2, "total": 4}
    lines = [json.loads(line) for line in client.get(f"/v1/jobs/{job['id']}/results").text.splitlines()]
    assert [line["id"] for line in lines] == ["x", "x", "3", "z"]
    assert "duplicate id" in lines[1]["error"]["message"] and "document 3" in lines[2]["error"]["message"]


def test_jobs_jsonl_upload_and_ndjson_body(client) -> None:
    jsonl = "\n".join(json.dumps({"id": f"d{i}", "text": TEXT}, ensure_ascii=False) for i in range(3)) + "\n{broken\n"
    job = client.post("/v1/jobs", files={"file": ("docs.jsonl", jsonl.encode(), "application/jsonl")}).json()
    assert job["total"] == 4 and job["rejected"] == 1
    wait_for_job(client, job["id"])
    lines = client.get(f"/v1/jobs/{job['id']}/results").text.splitlines()
    assert len(lines) == 4 and "not valid JSON" in lines[3]
    job2 = client.post("/v1/jobs", content=jsonl.encode(), headers={"content-type": "application/x-ndjson"}).json()
    assert job2["total"] == 4


def test_job_errors_and_cancel(make_client) -> None:
    gated = GatedSummarizer()
    client = make_client(gated, job_batch_size=1)
    assert_error(client.get("/v1/jobs/nope"), 404, "job_not_found")
    assert_error(client.get("/v1/jobs/nope/results"), 404, "job_not_found")
    assert_error(client.delete("/v1/jobs/nope"), 404, "job_not_found")
    assert_error(client.post("/v1/jobs", json=[]), 422, "empty_job")
    assert_error(
        client.post("/v1/jobs", content=b"\xff", headers={"content-type": "application/json"}), 400, "invalid_json"
    )
    assert_error(client.post("/v1/jobs", json={"documents": "x"}), 422, "invalid_job")
    gated.gate.clear()
    job = client.post("/v1/jobs", json=[{"text": TEXT}] * 5).json()
    cancelled = client.post(f"/v1/jobs/{job['id']}:cancel").json()
    gated.gate.set()
    assert cancelled["status"] == "cancelled"
    time.sleep(0.3)
    assert client.get(f"/v1/jobs/{job['id']}").json()["progress"]["done"] < 5
    assert client.delete(f"/v1/jobs/{job['id']}").json()["status"] == "deleted"  # DELETE removes it
    assert_error(client.get(f"/v1/jobs/{job['id']}"), 404, "job_not_found")


def test_api_keys(make_client) -> None:
    digest = hashlib.sha256(b"bi-mat").hexdigest()
    client = make_client(api_keys=[digest])
    assert_error(client.post("/v1/summaries", json={"text": TEXT}), 401, "unauthorized")
    wrong = client.post("/v1/summaries", json={"text": TEXT}, headers={"Authorization": "Bearer sai"})
    assert_error(wrong, 401, "unauthorized")
    ok = client.post("/v1/summaries", json={"text": TEXT}, headers={"Authorization": "Bearer bi-mat"})
    assert ok.status_code == 200
    assert client.get("/healthz").status_code == 200 and client.get("/readyz").status_code == 200


def test_plain_keys_in_settings_are_refused() -> None:
    from pydantic import ValidationError

    from api.settings import Settings

    with pytest.raises(ValidationError, match="sha256"):
        Settings(api_keys=["plain-secret"])


def test_cors(make_client) -> None:
    client = make_client(cors_origins=["https://toasoan.example"])
    response = client.options(
        "/v1/summaries", headers={"Origin": "https://toasoan.example", "Access-Control-Request-Method": "POST"}
    )
    assert response.headers["access-control-allow-origin"] == "https://toasoan.example"


def test_openapi_has_vietnamese_examples(client) -> None:
    schema = client.get("/openapi.json").json()
    assert "/v1/summaries:batch" in schema["paths"]
    assert "Lâm Hà" in json.dumps(schema, ensure_ascii=False)


def test_logs_never_contain_article_text(client, caplog) -> None:
    secret = "Bí mật tòa soạn chưa công bố số 12345."
    with caplog.at_level("INFO"):
        client.post("/v1/summaries", json={"text": secret})
    assert caplog.records and all(
        "12345" not in r.getMessage() and "12345" not in str(r.__dict__) for r in caplog.records
    )
    assert any(getattr(r, "request_id", None) for r in caplog.records)


def wait_for_job(client, job_id: str) -> dict:
    for _ in range(200):
        status = client.get(f"/v1/jobs/{job_id}").json()
        if status["status"] == "completed":
            return status
        time.sleep(0.05)
    raise AssertionError(f"job did not finish: {status}")


def test_batch_entry_for_a_too_long_document(make_client) -> None:
    client = make_client(max_chars=1000)
    docs = [{"id": "dai", "text": "chữ " * 500}, {"id": "ngan", "text": TEXT}]
    results = client.post("/v1/summaries:batch", json={"documents": docs}).json()["results"]
    assert results[0]["error"]["code"] == "text_too_long" and results[1]["result"]["bullets"]
