"""Choosing sentences from scores: the abstract by length, bullets by MMR, the headline by argmax.

Pure functions over numpy arrays; the learned model (`ext_model`) and the unsupervised
ones (`extractive`) share them, and `Selection` is what every extractive model returns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Selection:
    """Sentence indices (into `Document.sentences`) chosen for each output.

    `headline` is None when the headline is the document's title.
    """

    headline: int | None
    abstract: tuple[int, ...]
    bullets: tuple[int, ...]


def target_syllables(
    body_syllables: int, *, intercept: float, slope: float, scale: float, low: int, high: int
) -> float:
    """The abstract's length goal: the sapo length predicted from the body's, times `scale`."""
    predicted = math.expm1(intercept + slope * math.log1p(body_syllables))
    return min(max(predicted * scale, low), high)


def pick_by_length(
    scores: np.ndarray, lengths: Sequence[int], target: float, *, allowed: Sequence[bool] | None = None
) -> list[int]:
    """Best-scored sentences until the total length is as close to `target` as it gets.

    Sentences are taken in score order; the one that would move the total further from
    the target stops the choice (the first is always taken). Returned in document order.
    """
    chosen: list[int] = []
    total = 0
    for i in np.argsort(-scores, kind="stable"):
        if allowed is not None and not allowed[i]:
            continue
        if chosen and abs(total + lengths[i] - target) >= abs(total - target):
            break
        chosen.append(int(i))
        total += lengths[i]
        if total >= target:
            break
    return sorted(chosen)


def pick_mmr(
    scores: np.ndarray,
    similarity: np.ndarray,
    k: int,
    *,
    diversity: float = 0.3,
    allowed: Sequence[bool] | None = None,
) -> list[int]:
    """Maximal marginal relevance: `k` sentences, high score and unlike those already chosen.

    Each step takes argmax of (1 - diversity) * score - diversity * max similarity to the
    chosen ones; scores are rescaled to [0, 1] first. Returned in document order.
    """
    n = len(scores)
    candidates = [i for i in range(n) if allowed is None or allowed[i]]
    if not candidates or k <= 0:
        return []
    span = float(scores.max() - scores.min()) or 1.0
    relevance = (scores - scores.min()) / span
    chosen: list[int] = []
    while candidates and len(chosen) < k:
        redundancy = similarity[np.ix_(candidates, chosen)].max(axis=1) if chosen else np.zeros(len(candidates))
        value = (1 - diversity) * relevance[candidates] - diversity * redundancy
        best = candidates[int(np.argmax(value))]
        chosen.append(best)
        candidates.remove(best)
    return sorted(chosen)


def bullet_count(n_sentences: int, max_bullets: int, *, low: int = 3, high: int = 5, per_bullet: int = 5) -> int:
    """How many bullets a document gets: one per `per_bullet` sentences (rounded up), within [low, high]."""
    return min(max_bullets, max(low, min(high, -(-n_sentences // per_bullet))))


def cover_facets(
    chosen: Sequence[int], scores: np.ndarray, facets: np.ndarray, *, allowed: Sequence[bool] | None = None
) -> list[int]:
    """Bullets that cover every facet (column of `facets`, a strength) that some sentence is about.

    A sentence is about the facet it carries most strongly (ties: about each). For each facet
    that no chosen sentence is about, the best-scored allowed sentence about it replaces the
    lowest-scored chosen sentence that no other facet needs. Returned in document order.
    """
    strongest = facets.max(axis=1, keepdims=True)
    about = (facets > 0) & (facets >= strongest)
    chosen = list(chosen)
    for facet in range(facets.shape[1]):
        if not chosen or about[chosen, facet].any():
            continue
        carriers = [
            int(i)
            for i in np.argsort(-scores, kind="stable")
            if about[i, facet] and i not in chosen and (allowed is None or allowed[i])
        ]
        needed = {j for j in chosen for f in range(facets.shape[1]) if about[j, f] and about[chosen, f].sum() == 1}
        spare = [j for j in chosen if j not in needed]
        if carriers and spare:
            chosen.remove(min(spare, key=lambda j: scores[j]))
            chosen.append(carriers[0])
    return sorted(chosen)
