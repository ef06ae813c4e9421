"""ROUGE for Vietnamese on top of Google's `rouge-score` (the algorithm is not re-implemented).

Two tokenizers, always labelled:
- `syllable` (primary): both sides go through tomtat's normalizer (NFC, one tone-mark
  placement), are lower-cased, underscores of word-segmented text become spaces, and tokens
  are Unicode word characters, so "má" ≠ "ma" and NFC ≡ NFD. Numbers such as "14,14" and
  "1.000" stay one token.
- `paper`: rouge-score's default tokenizer ([a-z0-9] only: diacritics are stripped and words
  shredded). It is how ViT5's published VietNews scores were computed, and is reported only
  to compare with them: "paper-compatible (ASCII, diacritics stripped)".

The API is keyword-only, so prediction and reference cannot be swapped by position
(rouge-score's own `score(target, prediction)` order is a known footgun).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from summarizer.normalize import normalize_text
from summarizer.segment import split_sentences
from summarizer.tokens import syllables

METRICS = ("rouge1", "rouge2", "rougeL", "rougeLsum")
TOKENIZERS = {
    "syllable": "Unicode syllables (NFC, canonical tones, lower-cased)",
    "paper": "paper-compatible (ASCII, diacritics stripped)",
}


class SyllableTokenizer:
    """Vietnamese syllable tokenizer for rouge-score (see the module docstring)."""

    def tokenize(self, text: str) -> list[str]:
        return syllables(normalize_text(text.replace("_", " ")))


@cache
def _scorer(tokenizer: str) -> object:
    from rouge_score import rouge_scorer

    if tokenizer == "syllable":
        return rouge_scorer.RougeScorer(list(METRICS), tokenizer=SyllableTokenizer())
    if tokenizer == "paper":
        return rouge_scorer.RougeScorer(list(METRICS), use_stemmer=False)
    raise ValueError(f"unknown tokenizer {tokenizer!r}; choose one of {', '.join(TOKENIZERS)}")


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float


def _lsum_lines(text: str) -> str:
    # rougeLsum compares sentence by sentence: one sentence per line.
    return "\n".join(split_sentences(normalize_text(text)))


def score_pair(*, prediction: str, reference: str, tokenizer: str = "syllable") -> dict[str, Score]:
    """ROUGE of one prediction against one reference (fractions in [0, 1])."""
    scorer = _scorer(tokenizer)
    result = scorer.score(target=_lsum_lines(reference), prediction=_lsum_lines(prediction))  # type: ignore[attr-defined]
    return {m: Score(result[m].precision, result[m].recall, result[m].fmeasure) for m in METRICS}


def _f1_row(job: tuple[str, str, str]) -> tuple[float, ...]:
    prediction, reference, tokenizer = job
    scores = score_pair(prediction=prediction, reference=reference, tokenizer=tokenizer)
    return tuple(scores[m].f1 * 100 for m in METRICS)


def score_corpus(
    *, predictions: Sequence[str], references: Sequence[str], tokenizer: str = "syllable", workers: int = 1
) -> dict[str, np.ndarray]:
    """Per-document F1 × 100 for every metric, as arrays aligned with the inputs.

    Identical (prediction, reference) pairs are scored once; `workers` > 1 scores in
    parallel processes (the results do not depend on it).
    """
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions but {len(references)} references")
    pairs = list(zip(predictions, references, strict=True))
    unique = list(dict.fromkeys(pairs))
    jobs = [(p, r, tokenizer) for p, r in unique]
    if workers > 1 and len(jobs) > 500:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            rows = pool.map(_f1_row, jobs, chunksize=200)
    else:
        rows = [_f1_row(job) for job in jobs]
    by_pair = dict(zip(unique, rows, strict=True))
    table = np.array([by_pair[pair] for pair in pairs], dtype=float).reshape(len(pairs), len(METRICS))
    return {m: table[:, i] for i, m in enumerate(METRICS)}


def bootstrap_interval(
    values: np.ndarray, *, samples: int = 1000, confidence: float = 0.95, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean (seeded: reproducible run to run)."""
    if len(values) == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(samples, len(values)))].mean(axis=1)
    tail = (1 - confidence) / 2 * 100
    return (float(np.percentile(means, tail)), float(np.percentile(means, 100 - tail)))
