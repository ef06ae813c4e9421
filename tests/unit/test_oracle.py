"""Greedy oracle labels and the ROUGE-1+2 they maximise, on hand-checkable cases."""

from __future__ import annotations

from models.oracle import greedy_oracle, rouge12


def test_rouge12_by_hand() -> None:
    # unigrams: 3 of 3 predicted, 3 of 5 reference -> F 0.75; bigrams: 2 of 2, 2 of 4 -> F 2/3
    assert abs(rouge12(["việt", "nam", "thắng"], ["việt", "nam", "thắng", "thái", "lan"]) - (0.75 + 2 / 3)) < 1e-9
    assert rouge12([], ["a"]) == 0.0


def test_oracle_picks_the_sentences_that_rebuild_the_reference() -> None:
    sentences = [
        "Trời hôm nay đẹp.",
        "Hà Nội khởi công tuyến đường sắt số 5.",
        "Người dân vui mừng.",
        "Dài 38,4 km.",
    ]
    reference = "Hà Nội khởi công tuyến đường sắt số 5 dài 38,4 km."
    assert greedy_oracle(sentences, reference) == [1, 3]
    assert greedy_oracle(sentences, "") == []
    assert greedy_oracle(sentences, reference, max_sentences=1) == [1]
