"""Selection by length, MMR and bullet counts: hand-checkable cases."""

from __future__ import annotations

import numpy as np

from summarizer.selection import bullet_count, pick_by_length, pick_mmr, target_syllables


def test_pick_by_length_takes_best_scores_until_the_target_in_document_order() -> None:
    scores = np.array([0.1, 0.9, 0.5, 0.8])
    lengths = [20, 20, 20, 20]
    assert pick_by_length(scores, lengths, 40) == [1, 3]
    assert pick_by_length(scores, lengths, 5) == [1]  # the first is always taken
    assert pick_by_length(scores, lengths, 45, allowed=[True, False, True, True]) == [2, 3]


def test_pick_by_length_stops_before_overshooting() -> None:
    scores = np.array([0.9, 0.8])
    assert pick_by_length(scores, [30, 50], 40) == [0]  # 80 is further from 40 than 30


def test_mmr_prefers_a_different_sentence_to_a_near_copy() -> None:
    scores = np.array([1.0, 0.95, 0.6])
    similarity = np.array([[1.0, 0.98, 0.0], [0.98, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert pick_mmr(scores, similarity, 2, diversity=0.5) == [0, 2]
    assert pick_mmr(scores, similarity, 2, diversity=0.0) == [0, 1]
    assert pick_mmr(scores, similarity, 2, allowed=[False, True, True]) == [1, 2]


def test_bullet_count_grows_with_the_document_within_bounds() -> None:
    assert bullet_count(4, 5) == 3
    assert bullet_count(18, 5, per_bullet=5) == 4
    assert bullet_count(18, 5, per_bullet=4) == 5
    assert bullet_count(200, 5) == 5
    assert bullet_count(200, 2) == 2


def test_target_length_follows_the_body_and_is_clipped() -> None:
    short = target_syllables(100, intercept=3.0, slope=0.1, scale=1.0, low=15, high=150)
    long = target_syllables(3000, intercept=3.0, slope=0.1, scale=1.0, low=15, high=150)
    assert 15 <= short < long <= 150
    assert target_syllables(100, intercept=9.0, slope=0.1, scale=1.0, low=15, high=150) == 150
