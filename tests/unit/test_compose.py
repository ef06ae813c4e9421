"""Evidence for every line and the output contract, for every model kind."""

from __future__ import annotations

import pytest

from summarizer import Summarizer
from summarizer.compose import Line, apply_contract, repeats

REPORT = (
    "Lâm Hà sơ kết công tác phòng chống hạn mặn năm 2024\n"
    "LH - Ngày 5-7-2024, Sở Nông nghiệp tổ chức hội nghị sơ kết công tác phòng chống hạn mặn. "
    "Toàn tỉnh có 12.400 ha lúa bị ảnh hưởng.\n"
    "Các địa phương đã vận hành 86 cống ngăn mặn (Ảnh: TTXVN).\n"
    "Tổng kinh phí là 148,5 tỷ đồng, ngân sách tỉnh bảo đảm 62%.\n"
    "Sở đề nghị các huyện rà soát công trình cấp nước xuống cấp."
)


def test_repeats_compares_syllables_in_any_case() -> None:
    assert repeats("Hà Nội mưa lớn", "hà nội mưa lớn.")
    assert repeats("Hà Nội mưa lớn", "Sáng nay Hà Nội mưa lớn, nhiều phố ngập.")
    assert not repeats("Hà Nội mưa lớn", "Nhiều tuyến phố ngập sâu.")


def test_contract_drops_headline_repeats_and_duplicates() -> None:
    headline = Line("Hà Nội mưa lớn", "extracted")
    abstract = [Line("Hà Nội mưa lớn.", "extracted"), Line("Phố ngập sâu.", "extracted")]
    bullets = [Line("Hà Nội mưa lớn.", "extracted"), Line("Phố ngập sâu.", "x"), Line("Phố ngập sâu.", "x")]
    kept_abstract, kept_bullets = apply_contract(headline, abstract, bullets)
    assert [line.text for line in kept_abstract] == ["Phố ngập sâu."]
    assert [line.text for line in kept_bullets] == ["Phố ngập sâu."]


@pytest.mark.parametrize("model", ["lead", "lead-2", "textrank"])
def test_extractive_models_give_evidence_inside_the_cleaned_text(model: str) -> None:
    summarizer = Summarizer.from_pretrained(model)
    summary = summarizer.summarize(REPORT)
    doc = summarizer.prepare(REPORT)
    assert summary.headline == doc.title  # a title-like first line is the headline
    assert "LH" not in summary.abstract and not summary.abstract.startswith(summary.headline)
    assert not any(repeats(summary.headline, b) for b in summary.bullets)
    parts = [e.part for e in summary.evidence]
    assert parts == ["headline"] + ["abstract"] * (len(parts) - 1 - len(summary.bullets)) + ["bullet"] * len(
        summary.bullets
    )
    for evidence in summary.evidence:
        assert evidence.origin == "extracted" and evidence.sources
        for span in evidence.sources:
            quoted = doc.text[span.start : span.end]
            assert quoted and quoted.lower() in doc.text.lower()
            assert evidence.text.rstrip(".").lower() in doc.text.lower() or evidence.text.lower() in quoted.lower()


def test_a_given_title_is_the_headline_and_never_a_bullet() -> None:
    summary = Summarizer.from_pretrained("lead").summarize(REPORT, title="Tiêu đề do biên tập viên đặt")
    assert summary.headline == "Tiêu đề do biên tập viên đặt"
    assert summary.evidence[0].origin == "title" and summary.evidence[0].sources == ()
    assert "Tiêu đề do biên tập viên đặt" not in summary.abstract


def test_photo_credit_is_removed_from_extracted_lines() -> None:
    summary = Summarizer.from_pretrained("textrank").summarize(REPORT, max_bullets=5)
    assert not any("Ảnh" in line for line in (summary.abstract, *summary.bullets))
