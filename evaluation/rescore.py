"""`tomtat eval --predictions`: score predictions made elsewhere (e.g. on a GPU machine)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from evaluation.datasets import read_duplicates
from evaluation.machine import machine_info
from evaluation.rouge import TOKENIZERS
from evaluation.runner import SCHEMA_VERSION, git_commit, sha256_file
from evaluation.scoring import score_predictions
from summarizer.errors import InvalidInputError
from summarizer.jsonl import read_objects


def rescore(
    predictions: str | Path, out: str | Path, *, dedup: str | None = None, samples: int = 1000
) -> dict[str, Any]:
    """Score an existing predictions.jsonl (of `tomtat eval`, or written elsewhere, e.g. on a GPU).

    Rows need `id`, `headline`, `abstract`, `bullets` and `references` (`title`, `summary`).
    With `dedup`, the ids it lists are left out. When the predictions sit in a run folder,
    its metrics.json provides the model, options and speed of the new metrics.json.
    """
    source = Path(predictions)
    rows = [row for row in _read_rows(source)]
    excluded = read_duplicates(dedup) if dedup else frozenset()
    kept = [row for row in rows if row["id"] not in excluded]
    if not kept:
        raise InvalidInputError(f"{source}: no prediction left to score")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    origin = source.with_name("metrics.json")
    base = json.loads(origin.read_text(encoding="utf-8")) if origin.is_file() else {}
    with (out / "predictions.jsonl").open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in kept)
    scored = score_predictions(kept, samples=samples, workers=os.cpu_count() or 1)
    per_doc = scored.pop("_per_doc_rouge1")
    data = dict(base.get("data", {"path": str(source), "sha256": sha256_file(source), "limit": None, "skipped": {}}))
    data.update(
        {
            "dedup": dedup,
            "dedup_sha256": sha256_file(dedup) if dedup else None,
            "scored_from": str(source),
            "left_out_by_dedup": len(rows) - len(kept),
        }
    )
    metrics = {
        **base,
        "schema_version": SCHEMA_VERSION,
        "n": len(kept),
        **scored,
        "tokenizers": TOKENIZERS,
        "model": base.get(
            "model", {"name": source.parent.name, "kind": "unknown", "backend": "unknown", "revision": ""}
        ),
        "data": data,
        "speed": base.get("speed", {}),
        "machine": base.get("machine", machine_info("cpu", 0)),
        "git_commit": git_commit(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8")
    if metrics["speed"]:
        from evaluation.report import write_report

        write_report(out, metrics, kept, per_doc)
    return metrics


def _read_rows(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, row in enumerate(read_objects(path), start=1):
        missing = {"id", "headline", "abstract", "bullets", "references"} - set(row)
        if missing:
            raise InvalidInputError(f"{path}: prediction {number} needs {', '.join(sorted(missing))}")
        rows.append(row)
    return rows
