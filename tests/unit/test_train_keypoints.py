"""Editors' key facts as training labels for the key-point scorer (models/train_keypoints.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.train_keypoints import FACT_LABEL, FACT_LINES, KeypointConfig, fact_examples, train_keypoints
from summarizer.document import prepare_document
from summarizer.errors import InvalidInputError
from summarizer.keypoints import KEYPOINT_FEATURE_NAMES, candidates

REPORT = (
    "Hội nghị sơ kết 6 tháng đầu năm của ngành nông nghiệp tỉnh diễn ra sáng nay tại trụ sở tỉnh. "
    "Giá trị sản xuất toàn ngành tăng 4,2% so với cùng kỳ năm trước. "
    "Tuy vậy, ngành vẫn gặp nhiều khó khăn do giá vật tư đầu vào tăng cao và thiếu lao động. "
    "Giám đốc Sở đề nghị các huyện trong tỉnh đẩy nhanh tiến độ xây dựng mã số vùng trồng trong quý III. "
    "Các đại biểu đã nghe báo cáo tham luận của nhiều địa phương trong tỉnh."
)


def facts_file(tmp_path: Path, facts: list[list[str]], path: str = "report.txt") -> Path:
    data = {
        "format": 1,
        "reports": [{"id": "r1", "source": {"path": path}, "facts": facts}],
    }
    out = tmp_path / "facts.json"
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return out


def config(tmp_path: Path, facts: Path) -> KeypointConfig:
    return KeypointConfig(data="unused", model="unused", facts=(str(facts),), shared=str(tmp_path))


def test_the_lines_that_state_a_fact_are_the_positives(tmp_path: Path) -> None:
    (tmp_path / "report.txt").write_text(REPORT, encoding="utf-8")
    facts = facts_file(tmp_path, [["4,2%"], ["MÃ SỐ VÙNG TRỒNG", "not in the text"]])  # matched case-folded
    rows, labels, stats = fact_examples(config(tmp_path, facts), {})
    lines = [e.text for e in candidates(prepare_document(REPORT), {}).excerpts]
    expected = [FACT_LABEL if ("4,2%" in line or "mã số vùng trồng" in line) else 0.0 for line in lines]
    assert labels.tolist() == expected and sum(1 for v in expected if v) == 2
    assert rows.shape == (len(lines), len(KEYPOINT_FEATURE_NAMES))
    assert stats == {"fact_reports": 1, "fact_lines": len(lines), "fact_lines_positive": 2, "fact_facts_in_no_line": 0}


def test_a_fact_that_many_lines_state_shares_its_label(tmp_path: Path) -> None:
    (tmp_path / "report.txt").write_text(REPORT, encoding="utf-8")
    facts = facts_file(tmp_path, [["tỉnh"]])  # the report's subject: in most lines
    _, labels, _ = fact_examples(config(tmp_path, facts), {})
    lines = [e.text.casefold() for e in candidates(prepare_document(REPORT), {}).excerpts]
    stating = [i for i, line in enumerate(lines) if "tỉnh" in line]
    assert len(stating) > FACT_LINES
    share = FACT_LABEL * FACT_LINES / len(stating)
    assert labels.tolist() == pytest.approx([share if i in stating else 0.0 for i in range(len(lines))])


def test_a_fact_no_line_states_is_counted_and_an_unreadable_report_skipped(tmp_path: Path) -> None:
    (tmp_path / "report.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    data = {
        "format": 1,
        "reports": [
            {"id": "r1", "source": {"path": "report.txt"}, "facts": [["4,2%"], ["không có trong bài"]]},
            {"id": "r2", "source": {"path": "empty.txt"}, "facts": [["4,2%"]]},
        ],
    }
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    _, _, stats = fact_examples(config(tmp_path, facts), {})
    assert stats["fact_facts_in_no_line"] == 1 and stats["fact_reports"] == 1 and stats["fact_reports_skipped"] == 1


def test_no_facts_no_rows(tmp_path: Path) -> None:
    cfg = KeypointConfig(data="unused", model="unused")
    rows, labels, stats = fact_examples(cfg, {})
    assert rows.shape == (0, len(KEYPOINT_FEATURE_NAMES)) and labels.size == 0 and stats == {}


def test_facts_whose_sources_are_all_absent_are_refused(tmp_path: Path) -> None:
    facts = facts_file(tmp_path, [["4,2%"]], path="missing.txt")
    with pytest.raises(InvalidInputError, match="has its source under"):
        fact_examples(config(tmp_path, facts), {})


def test_the_benchmarks_own_reports_are_never_training_labels(tmp_path: Path) -> None:
    from evaluation.keyfacts import DEFAULT_REPORTS

    benchmark = json.loads(DEFAULT_REPORTS.read_text(encoding="utf-8"))
    copy = tmp_path / "copy.json"
    copy.write_text(json.dumps({"format": 1, "reports": benchmark["reports"][:2]}), encoding="utf-8")
    with pytest.raises(InvalidInputError, match="key-fact benchmark"):
        fact_examples(config(tmp_path, copy), {})


def test_a_benchmark_report_under_another_id_is_refused_too(tmp_path: Path) -> None:
    from evaluation.keyfacts import DEFAULT_REPORTS

    report = json.loads(DEFAULT_REPORTS.read_text(encoding="utf-8"))["reports"][1]
    renamed = tmp_path / "renamed.json"
    renamed.write_text(json.dumps({"format": 1, "reports": [{**report, "id": "mine/1"}]}), encoding="utf-8")
    with pytest.raises(InvalidInputError, match="key-fact benchmark"):
        fact_examples(config(tmp_path, renamed), {})


def test_the_bundled_labels_are_other_reports_than_the_benchmarks() -> None:
    from evaluation.keyfacts import DEFAULT_REPORTS, load_reports

    labels = Path(__file__).resolve().parents[2] / "models" / "labels" / "keyfacts-vietnews-train.json"
    trained = load_reports(labels)
    assert len(trained) == 144 and all(len(r.facts) == 5 for r in trained)
    benchmark = {(r.path, r.record) for r in load_reports(DEFAULT_REPORTS)}
    assert not {(r.path, r.record) for r in trained} & benchmark
    assert not {r.id for r in trained} & {r.id for r in load_reports(DEFAULT_REPORTS)}


@pytest.mark.shared
@pytest.mark.slow
def test_every_bundled_label_occurs_in_its_article() -> None:
    from evaluation.keyfacts import facts_not_in_text, load_reports, load_texts

    shared = Path(__file__).resolve().parents[3] / "shared"
    if not (shared / "data" / "vietnews" / "train.jsonl.xz").is_file():
        pytest.skip(f"{shared}/data/vietnews is absent (../shared is only beside the project checkout)")
    labels = load_reports(Path(__file__).resolve().parents[2] / "models" / "labels" / "keyfacts-vietnews-train.json")
    texts = load_texts(labels, shared)
    assert [r.id for r in labels if texts[r.id] is None] == []
    assert [p for r in labels for p in facts_not_in_text(r, texts[r.id] or "")] == []


def _tiny_recipe(tmp_path: Path, reports: int, **overrides: object) -> KeypointConfig:
    """An ext-vi folder (the bundled one, copied), one AbMuSu-like cluster and `reports` fact reports."""
    import shutil

    tmp_path.mkdir(parents=True, exist_ok=True)
    model = tmp_path / "ext-vi"
    shutil.copytree(Path(__file__).resolve().parents[2] / "models" / "ext-vi", model)
    cluster = {
        "summary": "Giá trị sản xuất toàn ngành tăng 4,2%. Ngành thiếu lao động.",
        "documents": [{"title": "Ngành nông nghiệp sơ kết 6 tháng", "anchor_text": "", "raw_text": REPORT}],
    }
    clusters = tmp_path / "clusters.jsonl"
    clusters.write_text(json.dumps(cluster, ensure_ascii=False) + "\n", encoding="utf-8")
    entries = []
    for k in range(reports):
        (tmp_path / f"report-{k}.txt").write_text(f"Báo cáo số {k} của tỉnh\n{REPORT}", encoding="utf-8")
        # the second fact is in no line: it is never covered
        entries.append(
            {"id": f"r{k}", "source": {"path": f"report-{k}.txt"}, "facts": [["4,2%"], ["không có trong bài"]]}
        )
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({"format": 1, "reports": entries}, ensure_ascii=False), encoding="utf-8")
    settings = {"rounds": 5, "min_data_in_leaf": 1, "workers": 1, **overrides}
    return KeypointConfig(data=str(clusters), model=str(model), facts=(str(facts),), shared=str(tmp_path), **settings)


def test_cross_validation_judges_each_report_with_a_scorer_that_never_saw_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import models.train_keypoints as recipe
    from summarizer.trees import TreeEnsemble

    cfg = _tiny_recipe(tmp_path, reports=5, cv_folds=2)
    fits: list[list[str]] = []
    real_fit = recipe._fit
    monkeypatch.setattr(
        recipe, "_fit", lambda c, f, y, reps: fits.append([r.id for r in reps]) or real_fit(c, f, y, reps)
    )
    loaded: list[str] = []
    real_load = TreeEnsemble.load.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(
        TreeEnsemble,
        "load",
        classmethod(lambda cls, path, **kw: loaded.append(Path(path).name) or real_load(cls, path, **kw)),
    )
    record = recipe.train_keypoints(cfg)
    # fold 0 holds r0, r2, r4 and fold 1 r1, r3; then the written scorer learns from all five
    assert fits == [["r1", "r3"], ["r0", "r2", "r4"], ["r0", "r1", "r2", "r3", "r4"]]
    assert [name for name in loaded if name.startswith("fold-")] == ["fold-0.lgb.txt", "fold-1.lgb.txt"]
    assert "keypoints.lgb.txt" not in loaded  # the folder's own scorer judges nothing
    held = record["held_out"]
    assert held["folds"] == 2 and held["reports"] == 5 and held["facts"] == 10
    assert 0 <= held["covered"] <= 5 and held["coverage_pct"] == round(10 * held["covered"], 1)
    written = json.loads((Path(cfg.model) / "model.json").read_text(encoding="utf-8"))["keypoints"]
    assert written["held_out"] == held and written["trained_on"]["cv_folds"] == 2


def test_the_scorer_written_is_the_same_with_or_without_cross_validation(tmp_path: Path) -> None:
    with_cv = _tiny_recipe(tmp_path / "a", reports=4, cv_folds=2)
    without = _tiny_recipe(tmp_path / "b", reports=4)
    train_keypoints(with_cv)
    train_keypoints(without)
    written = [(Path(c.model) / "keypoints.lgb.txt").read_bytes() for c in (with_cv, without)]
    assert written[0] == written[1]


def test_without_cross_validation_nothing_is_held_out(tmp_path: Path) -> None:
    record = train_keypoints(_tiny_recipe(tmp_path, reports=2))
    assert "held_out" not in record and record["trained_on"]["fact_reports"] == 2


@pytest.mark.parametrize(
    ("folds", "facts", "message"),
    [(1, True, "at least 2"), (-2, True, "at least 2"), (3, False, "give --facts files")],
)
def test_a_cross_validation_that_cannot_be_done_is_refused(folds: int, facts: bool, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        KeypointConfig(data="d", model="m", facts=("f.json",) if facts else (), cv_folds=folds)


def test_more_folds_than_reports_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="cannot fill 3 folds"):
        train_keypoints(_tiny_recipe(tmp_path, reports=2, cv_folds=3))
