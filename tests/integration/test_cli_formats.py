"""`tomtat summarize` on Word, PDF and HTML files: the same summary as the report's .txt, no page
furniture; bad files, endless inputs and wrong batch inputs get one error line and exit 2."""

from __future__ import annotations

import json
import time
import unicodedata
from pathlib import Path

import pytest

from summarizer.cli import main
from tests.document_files import (
    FURNITURE,
    KEY_FACTS,
    MAKERS,
    REPORT_TXT,
    blank_pdf_bytes,
    pdf_bytes,
    report,
)


def summarize(capsys, path: Path | str, *options: str) -> tuple[int, dict, str]:
    code = main(["summarize", str(path), "--format", "json", *options])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out else {}), err


def summary_text(summary: dict) -> str:
    return "\n".join([summary["headline"], summary["abstract"], *summary["bullets"]])


def facts(summary: dict, facts: tuple[str, ...] = KEY_FACTS) -> set[str]:
    text = summary_text(summary).casefold()
    return {fact for fact in facts if fact.casefold() in text}


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_a_report_as_a_file_summarizes_like_its_txt(capsys, tmp_path: Path, kind: str) -> None:
    title, paragraphs = report()
    # no extension: the format is told by the content
    path = tmp_path / "bao-cao"
    path.write_bytes(MAKERS[kind](title, paragraphs))
    code, from_file, err = summarize(capsys, path)
    assert code == 0, err
    _, from_txt, _ = summarize(capsys, REPORT_TXT)
    assert from_file["headline"] == from_txt["headline"] == title
    assert len(facts(from_file) ^ facts(from_txt)) <= 1, (facts(from_file), facts(from_txt))
    assert (
        len(facts(from_txt)) >= 3
    )  # the comparison means something (its figures; the rest are problems and directions)
    found = [f for f in FURNITURE if f.casefold() in summary_text(from_file).casefold()]
    assert not found


@pytest.mark.shared
def test_the_shared_sample_as_a_pdf_keeps_its_key_facts(capsys, tmp_path: Path, sample_text: str) -> None:
    from tests.conftest import SHARED

    keyfacts = json.loads((SHARED / "samples" / "bac-giang-keyfacts.json").read_text(encoding="utf-8"))
    lines = [line for line in sample_text.splitlines() if line.strip()]
    (tmp_path / "a.txt").write_text(sample_text, encoding="utf-8")
    (tmp_path / "a.pdf").write_bytes(pdf_bytes(lines[0], lines[1:], page_format=(148, 210)))

    def covered(summary: dict) -> int:
        text = unicodedata.normalize("NFC", summary_text(summary)).casefold()
        return sum(any(alt.casefold() in text for alt in fact) for fact in keyfacts["facts"])

    _, from_txt, _ = summarize(capsys, tmp_path / "a.txt")
    code, from_pdf, err = summarize(capsys, tmp_path / "a.pdf")
    assert code == 0, err
    assert from_pdf["headline"] == from_txt["headline"]
    assert abs(covered(from_pdf) - covered(from_txt)) <= 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (blank_pdf_bytes, "no text layer"),
        (lambda: pdf_bytes("Tiêu đề", ["Một câu."], owner_password="a", user_password="b"), "encrypted PDF"),
        (lambda: b"%PDF-1.7\n" + b"rac " * 500, "damaged PDF"),
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "old Word .doc"),
    ],
    ids=["scanned", "encrypted", "damaged", "old-doc"],
)
def test_bad_files_are_one_line_errors(capsys, tmp_path: Path, make, message: str) -> None:
    path = tmp_path / "tep.pdf"
    path.write_bytes(make())
    code, out, err = summarize(capsys, path, "--model", "lead")
    assert code == 2 and out == {}
    assert err.startswith("tomtat: error:") and message in err and err.count("\n") == 1


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_endless_binary_devices_end_at_once(capsys, device: str) -> None:
    started = time.monotonic()
    code, _, err = summarize(capsys, device, "--model", "lead")
    assert code == 2 and "binary" in err and err.count("\n") == 1
    assert time.monotonic() - started < 5


def test_an_endless_text_stream_stops_at_the_size_limit(capsys, monkeypatch) -> None:
    import io

    from tests.unit.test_formats import Endless

    endless = Endless(b"a")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BufferedReader(endless)))
    code, _, err = summarize(capsys, "-", "--model", "lead", "--max-input-mb", "2")
    assert code == 2 and "larger than 2,000,000 bytes" in err and "--max-input-mb" in err
    assert endless.read_bytes < 3_000_000


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(capsys, tmp_path: Path) -> None:
    path = tmp_path / "lon.txt"
    path.write_bytes(b"a" * 1_500_000)
    code, _, err = summarize(capsys, path, "--model", "lead", "--max-input-mb", "1")
    assert code == 2 and "1,500,000 bytes" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp, "is a folder"),
        (lambda tmp: Path("/dev/null"), "not a regular file"),
        (lambda tmp: tmp / "khong-co.jsonl", "no such file"),
    ],
    ids=["folder", "device", "missing"],
)
def test_batch_says_what_is_wrong_with_its_input(capsys, tmp_path: Path, make, message: str) -> None:
    code = main(["batch", str(make(tmp_path)), "-o", str(tmp_path / "out.jsonl"), "--model", "lead"])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7\n" + b"rac " * 500, "damaged PDF"),
        (b"<html><body><script>var x = 1;</script></body></html>", "no article text"),
        (None, "binary"),  # /dev/zero
    ],
    ids=["damaged-pdf", "empty-page", "dev-zero"],
)
def test_the_parsers_own_warnings_stay_off_the_terminal(tmp_path: Path, content: bytes | None, message: str) -> None:
    """As a user runs it: stderr is the one error line (pypdf and trafilatura log WARNINGs of their own)."""
    import subprocess
    import sys

    path = Path("/dev/zero")
    if content is not None:
        path = tmp_path / "tep"
        path.write_bytes(content)
    run = subprocess.run(
        [sys.executable, "-m", "summarizer.cli", "summarize", str(path), "--model", "lead"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.startswith("tomtat: error:") and message in run.stderr and run.stderr.count("\n") == 1
