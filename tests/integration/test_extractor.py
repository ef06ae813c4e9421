"""ext-vi's recipe end to end on the fixture corpus: train (smoke), reload, summarize with evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer import ModelLoadError, Summarizer
from summarizer.cli import main
from summarizer.compose import repeats
from tests.conftest import FIXTURES, REPO

CORPUS = FIXTURES / "vi_corpus.jsonl"


@pytest.fixture(scope="module")
def smoke_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ext") / "model"
    code = main(["train-extractor", "--smoke", "--data", str(CORPUS), "--validation", str(CORPUS), "--out", str(out)])
    assert code == 0
    return out


def test_smoke_training_writes_a_model_that_loads_without_pickle(smoke_model: Path) -> None:
    for name in ("model.json", "abstract.lgb.txt", "headline.lgb.txt", "idf.json", "train_summary.json"):
        assert (smoke_model / name).is_file(), name
    assert (smoke_model / "abstract.lgb.txt").read_text(encoding="utf-8").startswith("tree")
    summary = json.loads((smoke_model / "train_summary.json").read_text(encoding="utf-8"))
    assert summary["articles"] == 8 and 0 < summary["oracle_positive_rate"] < 1
    assert set(summary["length_scale_validation"]) == {"1.0", "1.15", "1.3", "1.45"}


def test_training_is_reproducible_with_a_seed(smoke_model: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert main(["train-extractor", "--smoke", "--data", str(CORPUS), "--out", str(again)]) == 0
    for name in ("abstract.lgb.txt", "headline.lgb.txt", "idf.json"):
        assert (again / name).read_bytes() == (smoke_model / name).read_bytes(), name


def test_the_trained_model_summarizes_with_evidence(smoke_model: Path) -> None:
    summarizer = Summarizer.from_pretrained(str(smoke_model))
    report = (REPO / "examples" / "bao-cao-mau.txt").read_text(encoding="utf-8")
    summary = summarizer.summarize(report)
    doc = summarizer.prepare(report)
    assert summary.info.kind == "extractive" and summary.headline == doc.title
    assert 3 <= len(summary.bullets) <= 5
    assert not any(repeats(summary.headline, b) for b in summary.bullets)
    assert "LH -" not in summary.abstract
    for evidence in summary.evidence:
        assert evidence.sources, evidence
        for span in evidence.sources:
            assert doc.text[span.start : span.end] in doc.text and span.end > span.start
    with_title = summarizer.summarize(report, title="Tiêu đề riêng của bài")
    assert with_title.headline == "Tiêu đề riêng của bài"


def test_a_broken_model_folder_is_a_clear_error(smoke_model: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model.json").write_text((smoke_model / "model.json").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ModelLoadError, match=r"missing abstract\.lgb\.txt"):
        Summarizer.from_pretrained(str(broken))
    for name in ("abstract.lgb.txt", "headline.lgb.txt", "idf.json"):
        (broken / name).write_bytes((smoke_model / name).read_bytes())
    config = json.loads((broken / "model.json").read_text(encoding="utf-8"))
    (broken / "model.json").write_text(json.dumps({**config, "feature_version": -1}), encoding="utf-8")
    with pytest.raises(ModelLoadError, match="retrain"):
        Summarizer.from_pretrained(str(broken))


def test_a_corrupt_model_file_is_a_clear_error(smoke_model: Path, tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    for name in ("model.json", "abstract.lgb.txt", "headline.lgb.txt", "idf.json"):
        (corrupt / name).write_bytes((smoke_model / name).read_bytes())
    (corrupt / "abstract.lgb.txt").write_text("not a model", encoding="utf-8")
    with pytest.raises(ModelLoadError, match="cannot be read"):
        Summarizer.from_pretrained(str(corrupt))
