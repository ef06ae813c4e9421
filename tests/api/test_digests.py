"""POST /v1/digests and digest jobs: one digest or one per story, limits, errors, time limit, OpenAPI."""

from __future__ import annotations

import hashlib
import json
import threading
import time

from summarizer.errors import SummarizerError
from tests.api.conftest import GatedSummarizer
from tests.api.test_endpoints import assert_error
from tests.digest_articles import FUEL, PLANE_A, PLANE_B
from tests.document_files import blank_pdf_bytes, docx_bytes

ARTICLES = [{"id": "a", "text": PLANE_A}, {"id": "c", "text": FUEL}, {"id": "b", "text": PLANE_B}]


def test_a_digest_names_the_articles_of_every_line(client) -> None:
    body = {"documents": [ARTICLES[0], ARTICLES[2]], "max_bullets": 2, "include_source": True}
    response = client.post("/v1/digests", json=body)
    assert response.status_code == 200, response.text
    digest = response.json()
    assert digest["ids"] == ["a", "b"] and digest["headline"] and digest["abstract"]
    assert len(digest["bullets"]) <= 2 and len(digest["sources"]) == 2
    for entry in digest["evidence"]:
        assert entry["sources"], entry
        assert all(s["id"] == digest["ids"][s["document"]] for s in entry["sources"])
        if entry["part"] != "headline":  # its first source is the line itself (maybe shortened) in its article
            first = entry["sources"][0]
            span = digest["sources"][first["document"]][first["start"] : first["end"]]
            assert entry["text"][1:30].casefold() in span.casefold(), (entry["text"], span)
    assert any("180" in w and "186" in w for w in digest["warnings"]), "disagreeing figures are named"


def test_group_gives_one_digest_per_story_in_input_order(client) -> None:
    response = client.post("/v1/digests", json={"documents": ARTICLES, "group": True})
    assert response.status_code == 200, response.text
    stories = response.json()["stories"]
    assert [s["ids"] for s in stories] == [["a", "b"], ["c"]]
    assert all("sources" not in s or s["sources"] is None for s in stories)


def test_bad_sets_are_refused_naming_the_document(make_client) -> None:
    client = make_client(max_digest_documents=3, max_chars=500)
    twice = [ARTICLES[0], {**ARTICLES[2], "id": "a"}]
    error = assert_error(client.post("/v1/digests", json={"documents": twice}), 422, "duplicate_id")
    assert "'a'" in error["message"]
    empty = [ARTICLES[0], {"id": "rong", "text": "   "}]
    assert (
        "id 'rong'"
        in assert_error(client.post("/v1/digests", json={"documents": empty}), 422, "invalid_text")["message"]
    )
    long = [ARTICLES[0], {"id": "dai", "text": PLANE_B * 3}]
    assert (
        "id 'dai'"
        in assert_error(client.post("/v1/digests", json={"documents": long}), 413, "text_too_long")["message"]
    )
    many = [{"id": str(i), "text": PLANE_A} for i in range(4)]
    error = assert_error(client.post("/v1/digests", json={"documents": many}), 413, "too_many_documents")
    assert "POST /v1/jobs" in error["message"]
    assert_error(client.post("/v1/digests", json={"documents": []}), 422, "invalid_request")
    assert_error(client.post("/v1/digests", json={"documents": ARTICLES, "group": "yes"}), 422, "invalid_request")
    assert_error(client.post("/v1/digests", json={"documents": [{"id": "x", "text": 42}]}), 422, "invalid_request")


def test_articles_can_be_files_named_by_their_file_names(client) -> None:
    title, body = PLANE_B.split("\n", 1)
    files = [
        ("file", ("vj-1.txt", PLANE_A.encode(), "text/plain")),
        ("file", ("vj-2.docx", docx_bytes(title, [body]), "application/octet-stream")),
    ]
    response = client.post("/v1/digests", files=files, data={"max_bullets": "2", "include_source": "true"})
    assert response.status_code == 200, response.text
    digest = response.json()
    assert digest["ids"] == ["vj-1.txt", "vj-2.docx"] and len(digest["sources"]) == 2
    assert "186 hành khách" in digest["sources"][1]  # the .docx was read by the service
    assert any("180" in w and "186" in w for w in digest["warnings"])


def test_a_file_that_cannot_be_read_refuses_the_digest_naming_it(make_client) -> None:
    client = make_client(max_digest_documents=2)
    text = ("file", ("vj-1.txt", PLANE_A.encode(), "text/plain"))
    scan = ("file", ("scan.pdf", blank_pdf_bytes(), "application/pdf"))
    error = assert_error(client.post("/v1/digests", files=[text, scan]), 422, "no_text_layer")
    assert "scan.pdf" in error["message"]
    assert_error(client.post("/v1/digests", files=[text, text, text]), 413, "too_many_documents")
    assert_error(client.post("/v1/digests", files=[text, text]), 422, "duplicate_id")
    form = {"max_bullets": "3"}
    assert_error(client.post("/v1/digests", data=form, files={"x": ("a.txt", b"x")}), 422, "missing_file")
    assert_error(client.post("/v1/digests", data={"group": "vang"}, files=[text]), 422, "invalid_request")


def test_a_key_is_needed_when_keys_are_on(make_client) -> None:
    client = make_client(api_keys=[hashlib.sha256(b"bi-mat").hexdigest()])
    assert_error(client.post("/v1/digests", json={"documents": ARTICLES}), 401, "unauthorized")
    ok = client.post("/v1/digests", json={"documents": ARTICLES}, headers={"Authorization": "Bearer bi-mat"})
    assert ok.status_code == 200


def test_a_digest_waiting_past_the_time_limit_gets_504(make_client) -> None:
    gated = GatedSummarizer()
    client = make_client(gated, request_timeout_s=0.5)
    gated.gate.clear()  # the model thread is held by a summary request
    held = threading.Thread(target=lambda: client.post("/v1/summaries", json={"text": PLANE_A}))
    held.start()
    try:
        for _ in range(100):  # until the summary request holds the model thread
            if client.app.state.service.batcher.busy:
                break
            time.sleep(0.02)
        started = time.monotonic()
        response = client.post("/v1/digests", json={"documents": ARTICLES})
        assert_error(response, 504, "timeout")
        assert response.headers["Retry-After"] and time.monotonic() - started < 5
    finally:
        gated.gate.set()
        held.join(10)


def wait_for_job(client, job_id: str) -> dict:
    for _ in range(300):
        status = client.get(f"/v1/jobs/{job_id}").json()
        if status["status"] == "completed":
            return status
        time.sleep(0.05)
    raise AssertionError(f"the job never completed: {status}")


def job_lines(client, job_id: str) -> list[dict]:
    """A completed job's result lines."""
    wait_for_job(client, job_id)
    return [json.loads(line) for line in client.get(f"/v1/jobs/{job_id}/results").text.splitlines()]


def test_a_digest_job_gives_a_line_per_story_and_per_refused_document(client) -> None:
    documents = [ARTICLES[0], ARTICLES[1], {"id": "rong", "text": ""}, ARTICLES[2]]
    accepted = client.post("/v1/jobs", json={"task": "digest", "group": True, "documents": documents})
    assert accepted.status_code == 202, accepted.text
    assert (accepted.json()["total"], accepted.json()["rejected"]) == (4, 1)
    status = wait_for_job(client, accepted.json()["id"])
    assert status["progress"] == {"done": 4, "failed": 1, "total": 4}
    lines = [json.loads(x) for x in client.get(f"/v1/jobs/{status['id']}/results").text.splitlines()]
    assert [line.get("ids") or line["id"] for line in lines] == [["a", "b"], ["c"], "rong"]
    assert lines[0]["headline"] and all(s["id"] in ("a", "b") for e in lines[0]["evidence"] for s in e["sources"])
    assert lines[2]["error"]["code"] == "invalid_text"


class FailingDigests(GatedSummarizer):
    """The lead model whose first `failures` digests fail (a model error, not bad input)."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def digest(self, *args, **kwargs):
        if self.failures:
            self.failures -= 1
            raise SummarizerError("the selector crashed")
        return super().digest(*args, **kwargs)


def test_a_failed_digest_job_is_retried_whole_then_marked_failed(make_client) -> None:
    client = make_client(FailingDigests(1), job_retry_backoff_s=0.05, job_max_attempts=2)
    accepted = client.post("/v1/jobs", json={"task": "digest", "documents": ARTICLES})
    lines = job_lines(client, accepted.json()["id"])
    assert len(lines) == 1 and lines[0]["ids"] == ["a", "c", "b"]  # the second attempt took all three again
    client = make_client(FailingDigests(2), job_retry_backoff_s=0.05, job_max_attempts=2)
    accepted = client.post("/v1/jobs", json={"task": "digest", "documents": ARTICLES})
    assert client.get(f"/v1/jobs/{accepted.json()['id']}").json()["progress"]["total"] == 3
    lines = job_lines(client, accepted.json()["id"])
    failed = [(line["id"], line["error"]["code"]) for line in lines]
    assert failed == [(d["id"], "summarization_failed") for d in ARTICLES]
    assert "the selector crashed" in lines[0]["error"]["message"]


def test_a_digest_job_without_group_is_one_digest(client) -> None:
    accepted = client.post("/v1/jobs", json={"task": "digest", "documents": ARTICLES, "max_bullets": 1})
    status = wait_for_job(client, accepted.json()["id"])
    lines = [json.loads(x) for x in client.get(f"/v1/jobs/{status['id']}/results").text.splitlines()]
    assert len(lines) == 1 and lines[0]["ids"] == ["a", "c", "b"] and len(lines[0]["bullets"]) <= 1


def test_a_jsonl_upload_is_a_digest_job_with_query_options(client) -> None:
    body = "\n".join(json.dumps(d, ensure_ascii=False) for d in ARTICLES) + "\n{không phải json\n"
    accepted = client.post(
        "/v1/jobs?task=digest&group=true", content=body.encode(), headers={"Content-Type": "application/x-ndjson"}
    )
    assert accepted.status_code == 202, accepted.text
    status = wait_for_job(client, accepted.json()["id"])
    lines = [json.loads(x) for x in client.get(f"/v1/jobs/{status['id']}/results").text.splitlines()]
    assert [line.get("ids") or line["error"]["code"] for line in lines] == [["a", "b"], ["c"], "invalid_document"]
    clash = client.post("/v1/jobs?task=summarize", json={"task": "digest", "documents": ARTICLES})
    assert "query and the body disagree" in assert_error(clash, 422, "invalid_request")["message"]


def test_group_is_for_digest_jobs_only(client) -> None:
    error = assert_error(client.post("/v1/jobs", json={"group": True, "documents": ARTICLES}), 422, "invalid_request")
    assert '"task": "digest"' in error["message"]
    assert_error(client.post("/v1/jobs", json={"task": "tom-tat", "documents": ARTICLES}), 422, "invalid_request")
    assert_error(client.post("/v1/jobs?group=true", json=ARTICLES), 422, "invalid_request")


def test_the_openapi_document_declares_digests(client) -> None:
    document = client.get("/openapi.json").json()
    operation = document["paths"]["/v1/digests"]["post"]
    assert {"200", "401", "413", "422", "504"} <= set(operation["responses"])
    assert "duplicate_id" in operation["responses"]["422"]["description"]
    ok = json.dumps(operation["responses"]["200"])
    assert "DigestResponse" in ok and "StoriesResponse" in ok
    job_options = json.dumps(document["paths"]["/v1/jobs"]["post"]["requestBody"])
    assert '"digest"' in job_options and '"group"' in job_options
