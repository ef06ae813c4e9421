"""`tomtat eval --task digest|grouping` and the digest baselines, on a tiny synthetic clusters file
(and, under the `shared` marker, on a few AbMuSu validation clusters)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation.digest_baselines import CUT_SYLLABLES, baseline_abstract, cut, first_last, lead_round_robin
from summarizer.cli import main
from summarizer.document import prepare_document
from summarizer.tokens import syllables
from tests.conftest import SHARED
from tests.digest_articles import FUEL, PLANE_A, PLANE_B


def article(text: str) -> dict[str, str]:
    title, _, body = text.partition("\n")
    sapo, _, rest = body.partition(". ")
    return {"title": title, "anchor_text": sapo + ".", "raw_text": rest}


@pytest.fixture
def clusters(tmp_path: Path) -> Path:
    path = tmp_path / "clusters.jsonl"
    records = [
        {"id": "c1", "summary": PLANE_A.split("\n", 1)[1], "documents": [article(PLANE_A), article(PLANE_B)]},
        {"id": "c2", "summary": FUEL.split("\n", 1)[1], "documents": [article(FUEL)]},
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_digest_task_writes_scores_digest_in_the_abstract_shape(tmp_path: Path, clusters: Path, capsys) -> None:
    out = tmp_path / "run"
    args = ["eval", "--task", "digest", "--data", str(clusters), "--model", "ext-vi", "--out", str(out)]
    assert main([*args, "--bootstrap-samples", "20"]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["n"] == 2 and metrics["task"] == "digest"
    for tokenizer in ("syllable", "paper"):
        assert set(metrics["scores"]["digest"][tokenizer]) == {"rouge1", "rouge2", "rougeL", "rougeLsum"}
        low, high = metrics["intervals"]["digest"][tokenizer]["rouge1"]
        assert 0 <= low <= metrics["scores"]["digest"][tokenizer]["rouge1"] <= high <= 100
    rows = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["c1", "c2"] and rows[0]["articles"] == 2
    assert any("180" in w and "186" in w for w in rows[0]["warnings"])
    assert "paper-compatible" in (out / "report.md").read_text()
    assert main(["compare", str(out)]) == 0
    table = capsys.readouterr().out
    assert "ext-vi (run, digest)" in table and "VLSP 2022 AbMuSu winner (extractive run)" in table
    assert "–/30.35/–" in table and "not comparable" in table


def test_digest_baselines_run_by_name(tmp_path: Path, clusters: Path, capsys) -> None:
    out = tmp_path / "rr"
    assert main(["eval", "--task", "digest", "--data", str(clusters), "--baseline", "oracle", "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["model"]["name"] == "baseline:oracle"
    assert metrics["scores"]["digest"]["syllable"]["rouge1"] > 90  # the references are the articles' own sentences


def test_a_digest_baseline_is_refused_by_the_rouge_task(tmp_path: Path, capsys) -> None:
    args = ["eval", "--data", str(tmp_path / "x.jsonl"), "--baseline", "first-last", "--out", str(tmp_path / "o")]
    assert main(args) == 2
    assert "--task digest" in capsys.readouterr().err


def test_grouping_task_prints_the_adjusted_rand_index(tmp_path: Path, clusters: Path, capsys) -> None:
    assert main(["eval", "--task", "grouping", "--data", str(clusters), "--out", str(tmp_path / "g")]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["n"] == 3 and printed["grouping"]["adjusted_rand"] == 1.0


def test_lead_round_robin_takes_each_articles_nth_sentence_in_turn() -> None:
    docs = [prepare_document("A một. A hai. A ba."), prepare_document("B một. B hai.")]
    assert lead_round_robin(docs) == ["A một.", "B một.", "A hai.", "B hai.", "A ba."]
    assert first_last(docs) == ["A một.", "A ba.", "B một.", "B hai."]


def test_baselines_are_cut_at_190_syllables_or_the_reference_length() -> None:
    long = prepare_document(" ".join(f"Câu số {i} có năm âm tiết." for i in range(100)))
    assert len(syllables(baseline_abstract("first-last", [long], "x"))) <= CUT_SYLLABLES
    assert len(syllables(baseline_abstract("lead-round-robin", [long], "một hai ba bốn năm sáu bảy"))) == 7
    assert cut("một hai ba", 2) == "một hai"


@pytest.mark.shared
def test_a_few_validation_clusters_score_above_lead_round_robin(tmp_path: Path, capsys) -> None:
    data = SHARED / "data" / "abmusu" / "clusters-validation.jsonl.xz"
    if not data.is_file():
        pytest.skip(f"{data} is absent")

    def r2(*system: str) -> float:
        out = tmp_path / system[-1]
        args = ["eval", "--task", "digest", "--data", str(data), "--limit", "25", "--out", str(out), *system]
        assert main([*args, "--bootstrap-samples", "20"]) == 0
        return json.loads((out / "metrics.json").read_text())["scores"]["digest"]["syllable"]["rouge2"]

    assert r2("--model", "ext-vi") > r2("--baseline", "lead-round-robin")
