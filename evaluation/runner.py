"""`tomtat eval`: run a model over a data set, then score and report it.

A run directory holds:
- predictions.jsonl — one row per record: id, headline, abstract, bullets, references
  (title, summary), warnings, amortized latency;
- metrics.json — the stable schema documented in evaluation/README.md;
- report.md and scores.png.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import random
import resource
import subprocess
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from evaluation.datasets import ReadStats, Record, read_duplicates, read_records
from evaluation.machine import machine_info
from evaluation.rouge import TOKENIZERS
from evaluation.scoring import score_predictions
from summarizer.batching import chunked
from summarizer.jsonl import read_objects
from summarizer.options import LoadOptions

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class EvalConfig:
    data: str
    out: str
    model: str | None = None
    # a textbook baseline of evaluation/baselines.py instead of a registry model
    baseline: str | None = None
    limit: int | None = None
    # a seeded random sample of N records (after --dedup), kept in file order; use it for every
    # subset figure: the VietNews test file is grouped by topic, so its first N are biased
    sample: int | None = None
    seed: int = 0
    # give each record's title as input for the abstract and bullets; the headline is still
    # written from the body alone (a second pass without titles)
    with_title: bool = False
    dedup: str | None = None
    # how the model is loaded (batch_size: documents per summarize call)
    load: LoadOptions = field(default_factory=lambda: LoadOptions(batch_size=16))
    bootstrap_samples: int = 1000
    # per-task decoding overrides, e.g. {"headline": {"max_source_tokens": 0}}
    generation: dict[str, dict[str, Any]] = field(default_factory=dict)
    # a baseline of evaluation/baselines.py timed on the model's own batches, interleaved batch by
    # batch (outputs discarded): speed["reference"]; None skips it (a --baseline run never has one)
    speed_reference: str | None = "lead-2"


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def sampled(records: Iterator[Record], n: int, seed: int) -> Iterator[Record]:
    """A seeded random `n` of `records`, in their original order (all of them if fewer)."""
    pool = list(records)
    if n >= len(pool):
        yield from pool
        return
    keep = sorted(random.Random(seed).sample(range(len(pool)), n))
    for i in keep:
        yield pool[i]


def _summarize_batch(
    summarizer: Any,
    batch: list[Record],
    *,
    batch_size: int,
    generation: dict[str, dict[str, Any]] | None,
    with_title: bool,
) -> tuple[list[Any], list[str]]:
    """One batch as the eval runs it: the summaries and their headlines (always from the body alone)."""
    texts = [r.text for r in batch]
    summaries = summarizer.summarize_many(texts, batch_size=batch_size, generation=generation)
    headlines = [s.headline for s in summaries]
    if with_title:
        summaries = summarizer.summarize_many(
            texts, titles=[r.title or None for r in batch], batch_size=batch_size, generation=generation
        )
    return summaries, headlines


def reference_speed(
    name: str, documents: int, seconds: float, wall: float, model_docs_per_s: float | None
) -> dict[str, Any]:
    """speed["reference"]: the speed reference's figures and the model's throughput as a multiple of it."""
    docs_per_s = documents / seconds if seconds else None
    return {
        "baseline": name,
        "docs_per_s": docs_per_s,
        "seconds": round(seconds, 3),
        "ratio": model_docs_per_s / docs_per_s if model_docs_per_s and docs_per_s else None,
        "wall_seconds_including_warmup": round(wall, 3),
    }


def predict(
    summarizer: Any,
    records: Iterator[Record],
    out: Path,
    *,
    batch_size: int,
    generation: dict[str, dict[str, Any]] | None = None,
    with_title: bool = False,
    reference: Any = None,
) -> dict[str, Any]:
    """Summarize records batch by batch, streaming rows to predictions.jsonl.

    With `with_title`, the abstract and bullets are made with each record's title given,
    and the headline in a second pass from the body alone (a given title would be the
    headline itself). Returns speed figures: the model's warm-up (`Summarizer.warm_up`, as a batch
    job does) and one document are run first and not timed.

    `reference` (a baseline of evaluation/baselines.py, or None) is timed on the very same
    batches, right after the model on each, so both see the same machine conditions; it gets
    its own untimed warm-up, its outputs are discarded, and its figures are speed["reference"].
    """
    latencies: list[float] = []
    tokens = 0
    docs = 0
    started = None
    reference_seconds = 0.0  # timed batches only
    reference_wall = 0.0  # with its warm-up: left out of the model's wall time by run_eval
    with (out / "predictions.jsonl").open("w", encoding="utf-8") as fh:
        for batch in chunked(records, batch_size):
            if started is None:
                # warm-up, excluded from timings: a long run's one-off costs, then one document
                summarizer.warm_up()
                summarizer.summarize(batch[0].text, generation=generation)
                if reference is not None:
                    w0 = time.perf_counter()
                    reference.warm_up()  # the reference's own warm-up, excluded too
                    reference.summarize(batch[0].text)
                    reference_wall += time.perf_counter() - w0
                started = time.perf_counter()
            t0 = time.perf_counter()
            summaries, headlines = _summarize_batch(
                summarizer, batch, batch_size=batch_size, generation=generation, with_title=with_title
            )
            elapsed = time.perf_counter() - t0
            if reference is not None:
                r0 = time.perf_counter()
                _summarize_batch(reference, batch, batch_size=batch_size, generation=None, with_title=with_title)
                reference_elapsed = time.perf_counter() - r0
                reference_seconds += reference_elapsed
                reference_wall += reference_elapsed
            for record, summary, headline in zip(batch, summaries, headlines, strict=True):
                row = {
                    "id": record.id,
                    "headline": headline,
                    "abstract": summary.abstract,
                    "bullets": list(summary.bullets),
                    "references": {"title": record.title, "summary": record.summary},
                    "chunks": summary.info.chunks,
                    "warnings": list(summary.info.warnings),
                    "latency_s": elapsed / len(batch),
                }
                tokens += summary.info.generated_tokens
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            latencies.extend([elapsed / len(batch)] * len(batch))
            docs += len(batch)
    total = sum(latencies)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    info = summarizer.info
    if str(info.device).startswith("cuda"):
        import torch

        peak = torch.cuda.max_memory_allocated() / 2**20
    speed = {
        "documents": docs,
        "seconds": round(total, 3),
        "docs_per_s": docs / total if total else None,
        "generated_tokens_per_s": tokens / total if total and tokens else None,
        "latency_p50_s": float(np.percentile(latencies, 50)) if latencies else None,
        "latency_p95_s": float(np.percentile(latencies, 95)) if latencies else None,
        "latency_note": "amortized per document: batch wall time / batch size (warm-up excluded)",
        "batch_size": batch_size,
        "peak_memory_mb": round(peak, 1),
        "device": info.device,
        "dtype": info.dtype,
        "compute_type": info.compute_type,
        "backend": info.backend,
    }
    if reference is not None:
        speed["reference"] = reference_speed(
            reference.name, docs, reference_seconds, reference_wall, speed["docs_per_s"]
        )
    return speed


def load_predictions(run_dir: Path) -> list[dict[str, Any]]:
    return list(read_objects(run_dir / "predictions.jsonl"))


def speed_reference(cfg: EvalConfig) -> Any:
    """The baseline timed next to the model (`cfg.speed_reference`), or None: skipped, or a --baseline run."""
    if cfg.baseline or not cfg.speed_reference:
        return None
    from evaluation.baselines import Baseline

    return Baseline(cfg.speed_reference)


def run_eval(cfg: EvalConfig, *, summarizer: Any = None) -> dict[str, Any]:
    """Predict, score and report; returns metrics.json's content.

    `summarizer` replaces the model that `cfg` names (e.g. one replaying outputs written on a
    GPU machine, see models/rewrite_gpu.py).
    """
    from summarizer import Summarizer

    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    if summarizer is not None:
        pass
    elif cfg.baseline:
        from evaluation.baselines import Baseline

        summarizer = Baseline(cfg.baseline)
    else:
        summarizer = Summarizer.from_pretrained(cfg.model, cfg.load)
    generation = dict(cfg.generation)
    if "extractive" in generation:  # e.g. extractive.compression=[] for a rule ablation
        settings = {**summarizer.spec.extractive, **generation.pop("extractive")}
        summarizer.spec = dataclasses.replace(summarizer.spec, extractive=settings)
    excluded = read_duplicates(cfg.dedup) if cfg.dedup else frozenset()
    stats = ReadStats()
    records = read_records(cfg.data, limit=cfg.limit, exclude_ids=excluded, stats=stats)
    if cfg.sample:
        records = sampled(records, cfg.sample, cfg.seed)
    reference = speed_reference(cfg)
    started = time.perf_counter()
    speed = predict(
        summarizer,
        records,
        out,
        batch_size=cfg.load.batch_size,
        generation=generation,
        with_title=cfg.with_title,
        reference=reference,
    )
    reference_wall = speed["reference"]["wall_seconds_including_warmup"] if reference is not None else 0.0
    speed["wall_seconds_including_warmup"] = round(time.perf_counter() - started - reference_wall, 2)
    rows = load_predictions(out)
    scored = score_predictions(rows, samples=cfg.bootstrap_samples, workers=os.cpu_count() or 1)
    per_doc = scored.pop("_per_doc_rouge1")
    metrics = {
        "schema_version": SCHEMA_VERSION,
        "n": len(rows),
        **scored,
        "tokenizers": TOKENIZERS,
        # the registry card, with what actually ran (e.g. backend "ct2" after the CPU conversion)
        "model": {**summarizer.spec.card(), **summarizer.info.as_dict()},
        "options": {**cfg.load.as_dict(), "backend": summarizer.info.backend, "generation": cfg.generation},
        "data": {
            "path": str(cfg.data),
            "sha256": sha256_file(cfg.data),
            "limit": cfg.limit,
            "sample": cfg.sample,
            "seed": cfg.seed if cfg.sample else None,
            "with_title": cfg.with_title,
            "headline_input": "body only",
            "dedup": cfg.dedup,
            "dedup_sha256": sha256_file(cfg.dedup) if cfg.dedup else None,
            "skipped": stats.skipped,
        },
        "git_commit": git_commit(),
        "machine": machine_info(speed["device"], cfg.load.threads),
        "speed": speed,
        "config": asdict(cfg),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "pid": os.getpid(),
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8")
    from evaluation.report import write_report

    write_report(out, metrics, rows, per_doc)
    return metrics
