"""`Summarizer.digest`: one summary of several articles, evidence naming its articles, duplicate
facts merged, disagreeing figures named, clear errors (library layer; ext-vi is in the repo)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from summarizer import ConfigurationError, InvalidInputError, SummarizeOptions, Summarizer
from summarizer.digest import DIGEST_FILE, figures_of, load_scorer
from summarizer.registry import resolve_model
from tests.conftest import SHARED
from tests.digest_articles import FUEL, PLANE_A, PLANE_B


@pytest.fixture(scope="module")
def ext_vi() -> Summarizer:
    return Summarizer.from_pretrained("ext-vi")


def lines(summary) -> list:
    return [e for e in summary.evidence if e.part != "headline"]


def test_every_line_names_its_articles_and_the_ids_map_them(ext_vi: Summarizer) -> None:
    summary = ext_vi.digest([PLANE_A, PLANE_B, FUEL], ids=["vnexpress-1", "tuoitre-2", "vov-3"])
    assert summary.ids == ("vnexpress-1", "tuoitre-2", "vov-3")
    assert summary.headline and summary.abstract
    for entry in summary.evidence:
        assert entry.sources, entry
        assert all(s.document in (0, 1, 2) for s in entry.sources), entry
    data = json.loads(json.dumps(summary.to_dict()))
    assert data["ids"] == ["vnexpress-1", "tuoitre-2", "vov-3"]
    texts = [PLANE_A, PLANE_B, FUEL]
    docs = [ext_vi.prepare(t) for t in texts]
    for entry in lines(summary):  # a span's text is in the line (compression keeps words in order)
        own = entry.sources[0]
        assert docs[own.document].text[own.start : own.end].rstrip(".").lower() in entry.text.lower()


def test_without_ids_the_indices_are_the_ids_and_one_document_summaries_keep_their_keys(ext_vi: Summarizer) -> None:
    summary = ext_vi.digest([PLANE_A, PLANE_B])
    assert summary.ids == ("0", "1") and summary.to_dict()["ids"] == ["0", "1"]
    assert "ids" not in ext_vi.summarize(PLANE_A).to_dict()


def test_a_fact_told_by_two_articles_is_one_line_with_both_sources(ext_vi: Summarizer) -> None:
    summary = ext_vi.digest([PLANE_A, PLANE_B], ids=["a", "b"])
    landing = [e for e in lines(summary) if "hạ cánh khẩn cấp" in e.text]
    assert len(landing) == 1, [e.text for e in lines(summary)]
    assert {s.document for s in landing[0].sources} == {0, 1}
    told_by_b = [s for s in landing[0].sources if s.document == 1]
    assert "186 hành khách" in ext_vi.prepare(PLANE_B).text[told_by_b[0].start : told_by_b[0].end]


def test_disagreeing_figures_are_named_with_their_articles(ext_vi: Summarizer) -> None:
    summary = ext_vi.digest([PLANE_A, PLANE_B], ids=["a", "b"])
    warning = [w for w in summary.info.warnings if w.startswith("figures differ across articles")]
    assert len(warning) == 1, summary.info.warnings
    assert "180 hành khách (article a)" in warning[0] and "186 hành khách (article b)" in warning[0]


def test_agreeing_figures_give_no_warning(ext_vi: Summarizer) -> None:
    agreeing = PLANE_B.replace("186 hành khách", "180 hành khách")
    summary = ext_vi.digest([PLANE_A, agreeing])
    assert not [w for w in summary.info.warnings if w.startswith("figures differ")]


def test_figures_are_quantities_not_dates_years_or_times() -> None:
    assert figures_of("Chuyến bay chở 186 hành khách sáng 12/3, lúc 6 giờ, năm 2022 có 3 tiếng") == [
        ("186", "hành khách"),
        ("3", "tiếng"),
    ]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda s: s.digest([]), InvalidInputError, "at least one document"),
        (lambda s: s.digest("một văn bản"), InvalidInputError, "a list of texts"),
        (lambda s: s.digest([PLANE_A, "   "], ids=["a", "b"]), InvalidInputError, r"document 1 \(id b\)"),
        (lambda s: s.digest([PLANE_A, 42]), InvalidInputError, r"document 1 \(id 1\): text must be a string"),
        (lambda s: s.digest([PLANE_A, PLANE_B], ids=["x", "x"]), ConfigurationError, "repeated: x"),
        (lambda s: s.digest([PLANE_A, PLANE_B], ids=["x"]), ConfigurationError, "2 documents but 1 ids"),
        (lambda s: s.digest([PLANE_A], titles=["a", "b"]), ConfigurationError, "1 documents but 2 titles"),
    ],
)
def test_bad_calls_are_clear_errors(ext_vi: Summarizer, call, error, message) -> None:
    with pytest.raises(error, match=message):
        call(ext_vi)


def test_digest_length_is_an_option() -> None:
    with pytest.raises(ConfigurationError, match="digest_syllables"):
        SummarizeOptions(digest_syllables=5)
    assert SummarizeOptions().digest_syllables == 190


def test_other_models_digest_with_ext_vis_selector() -> None:
    summary = Summarizer.from_pretrained("lead").digest([PLANE_A, PLANE_B], titles=["Tựa A", None])
    assert summary.info.options["digest_selector"] == str(resolve_model("ext-vi").source)
    assert summary.abstract and all(s.document is not None for e in summary.evidence for s in e.sources)


def test_a_given_title_as_headline_names_its_article(ext_vi: Summarizer) -> None:
    summary = ext_vi.digest([PLANE_A, PLANE_B], titles=["Máy bay Vietjet hạ cánh khẩn cấp tại Nội Bài", None])
    head = summary.evidence[0]
    assert head.part == "headline" and head.sources[0].document in (0, 1)


def test_the_bundled_digest_scorer_loads_and_a_stale_one_is_ignored(tmp_path: Path) -> None:
    folder = resolve_model("ext-vi").source
    assert load_scorer(str(folder)) is not None, "models/ext-vi holds digest.lgb.txt (tomtat train-digest)"
    stale = tmp_path / "ext-vi"
    stale.mkdir()
    shutil.copy(Path(folder) / DIGEST_FILE, stale / DIGEST_FILE)
    config = json.loads((Path(folder) / "model.json").read_text(encoding="utf-8"))
    config["digest"]["features"] = config["digest"]["features"][:-1]
    (stale / "model.json").write_text(json.dumps(config), encoding="utf-8")
    assert load_scorer(str(stale)) is None


@pytest.mark.shared
def test_a_validation_cluster_digest_is_about_the_asked_length(ext_vi: Summarizer) -> None:
    from evaluation.digest_eval import read_clusters

    data = SHARED / "data" / "abmusu" / "clusters-validation.jsonl.xz"
    if not data.is_file():
        pytest.skip(f"{data} is absent")
    cluster = next(read_clusters(data))
    for target in (100, 190):
        summary = ext_vi.digest(
            list(cluster.texts), titles=list(cluster.titles), options=SummarizeOptions(digest_syllables=target)
        )
        assert 0.75 * target <= len(summary.abstract.split()) <= 1.3 * target
        assert not [w for w in summary.info.warnings if "no trained digest scorer" in w]


def test_articles_too_short_for_a_line_still_give_an_abstract(ext_vi: Summarizer) -> None:
    summary = ext_vi.digest(["Hà Nội mưa lớn.", "Mưa lớn ở Hà Nội."])
    assert summary.headline and summary.abstract
    assert all(s.document in (0, 1) for e in summary.evidence for s in e.sources)
