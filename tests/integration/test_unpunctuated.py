"""Text without sentence punctuation: bounded pieces, a short headline, the contract kept (#22.2)."""

from __future__ import annotations

import random

import pytest

from summarizer import Summarizer
from summarizer.segment import MAX_SENTENCE_CHARS, sentence_spans
from summarizer.tokens import syllables

WORDS = [
    "hà",
    "nội",
    "mưa",
    "lớn",
    "nhiều",
    "tuyến",
    "phố",
    "ngập",
    "sâu",
    "giao",
    "thông",
    "ùn",
    "tắc",
    "người",
    "dân",
    "vất",
    "vả",
]


def _run(n_chars: int) -> str:
    rng = random.Random(0)
    return " ".join(rng.choice(WORDS) for _ in range(n_chars // 3))[:n_chars]


def test_a_run_without_punctuation_is_cut_into_bounded_sentences() -> None:
    text = _run(99_000)
    spans = sentence_spans(text)
    assert len(spans) >= 99_000 // MAX_SENTENCE_CHARS
    assert all(s.end - s.start <= MAX_SENTENCE_CHARS for s in spans)
    assert "".join(text[s.start : s.end] for s in spans).replace(" ", "") == text.replace(" ", "")  # nothing lost


@pytest.mark.parametrize(
    "text",
    [_run(99_000), "a" + "\u0301" * 50_000, "Ông A đến. " + "\u0301" * 50_000, "x" * 20_000],
    ids=["words", "accents", "sentence-then-accents", "one-long-word"],
)
@pytest.mark.parametrize("model", ["ext-vi", "lead", "textrank"])
def test_the_headline_stays_short_and_the_abstract_does_not_repeat_it(model: str, text: str) -> None:
    summary = Summarizer.from_pretrained(model).summarize(text)
    assert len(syllables(summary.headline)) <= 26 and len(summary.headline) <= 1_000
    assert summary.abstract != summary.headline
    assert all(len(b) <= MAX_SENTENCE_CHARS + 1 for b in summary.bullets)
