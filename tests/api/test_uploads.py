"""Files uploaded to POST /v1/summaries (multipart) and POST /v1/jobs: .docx, .pdf, .html give the
summary of the same report sent as JSON text; bad files get 415/422/413 with a code."""

from __future__ import annotations

import tempfile

import pytest

from summarizer import Summarizer
from tests.document_files import (
    FURNITURE,
    KEY_FACTS,
    MAKERS,
    REPORT_TXT,
    blank_pdf_bytes,
    docx_bytes,
    html_bytes,
    pdf_bytes,
    report,
    zip_bytes,
)

TITLE, PARAGRAPHS = report()


@pytest.fixture(scope="module")
def ext_vi() -> Summarizer:
    return Summarizer.from_pretrained("ext-vi")


def assert_error(response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    return body["error"]["message"]


def summary_text(result: dict) -> str:
    return "\n".join([result["headline"], result["abstract"], *result["bullets"]])


def facts(result: dict) -> set[str]:
    text = summary_text(result).casefold()
    return {fact for fact in KEY_FACTS if fact.casefold() in text}


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_an_uploaded_report_summarizes_like_its_text(make_client, ext_vi, kind: str) -> None:
    client = make_client(ext_vi)
    from_text = client.post("/v1/summaries", json={"text": REPORT_TXT.read_text(encoding="utf-8")}).json()
    response = client.post(
        "/v1/summaries",
        files={"file": ("bao-cao", MAKERS[kind](TITLE, PARAGRAPHS), "application/octet-stream")},
        data={"max_bullets": "5", "include_source": "true"},
    )
    assert response.status_code == 200, response.text
    from_file = response.json()
    assert from_file["headline"] == from_text["headline"] == TITLE
    assert len(facts(from_file) ^ facts(from_text)) <= 1 and len(facts(from_text)) >= 3
    found = [f for f in FURNITURE if f.casefold() in (summary_text(from_file) + from_file["source"]).casefold()]
    assert not found


def test_form_fields_are_the_json_fields(client) -> None:
    pdf = pdf_bytes(TITLE, PARAGRAPHS)
    response = client.post(
        "/v1/summaries",
        files={"file": ("bao-cao.pdf", pdf, "application/pdf")},
        data={"title": "Tiêu đề riêng", "max_bullets": "2", "outputs": "headline,bullets"},
    )
    result = response.json()
    assert response.status_code == 200, response.text
    assert result["headline"] == "Tiêu đề riêng" and len(result["bullets"]) == 2 and result["abstract"] is None
    repeated = client.post(
        "/v1/summaries",
        files=[("file", ("a.pdf", pdf, "application/pdf"))],
        data={"outputs": ["headline", "abstract"]},
    ).json()
    assert repeated["bullets"] is None and repeated["abstract"]
    bad = client.post("/v1/summaries", files={"file": ("a.pdf", pdf)}, data={"max_bullets": "nhiều"})
    assert "max_bullets" in assert_error(bad, 422, "invalid_request")


@pytest.mark.parametrize(
    ("make", "status", "code"),
    [
        (blank_pdf_bytes, 422, "no_text_layer"),
        (lambda: pdf_bytes(TITLE, PARAGRAPHS[:1], owner_password="a", user_password="b"), 422, "encrypted_pdf"),
        (lambda: b"%PDF-1.7\n" + b"rac " * 500, 422, "damaged_file"),
        (lambda: docx_bytes(TITLE, PARAGRAPHS)[:2000], 422, "damaged_file"),
        (lambda: b"\x89PNG\r\n\x1a\n" + bytes(200), 415, "unsupported_format"),
        (lambda: zip_bytes({"xl/workbook.xml": b"<x/>"}), 415, "unsupported_format"),
        (lambda: "Hà Nội mưa".encode("latin-1", errors="replace"), 422, "invalid_encoding"),
        (lambda: "Hà Nộ".encode()[:-1], 422, "invalid_encoding"),  # found by fuzzing: was a 500
        (lambda: pdf_bytes(TITLE, PARAGRAPHS), 413, "too_many_pages"),
        (
            lambda: zip_bytes({"word/document.xml": b"<a/>", "word/media/x.bin": bytes(2_000_000)}),
            413,
            "document_too_large",
        ),
    ],
    ids=[
        "scanned",
        "encrypted",
        "damaged-pdf",
        "damaged-docx",
        "png",
        "xlsx",
        "not-utf8",
        "cut-utf8",
        "too-many-pages",
        "zip-bomb",
    ],
)
def test_bad_files_get_a_status_and_a_code(make_client, make, status: int, code: str) -> None:
    client = make_client(max_pages=2, max_unpacked_bytes=1_000_000)
    response = client.post("/v1/summaries", files={"file": ("tep", make())})
    message = assert_error(response, status, code)
    assert "tep" in message


def test_a_form_needs_exactly_one_file(client) -> None:
    assert_error(client.post("/v1/summaries", files={"title": (None, "x")}), 422, "missing_file")
    two = [("file", ("a.txt", b"Mot cau.")), ("file", ("b.txt", b"Hai cau."))]
    assert_error(client.post("/v1/summaries", files=two), 422, "too_many_files")


def test_uploads_stay_in_memory(client, monkeypatch) -> None:
    """A file over Starlette's 1 MB spooling threshold never reaches a temporary file."""

    def no_disk(*args, **kwargs):
        raise AssertionError("an upload was written to a temporary file")

    monkeypatch.setattr(tempfile, "TemporaryFile", no_disk)
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", no_disk)
    page = html_bytes(TITLE, PARAGRAPHS).replace(b"<style>", b"<style>/*" + b"x" * 1_500_000 + b"*/")
    response = client.post("/v1/summaries", files={"file": ("trang.html", page, "text/html")})
    assert response.status_code == 200, response.text
    assert response.json()["headline"] == TITLE
    jsonl = b'{"id": "dai", "text": "' + b"a" * 1_500_000 + b'"}\n'
    job = client.post("/v1/jobs", files={"file": ("docs.jsonl", jsonl, "application/jsonl")})
    assert job.status_code == 202, job.text


def test_a_document_file_is_one_job(client) -> None:
    import time

    job = client.post("/v1/jobs", files={"file": ("bao-cao.docx", docx_bytes(TITLE, PARAGRAPHS))})
    assert job.status_code == 202, job.text
    assert job.json()["total"] == 1 and job.json()["rejected"] == 0
    job_id = job.json()["id"]
    for _ in range(200):
        if client.get(f"/v1/jobs/{job_id}").json()["status"] == "completed":
            break
        time.sleep(0.05)
    lines = client.get(f"/v1/jobs/{job_id}/results").text.splitlines()
    assert len(lines) == 1 and '"id": "bao-cao.docx"' in lines[0].replace('":"', '": "')
    assert TITLE in lines[0]
    scanned = client.post("/v1/jobs", files={"file": ("scan.pdf", blank_pdf_bytes())})
    assert_error(scanned, 422, "no_text_layer")
    text = client.post("/v1/jobs", files={"file": ("bao-cao.txt", REPORT_TXT.read_bytes(), "text/plain")})
    assert text.status_code == 202 and text.json()["total"] == 1 and text.json()["rejected"] == 0
    jsonl = client.post("/v1/jobs", files={"file": ("docs.jsonl", b'{"text": "Mot."}\n{"text": "Hai."}\n')})
    assert jsonl.status_code == 202 and jsonl.json()["total"] == 2


def test_openapi_documents_both_bodies(client) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/v1/summaries"]["post"]
    content = operation["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    assert content["multipart/form-data"]["schema"]["required"] == ["file"]
    assert "text" in content["application/json"]["schema"]["properties"]
    assert "415" in operation["responses"]
    jobs = client.get("/openapi.json").json()["paths"]["/v1/jobs"]["post"]
    assert "multipart/form-data" in jobs["requestBody"]["content"]
