"""Speed benchmark of generation backends on fixed inputs (`tomtat bench`).

Every case runs the model on the same seeded random token ids of an exact source length
and generates exactly `new_tokens` tokens (min = max length, so random weights cannot stop
early), so backends, batch sizes and decoding settings are compared on identical work in
one process run. Reported per case: documents/s, generated tokens/s, p50/p95 batch latency
(warm-up excluded) and peak memory; ratios against the first backend are added.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from summarizer.generation.allocator import share_malloc_arena

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BenchCase:
    backend: str  # "torch" | "ct2-int8" | "ct2-float32" | "ct2-bfloat16" | "ct2-int8_bfloat16"...
    batch_size: int
    source_tokens: int
    new_tokens: int
    beams: int


def make_inputs(vocab_size: int, count: int, length: int, seed: int = 0) -> list[list[int]]:
    """`count` sequences of `length` random ids (ids < 3 are T5 specials) ending in </s>."""
    import numpy as np

    rng = np.random.default_rng(seed)
    ids = rng.integers(3, vocab_size, size=(count, length - 1))
    return [[*row.tolist(), 1] for row in ids]


class TorchEngine:
    """transformers generate() on token ids."""

    def __init__(self, model_dir: Path, device: str, dtype: str, threads: int) -> None:
        import torch
        from transformers import T5ForConditionalGeneration

        if threads:
            torch.set_num_threads(threads)
        self.torch = torch
        self.device = device
        self.model = T5ForConditionalGeneration.from_pretrained(model_dir, dtype=getattr(torch, dtype))
        self.model.to(device).eval()

    def run(self, batch: list[list[int]], new_tokens: int, beams: int) -> int:
        torch = self.torch
        ids = torch.tensor(batch, device=self.device)
        with torch.inference_mode():
            out = self.model.generate(
                input_ids=ids,
                attention_mask=torch.ones_like(ids),
                max_new_tokens=new_tokens,
                min_new_tokens=new_tokens,
                num_beams=beams,
                do_sample=False,
            )
        if self.device.startswith("cuda"):
            torch.cuda.synchronize()
        return (out.shape[1] - 1) * len(batch)

    def reset_peak(self) -> None:
        if self.device.startswith("cuda"):
            self.torch.cuda.reset_peak_memory_stats()

    def peak_mb(self) -> float:
        if self.device.startswith("cuda"):
            return self.torch.cuda.max_memory_allocated() / 2**20
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class CT2Engine:
    """CTranslate2 translate_batch() on the same ids (as token strings)."""

    def __init__(self, ct2_dir: Path, device: str, compute_type: str, threads: int) -> None:
        import ctranslate2
        import sentencepiece as spm

        self.translator = ctranslate2.Translator(
            str(ct2_dir),
            device="cuda" if device.startswith("cuda") else "cpu",
            compute_type=compute_type,
            intra_threads=threads or 0,
        )
        self.sp = spm.SentencePieceProcessor(model_file=str(ct2_dir / "spiece.model"))
        self.device = device

    def run(self, batch: list[list[int]], new_tokens: int, beams: int) -> int:
        tokens = [[self.sp.id_to_piece(i) for i in row] for row in batch]
        results = self.translator.translate_batch(
            tokens,
            beam_size=beams,
            max_decoding_length=new_tokens,
            min_decoding_length=new_tokens,
            max_batch_size=len(batch),
        )
        return sum(len(r.hypotheses[0]) for r in results)

    def reset_peak(self) -> None:
        pass

    def peak_mb(self) -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def run_case(
    engine: Any, case: BenchCase, inputs: list[list[int]], *, repeats: int, max_seconds: float
) -> dict[str, Any]:
    """Warm up once, then time `repeats` batches (or until `max_seconds`)."""
    batch = inputs[: case.batch_size]
    engine.run(batch[: min(2, len(batch))], min(8, case.new_tokens), case.beams)  # warm-up
    engine.reset_peak()
    latencies: list[float] = []
    generated = 0
    started = time.perf_counter()
    for _ in range(repeats):
        t0 = time.perf_counter()
        generated += engine.run(batch, case.new_tokens, case.beams)
        latencies.append(time.perf_counter() - t0)
        if time.perf_counter() - started > max_seconds:
            break
    total = sum(latencies)
    docs = case.batch_size * len(latencies)
    return {
        **asdict(case),
        "batches": len(latencies),
        "docs_per_s": docs / total,
        "tokens_per_s": generated / total,
        "s_per_doc": total / docs,
        "batch_latency_p50_s": statistics.median(latencies),
        "batch_latency_p95_s": _percentile(latencies, 95),
        "peak_memory_mb": round(engine.peak_mb(), 1),
        "load_avg_1m": os.getloadavg()[0],
    }


def machine_info(device: str, threads: int) -> dict[str, Any]:
    """Where the numbers come from: CPU/GPU, threads, library versions, load."""
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "threads": threads or "library default",
        "device": device,
        "load_avg": os.getloadavg(),
    }
    with contextlib.suppress(OSError, StopIteration):
        info["cpu"] = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    for module in ("torch", "transformers", "ctranslate2"):
        try:
            info[module] = __import__(module).__version__
        except ImportError:
            info[module] = "not installed"
    if device.startswith("cuda"):
        import torch

        info["gpu"] = torch.cuda.get_device_name()
    return info


def _engine(backend: str, model_dir: Path, device: str, threads: int, workdir: Path) -> Any:
    if backend == "torch":
        dtype = "bfloat16" if device.startswith("cuda") else "float32"
        return TorchEngine(model_dir, device, dtype, threads)
    if backend.startswith("ct2-"):
        from models.export import export_ct2

        compute_type = backend.removeprefix("ct2-")
        ct2_dir = workdir / f"ct2-{compute_type}"
        if not ct2_dir.exists():
            export_ct2(str(model_dir), str(ct2_dir), quantization=compute_type)
        return CT2Engine(ct2_dir, device, compute_type, threads)
    raise ValueError(f"unknown backend {backend!r}")


def t5_flops_per_doc(config: Any, source_tokens: int, new_tokens: int) -> float:
    """Approximate forward FLOPs of one greedy document (2 × params × tokens + attention)."""
    d, ff, layers, dec_layers = (
        config.d_model,
        config.d_ff,
        config.num_layers,
        config.num_decoder_layers,
    )
    inner = config.num_heads * config.d_kv
    ff_mult = 3 if config.is_gated_act else 2
    enc_layer = 4 * d * inner + ff_mult * d * ff
    dec_layer = 8 * d * inner + ff_mult * d * ff
    encoder = 2 * enc_layer * layers * source_tokens + 4 * layers * source_tokens**2 * inner
    decoder = new_tokens * (
        2 * dec_layer * dec_layers + 2 * d * config.vocab_size + 4 * dec_layers * inner * (source_tokens + new_tokens)
    )
    return float(encoder + decoder)


def run_benchmark(
    *,
    model_dir: Path | None,
    preset: str,
    backends: Sequence[str],
    batch_sizes: Sequence[int],
    lengths: Sequence[int],
    beams: Sequence[int],
    new_tokens: int,
    device: str,
    threads: int,
    repeats: int,
    max_seconds: float,
    peak_tflops: float | None = None,
) -> dict[str, Any]:
    """Run every (backend × length × beams × batch size) case; returns the full report."""
    from transformers import AutoConfig

    with tempfile.TemporaryDirectory(prefix="tomtat-bench-") as tmp:
        workdir = Path(tmp)
        if model_dir is None:
            from models.architectures import PRESETS, random_t5
            from models.tokenizer import write_tokenizer_files

            model_dir = workdir / preset
            # presets without a vocabulary of their own get compact-vi's size
            random_t5(preset, vocab_size=PRESETS[preset].get("vocab_size", 16000)).save_pretrained(model_dir)
            write_tokenizer_files(
                _placeholder_spiece(workdir, AutoConfig.from_pretrained(model_dir).vocab_size),
                model_dir,
            )
        config = AutoConfig.from_pretrained(model_dir)
        results: list[dict[str, Any]] = []
        for backend in backends:
            try:
                engine = _engine(backend, model_dir, device, threads, workdir)
            except Exception as exc:  # a backend missing on this machine is reported, not fatal
                logger.warning("backend %s unavailable: %s", backend, exc)
                results.append({"backend": backend, "error": f"{type(exc).__name__}: {exc}"})
                continue
            for length in lengths:
                inputs = make_inputs(config.vocab_size, max(batch_sizes), length)
                for beam in beams:
                    for batch_size in batch_sizes:
                        case = BenchCase(backend, batch_size, length, new_tokens, beam)
                        try:
                            row = run_case(engine, case, inputs, repeats=repeats, max_seconds=max_seconds)
                        except Exception as exc:  # e.g. out of memory at a large batch
                            row = {**asdict(case), "error": f"{type(exc).__name__}: {exc}"}
                        if "docs_per_s" in row and beam == 1:
                            flops = t5_flops_per_doc(config, length, new_tokens)
                            row["achieved_tflops"] = row["docs_per_s"] * flops / 1e12
                            if peak_tflops:
                                row["fraction_of_peak"] = row["achieved_tflops"] / peak_tflops
                        logger.info("%s", row)
                        results.append(row)
            del engine
    _add_ratios(results)
    return {
        "machine": machine_info(device, threads),
        "model": str(model_dir) if model_dir else preset,
        "preset": preset,
        "new_tokens": new_tokens,
        "results": results,
    }


def _placeholder_spiece(workdir: Path, vocab_size: int) -> Path:
    """A SentencePiece model whose vocabulary has exactly `vocab_size` pieces.

    CTranslate2 needs a vocabulary matching the model's embedding size; a random-weight
    benchmark model only needs the piece strings, not a linguistically trained vocabulary.
    """
    import sentencepiece as spm

    words = [f"w{i}" for i in range(vocab_size)]
    prefix = workdir / "placeholder"
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter([" ".join(words[i : i + 50]) for i in range(0, len(words), 50)]),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type="word",
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        minloglevel=2,
        hard_vocab_limit=False,
        split_by_whitespace=True,
    )
    return prefix.with_suffix(".model")


def _add_ratios(results: list[dict[str, Any]]) -> None:
    """speedup = docs/s of this case over the first backend's on the same work."""
    base: dict[tuple[int, int, int], float] = {}
    for row in results:
        if "docs_per_s" not in row:
            continue
        key = (row["batch_size"], row["source_tokens"], row["beams"])
        base.setdefault(key, row["docs_per_s"])
        row["speedup_vs_first"] = row["docs_per_s"] / base[key]


def to_markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        f"# Benchmark: {report['preset']} ({report['model']})",
        "",
        f"Machine: {m.get('gpu') or m.get('cpu', '?')}; device {m['device']}; threads {m['threads']}; "
        f"torch {m['torch']}, transformers {m['transformers']}, ctranslate2 {m['ctranslate2']}; "
        f"load {m['load_avg']}.",
        f"Generated tokens per document: {report['new_tokens']} (forced). Latency is per batch.",
        "",
        "| backend | batch | src tokens | beams | docs/s | tokens/s | s/doc | p50 s | p95 s | peak MB "
        "| × first | TFLOP/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["results"]:
        if "error" in r:
            lines.append(
                f"| {r['backend']} | {r.get('batch_size', '')} | {r.get('source_tokens', '')} | "
                f"{r.get('beams', '')} | error: {r['error'][:80]} |||||||"
            )
            continue
        tf = f"{r['achieved_tflops']:.3g}" if "achieved_tflops" in r else ""  # 3 significant digits: CPU rows are ~0.02
        if "fraction_of_peak" in r:
            tf += f" ({r['fraction_of_peak']:.1%} of peak)"
        lines.append(
            f"| {r['backend']} | {r['batch_size']} | {r['source_tokens']} | {r['beams']} | "
            f"{r['docs_per_s']:.2f} | {r['tokens_per_s']:.0f} | {r['s_per_doc']:.3f} | "
            f"{r['batch_latency_p50_s']:.3f} | {r['batch_latency_p95_s']:.3f} | {r['peak_memory_mb']:.0f} | "
            f"{r['speedup_vs_first']:.2f} | {tf} |"
        )
    return "\n".join(lines) + "\n"


def write_report(report: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (out / "bench.md").write_text(to_markdown(report), encoding="utf-8")


def add_bench_arguments(parser: Any) -> None:
    """Options of `tomtat bench` (also `python -m evaluation.benchmark`)."""
    parser.add_argument("--model", help="a local T5 folder (default: random weights of --preset)")
    parser.add_argument("--preset", default="vit5-base", help="shape for random weights: vit5-base, compact, tiny")
    parser.add_argument("--backends", default="torch,ct2-int8", help="comma list: torch, ct2-int8, ct2-float32, ...")
    parser.add_argument("--batch-sizes", default="1,8")
    parser.add_argument("--lengths", default="512,1024", help="source tokens per document")
    parser.add_argument("--beams", default="1,4")
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3, help="timed batches per case (after one warm-up)")
    parser.add_argument("--max-seconds", type=float, default=60, help="stop repeating a case after this")
    parser.add_argument("--peak-tflops", type=float, default=None, help="device bf16 peak, for the fraction")
    parser.add_argument("--out", default="runs/bench")
    parser.add_argument(
        "--summarize-median-of",
        metavar="DATA",
        help="instead: time `summarize` (warm) on the median-length document of DATA",
    )


def bench_from_args(args: Any) -> dict[str, Any]:
    def ints(text: str) -> list[int]:
        return [int(x) for x in text.split(",") if x]

    if args.summarize_median_of:
        text = median_document(args.summarize_median_of)
        rows = summarize_latency(
            model=args.model or "compact-vi",
            backends=args.backends.split(","),
            text=text,
            repeats=args.repeats,
            threads=args.threads,
        )
        report = {"machine": machine_info("cpu", args.threads), "summarize": rows, "command": " ".join(sys.argv)}
        Path(args.out).mkdir(parents=True, exist_ok=True)
        (Path(args.out) / "summarize.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
        return report

    report = run_benchmark(
        model_dir=Path(args.model) if args.model else None,
        preset=args.preset,
        backends=[b for b in args.backends.split(",") if b],
        batch_sizes=ints(args.batch_sizes),
        lengths=ints(args.lengths),
        beams=ints(args.beams),
        new_tokens=args.new_tokens,
        device=args.device,
        threads=args.threads,
        repeats=args.repeats,
        max_seconds=args.max_seconds,
        peak_tflops=args.peak_tflops,
    )
    report["command"] = " ".join(sys.argv)
    write_report(report, Path(args.out))
    return report


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    share_malloc_arena()
    parser = argparse.ArgumentParser(prog="python -m evaluation.benchmark", description=__doc__)
    add_bench_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    report = bench_from_args(args)
    print(json.dumps(report["summarize"], indent=2) if "summarize" in report else to_markdown(report))
    return 0


def median_document(path: str, limit: int = 2000) -> str:
    """The record of median body length among the first `limit` records of a data set."""
    from evaluation.datasets import read_records

    texts = sorted((r.text for r in read_records(path, limit=limit)), key=len)
    return texts[len(texts) // 2]


def summarize_latency(
    *, model: str, backends: Sequence[str], text: str, repeats: int, threads: int = 0
) -> list[dict[str, Any]]:
    """Warm latency of `Summarizer.summarize` (headline + abstract + bullets) per backend."""
    from summarizer import Summarizer

    rows = []
    for backend in backends:
        kwargs: dict[str, Any] = {"device": "cpu", "threads": threads}
        if backend != "auto":
            kwargs["backend"] = backend
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
                "backend": summarizer.generator.backend if summarizer.generator else "extractive",
                "compute": summarizer.generator.dtype if summarizer.generator else "-",
                "chunks": summary.info.chunks,
                "input_words": len(text.split()),
                "p50_s": statistics.median(times),
                "p95_s": _percentile(times, 95),
                "best_s": min(times),
                "repeats": repeats,
                "load_avg_1m": os.getloadavg()[0],
            }
        )
    return rows


if __name__ == "__main__":
    raise SystemExit(main())
