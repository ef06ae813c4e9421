"""`tomtat batch --engine ray`: the same job, output format and guarantees, on a Ray cluster.

The driver streams the input in chunks; each chunk becomes a Ray Dataset whose
`map_batches` runs a callable class (the model is loaded once per actor, `concurrency`
actors, `num_gpus` each); finished rows stream back to the driver, which appends them to
the output through the same `OutputLog` as the local engine. So resume after a crash and
the one-line-per-input guarantee are the local engine's, and bad records never reach Ray.

Pointing at a real cluster: start Ray on the nodes (`ray start --head` on one,
`ray start --address HEAD:6379` on the others), install tomtat (and the model folder, or a
registry name each node can load) on every node, then run
`tomtat batch IN.jsonl -o OUT.jsonl --engine ray --ray-address HEAD:6379 --concurrency 8
--num-gpus-per-worker 1`. Without --ray-address a local instance is started.
"""

from __future__ import annotations

from typing import Any

from summarizer.batch import BatchConfig, BatchRun, BatchStats, InputRecord, error_row, log_model, summarized
from summarizer.batching import chunked

CHUNK = 2048  # records per Dataset: bounds the driver's memory and the work lost to a crash


class SummarizeActor:
    """Ray `map_batches` callable: one Summarizer per actor, reused for every batch."""

    def __init__(self, cfg: BatchConfig) -> None:
        from summarizer.pipeline import Summarizer

        self.cfg = cfg
        self.summarizer = Summarizer.from_pretrained(cfg.model, cfg.load)
        log_model(self.summarizer)  # decided on this node's CPU: in the worker's log
        self.summarizer.warm_up()  # the actor summarizes batch after batch

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        import json

        records = [
            InputRecord(int(line), str(rid), str(text), title=title or None)
            for line, rid, text, title in zip(batch["line"], batch["id"], batch["text"], batch["title"], strict=True)
        ]
        rows = [row for rows in summarized(self.summarizer, records, self.cfg) for row in rows]
        return {"row": [json.dumps(row, ensure_ascii=False) for row in rows]}


def run_batch_ray(
    cfg: BatchConfig,
    *,
    concurrency: int = 2,
    num_gpus_per_worker: float = 0,
    address: str | None = None,
) -> BatchStats:
    """Run the batch on Ray (a local instance unless `address` names a cluster)."""
    import json

    import ray

    from summarizer.generation.allocator import worker_environment

    if not ray.is_initialized():
        ray.init(
            address=address,
            include_dashboard=False,
            log_to_driver=False,
            ignore_reinit_error=True,
            runtime_env={"env_vars": worker_environment()},  # workers skip the CLI's own setting
        )
    with BatchRun(cfg) as run:
        for chunk in chunked(run.pending(), CHUNK):
            run.write([error_row(r) for r in chunk if r.error is not None])
            good = sorted((r for r in chunk if r.error is None), key=lambda r: len(r.text or ""))
            if not good:
                continue
            dataset = ray.data.from_items(
                [{"line": r.line, "id": r.id, "text": r.text, "title": r.title or ""} for r in good]
            )
            results = dataset.map_batches(
                SummarizeActor,
                fn_constructor_kwargs={"cfg": cfg},
                batch_size=cfg.batch_size,
                concurrency=concurrency,
                num_gpus=num_gpus_per_worker or None,
            )
            for batch in results.iter_batches(batch_size=cfg.batch_size, batch_format="default"):
                run.write([json.loads(row) for row in batch["row"]])
    return run.finish()
