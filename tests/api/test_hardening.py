"""Reliability of the service under hostile or heavy traffic (issues #11 and #12).

Bodies are held to TOMTAT_MAX_BODY_BYTES while they stream (chunked too) and are never
read before the API key is checked; work whose request gave up never reaches the model;
duplicate ids in a batch are refused; the version and the model card say what runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import importlib.metadata
import json
import select
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from api.batcher import MicroBatcher
from api.errors import ApiError
from api.metrics import Metrics
from summarizer import Summarizer
from summarizer.document import Document, prepare_document
from summarizer.errors import InvalidInputError, SummarizerError
from summarizer.options import MAX_BULLETS, LoadOptions
from tests.api.conftest import GatedSummarizer
from tests.api.servers import TEXT, server

KEY = "khoa-bi-mat"
LIMIT = 100_000  # TOMTAT_MAX_BODY_BYTES of the real server below
MiB = 1 << 20


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


# -- a raw HTTP/1.1 client that streams a chunked body and stops when the server answers ---


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    sent: int  # body bytes the client had sent when the answer came
    closed: bool  # the server closed the connection after answering


def stream_body(
    url: str,
    path: str,
    total: int,
    *,
    headers: dict[str, str] | None = None,
    chunked: bool = True,
    first: bytes = b"",
    timeout_s: float = 30,
) -> Answer:
    """POST `first` then filler bytes up to `total`, reading the answer as soon as there is one.

    Chunked unless `chunked` is False (then with a Content-Length of `total`). Sending
    stops when the server answers, stops reading, or closes the connection.
    """
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout_s)
    head = [f"POST {path} HTTP/1.1", f"Host: {parts.netloc}", "Content-Type: application/json"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}")
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
    sock.setblocking(False)
    piece = 64 * 1024

    def frame(data: bytes) -> bytes:
        return f"{len(data):x}\r\n".encode() + data + b"\r\n" if chunked else data

    pending, sent, received, writing = b"", 0, b"", True
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            readable, writable, _ = select.select([sock], [sock] if writing else [], [], 0.5)
            if readable:
                try:
                    data = sock.recv(1 << 16)
                except ConnectionResetError:
                    break
                if not data:
                    break
                received += data
                if _complete(received):
                    writing = False
                    # the answer is complete: does the server close the connection now?
                    select.select([sock], [], [], 2)
                    try:
                        return _parse(received, sent, closed=sock.recv(1 << 16) == b"")
                    except ConnectionResetError:
                        return _parse(received, sent, closed=True)
                    except BlockingIOError:
                        return _parse(received, sent, closed=False)
            elif writable:
                if not pending:
                    if sent >= total:
                        pending, writing = (b"0\r\n\r\n" if chunked else b""), False
                    else:
                        data = first[sent:] if sent < len(first) else b"a" * min(piece, total - sent)
                        data = data[: min(piece, total - sent)]
                        pending = frame(data)
                        sent += len(data)
                try:
                    written = sock.send(pending)
                except (BrokenPipeError, ConnectionResetError):
                    writing = False
                    continue
                pending = pending[written:]
        if _complete(received):
            return _parse(received, sent, closed=True)
        raise AssertionError(f"no answer after sending {sent:,} bytes: {received[:200]!r}")
    finally:
        sock.close()


def _complete(data: bytes) -> bool:
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False


def _parse(data: bytes, sent: int, *, closed: bool) -> Answer:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Answer(int(lines[0].split()[1]), headers, body, sent, closed)


@pytest.fixture(scope="module")
def keyed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `tomtat serve` (lead model) with an API key and a 100 kB body limit."""
    env = {
        "TOMTAT_API_KEYS": json.dumps([hashlib.sha256(KEY.encode()).hexdigest()]),
        "TOMTAT_MAX_BODY_BYTES": str(LIMIT),
    }
    with server(tmp_path_factory.mktemp("keyed"), "--model", "lead", env=env) as url:
        yield url


AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.mark.parametrize("path", ["/v1/summaries", "/v1/summaries:batch", "/v1/jobs"])
def test_a_chunked_body_is_cut_at_the_limit_with_413(keyed_server: str, path: str) -> None:
    answer = stream_body(keyed_server, path, 64 * MiB, headers=AUTH)
    assert answer.status == 413, answer
    error = json.loads(answer.body)["error"]
    assert error["code"] == "body_too_large" and f"{LIMIT:,}" in error["message"]
    # cut while it streams: the server read about the limit, not the 64 MiB
    assert answer.sent < 16 * MiB and answer.closed
    assert answer.headers["connection"] == "close"


def test_a_chunked_body_under_the_limit_is_read_whole(keyed_server: str) -> None:
    body = json.dumps({"documents": [{"id": "a", "text": TEXT}], "max_bullets": 2}, ensure_ascii=False).encode()
    answer = stream_body(keyed_server, "/v1/summaries:batch", len(body), headers=AUTH, first=body)
    assert answer.status == 200, answer
    assert json.loads(answer.body)["results"][0]["result"]["headline"] == "Hà Nội mưa lớn"


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer sai"}], ids=["no-key", "wrong-key"])
def test_without_a_valid_key_the_body_is_never_read(keyed_server: str, chunked: bool, headers: dict) -> None:
    # 32 MiB under the body limit or not: the 401 comes while the client is still sending
    # (the server answered after the headers and closed), so nothing of it was buffered
    total = 32 * MiB
    answer = stream_body(keyed_server, "/v1/summaries", total, headers=headers, chunked=chunked)
    assert answer.status == 401, answer
    assert json.loads(answer.body)["error"]["code"] == "unauthorized"
    assert answer.headers["www-authenticate"] == "Bearer"
    assert answer.sent < total // 2 and answer.closed


def test_a_content_length_over_the_limit_is_refused_before_reading(keyed_server: str) -> None:
    answer = stream_body(keyed_server, "/v1/jobs", 32 * MiB, headers=AUTH, chunked=False)
    assert answer.status == 413 and json.loads(answer.body)["error"]["code"] == "body_too_large"
    assert answer.sent < 16 * MiB and answer.closed


def test_keys_still_open_the_service_and_public_routes_need_none(keyed_server: str) -> None:
    ok = httpx.post(f"{keyed_server}/v1/summaries", json={"text": TEXT}, headers=AUTH, timeout=30)
    assert ok.status_code == 200 and ok.json()["headline"] == "Hà Nội mưa lớn"
    for path in ("/healthz", "/readyz", "/", "/openapi.json"):
        assert httpx.get(f"{keyed_server}{path}", timeout=10).status_code == 200, path
    assert httpx.get(f"{keyed_server}/v1/models", timeout=10).status_code == 401


# -- overload: work whose request gave up never reaches the model -------------------------


class Recorder:
    """A model function for the batcher: records what it is given; each call takes `delay_s`."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.lead = Summarizer.from_pretrained("lead")
        self.delay_s = delay_s
        self.gate = threading.Event()
        self.gate.set()
        self.calls: list[list[str]] = []

    def __call__(self, documents: list[Document], max_bullets: int) -> list:
        self.gate.wait(10)
        self.calls.append([d.text.split()[-1] for d in documents])  # when the call starts
        time.sleep(self.delay_s)
        return self.lead.summarize_each(documents, options=None)


def doc(tag: str) -> Document:
    return prepare_document(f"{TEXT} {tag}")


async def with_batcher(model: Recorder, test, **kwargs) -> None:
    settings = {"max_size": 1, "wait_s": 0.0, "queue_size": 8, **kwargs}
    with ThreadPoolExecutor(1) as executor:
        batcher = MicroBatcher(model, executor, Metrics(), **settings)
        loop = asyncio.create_task(batcher.run())
        try:
            await test(batcher)
        finally:
            model.gate.set()
            loop.cancel()


def test_a_timed_out_request_leaves_the_queue_and_never_runs() -> None:
    model = Recorder()

    async def test(batcher: MicroBatcher) -> None:
        model.gate.clear()
        running = asyncio.create_task(batcher.submit(doc("A"), 3, 5))
        await asyncio.sleep(0.1)  # A holds the model
        with pytest.raises(ApiError) as timed_out:
            await batcher.submit(doc("B"), 3, 0.2)
        assert timed_out.value.status == 504 and int(timed_out.value.headers["Retry-After"]) >= 1
        # B's slot is free at once: the queue of 1 takes C instead of answering 429
        waiting = asyncio.create_task(batcher.submit(doc("C"), 3, 5))
        await asyncio.sleep(0.1)
        assert not waiting.done()
        model.gate.set()
        await running
        await waiting
        assert model.calls == [["A"], ["C"]]

    asyncio.run(with_batcher(model, test, queue_size=1))


def test_a_request_whose_client_left_is_never_run() -> None:
    model = Recorder()

    async def test(batcher: MicroBatcher) -> None:
        model.gate.clear()
        running = asyncio.create_task(batcher.submit(doc("A"), 3, 5))
        await asyncio.sleep(0.1)
        left = asyncio.create_task(batcher.submit(doc("B"), 3, 5))
        await asyncio.sleep(0.1)
        left.cancel()  # the client disconnected (the request task is cancelled)
        await asyncio.sleep(0.05)
        model.gate.set()
        await running
        await asyncio.sleep(0.2)
        assert model.calls == [["A"]]
        assert batcher.queued == 0 and not batcher.busy

    asyncio.run(with_batcher(model, test))


def test_a_request_that_times_out_while_another_group_runs_is_dropped() -> None:
    model = Recorder(delay_s=0.5)

    async def test(batcher: MicroBatcher) -> None:
        first = asyncio.create_task(batcher.submit(doc("A"), 3, 5))  # runs 0 - 0.5 s
        await asyncio.sleep(0.05)
        same = asyncio.create_task(batcher.submit(doc("B"), 3, 5))  # next batch, first group: 0.5 - 1 s
        other = asyncio.create_task(batcher.submit(doc("C"), 5, 0.7))  # same batch, second group; gone at 0.75
        await first
        await same
        with pytest.raises(ApiError, match="longer than"):
            await other
        await asyncio.sleep(0.1)
        assert model.calls == [["A"], ["B"]]

    asyncio.run(with_batcher(model, test, max_size=4))


def test_504_carries_retry_after(make_client) -> None:
    gated = GatedSummarizer()
    client = make_client(gated, batch_max_size=1, batch_wait_ms=0, request_timeout_s=0.3)
    gated.gate.clear()
    try:
        response = client.post("/v1/summaries", json={"text": TEXT})
    finally:
        gated.gate.set()
    assert_error(response, 504, "timeout")
    assert int(response.headers["retry-after"]) >= 1


# -- batch ids, version ---------------------------------------------------------------------


def test_duplicate_ids_in_a_batch_are_refused(client) -> None:
    docs = [{"id": "a", "text": TEXT}, {"id": "b", "text": TEXT}, {"id": "a", "text": "Một câu."}]
    error = assert_error(client.post("/v1/summaries:batch", json={"documents": docs}), 422, "duplicate_id")
    assert "'a'" in error["message"] and "1" in error["message"] and "3" in error["message"]


def test_the_version_comes_from_the_package_metadata(make_client, monkeypatch) -> None:
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "9.8.7" if name == "tomtat" else real(name))
    client = make_client()
    assert client.get("/openapi.json").json()["info"]["version"] == "9.8.7"


def test_the_distribution_is_named_tomtat() -> None:
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    assert 'name = "tomtat"' in pyproject
    assert importlib.metadata.version("tomtat")


def test_max_bullets_has_the_library_bound(client) -> None:
    document = client.get("/openapi.json").json()
    summaries = document["paths"]["/v1/summaries"]["post"]["requestBody"]["content"]  # JSON or a form
    bodies = [summaries["application/json"]["schema"], summaries["multipart/form-data"]["schema"]]
    for body in [*bodies, document["components"]["schemas"]["BatchRequest"]]:
        assert body["properties"]["max_bullets"]["maximum"] == MAX_BULLETS
    assert client.post("/v1/summaries", json={"text": TEXT, "max_bullets": MAX_BULLETS}).status_code == 200
    too_many = client.post("/v1/summaries", json={"text": TEXT, "max_bullets": MAX_BULLETS + 1})
    assert_error(too_many, 422, "invalid_request")


# -- the model: what runs, and one error per document ---------------------------------------


def test_models_reports_what_was_loaded(client) -> None:
    body = client.get("/v1/models").json()
    loaded = Summarizer.from_pretrained("lead").info.as_dict()
    assert {k: body[k] for k in loaded} == loaded
    assert body["backend"] == "extractive" and body["kind"] == "extractive" and body["dtype"] == "n/a"
    assert body["model"]["name"] == "lead"  # the model card, as before


def test_the_loader_passes_the_load_options(tmp_path) -> None:
    from api.service import default_loader
    from api.settings import Settings

    settings = Settings(model="lead", device="cpu", dtype="float32", compute_type="int8", threads=2)
    loaded = default_loader(settings)()
    assert loaded.load_options == LoadOptions(device="cpu", dtype="float32", compute_type="int8", threads=2)


def test_the_service_loads_ext_vi_warmed_up_for_many_requests() -> None:
    pytest.importorskip("lightgbm")
    from api.service import default_loader
    from api.settings import Settings

    selector = default_loader(Settings(model="ext-vi"))().selector
    assert selector is not None and selector.abstract_booster.compiled and selector.keypoint_booster.compiled


def test_a_bad_load_option_is_refused_at_start_up() -> None:
    from pydantic import ValidationError

    from api.settings import Settings

    with pytest.raises(ValidationError, match="backend"):
        Settings(backend="onnx")


class PickySummarizer(GatedSummarizer):
    """The lead model, except that a text ending in HỎNG is invalid and one ending in LỖI breaks the model."""

    def summarize_each(self, documents, **kwargs):
        outcomes = super().summarize_each(documents, **kwargs)  # gated and counted
        for index, document in enumerate(documents):
            if document.text.endswith("HỎNG."):
                outcomes[index] = InvalidInputError("document has nothing to summarize")
            elif document.text.endswith("LỖI."):
                outcomes[index] = SummarizerError("generation failed")
        return outcomes


def test_each_request_in_a_model_call_gets_its_own_outcome(make_client) -> None:
    picky = PickySummarizer()
    client = make_client(picky, batch_max_size=8, batch_wait_ms=300)
    picky.gate.clear()
    responses: dict[str, httpx.Response] = {}

    def post(tag: str) -> None:
        responses[tag] = client.post("/v1/summaries", json={"text": f"{TEXT} {tag}."})

    threads = [threading.Thread(target=post, args=(tag,)) for tag in ("Một", "HỎNG", "LỖI", "Hai")]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    picky.gate.set()
    for thread in threads:
        thread.join()
    assert responses["Một"].status_code == 200 and responses["Hai"].status_code == 200
    assert_error(responses["HỎNG"], 422, "invalid_text")
    failed = assert_error(responses["LỖI"], 500, "summarization_failed")
    assert "generation failed" in failed["message"]
    assert sum(picky.calls) == 4  # nobody was retried one by one in the service


def test_a_batch_entry_for_a_document_the_model_failed_on(make_client) -> None:
    client = make_client(PickySummarizer())
    docs = [{"id": "a", "text": f"{TEXT} LỖI."}, {"id": "b", "text": TEXT}]
    results = client.post("/v1/summaries:batch", json={"documents": docs}).json()["results"]
    assert results[0]["error"]["code"] == "summarization_failed" and results[1]["result"]["headline"]


@pytest.mark.slow  # the test session's fresh cache means a CTranslate2 conversion: 30-50 s on 2 cores
def test_compact_vi_on_cpu_runs_through_ctranslate2(tmp_path) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    settings = Settings(model="compact-vi", device="cpu", jobs_db=tmp_path / "jobs.db")  # backend: auto
    with TestClient(create_app(settings)) as client:
        deadline = time.monotonic() + 300  # the first load converts the model to CTranslate2 (cached)
        while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        body = client.get("/v1/models").json()
        assert (body["name"], body["kind"], body["backend"], body["device"]) == ("compact-vi", "seq2seq", "ct2", "cpu")
        assert body["compute_type"] == "float32"
        summary = client.post("/v1/summaries", json={"text": TEXT})
        assert summary.status_code == 200 and summary.json()["headline"]


# -- /metrics behind the key; text preparation off the event loop ------------------------


@pytest.mark.parametrize("require", [False, True])
def test_metrics_can_be_put_behind_the_key(make_client, require: bool) -> None:
    digest = hashlib.sha256(KEY.encode()).hexdigest()
    client = make_client(api_keys=[digest], metrics_require_key=require)
    assert client.get("/metrics").status_code == (401 if require else 200)
    assert client.get("/metrics", headers=AUTH).status_code == 200
    assert client.get("/healthz").status_code == 200  # liveness never needs a key


def test_texts_are_prepared_in_a_worker_thread_not_on_the_event_loop(make_client, monkeypatch) -> None:
    from api.service import Service

    threads: list[str] = []
    validate = Service.validate

    def recording(self, text, title=None):
        threads.append(threading.current_thread().name)
        return validate(self, text, title)

    monkeypatch.setattr(Service, "validate", recording)
    client = make_client()
    assert client.post("/v1/summaries", json={"text": TEXT}).status_code == 200
    docs = [{"id": "a", "text": TEXT}, {"id": "b", "text": ""}]
    results = client.post("/v1/summaries:batch", json={"documents": docs}).json()["results"]
    assert results[0]["result"] and results[1]["error"]["code"] == "invalid_text"
    assert len(threads) == 3 and all(name.startswith("AnyIO worker thread") for name in threads), threads


def test_a_client_that_leaves_over_http_is_never_sent_to_the_model(tmp_path) -> None:
    import socket

    import uvicorn

    from api.app import create_app
    from api.settings import Settings
    from tests.api.conftest import GatedSummarizer
    from tests.api.servers import free_port

    model = GatedSummarizer()
    port = free_port()
    settings = Settings(model="lead", jobs_db=tmp_path / "jobs.db", batch_wait_ms=0)
    server = uvicorn.Server(uvicorn.Config(create_app(settings, load=lambda: model), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            time.sleep(0.05)
        model.gate.clear()  # the model is busy with A
        first = threading.Thread(target=lambda: httpx.post(f"{url}/v1/summaries", json={"text": TEXT}, timeout=30))
        first.start()
        time.sleep(0.3)
        body = json.dumps({"text": "Người dùng đã rời đi. Câu thứ hai."}).encode()
        with socket.create_connection(("127.0.0.1", port)) as sock:  # B sends its request, then leaves
            sock.sendall(
                b"POST /v1/summaries HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            time.sleep(0.3)
        time.sleep(0.3)
        model.gate.set()
        first.join(30)
        time.sleep(0.5)
        assert model.calls == [1], model.calls  # A only: B's document never reached the model
    finally:
        model.gate.set()
        server.should_exit = True
        thread.join(10)


@pytest.mark.parametrize(("path", "root_path"), [("/metrics", ""), ("/api/metrics", "/api"), ("/api/v1/jobs", "/api")])
def test_the_guard_protects_routes_under_a_root_path(path: str, root_path: str) -> None:
    from api.guard import RequestGuard

    reached: list[str] = []

    async def app(scope, receive, send) -> None:
        reached.append(scope["path"])

    guard = RequestGuard(app, max_body_bytes=1000, key_digests=["0" * 64], also_protected=["/metrics"])
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "root_path": root_path, "headers": []}
    asyncio.run(guard(scope, receive, send))
    assert reached == [] and sent[0]["status"] == 401


def test_the_job_runner_backoff_never_overflows(make_client) -> None:
    from api.service import MAX_BACKOFF_S

    service = make_client().app.state.service
    assert service._backoff_s(1) == service.settings.job_retry_backoff_s
    assert service._backoff_s(5000) == MAX_BACKOFF_S  # 2 ** 4999 would overflow a float


def test_requests_lingering_for_a_batch_keep_the_batcher_busy() -> None:
    """Background jobs give way while a request waits for company, not only while it runs."""
    model = Recorder()

    async def test(batcher: MicroBatcher) -> None:
        await asyncio.gather(batcher.submit(doc("A"), 3, 5), batcher.submit(doc("B"), 3, 5))  # a shared batch
        lingering = asyncio.create_task(batcher.submit(doc("C"), 3, 5))  # the next one lingers for more
        await asyncio.sleep(0.2)
        assert not lingering.done() and batcher.queued == 0
        assert batcher.busy
        await lingering
        assert not batcher.busy

    asyncio.run(with_batcher(model, test, max_size=8, wait_s=0.6))


def test_the_batcher_outlives_a_failing_batch() -> None:
    class Broken(Recorder):
        def __call__(self, documents, max_bullets):
            if any("BOOM" in d.text for d in documents):
                return []  # a bug: fewer outcomes than documents
            return super().__call__(documents, max_bullets)

    model = Broken()

    async def test(batcher: MicroBatcher) -> None:
        with pytest.raises(ValueError):
            await batcher.submit(doc("BOOM"), 3, 5)
        assert (await batcher.submit(doc("after"), 3, 5)).headline  # the loop is still there

    asyncio.run(with_batcher(model, test))
