"""Greedy extractive oracle labels: which sentences best rebuild a reference (syllable ROUGE).

The oracle (Nallapati et al. 2017; Liu & Lapata 2019) adds, one at a time, the sentence that
most raises ROUGE-1 F + ROUGE-2 F of the selection against the reference, and stops when no
sentence raises it. Tokens are the syllables of `summarizer.tokens`, as in the evaluation's
primary ROUGE, so labels and scores agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from summarizer.normalize import normalize_text
from summarizer.tokens import syllables


def _f1(overlap: int, predicted: int, reference: int) -> float:
    if not overlap:
        return 0.0
    return 2 * overlap / (predicted + reference)


def _ngrams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def rouge12(tokens: Sequence[str], reference: Sequence[str]) -> float:
    """ROUGE-1 F + ROUGE-2 F of one token list against a reference token list."""
    score = 0.0
    for n in (1, 2):
        ref, pred = _ngrams(reference, n), _ngrams(tokens, n)
        score += _f1(sum((ref & pred).values()), sum(pred.values()), sum(ref.values()))
    return score


def greedy_oracle(sentences: Sequence[str], reference: str, *, max_sentences: int = 5) -> list[int]:
    """Indices (in document order) of the greedy oracle selection for `reference`."""
    ref_tokens = syllables(normalize_text(reference))
    if not ref_tokens:
        return []
    refs = [_ngrams(ref_tokens, n) for n in (1, 2)]
    ref_sizes = [sum(r.values()) for r in refs]
    # per sentence and n: its n-gram count, and its counts of the n-grams the reference has
    sizes: list[tuple[int, int]] = []
    hits: list[tuple[dict[tuple[str, ...], int], dict[tuple[str, ...], int]]] = []
    for sentence in sentences:
        tokens = syllables(sentence)
        sizes.append((len(tokens), max(len(tokens) - 1, 0)))
        grams = (_ngrams(tokens, 1), _ngrams(tokens, 2))
        hits.append(tuple({g: c for g, c in grams[k].items() if g in refs[k]} for k in range(2)))  # type: ignore[misc]
    chosen: list[int] = []
    counts: list[dict[tuple[str, ...], int]] = [{}, {}]
    overlap, size = [0, 0], [0, 0]
    best = 0.0
    while len(chosen) < max_sentences:
        pick, pick_score, pick_overlap = -1, best, [0, 0]
        for i in range(len(sentences)):
            if i in chosen:
                continue
            score = 0.0
            new_overlap = [0, 0]
            for k in range(2):
                gained = 0
                for g, c in hits[i][k].items():
                    have = counts[k].get(g, 0)
                    limit = refs[k][g]
                    gained += min(have + c, limit) - min(have, limit)
                new_overlap[k] = overlap[k] + gained
                score += _f1(new_overlap[k], size[k] + sizes[i][k], ref_sizes[k])
            if score > pick_score:
                pick, pick_score, pick_overlap = i, score, new_overlap
        if pick < 0:
            break
        chosen.append(pick)
        for k in range(2):
            for g, c in hits[pick][k].items():
                counts[k][g] = counts[k].get(g, 0) + c
            size[k] += sizes[pick][k]
        overlap = pick_overlap
        best = pick_score
    return sorted(chosen)
