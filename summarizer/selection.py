"""Choosing sentences from scores: the abstract by length, bullets by MMR, the headline by argmax.

Pure functions over numpy arrays; the learned model (`ext_model`) and the unsupervised
ones (`extractive`) share them, and `Selection` is what every extractive model returns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from summarizer.compress import RULES, Excerpt, excerpt
from summarizer.document import Document


@dataclass(frozen=True)
class Selection:
    """What an extractive model chose for each output of one document.

    Attributes:
        headline: index of the headline's sentence (`Document.sentences`), or None when
            the headline is the document's title.
        abstract: the abstract's lines, in document order: source text compressed by deletion.
        bullets: the bullets, in document order, likewise.
        notes: what a reader should know about the choice (e.g. fewer distinct points than
            bullets asked for).
    """

    headline: int | None
    abstract: tuple[Excerpt, ...]
    bullets: tuple[Excerpt, ...]
    notes: tuple[str, ...] = ()

    @property
    def sentences(self) -> tuple[int, ...]:
        """The sentences the abstract and the bullets come from, each once, in order of use."""
        return tuple(dict.fromkeys(e.sentence for e in (*self.abstract, *self.bullets)))


def sentence_excerpts(doc: Document, indices: Sequence[int], *, rules: tuple[str, ...] = RULES) -> tuple[Excerpt, ...]:
    """Whole sentences `indices` of `doc`, compressed by the sentence `rules` (tags, credits)."""
    return tuple(excerpt(doc.text, doc.spans[i].start, doc.spans[i].end, i, rules=rules) for i in indices)


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
