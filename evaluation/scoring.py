"""ROUGE of prediction rows against their references, per output and tokenizer."""

from __future__ import annotations

from typing import Any

import numpy as np

from evaluation.rouge import METRICS, TOKENIZERS, bootstrap_interval, score_corpus

# which reference each output is scored against
OUTPUTS = {"headline": "title", "abstract": "summary", "bullets": "summary"}


def _syllables(text: str) -> int:
    return len(text.split())


def _output_text(row: dict[str, Any], output: str) -> str:
    return " ".join(row["bullets"]) if output == "bullets" else row[output]


def score_predictions(rows: list[dict[str, Any]], *, samples: int = 1000, workers: int = 1) -> dict[str, Any]:
    """scores[output][tokenizer][metric] = mean F1 × 100, with 95% bootstrap intervals.

    A record without the reference of an output (e.g. no title) is left out of that
    output's scores; `n_scored` says how many were scored.
    """
    pairs = {
        output: [(_output_text(r, output), r["references"][ref]) for r in rows if r["references"].get(ref)]
        for output, ref in OUTPUTS.items()
    }
    everything = [pair for output in OUTPUTS for pair in pairs[output]]  # scored once, split below
    scores: dict[str, Any] = {output: {} for output in OUTPUTS}
    intervals: dict[str, Any] = {output: {} for output in OUTPUTS}
    per_doc: dict[str, np.ndarray] = {}
    for tokenizer in TOKENIZERS:
        values = score_corpus(
            predictions=[p for p, _ in everything],
            references=[r for _, r in everything],
            tokenizer=tokenizer,
            workers=workers,
        )
        start = 0
        for output in OUTPUTS:
            n = len(pairs[output])
            part = {m: values[m][start : start + n] for m in METRICS}
            start += n
            scores[output][tokenizer] = {m: round(float(part[m].mean()), 2) if n else None for m in METRICS}
            intervals[output][tokenizer] = {
                m: [round(x, 2) for x in bootstrap_interval(part[m], samples=samples)] for m in METRICS
            }
            if tokenizer == "syllable":
                per_doc[output] = part["rouge1"]
    lengths = {
        output: {
            "mean_syllables": round(float(np.mean([_syllables(_output_text(r, output)) for r in rows] or [0])), 1),
            "reference_mean_syllables": round(float(np.mean([_syllables(ref) for _, ref in pairs[output]] or [0])), 1),
        }
        for output in OUTPUTS
    }
    return {
        "scores": scores,
        "intervals": intervals,
        "n_scored": {output: len(pairs[output]) for output in OUTPUTS},
        "lengths": lengths,
        "_per_doc_rouge1": per_doc,
    }
