"""The key-fact benchmark: the scorer's matching, the stored facts against their reports, the CLI."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from evaluation.keyfacts import (
    DEFAULT_REPORTS,
    Report,
    editor_paste,
    facts_not_in_text,
    load_reports,
    load_texts,
    score_keyfacts,
)
from summarizer.cli import main
from summarizer.errors import InvalidInputError
from tests.conftest import SHARED

FACTS = [["14,14%"], ["quỹ đất", "hạ tầng điện", "sợ sai"], ["11-NQ/TW"]]


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_a_fact_is_covered_by_any_of_its_substrings() -> None:
    score = score_keyfacts(["GRDP tăng 14,14%", "Khó khăn về hạ tầng điện."], FACTS)
    assert score.covered == (True, True, False)
    assert score.matched == ("14,14%", "hạ tầng điện", None)
    assert (score.n_covered, score.n_facts) == (2, 3)


def test_matching_ignores_normalization_form_and_case() -> None:
    summary = nfd("CÁN BỘ SỢ SAI; Nghị quyết 11-nq/tw")
    assert unicodedata.normalize("NFC", summary) != summary  # the input really is decomposed
    assert score_keyfacts([summary], FACTS).covered == (False, True, True)
    decomposed_facts = [[nfd(s) for s in fact] for fact in FACTS]
    assert score_keyfacts(["Thiếu QUỸ ĐẤT sạch"], decomposed_facts).covered == (False, True, False)


def test_a_substring_is_not_matched_across_parts_and_words_count_all_parts() -> None:
    score = score_keyfacts(["Thiếu quỹ", "đất sạch cho dự án"], [["quỹ đất"]])
    assert score.covered == (False,)
    assert score.words == 2 + 5


def test_facts_not_in_text_allows_spacing_variants_only() -> None:
    report = Report("r", "x.txt", None, "", "", ("", ""), (("6,8-7,1%", "6,8 - 7,1%"), ("sợ sai", "ngại khó")))
    text = "Tăng trưởng dự kiến 6,8 - 7,1%; cán bộ Sợ sai."
    assert facts_not_in_text(report, text) == [f"r: {'ngại khó'!r} does not occur in the text"]
    spaced_only = Report("r", "x.txt", None, "", "", ("",), (("6,8-7,1%",),))
    assert facts_not_in_text(spaced_only, text) == ["r: no substring of ['6,8-7,1%'] occurs in the text"]


def test_editor_paste_is_title_sapo_body() -> None:
    assert editor_paste("Tiêu đề", " Sapo. ", "Thân bài.\nĐoạn hai.") == "Tiêu đề\nSapo.\nThân bài.\nĐoạn hai."
    assert editor_paste("", "Sapo.", "Thân bài.") == "Sapo.\nThân bài."


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not UTF-8 JSON"),
        ('{"reports": []}', "no 'reports' list"),
        ('{"reports": [{"id": "a", "source": {"path": "x"}, "facts": [[]]}]}', "'facts' must be"),
        (
            '{"reports": [{"id": "a", "source": {"path": "x"}, "facts": [["y"]]},'
            ' {"id": "a", "source": {"path": "z"}, "facts": [["y"]]}]}',
            "is repeated",
        ),
    ],
)
def test_a_bad_key_fact_file_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "facts.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInputError, match=message):
        load_reports(path)


def test_the_stored_benchmark_has_five_facts_for_at_least_fourteen_long_reports() -> None:
    reports = load_reports(DEFAULT_REPORTS)
    assert len(reports) >= 15 and all(len(r.facts) == 5 for r in reports)
    assert {r.path for r in reports} >= {"data/abmusu/docs-train.jsonl.xz", "data/abmusu/docs-validation.jsonl.xz"}
    assert not any("test" in r.path for r in reports)  # the held-out split is never used


def write_tiny_benchmark(tmp_path: Path) -> tuple[Path, Path]:
    """A shared folder with one report text, and a key-fact file naming it and one absent source."""
    shared = tmp_path / "shared"
    (shared / "samples").mkdir(parents=True)
    (shared / "samples" / "r.txt").write_text(
        "Tỉnh họp tổng kết năm 2024.\nGRDP tăng 9,5%, đứng thứ ba cả nước.\n"
        "Khó khăn lớn nhất là thiếu quỹ đất sạch.\nTỉnh đề nghị tháo gỡ điểm nghẽn về thủ tục.\n",
        encoding="utf-8",
    )
    data = tmp_path / "facts.json"
    reports = [
        {"id": "r", "source": {"path": "samples/r.txt"}, "facts": [["9,5%"], ["quỹ đất"], ["điểm nghẽn"]]},
        {"id": "gone", "source": {"path": "data/none.jsonl.xz", "record": "x/1"}, "facts": [["a"]]},
    ]
    data.write_text(json.dumps({"reports": reports}, ensure_ascii=False), encoding="utf-8")
    return data, shared


def test_cli_runs_the_present_reports_and_names_the_skipped_ones(tmp_path: Path, capsys) -> None:
    data, shared = write_tiny_benchmark(tmp_path)
    out = tmp_path / "run"
    args = ["eval", "--task", "keyfacts", "--data", str(data), "--shared", str(shared), "--out", str(out)]
    assert main([*args, "--baseline", "lead-3"]) == 0
    captured = capsys.readouterr()
    assert "| r | 2/3 |" in captured.out  # lead-3: the first three lines, without the directions
    assert "skipped (source absent" in captured.err and "gone" in captured.err
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    totals = metrics["scores"]["keyfacts"]
    assert (totals["facts"], totals["covered"], totals["coverage_pct"]) == (3, 2, 66.7)
    assert metrics["skipped"] == ["gone"] and metrics["task"] == "keyfacts"
    row = json.loads((out / "predictions.jsonl").read_text(encoding="utf-8"))
    assert row["matched"] == ["9,5%", "quỹ đất", None] and row["words"] > 0
    assert totals["bullet_syllables_max"] == max(row["bullet_syllables"])
    assert "điểm nghẽn" in (out / "report.md").read_text(encoding="utf-8")  # the missed fact, by its substrings


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--limit", "3"], "--limit not allowed"), (["--shared", "/nonexistent"], "no such folder")],
)
def test_cli_refuses_what_does_not_apply(tmp_path: Path, capsys, extra: list[str], message: str) -> None:
    data, shared = write_tiny_benchmark(tmp_path)
    args = ["eval", "--task", "keyfacts", "--data", str(data), "--shared", str(shared), "--out", str(tmp_path / "o")]
    assert main([*args, "--baseline", "lead-3", *extra]) == 2
    assert message in capsys.readouterr().err


def shared_texts() -> dict[str, str | None]:
    if not (SHARED / "data" / "abmusu").is_dir():
        pytest.skip(f"{SHARED}/data/abmusu is absent (../shared is only beside the project checkout)")
    return load_texts(load_reports(DEFAULT_REPORTS), SHARED)


@pytest.mark.shared
def test_every_stored_fact_occurs_in_its_report() -> None:
    texts = shared_texts()
    problems = []
    for report in load_reports(DEFAULT_REPORTS):
        text = texts[report.id]
        assert text is not None, f"{report.id}: its source is missing under {SHARED}"
        assert len(text.split()) >= 1200, f"{report.id} is not a long report"
        problems += facts_not_in_text(report, text)
    assert problems == []


@pytest.mark.shared
def test_the_sample_report_keeps_the_shared_facts_as_they_are() -> None:
    shared_facts = SHARED / "samples" / "bac-giang-keyfacts.json"
    if not shared_facts.is_file():
        pytest.skip(f"{shared_facts} is absent")
    sample = next(r for r in load_reports(DEFAULT_REPORTS) if r.path == "samples/bac-giang-working-session.txt")
    expected = json.loads(shared_facts.read_text(encoding="utf-8"))["facts"]
    assert [list(f) for f in sample.facts] == expected


@pytest.mark.shared
def test_cli_lead_on_the_benchmark(tmp_path: Path, capsys) -> None:
    shared_texts()
    out = tmp_path / "lead"
    args = ["eval", "--task", "keyfacts", "--baseline", "lead-3", "--shared", str(SHARED), "--out", str(out)]
    assert main(args) == 0
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    totals = metrics["scores"]["keyfacts"]
    assert metrics["skipped"] == [] and totals["reports"] == len(load_reports(DEFAULT_REPORTS))
    assert totals["facts"] == 5 * totals["reports"] and 0 <= totals["covered"] <= totals["facts"]
    assert totals["bullets"] == 3 * totals["reports"]  # lead-3: three sentences as bullets
    assert f"{totals['covered']}/{totals['facts']}" in capsys.readouterr().out


def test_bullet_syllables_count_syllables_not_dashes() -> None:
    from types import SimpleNamespace

    from evaluation.keyfacts import Report, summary_row

    report = Report(id="r", path="r.txt", record=None, topic="", description="", labels=("",), facts=(("5%",),))
    summary = SimpleNamespace(
        headline="Tăng trưởng",
        abstract="Kinh tế tăng.",
        bullets=("Phát triển kinh tế - xã hội tăng 5%.", "Giá điện … tăng"),
        info=SimpleNamespace(warnings=()),
    )
    row = summary_row(report, summary, 0.0)
    assert row["bullet_syllables"] == [8, 3] and row["covered"] == 1


def test_the_benchmark_is_reported_by_set(tmp_path: Path) -> None:
    data, shared = write_tiny_benchmark(tmp_path)
    reports = json.loads(data.read_text(encoding="utf-8"))["reports"]
    second = {**reports[0], "id": "r2", "set": "second"}
    data.write_text(json.dumps({"reports": [reports[0], second]}, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "run"
    args = ["eval", "--task", "keyfacts", "--data", str(data), "--shared", str(shared), "--out", str(out)]
    assert main([*args, "--baseline", "lead-3"]) == 0
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    by_set = metrics["scores"]["keyfacts_by_set"]
    assert {name: (t["facts"], t["covered"]) for name, t in by_set.items()} == {"first": (3, 2), "second": (3, 2)}
    assert "By set: first 2/3 = 66.7%; second 2/3 = 66.7%" in (out / "report.md").read_text(encoding="utf-8")
