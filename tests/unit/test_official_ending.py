"""The official-document ending "./." reads as a full stop in the textbook models' lines."""

from __future__ import annotations

import pytest

from evaluation.baselines import Baseline
from summarizer import Summarizer

# the last sentence is the most central one, so TextRank picks it (and heads with it)
TEXT = (
    "Hà Nội mưa lớn. Giao thông ùn tắc. "
    "Mưa lớn khiến giao thông Hà Nội ùn tắc nhiều giờ và nhiều tuyến phố Hà Nội ngập sâu./."
)
LAST = "Mưa lớn khiến giao thông Hà Nội ùn tắc nhiều giờ và nhiều tuyến phố Hà Nội ngập sâu"


def test_plain_full_stop() -> None:
    from summarizer.segment import plain_full_stop

    assert plain_full_stop("Quyết định có hiệu lực từ ngày ký./.") == "Quyết định có hiệu lực từ ngày ký."
    assert plain_full_stop("Tăng 14/2.") == "Tăng 14/2."
    assert plain_full_stop("Hết.") == "Hết."


@pytest.mark.parametrize("model", ["textrank", "lead"])
def test_registry_textbook_models_end_lines_with_a_full_stop(model: str) -> None:
    summarizer = Summarizer.from_pretrained(model)
    summary = summarizer.summarize(TEXT)
    lines = [summary.headline, summary.abstract, *summary.bullets]
    assert not any(line.endswith(("/", "/.")) for line in lines), lines
    assert LAST + "." in summary.abstract
    text = summarizer.prepare(TEXT).text
    for line in summary.evidence:  # the evidence still points at exactly the line's text
        if line.part != "headline" and line.origin == "extracted":
            assert " ".join(text[s.start : s.end] for s in line.sources) == line.text


@pytest.mark.parametrize("name", ["textrank", "lead-3"])
def test_textbook_baselines_end_lines_with_a_full_stop(name: str) -> None:
    summary = Baseline(name).summarize(TEXT)
    assert summary.bullets[-1] == LAST + "." and summary.abstract.endswith(LAST + ".")
    assert not summary.headline.endswith("/")


def test_textrank_headline_from_an_official_ending() -> None:
    assert Summarizer.from_pretrained("textrank").summarize(TEXT).headline == LAST
    assert Baseline("textrank").summarize(TEXT).headline == LAST
