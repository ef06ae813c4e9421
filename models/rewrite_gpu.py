"""compact-vi v2 on a lent GPU: the selections are made on CPU, only the rewriting runs there.

Three steps, so the GPU machine needs nothing beyond PyTorch and transformers:

1. `prepare` (CPU, here): run the extract-then-rewrite pipeline (`compact-vi-rewrite`) over an
   evaluation set with a generator that only records what it is asked to rewrite: the
   rewrite inputs ("tóm tắt: <sentence>", "tiêu đề: <sentence>") of every document.
2. `generate` (GPU, in the same call as training): the trained rewriter writes an output for
   every recorded input, with the registry's decoding settings (faithful decoding included).
3. `assemble` (CPU, back here): `tomtat eval`'s runner summarizes the same documents again,
   the generator now replaying the GPU's outputs, so the guard and the fallback to the
   extract run exactly as in the library; predictions.jsonl, metrics.json and report.md
   follow (warnings say which lines fell back).

    python -m models.rewrite_gpu prepare --data ../shared/data/vietnews/test.jsonl.xz --sample 2000 \\
        --out .gpu/in-test.jsonl.xz
    python -m models.rewrite_gpu generate --model RUN/model --inputs .gpu/in-test.jsonl.xz --out "$OUT/out-test.jsonl"
    python -m models.rewrite_gpu assemble --data ../shared/data/vietnews/test.jsonl.xz --sample 2000 \\
        --outputs out-test.jsonl --out runs/v2-test
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from summarizer.errors import InvalidInputError
from summarizer.generation import Generated
from summarizer.io import open_text
from summarizer.jsonl import read_objects
from summarizer.options import GenerationOptions, LoadOptions

logger = logging.getLogger("models.rewrite_gpu")

PIPELINE = "compact-vi-rewrite"


@dataclass
class RecordingGenerator:
    """Records every input it is asked to rewrite; returns nothing (so every line falls back)."""

    headline_prefix: str
    inputs: dict[str, str] = field(default_factory=dict)  # text -> task
    backend: str = "recording"
    device: str = "cpu"
    dtype: str = "n/a"

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(t.split()) for t in texts]

    def generate(self, texts: Sequence[str], options: GenerationOptions, **_: object) -> list[Generated]:
        for text in texts:
            self.inputs.setdefault(text, "headline" if text.startswith(self.headline_prefix) else "summary")
        return [Generated("", 0) for _ in texts]


@dataclass
class ReplayGenerator:
    """Answers each input with the output written for it on the GPU."""

    outputs: dict[str, str]
    backend: str = "replay"
    device: str = "cpu"
    dtype: str = "n/a"

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(t.split()) for t in texts]

    def generate(self, texts: Sequence[str], options: GenerationOptions, **_: object) -> list[Generated]:
        missing = [t for t in texts if t not in self.outputs]
        if missing:
            raise InvalidInputError(f"{len(missing)} input(s) have no GPU output, e.g. {missing[0][:80]!r}")
        return [Generated(self.outputs[t], len(self.outputs[t].split())) for t in texts]


def _pipeline(generator: object, model: str | None = None):  # -> Summarizer
    from summarizer.ext_model import ExtractiveModel
    from summarizer.pipeline import Summarizer
    from summarizer.registry import resolve_model

    spec = resolve_model(PIPELINE)
    if model:
        spec = replace(spec, source=model)
    selector = ExtractiveModel.load(resolve_model(spec.rewrite["selector"]).source)
    return Summarizer(spec, generator, selector=selector, load=LoadOptions(batch_size=64))  # type: ignore[arg-type]


def _records(args: argparse.Namespace):
    from evaluation.datasets import read_duplicates, read_records
    from evaluation.runner import sampled

    excluded = read_duplicates(args.dedup) if args.dedup else frozenset()
    records = read_records(args.data, limit=args.limit, exclude_ids=excluded)
    return sampled(records, args.sample, args.seed) if args.sample else records


def prepare(args: argparse.Namespace) -> int:
    from summarizer.registry import resolve_model

    recorder = RecordingGenerator(resolve_model(PIPELINE).prefixes["headline"])
    summarizer = _pipeline(recorder)
    batch: list[str] = []
    for record in _records(args):
        batch.append(record.text)
        if len(batch) == 64:
            summarizer.summarize_many(batch)
            batch = []
    if batch:
        summarizer.summarize_many(batch)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open_text(out, "wt") as fh:  # .xz keeps what the GPU call carries small
        for text, task in recorder.inputs.items():
            fh.write(json.dumps({"task": task, "text": text}, ensure_ascii=False) + "\n")
    print(f"{len(recorder.inputs)} rewrite inputs -> {out}")
    return 0


def generate(args: argparse.Namespace) -> int:
    from summarizer.generation import load_generator
    from summarizer.registry import resolve_model

    spec = replace(resolve_model(PIPELINE), source=args.model, backend="transformers")
    generator = load_generator(spec, device=args.device, backend="transformers")
    rows = list(read_objects(args.inputs))
    with Path(args.out).open("w", encoding="utf-8") as fh:
        for task in ("summary", "headline"):
            texts = [r["text"] for r in rows if r["task"] == task]
            if not texts:
                continue
            results = generator.generate(
                texts, spec.options_for(task), max_input_tokens=spec.max_input_tokens, batch_size=args.batch_size
            )
            for text, result in zip(texts, results, strict=True):
                fh.write(json.dumps({"task": task, "text": text, "output": result.text}, ensure_ascii=False) + "\n")
    print(f"{len(rows)} rewrites -> {args.out}")
    return 0


def assemble(args: argparse.Namespace) -> int:
    from evaluation.runner import EvalConfig, run_eval

    outputs = {row["text"]: row["output"] for row in read_objects(args.outputs)}
    cfg = EvalConfig(
        data=args.data,
        out=args.out,
        model=PIPELINE,
        limit=args.limit,
        sample=args.sample,
        seed=args.seed,
        dedup=args.dedup,
        load=LoadOptions(batch_size=64),
        speed_reference=None,  # replayed GPU outputs: no throughput to compare with Lead-2's
    )
    metrics = run_eval(cfg, summarizer=_pipeline(ReplayGenerator(outputs), model=args.model))
    fallback = sum(any(w.startswith("rewrite fell back") for w in r["warnings"]) for r in _rows(Path(args.out)))
    print(json.dumps({"n": metrics["n"], "documents_with_a_fallback": fallback, "scores": metrics["scores"]}))
    return 0


def _rows(run: Path) -> list[dict]:
    return list(read_objects(run / "predictions.jsonl"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="step", required=True)
    for name in ("prepare", "assemble"):
        p = sub.add_parser(name)
        p.add_argument("--data", required=True)
        p.add_argument("--sample", type=int)
        p.add_argument("--seed", type=int, default=0)
        p.add_argument("--limit", type=int)
        p.add_argument("--dedup")
        p.add_argument("--out", required=True)
        if name == "assemble":
            p.add_argument("--outputs", required=True, help="what `generate` wrote on the GPU")
            p.add_argument("--model", help="the trained rewriter's folder (recorded in metrics.json)")
    p = sub.add_parser("generate")
    p.add_argument("--model", required=True, help="the trained rewriter's folder")
    p.add_argument("--inputs", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--device", default="auto")
    p.add_argument("--batch-size", type=int, default=256)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    return {"prepare": prepare, "generate": generate, "assemble": assemble}[args.step](args)


if __name__ == "__main__":
    sys.exit(main())
