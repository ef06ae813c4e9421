"""`tomtat digest`: a digest of files (text, JSON, Markdown) and `--group` over a JSONL file
(bad records, compressed and damaged input, reruns, exit statuses)."""

from __future__ import annotations

import gzip
import json
import lzma
from pathlib import Path

import pytest

from summarizer import Summarizer
from summarizer.cli import main
from tests.digest_articles import FUEL, PLANE_A, PLANE_B


def article_files(tmp_path: Path) -> list[str]:
    paths = []
    for name, text in (("a.txt", PLANE_A), ("b.txt", PLANE_B)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(str(tmp_path / name))
    return paths


def test_a_digest_of_files_names_the_articles_of_every_line(tmp_path: Path, capsys) -> None:
    a, b = article_files(tmp_path)
    assert main(["digest", a, b, "--format", "json", "--max-bullets", "3"]) == 0
    digest = json.loads(capsys.readouterr().out)
    assert digest["ids"] == [a, b] and digest["headline"] and digest["abstract"]
    assert len(digest["bullets"]) <= 3
    for entry in digest["evidence"]:
        assert entry["sources"] and all(s["document"] in (0, 1) for s in entry["sources"]), entry
    assert any("180" in w and "186" in w for w in digest["info"]["warnings"]), "the disagreeing figures are named"


def test_text_and_markdown_mark_each_line_with_its_articles(tmp_path: Path, capsys) -> None:
    a, b = article_files(tmp_path)
    assert main(["digest", a, b, "--title", "Bài A", "--title", "Bài B"]) == 0
    out, err = capsys.readouterr()
    assert "[1" in out and f"[1] Bài A ({a})" in out and f"[2] Bài B ({b})" in out
    assert "tomtat: note: figures differ" in err  # text output tells the warnings on stderr
    assert main(["digest", a, b, "--format", "markdown"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("# ") and "*Nguồn (2 bài):* [1] Máy bay hạ cánh khẩn cấp tại Nội Bài" in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--title", "only one"], "1 --title for 2 files"),
        (["--format", "jsonl"], "--format jsonl is for --group"),
        (["-o", "x.jsonl"], "-o/--output is for --group"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(tmp_path: Path, capsys, args: list[str], message: str) -> None:
    a, b = article_files(tmp_path)
    assert main(["digest", a, b, *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_missing_or_empty_file_exits_2_naming_it(tmp_path: Path, capsys) -> None:
    a, _ = article_files(tmp_path)
    assert main(["digest", a, str(tmp_path / "missing.txt")]) == 2
    assert "no such file" in capsys.readouterr().err
    (tmp_path / "blank.txt").write_text("   \n", encoding="utf-8")
    assert main(["digest", a, str(tmp_path / "blank.txt")]) == 2
    assert "blank.txt" in capsys.readouterr().err


def write_articles(path: Path, *, bad: bool = True, opener=open) -> int:
    """Two articles on one story, one on another, then (with `bad`) five bad records; the line count."""
    rows = [
        json.dumps({"id": "a", "text": PLANE_A}, ensure_ascii=False),
        json.dumps({"id": "c", "text": FUEL}, ensure_ascii=False),
        json.dumps({"id": "b", "title": "Sự cố động cơ", "text": PLANE_B}, ensure_ascii=False),
    ]
    if bad:
        rows += [
            "{không phải json",
            json.dumps({"id": "a", "text": "Trùng mã."}, ensure_ascii=False),
            json.dumps({"id": "rong", "text": "  "}),
            json.dumps({"id": "so", "text": 42}),
            json.dumps({"id": "thieu"}),
        ]
    with opener(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(rows) + "\n")
    return len(rows)


def read_rows(path: Path) -> list[dict]:
    raw = path.read_text(encoding="utf-8")
    assert raw.endswith("\n")
    return [json.loads(line) for line in raw.splitlines()]


@pytest.mark.parametrize(("suffix", "opener"), [(".jsonl", open), (".jsonl.xz", lzma.open), (".jsonl.gz", gzip.open)])
def test_group_writes_a_line_per_story_and_per_bad_record(tmp_path: Path, capsys, suffix: str, opener) -> None:
    source, out = tmp_path / f"in{suffix}", tmp_path / "digests.jsonl"
    write_articles(source, opener=opener)
    assert main(["digest", "--group", str(source), "-o", str(out)]) == 3  # as batch: error lines written
    rows = read_rows(out)
    stories, errors = [r for r in rows if "error" not in r], {r["line"]: r["error"] for r in rows if "error" in r}
    assert sorted(i for s in stories for i in s["ids"]) == ["a", "b", "c"]  # each article in one story
    for story in stories:
        assert story["lines"] == sorted(story["lines"]) and story["headline"] and story["abstract"]
        assert {s["id"] for e in story["evidence"] for s in e["sources"]} <= set(story["ids"])
        assert all(e["sources"] for e in story["evidence"]) and isinstance(story["warnings"], list)
    firsts = [r["lines"][0] if "lines" in r else r["line"] for r in rows]
    assert firsts == sorted(firsts), "rows in input order (a story at its first article)"
    assert sorted(errors) == [4, 5, 6, 7, 8]
    assert errors[4]["code"] == "invalid_json" and "line 4" in errors[4]["message"]
    assert errors[5]["code"] == "duplicate_id" and errors[6]["code"] == "invalid_text"
    assert "missing field 'text'" in errors[8]["message"]
    assert "error lines by reason" in capsys.readouterr().err


def test_group_tells_one_story_from_another(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "digests.jsonl"
    write_articles(source, bad=False)
    assert main(["digest", "--group", str(source), "-o", str(out)]) == 0
    stories = read_rows(out)
    assert [s["ids"] for s in stories] == [["a", "b"], ["c"]]
    assert stories[0]["lines"] == [1, 3] and any("180" in w and "186" in w for w in stories[0]["warnings"])
    # titles as given, else the text's title-like first line
    assert stories[0]["titles"] == ["Máy bay hạ cánh khẩn cấp tại Nội Bài", "Sự cố động cơ"]


def test_a_rerun_replaces_the_output_and_ctrl_c_leaves_it_whole(tmp_path: Path, monkeypatch) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "digests.jsonl"
    write_articles(source)
    assert main(["digest", "--group", str(source), "-o", str(out)]) == 3
    first = out.read_text(encoding="utf-8")
    assert main(["digest", "--group", str(source), "-o", str(out)]) == 3
    assert out.read_text(encoding="utf-8") == first, "a rerun writes the same lines once"

    def interrupted(*_, **__):
        raise KeyboardInterrupt

    monkeypatch.setattr(Summarizer, "digest", interrupted)
    assert main(["digest", "--group", str(source), "-o", str(out)]) == 130
    assert out.read_text(encoding="utf-8") == first, "an interrupted run leaves the previous output"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_group_markdown_is_a_newsletter_page(tmp_path: Path, capsys) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "ban-tin.md"
    write_articles(source)
    assert main(["digest", "--group", str(source), "-o", str(out), "--format", "markdown"]) == 3
    page = out.read_text(encoding="utf-8")
    assert page.startswith("# Bản tin\n") and page.count("\n## ") == page.count("*Nguồn (") >= 1
    assert "{không phải json" not in page and "error" not in page
    notes = [line for line in page.splitlines() if line.startswith("> Lưu ý: figures differ across articles")]
    assert len(notes) == 1 and "180" in notes[0] and "186" in notes[0]  # for the editor to check
    err = capsys.readouterr().err
    assert "line 4: not valid JSON" in err and "line 8: missing field 'text'" in err


def test_a_damaged_input_writes_the_stories_before_the_damage_and_exits_2(tmp_path: Path, capsys) -> None:
    whole, out = tmp_path / "whole.jsonl.gz", tmp_path / "digests.jsonl"
    write_articles(whole, bad=False, opener=gzip.open)
    damaged = tmp_path / "damaged.jsonl.gz"
    damaged.write_bytes(whole.read_bytes()[:-30])  # a truncated download
    assert main(["digest", "--group", str(damaged), "-o", str(out)]) == 2
    assert "damaged" in capsys.readouterr().err
    rows = read_rows(out)
    assert rows and all("error" not in r for r in rows) and "c" in {i for r in rows for i in r["ids"]}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--group", "{missing}", "-o", "{out}"], "no such file"),
        (["--group", "{input}"], "--group needs -o/--output"),
        (["--group", "{input}", "-o", "{folder}"], "is a folder"),
        (["--group", "{input}", "-o", "{out}", "--format", "text"], "--group writes jsonl or markdown"),
        (["a.txt", "--group", "{input}", "-o", "{out}"], "not both"),
        (["--group", "{input}", "-o", "{out}", "--threshold", "1.5"], "--threshold is a similarity from 0 to 1"),
        ([], "give the article files"),
    ],
)
def test_group_refuses_unusable_input_or_output_with_exit_2(
    tmp_path: Path, capsys, args: list[str], message: str
) -> None:
    source = tmp_path / "in.jsonl"
    write_articles(source, bad=False)
    names = {"missing": tmp_path / "nope.jsonl", "input": source, "folder": tmp_path, "out": tmp_path / "o.jsonl"}
    filled = [a.format(**{k: str(v) for k, v in names.items()}) for a in args]
    assert main(["digest", *filled]) == 2
    assert message in capsys.readouterr().err
