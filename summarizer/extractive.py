"""Extractive selection (no weights): Lead-k and TextRank over sentences."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from summarizer.compose import Lines, selected_lines
from summarizer.compress import RULES
from summarizer.document import Document
from summarizer.errors import ConfigurationError
from summarizer.selection import Selection, sentence_excerpts

_WORD = re.compile(r"\w+")


def lead(sentences: Sequence[str], k: int) -> list[int]:
    """Indices of the first `k` sentences."""
    return list(range(min(k, len(sentences))))


def _similarity(a: set[str], b: set[str]) -> float:
    # Mihalcea & Tarau (2004): overlap normalized by the log of both lengths.
    if len(a) < 2 or len(b) < 2:
        return 0.0
    return len(a & b) / (math.log(len(a)) + math.log(len(b)))


def textrank_scores(sentences: Sequence[str], *, damping: float = 0.85) -> np.ndarray:
    """PageRank centrality of each sentence in the syllable-overlap similarity graph."""
    bags = [set(_WORD.findall(s.lower())) for s in sentences]
    n = len(bags)
    if n == 0:
        return np.zeros(0)
    weights = np.array([[_similarity(bags[i], bags[j]) if i != j else 0.0 for j in range(n)] for i in range(n)])
    out_degree = weights.sum(axis=1, keepdims=True)
    transition = np.divide(weights, out_degree, out=np.full_like(weights, 1.0 / n), where=out_degree > 0)
    scores = np.full(n, 1.0 / n)
    for _ in range(100):
        updated = (1 - damping) / n + damping * transition.T @ scores
        if np.abs(updated - scores).sum() < 1e-8:
            return updated
        scores = updated
    return scores


def textrank(sentences: Sequence[str], k: int) -> list[int]:
    """Indices of the `k` most central sentences, most central first (ties: earlier first)."""
    scores = textrank_scores(sentences)
    order = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    return order[:k]


METHODS = {"lead": lead, "textrank": textrank}


def select(method: str, doc: Document, k: int, *, rules: tuple[str, ...] = RULES) -> Selection:
    """A `Selection` of the unsupervised `method` ("lead" or "textrank") with `k` sentences.

    The headline is the title when the document has one, else the top-ranked sentence; the
    abstract and the bullets are the `k` chosen sentences in document order, compressed by
    the sentence `rules` (the output contract then drops a bullet that repeats the headline).
    """
    try:
        rank = METHODS[method]
    except KeyError:
        raise ConfigurationError(f"unknown extractive method {method!r}; use one of {', '.join(METHODS)}") from None
    ranked = rank(doc.sentences, k)
    chosen = sentence_excerpts(doc, sorted(ranked), rules=rules)
    headline = None if doc.title else (ranked[0] if ranked else 0)
    return Selection(headline=headline, abstract=chosen, bullets=chosen)


EXTRACTIVE_NOTE = "extractive model: sentences are copied from the input, not generated"


def select_by_settings(settings: Mapping[str, Any], doc: Document) -> Selection:
    """The selection a registry entry's `extractive` settings ask for (method, sentences, rules)."""
    rules = tuple(settings.get("compression", RULES))
    return select(str(settings.get("method", "lead")), doc, int(settings.get("sentences", 3)), rules=rules)


def lines_of(settings: Mapping[str, Any], doc: Document, selection: Selection) -> Lines:
    """The output lines of a selection, with the entry's headline style."""
    lines = selected_lines(doc, selection, headline_style=str(settings.get("headline", "short")))
    lines.warnings.insert(0, EXTRACTIVE_NOTE)
    return lines
