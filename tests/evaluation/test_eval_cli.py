"""`tomtat eval` and `tomtat compare` end to end on a fixture, with lead and the tiny model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.cli import main
from tests.conftest import FIXTURES

DATA = FIXTURES / "vi_corpus.jsonl"


def eval_run(tmp_path: Path, name: str, *extra: str) -> Path:
    out = tmp_path / name
    assert main(["eval", "--data", str(DATA), "--out", str(out), "--bootstrap-samples", "50", *extra]) == 0
    return out


def test_lead_run_writes_predictions_metrics_report_and_plot(tmp_path: Path, capsys) -> None:
    out = eval_run(tmp_path, "lead", "--model", "lead", "--limit", "5")
    rows = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == [f"fx/00{i}" for i in range(1, 6)]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["n"] == 5 and metrics["schema_version"] == 1
    for output in ("headline", "abstract", "bullets"):
        for tokenizer in ("syllable", "paper"):
            scores = metrics["scores"][output][tokenizer]
            assert set(scores) == {"rouge1", "rouge2", "rougeL", "rougeLsum"}
            low, high = metrics["intervals"][output][tokenizer]["rouge1"]
            assert 0 <= low <= scores["rouge1"] <= high <= 100
    assert metrics["data"]["sha256"] and metrics["model"]["name"] == "lead"
    assert metrics["speed"]["docs_per_s"] > 0 and metrics["machine"]["cpu_count"]
    report = (out / "report.md").read_text()
    assert "paper-compatible (ASCII, diacritics stripped)" in report and (out / "scores.png").stat().st_size > 0


def test_runs_are_reproducible(tmp_path: Path, capsys) -> None:
    first = json.loads((eval_run(tmp_path, "a", "--model", "textrank") / "metrics.json").read_text())
    second = json.loads((eval_run(tmp_path, "b", "--model", "textrank") / "metrics.json").read_text())
    assert first["scores"] == second["scores"] and first["intervals"] == second["intervals"]


def test_tiny_model_run_and_compare_with_published_rows(tmp_path: Path, tiny_model_dir: Path, capsys) -> None:
    tiny = eval_run(tmp_path, "tiny", "--model", str(tiny_model_dir), "--device", "cpu", "--limit", "3")
    lead = eval_run(tmp_path, "lead", "--model", "lead", "--limit", "3")
    metrics = json.loads((tiny / "metrics.json").read_text())
    assert metrics["speed"]["generated_tokens_per_s"] > 0 and metrics["model"]["kind"] == "seq2seq"
    capsys.readouterr()
    assert main(["compare", str(lead), str(tiny)]) == 0
    table = capsys.readouterr().out
    assert "lead (lead)" in table and "tiny-test (tiny)" in table
    assert "ViT5-base (1024 input) — published, not measured here" in table and "62.77/33.16/42.75" in table


def test_set_overrides_decoding_and_is_recorded(tmp_path: Path, tiny_model_dir: Path, capsys) -> None:
    settings = ["--set", "summary.max_new_tokens=3", "--set", "summary.min_new_tokens=3"]
    out = eval_run(tmp_path, "short", "--model", str(tiny_model_dir), "--device", "cpu", "--limit", "3", *settings)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["options"]["generation"] == {"summary": {"max_new_tokens": 3, "min_new_tokens": 3}}
    rows = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    assert all(len(r["abstract"].split()) <= 3 for r in rows)  # 3 tokens: at most 3 words


@pytest.mark.parametrize("setting", ["summary", "summary.num_beams", "summary.no_such_option=1"])
def test_bad_set_is_a_clear_error(tmp_path: Path, setting: str, capsys) -> None:
    assert main(["eval", "--data", str(DATA), "--out", str(tmp_path / "o"), "--model", "lead", "--set", setting]) == 2
    assert "tomtat: error:" in capsys.readouterr().err


def test_compare_refuses_a_folder_that_is_not_a_run(tmp_path: Path, capsys) -> None:
    assert main(["compare", str(tmp_path)]) == 2
    assert "no metrics.json" in capsys.readouterr().err


def test_missing_data_file_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert main(["eval", "--data", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "o"), "--model", "lead"]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.shared
def test_dedup_list_removes_listed_test_ids(tmp_path: Path, capsys) -> None:
    from tests.conftest import SHARED

    data = SHARED / "data" / "vietnews" / "test.jsonl.xz"
    dup = SHARED / "data" / "vietnews" / "duplicates.tsv"
    if not data.is_file():
        pytest.skip(f"{data} is absent")
    from evaluation.datasets import read_duplicates, read_records

    listed = read_duplicates(dup)
    ids = [r.id for r in read_records(data, limit=300, exclude_ids=listed)]
    assert len(ids) == 300 and not set(ids) & listed


def test_sample_is_seeded_random_and_kept_in_file_order(tmp_path: Path, capsys) -> None:
    def ids(out: Path) -> list[str]:
        return [json.loads(line)["id"] for line in (out / "predictions.jsonl").read_text().splitlines()]

    first = eval_run(tmp_path, "s1", "--model", "lead", "--sample", "4", "--seed", "7")
    again = eval_run(tmp_path, "s2", "--model", "lead", "--sample", "4", "--seed", "7")
    other = eval_run(tmp_path, "s3", "--model", "lead", "--sample", "4", "--seed", "8")
    assert ids(first) == ids(again) == sorted(ids(first)) and len(ids(first)) == 4
    assert ids(first) != ids(other)
    data = json.loads((first / "metrics.json").read_text())["data"]
    assert data["sample"] == 4 and data["seed"] == 7
    assert "seeded random sample of 4, seed 7" in (first / "report.md").read_text()


def test_with_title_feeds_the_abstract_but_the_headline_stays_from_the_body(tmp_path: Path, capsys) -> None:
    body = eval_run(tmp_path, "body", "--model", "lead", "--limit", "3")
    titled = eval_run(tmp_path, "titled", "--model", "lead", "--limit", "3", "--with-title")
    rows = [json.loads(line) for line in (titled / "predictions.jsonl").read_text().splitlines()]
    body_rows = [json.loads(line) for line in (body / "predictions.jsonl").read_text().splitlines()]
    assert [r["headline"] for r in rows] == [r["headline"] for r in body_rows]
    assert all(r["headline"] != r["references"]["title"] for r in rows)
    metrics = json.loads((titled / "metrics.json").read_text())
    assert metrics["data"]["with_title"] is True and metrics["data"]["headline_input"] == "body only"


def test_baselines_follow_their_textbook_definition(tmp_path: Path, capsys) -> None:
    from summarizer.document import prepare_document
    from tests.conftest import fixture_records

    out = eval_run(tmp_path, "lead2", "--baseline", "lead-2", "--limit", "3")
    rows = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    for row, record in zip(rows, fixture_records(), strict=False):
        doc = prepare_document(record["text"], detect_title=False)
        assert row["abstract"] == " ".join(doc.sentences[:2])
        assert row["headline"] == doc.sentences[0].rstrip(".")
    assert json.loads((out / "metrics.json").read_text())["model"]["name"] == "baseline:lead-2"
    assert (
        main(["eval", "--data", str(DATA), "--out", str(tmp_path / "x"), "--baseline", "lead-2", "--model", "lead"])
        == 2
    )


def test_existing_predictions_are_scored_again_with_a_dedup_list(tmp_path: Path, capsys) -> None:
    run = eval_run(tmp_path, "lead", "--model", "lead")
    original = json.loads((run / "metrics.json").read_text())
    same = tmp_path / "same"
    assert main(["eval", "--predictions", str(run / "predictions.jsonl"), "--out", str(same)]) == 0
    assert json.loads((same / "metrics.json").read_text())["scores"] == original["scores"]
    dup = tmp_path / "dup.tsv"
    dup.write_text("id\tduplicate_of\nfx/001\tx\nfx/002\tx\n", encoding="utf-8")
    fewer = tmp_path / "fewer"
    args = ["eval", "--predictions", str(run / "predictions.jsonl"), "--dedup", str(dup), "--out", str(fewer)]
    assert main(args) == 0
    metrics = json.loads((fewer / "metrics.json").read_text())
    assert metrics["n"] == original["n"] - 2 and metrics["data"]["left_out_by_dedup"] == 2
    assert metrics["model"]["name"] == "lead" and (fewer / "report.md").is_file()


def test_malformed_predictions_are_a_clear_error(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "predictions.jsonl"
    bad.write_text('{"id": "a", "headline": "x"}\n', encoding="utf-8")
    assert main(["eval", "--predictions", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "needs abstract, bullets, references" in capsys.readouterr().err
