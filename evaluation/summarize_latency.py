"""`tomtat bench --summarize-median-of DATA`: warm `summarize` latency on a median-length document."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Sequence
from typing import Any

from evaluation.bench_runner import TORCH_BACKENDS, percentile

# `tomtat bench --summarize-median-of` backend name -> `LoadOptions` fields: "auto" (the library's
# choice), the model-call bench's names (its torch ones, `bench_runner.TORCH_BACKENDS`, and any
# ct2-TYPE, `load_options_for`), and the library's own backend names, which earlier recorded
# commands use (results/cpu-compact-vi-summarize*.json)
SUMMARIZE_BACKENDS: dict[str, dict[str, str]] = {
    "auto": {},
    **{name: {"backend": "transformers", "dtype": dtype} for name, dtype in TORCH_BACKENDS.items()},
    "transformers": {"backend": "transformers"},
    "ct2": {"backend": "ct2"},
}


def load_options_for(backends: Sequence[str]) -> list[dict[str, str]]:
    """The `LoadOptions` fields of each backend name (see `SUMMARIZE_BACKENDS`; "ct2-TYPE" is
    CTranslate2 with compute type TYPE, e.g. ct2-int8).

    Raises:
        ConfigurationError: an unknown name or compute type (before anything is loaded or read).
    """
    from summarizer.errors import ConfigurationError
    from summarizer.options import COMPUTE_TYPES

    def fields(name: str) -> dict[str, str] | None:
        if name in SUMMARIZE_BACKENDS:
            return SUMMARIZE_BACKENDS[name]
        kind, _, compute_type = name.partition("-")
        return {"compute_type": compute_type} if kind == "ct2" and compute_type in COMPUTE_TYPES else None

    chosen = [fields(name) for name in backends]
    unknown = [name for name, f in zip(backends, chosen, strict=True) if f is None]
    if unknown:
        raise ConfigurationError(
            f"unknown backend(s) {', '.join(unknown)}; use {', '.join(SUMMARIZE_BACKENDS)} or ct2-TYPE "
            f"(TYPE one of {', '.join(COMPUTE_TYPES)}: ct2-float32, ct2-int8...)"
        )
    return [f for f in chosen if f is not None]


def median_document(path: str, limit: int = 2000) -> str:
    """The text of median body length among the first `limit` records of a data set."""
    from evaluation.datasets import read_records

    texts = sorted((r.text for r in read_records(path, limit=limit)), key=len)
    if not texts:
        raise ValueError(f"{path} holds no records with a text; give a JSONL(.xz/.gz) data set")
    return texts[len(texts) // 2]


def summarize_latency(
    *, model: str, backends: Sequence[str], text: str, repeats: int, threads: int = 0
) -> list[dict[str, Any]]:
    """Warm latency of `Summarizer.summarize` (headline + abstract + bullets) per backend.

    Backends are named as in the model-call bench (`load_options_for`): "auto" lets the library
    choose (CTranslate2 float32 on CPU for a T5 model); "torch" and "torch-bf16" are the
    transformers backend in float32 and bfloat16 (bf16 pays only on CPUs with AMX or AVX-512
    bf16); "ct2-TYPE" is CTranslate2 with compute type TYPE (ct2-float32, ct2-int8...);
    "transformers" and "ct2" force the library's backend of that name, as `--backend` does.
    Each row names the backend asked for (`asked`) and what ran (`backend`, `compute`).

    Raises:
        ConfigurationError: an unknown backend name (before any model is loaded).
    """
    from summarizer import Summarizer

    options = load_options_for(backends)
    rows = []
    for backend, fields in zip(backends, options, strict=True):
        kwargs: dict[str, Any] = {"device": "cpu", "threads": threads, **fields}
        summarizer = Summarizer.from_pretrained(model, **kwargs)
        summary = summarizer.summarize(text)  # warm-up
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            summary = summarizer.summarize(text)
            times.append(time.perf_counter() - started)
        rows.append(
            {
                "model": model,
                "asked": backend,
                "backend": summarizer.info.backend,
                "compute": summarizer.info.compute_type,
                "chunks": summary.info.chunks,
                "input_words": len(text.split()),
                "p50_s": statistics.median(times),
                "p95_s": percentile(times, 95),
                "best_s": min(times),
                "repeats": repeats,
                "load_avg_1m": os.getloadavg()[0],
            }
        )
    return rows
