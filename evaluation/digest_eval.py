"""`tomtat eval --task digest`: one digest per AbMuSu cluster, its abstract scored against the cluster summary.

Each record of a clusters file holds `documents` (`title`, `anchor_text` = sapo, `raw_text` =
body) and `summary`; an article is given as its sapo and body with its title apart. A model
writes `Summarizer.digest`; a baseline of `evaluation.digest_baselines` its abstract. The
run folder is the same as the ROUGE task's (predictions.jsonl, metrics.json, report.md),
with `scores.digest` in metrics.json, the shape of `scores.abstract`.
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from evaluation.digest_baselines import DIGEST_BASELINES, baseline_abstract
from evaluation.machine import machine_info
from evaluation.rouge import METRICS, TOKENIZERS, bootstrap_interval, score_corpus
from evaluation.runner import SCHEMA_VERSION, git_commit, sha256_file
from summarizer.document import prepare_document
from summarizer.errors import InvalidInputError, ModelNotFoundError
from summarizer.jsonl import read_objects
from summarizer.options import LoadOptions, SummarizeOptions

OUTPUT = "digest"


@dataclass(frozen=True)
class Cluster:
    """One AbMuSu cluster: its articles (text = sapo + body, titles apart) and reference."""

    id: str
    texts: tuple[str, ...]
    titles: tuple[str, ...]
    summary: str
    category: str = ""


def article_text(document: dict[str, Any]) -> str:
    """An AbMuSu article's text for a digest: its sapo line, then its body (the title apart)."""
    parts = [document.get("anchor_text"), document.get("raw_text")]
    return "\n".join(p.strip() for p in parts if isinstance(p, str) and p.strip())


def read_clusters(path: str | Path, *, limit: int | None = None) -> Iterator[Cluster]:
    """The clusters of an AbMuSu clusters-*.jsonl(.xz) file with a summary and articles, in file order.

    Raises:
        InvalidInputError: a record without a `documents` list (not a clusters file).
    """
    count = 0
    for number, record in enumerate(read_objects(path), start=1):
        if limit is not None and count >= limit:
            return
        documents = record.get("documents")
        if not isinstance(documents, list):
            raise InvalidInputError(f"{path}: record {number} has no `documents` list; is it AbMuSu clusters-*?")
        articles = [(article_text(d), str(d.get("title") or "")) for d in documents if isinstance(d, dict)]
        articles = [(text, title) for text, title in articles if text]
        summary = record.get("summary")
        if not articles or not isinstance(summary, str) or not summary.strip():
            continue
        count += 1
        yield Cluster(
            id=str(record.get("id") or f"{Path(path).name}#{number}"),
            texts=tuple(t for t, _ in articles),
            titles=tuple(t for _, t in articles),
            summary=summary,
            category=str(record.get("category") or ""),
        )


@dataclass(frozen=True)
class DigestEvalConfig:
    data: str
    out: str
    model: str | None = None
    baseline: str | None = None
    limit: int | None = None
    load: LoadOptions = field(default_factory=LoadOptions)
    options: SummarizeOptions = field(default_factory=SummarizeOptions)
    bootstrap_samples: int = 1000


def score_output(predictions: list[str], references: list[str], *, samples: int) -> dict[str, Any]:
    """scores/intervals/n_scored/lengths of one output (`OUTPUT`), as `evaluation.scoring` shapes them."""
    scores: dict[str, Any] = {}
    intervals: dict[str, Any] = {}
    per_doc = np.zeros(0)
    for tokenizer in TOKENIZERS:
        values = score_corpus(predictions=predictions, references=references, tokenizer=tokenizer)
        scores[tokenizer] = {m: round(float(values[m].mean()), 2) if predictions else None for m in METRICS}
        intervals[tokenizer] = {
            m: [round(x, 2) for x in bootstrap_interval(values[m], samples=samples)] for m in METRICS
        }
        if tokenizer == "syllable":
            per_doc = values["rouge1"]
    return {
        "scores": {OUTPUT: scores},
        "intervals": {OUTPUT: intervals},
        "n_scored": {OUTPUT: len(predictions)},
        "lengths": {
            OUTPUT: {
                "mean_syllables": round(float(np.mean([len(p.split()) for p in predictions] or [0])), 1),
                "reference_mean_syllables": round(float(np.mean([len(r.split()) for r in references] or [0])), 1),
            }
        },
        "_per_doc_rouge1": {OUTPUT: per_doc},
    }


class _BaselineDigest:
    """A baseline of `evaluation.digest_baselines` with the parts of the model interface the run uses."""

    def __init__(self, name: str) -> None:
        if name not in DIGEST_BASELINES:
            raise ModelNotFoundError(f"unknown digest baseline {name!r}; choose one of {', '.join(DIGEST_BASELINES)}")
        self.name = name
        self.card = {"name": f"baseline:{name}", "kind": "extractive", "description": DIGEST_BASELINES[name]}

    def row(self, cluster: Cluster) -> dict[str, Any]:
        docs = [
            prepare_document(t, title=title or None) for t, title in zip(cluster.texts, cluster.titles, strict=True)
        ]
        return {"headline": "", "abstract": baseline_abstract(self.name, docs, cluster.summary), "bullets": []}


def run_digest_eval(cfg: DigestEvalConfig) -> dict[str, Any]:
    """Digest every cluster, score the abstracts, write the run folder; returns metrics.json's content."""
    from evaluation.report import write_report

    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    if cfg.baseline:
        system: Any = _BaselineDigest(cfg.baseline)
        card = system.card
    else:
        from summarizer import Summarizer

        system = Summarizer.from_pretrained(cfg.model, cfg.load)
        card = {**system.spec.card(), **system.info.as_dict()}
    rows: list[dict[str, Any]] = []
    latencies: list[float] = []
    for cluster in read_clusters(cfg.data, limit=cfg.limit):
        started = time.perf_counter()
        if cfg.baseline:
            made = system.row(cluster)
            warnings: list[str] = []
        else:
            summary = system.digest(list(cluster.texts), titles=list(cluster.titles), options=cfg.options)
            made = {"headline": summary.headline, "abstract": summary.abstract, "bullets": list(summary.bullets)}
            warnings = list(summary.info.warnings)
        latencies.append(time.perf_counter() - started)
        rows.append(
            {
                "id": cluster.id,
                **made,
                "articles": len(cluster.texts),
                "references": {"title": "", "summary": cluster.summary},
                "warnings": warnings,
                "latency_s": latencies[-1],
            }
        )
    if not rows:
        raise InvalidInputError(f"{cfg.data}: no cluster with articles and a summary")
    with (out / "predictions.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    scored = score_output(
        [r["abstract"] for r in rows], [r["references"]["summary"] for r in rows], samples=cfg.bootstrap_samples
    )
    per_doc = scored.pop("_per_doc_rouge1")
    total = sum(latencies)
    speed = {
        "documents": len(rows),
        "seconds": round(total, 3),
        "docs_per_s": len(rows) / total if total else None,
        "generated_tokens_per_s": None,
        "latency_p50_s": float(np.percentile(latencies, 50)),
        "latency_p95_s": float(np.percentile(latencies, 95)),
        "latency_note": "per cluster (a document here is a cluster); the first includes loading caches",
        "batch_size": 1,
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "device": "cpu",
        "backend": "extractive",
    }
    metrics = {
        "schema_version": SCHEMA_VERSION,
        "task": "digest",
        "n": len(rows),
        **scored,
        "tokenizers": TOKENIZERS,
        "model": card,
        "options": {**cfg.options.as_dict(), "cut": DIGEST_BASELINES[cfg.baseline] if cfg.baseline else None},
        "data": {
            "path": str(cfg.data),
            "sha256": sha256_file(cfg.data),
            "limit": cfg.limit,
            "sample": None,
            "with_title": True,
            "dedup": None,
            "skipped": {},
        },
        "git_commit": git_commit(),
        "machine": machine_info("cpu", cfg.load.threads),
        "speed": speed,
        "config": {**asdict(cfg), "options": cfg.options.as_dict()},
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "pid": os.getpid(),
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8")
    write_report(out, metrics, rows, per_doc)
    return metrics
