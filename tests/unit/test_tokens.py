"""Syllable tokens and cue phrases found on them."""

from __future__ import annotations

import random

import pytest

from summarizer.features import CUES, DIRECTION_CUES, PROBLEM_CUES
from summarizer.keypoints import MEASURE_CUES, PRAISE_CUES
from summarizer.tokens import Cues, syllables


def _by_substring(phrases: tuple[str, ...], tokens: list[str]) -> list[int]:
    joined = f" {' '.join(tokens)} "
    return [i for i, phrase in enumerate(phrases) if f" {phrase} " in joined]


def test_cues_are_found_exactly_where_the_padded_phrase_is_a_substring() -> None:
    rng = random.Random(0)
    for phrases in (CUES, PROBLEM_CUES, DIRECTION_CUES, PRAISE_CUES, MEASURE_CUES):
        finder = Cues(phrases)
        words = [w for p in phrases for w in p.split()] + ["và", "các", "tỉnh", "14,14", "năm"]
        for _ in range(300):
            tokens = [rng.choice(words) for _ in range(rng.randint(0, 25))]
            assert finder.found(tokens) == _by_substring(phrases, tokens)
    # a phrase's words must be whole syllables, in order and adjacent
    finder = Cues(("khó khăn", "chậm"))
    assert finder.found(syllables("Khó khăn lớn nhất là chậm giải ngân.")) == [0, 1]
    assert finder.found(syllables("Khăn khó, chậmrãi.")) == []
    assert finder.found([]) == []


def test_syllables_are_a_fresh_list_each_time_and_long_texts_read_alike() -> None:
    first = syllables("Hà Nội mưa lớn.")
    first.append("x")  # a caller may change its list: the next caller gets the syllables
    assert syllables("Hà Nội mưa lớn.") == ["hà", "nội", "mưa", "lớn"]
    long = "Tăng 14,14%. " * 400  # past the cached length: the same tokens
    assert syllables(long) == ["tăng", "14,14"] * 400


@pytest.mark.parametrize("phrase", ["", " chậm", "chậm ", "Khó khăn", "khó  khăn", "14,14%"])
def test_a_cue_phrase_not_written_as_syllables_is_refused(phrase: str) -> None:
    with pytest.raises(ValueError, match="syllables"):
        Cues(("khó khăn", phrase))
