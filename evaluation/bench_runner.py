"""The cases of `tomtat bench`: every backend on identical work, through the library's generators.

Each backend is a `summarizer.generation.Generator` loaded with `load_generator`, so the
bench times the code path `tomtat summarize` runs (tokenization and decoding included).
Inputs are seeded random texts cut to exactly `source_tokens` tokens, and decoding is
forced to exactly `new_tokens` tokens (min = max length, so random weights cannot stop early).
"""

from __future__ import annotations

import logging
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from evaluation.flops import t5_flops_per_doc
from evaluation.machine import machine_info
from summarizer.generation import Generator
from summarizer.options import GenerationOptions

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BenchCase:
    """One measured setting: which backend, how many documents a call, how long in and out."""

    backend: str  # "torch" | "torch-bf16" | "ct2-int8" | "ct2-float32" | "ct2-bfloat16" | "ct2-int8_bfloat16"...
    batch_size: int
    source_tokens: int
    new_tokens: int
    beams: int


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank `q`-th percentile of `values` (one of the values, never interpolated)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def make_texts(tokenizer: Any, count: int, length: int, seed: int = 0) -> list[str]:
    """`count` seeded random texts of at least `length` - 1 tokens of `tokenizer`.

    Ids below 3 (T5's <pad>, </s>, <unk>) are never drawn. Generators cut each text to
    `max_input_tokens` = `length` (the last one </s>), so every case reads exactly `length`.
    """
    import numpy as np

    if length < 2:
        raise ValueError(f"source length {length}: give at least 2 tokens (one token and </s>)")
    rng = np.random.default_rng(seed)
    texts = []
    for row in rng.integers(3, len(tokenizer), size=(count, length - 1)):
        text = tokenizer.decode(row.tolist(), skip_special_tokens=True)
        tokens = len(tokenizer(text, add_special_tokens=False)["input_ids"])
        if tokens == 0:
            raise ValueError("the model's tokenizer turns random ids into empty text; cannot build bench inputs")
        # decoding and re-encoding may merge pieces: repeat the text until it is long enough
        texts.append(" ".join([text] * -(-(length - 1) // tokens)))
    return texts


# bench backend name -> the transformers backend's dtype ("auto": bfloat16 on a GPU, float32 on CPU)
TORCH_BACKENDS = {"torch": "auto", "torch-bf16": "bfloat16"}


def load_backend(backend: str, model_dir: Path, device: str, threads: int, workdir: Path) -> Generator:
    """The library generator for a bench backend name on the model in `model_dir`.

    "torch" is the transformers backend (bfloat16 on a GPU, float32 on CPU); "torch-bf16" is the
    same with bfloat16 weights on any device (on CPU it pays only where oneDNN has bfloat16
    matrix units: AMX, or AVX-512 bf16; `machine_info` records which the CPU has); "ct2-TYPE"
    converts the model once into `workdir` with quantization TYPE and runs CTranslate2.

    Raises:
        ValueError: an unknown backend name.
        ModelLoadError, ConfigurationError: from the library, when the backend cannot load.
    """
    from summarizer.generation import load_generator
    from summarizer.registry import resolve_model

    if backend in TORCH_BACKENDS:
        from summarizer.generation.hf import TransformersGenerator

        spec = resolve_model(str(model_dir))
        dtype = TORCH_BACKENDS[backend]
        generator = load_generator(spec, device=device, backend="transformers", dtype=dtype, threads=threads)
        if isinstance(generator, TransformersGenerator):
            generator.max_batch_tokens = 0  # the bench measures the batch size it is given, unsplit
        return generator
    if backend.startswith("ct2-"):
        from summarizer.generation.ct2 import convert

        compute_type = backend.removeprefix("ct2-")
        ct2_dir = workdir / f"ct2-{compute_type}"
        if not ct2_dir.exists():
            convert(resolve_model(str(model_dir)), ct2_dir, quantization=compute_type)
        return load_generator(
            resolve_model(str(ct2_dir)),
            device="cuda" if device.startswith("cuda") else "cpu",
            backend="ct2",
            compute_type=compute_type,
            threads=threads,
        )
    raise ValueError(f"unknown backend {backend!r}; use torch, torch-bf16 or ct2-TYPE (e.g. ct2-int8, ct2-float32)")


def _uses_torch_cuda(generator: Generator) -> bool:
    return generator.backend == "transformers" and str(generator.device).startswith("cuda")


def _reset_peak(generator: Generator) -> None:
    if _uses_torch_cuda(generator):
        import torch

        torch.cuda.reset_peak_memory_stats()


def _peak_mb(generator: Generator) -> float:
    """GPU memory allocated by PyTorch on CUDA, else the process's peak resident memory."""
    if _uses_torch_cuda(generator):
        import torch

        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(
    generator: Generator, case: BenchCase, texts: list[str], *, repeats: int, max_seconds: float
) -> dict[str, Any]:
    """Warm up once, then time `repeats` batches of `case.batch_size` texts (or until `max_seconds`)."""
    batch = texts[: case.batch_size]
    options = GenerationOptions(max_new_tokens=case.new_tokens, min_new_tokens=case.new_tokens, num_beams=case.beams)
    warm = min(8, case.new_tokens)
    warm_up = GenerationOptions(max_new_tokens=warm, min_new_tokens=warm, num_beams=case.beams)
    generator.generate(batch[:2], warm_up, max_input_tokens=case.source_tokens, batch_size=2)
    _reset_peak(generator)
    latencies: list[float] = []
    started = time.perf_counter()
    for _ in range(repeats):
        t0 = time.perf_counter()
        generator.generate(batch, options, max_input_tokens=case.source_tokens, batch_size=len(batch))
        latencies.append(time.perf_counter() - t0)
        if time.perf_counter() - started > max_seconds:
            break
    total = sum(latencies)
    docs = case.batch_size * len(latencies)
    return {
        **asdict(case),
        "batches": len(latencies),
        "docs_per_s": docs / total,
        # forced length: every document gets exactly new_tokens (random weights emit <pad> too,
        # which the generators leave out of their own token counts)
        "tokens_per_s": docs * case.new_tokens / total,
        "s_per_doc": total / docs,
        "batch_latency_p50_s": statistics.median(latencies),
        "batch_latency_p95_s": percentile(latencies, 95),
        "peak_memory_mb": round(_peak_mb(generator), 1),
        "load_avg_1m": os.getloadavg()[0],
    }


def add_ratios(results: list[dict[str, Any]]) -> None:
    """speedup_vs_first = docs/s of a case over the first backend's on the same work."""
    base: dict[tuple[int, int, int], float] = {}
    for row in results:
        if "docs_per_s" not in row:
            continue
        key = (row["batch_size"], row["source_tokens"], row["beams"])
        base.setdefault(key, row["docs_per_s"])
        row["speedup_vs_first"] = row["docs_per_s"] / base[key]


def _cases(
    generator: Generator,
    backend: str,
    texts_of: dict[int, list[str]],
    config: Any,
    *,
    batch_sizes: Sequence[int],
    beams: Sequence[int],
    new_tokens: int,
    repeats: int,
    max_seconds: float,
    peak_tflops: float | None,
) -> list[dict[str, Any]]:
    """Every length × beams × batch size case of one backend; a failing case is a row with its error."""
    rows = []
    for length, texts in texts_of.items():
        for beam in beams:
            for batch_size in batch_sizes:
                case = BenchCase(backend, batch_size, length, new_tokens, beam)
                try:
                    row = run_case(generator, case, texts, repeats=repeats, max_seconds=max_seconds)
                except Exception as exc:  # e.g. out of memory at a large batch
                    row = {**asdict(case), "error": f"{type(exc).__name__}: {exc}"}
                if "docs_per_s" in row and beam == 1:
                    row["achieved_tflops"] = row["docs_per_s"] * t5_flops_per_doc(config, length, new_tokens) / 1e12
                    if peak_tflops:
                        row["fraction_of_peak"] = row["achieved_tflops"] / peak_tflops
                logger.info("%s", row)
                rows.append(row)
    return rows


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
    """Run every (backend × length × beams × batch size) case; returns the full report.

    Without `model_dir`, a random-weight model of `preset`'s shape is built in a temporary
    folder. A backend that cannot load on this machine is a row with its error, not a failure.
    """
    from transformers import AutoConfig

    from summarizer.generation.hf import load_tokenizer

    with tempfile.TemporaryDirectory(prefix="tomtat-bench-") as tmp:
        workdir = Path(tmp)
        if model_dir is None:
            from evaluation.random_model import build_random_model

            model_dir = build_random_model(preset, workdir / preset)
        config = AutoConfig.from_pretrained(model_dir)
        tokenizer = load_tokenizer(str(model_dir), local_only=True)
        texts_of = {length: make_texts(tokenizer, max(batch_sizes), length) for length in lengths}
        results: list[dict[str, Any]] = []
        for backend in backends:
            try:
                generator = load_backend(backend, model_dir, device, threads, workdir)
            except Exception as exc:  # a backend missing on this machine is reported, not fatal
                logger.warning("backend %s unavailable: %s", backend, exc)
                results.append({"backend": backend, "error": f"{type(exc).__name__}: {exc}"})
                continue
            results += _cases(
                generator,
                backend,
                texts_of,
                config,
                batch_sizes=batch_sizes,
                beams=beams,
                new_tokens=new_tokens,
                repeats=repeats,
                max_seconds=max_seconds,
                peak_tflops=peak_tflops,
            )
            del generator
    add_ratios(results)
    return {
        "machine": machine_info(device, threads),
        "model": str(model_dir) if model_dir else preset,
        "preset": preset,
        "new_tokens": new_tokens,
        "results": results,
    }
