"""The `tomtat` command line: output formats and one-line errors for user mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_summarize_text_output(capsys, report_text: str, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(report_text, encoding="utf-8")
    code, out, err = run(capsys, "summarize", str(path), "--model", "lead")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Sở Nông nghiệp") and any(line.startswith("- ") for line in lines)
    assert "extractive" in err


def test_summarize_json_from_stdin(capsys, monkeypatch, report_text: str) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(report_text.encode("utf-8"))))
    code, out, _ = run(capsys, "summarize", "-", "--format", "json", "--model", "lead", "--max-bullets", "2")
    data = json.loads(out)
    assert code == 0 and set(data) == {"headline", "abstract", "bullets", "info", "evidence"}
    assert len(data["bullets"]) == 2 and data["info"]["model"] == "lead"
    assert "Minh Khoa" not in out and "Tin liên quan" not in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n\t  ", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        ("Hà Nội mưa".encode("cp1258", errors="replace") + b"\xff\xfe", "not UTF-8"),
    ],
)
def test_user_mistakes_are_one_line_errors(capsys, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes(content)
    code, out, err = run(capsys, "summarize", str(path), "--model", "lead")
    assert code == 2 and out == ""
    assert err.startswith("tomtat: error:") and message in err and err.count("\n") == 1
    assert "Traceback" not in err


def test_missing_file_and_unknown_model(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "summarize", str(tmp_path / "nope.txt"))
    assert code == 2 and "no such file" in err
    path = tmp_path / "a.txt"
    path.write_text("Một câu.", encoding="utf-8")
    code, _, err = run(capsys, "summarize", str(path), "--model", "khong-co")
    assert code == 2 and "Known names:" in err and "lead" in err


def test_models_lists_the_registry(capsys) -> None:
    code, out, _ = run(capsys, "models", "--format", "json")
    names = [m["name"] for m in json.loads(out)]
    assert code == 0 and {
        "lead",
        "textrank",
        "compact-vi",
        "vit5-base-vietnews",
        "vit5-large-vietnews",
    } <= set(names)


def test_title_option_is_the_headline_and_notes_go_to_stderr(capsys, report_text: str, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(report_text, encoding="utf-8")
    code, out, err = run(capsys, "summarize", str(path), "--model", "textrank", "--title", "Tiêu đề riêng")
    assert code == 0
    headline, _, *rest = out.splitlines()
    assert headline == "Tiêu đề riêng" and "Tiêu đề riêng" not in "\n".join(rest)
    assert err.startswith("tomtat: note: extractive model") and "note" not in out


def test_models_marks_ext_vi_as_the_default(capsys) -> None:
    code, out, _ = run(capsys, "models")
    assert code == 0 and any(line.startswith("* ext-vi ") for line in out.splitlines())
