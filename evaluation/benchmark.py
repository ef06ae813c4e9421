"""Speed benchmark of generation backends on fixed inputs (`tomtat bench`).

Every case runs the model on the same seeded random inputs of an exact source length
and generates exactly `new_tokens` tokens (min = max length, so random weights cannot stop
early), so backends, batch sizes and decoding settings are compared on identical work in
one process run. Reported per case: documents/s, generated tokens/s, p50/p95 batch latency
(warm-up excluded) and peak memory; ratios against the first backend are added.

This module is the command line and the Markdown; the cases run in `evaluation.bench_runner`.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evaluation.machine import format_cpu, format_load_avg, machine_info
from summarizer.generation.allocator import share_malloc_arena


def to_markdown(report: dict[str, Any]) -> str:
    """The `run_benchmark` report as a Markdown heading, machine line and table."""
    m = report["machine"]
    lines = [
        f"# Benchmark: {report['preset']} ({report['model']})",
        "",
        f"CPU: {format_cpu(m)}.",
        f"Machine: {m.get('gpu') or m.get('cpu', '?')}; device {m['device']}; threads {m['threads']}; "
        f"torch {m['torch']}, transformers {m['transformers']}, ctranslate2 {m['ctranslate2']}; "
        f"load average {format_load_avg(m.get('load_avg'))}.",
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


def render(report: dict[str, Any]) -> str:
    """What `tomtat bench` prints: the summarize rows as JSON, or the case table as Markdown."""
    if "summarize" in report:
        return json.dumps(report["summarize"], indent=2) + "\n"
    return to_markdown(report)


def write_report(report: dict[str, Any], out: Path) -> None:
    """bench.json (every number) and bench.md (the table) in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (out / "bench.md").write_text(to_markdown(report), encoding="utf-8")


def add_bench_arguments(parser: Any) -> None:
    """Options of `tomtat bench` (also `python -m evaluation.benchmark`)."""
    parser.add_argument("--model", help="a local T5 folder (default: random weights of --preset)")
    parser.add_argument("--preset", default="vit5-base", help="shape for random weights: vit5-base, compact, tiny")
    parser.add_argument(
        "--backends",
        default="torch,ct2-int8",
        help="comma list: torch (fp32 on CPU), torch-bf16 (bfloat16: pays on CPUs with AMX or AVX-512 bf16), "
        "ct2-int8, ct2-float32, ...",
    )
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
        help="instead: time `summarize` (warm) on the median-length document of DATA; --backends then takes "
        "auto, torch, torch-bf16, ct2-TYPE (ct2-float32, ct2-int8...), transformers or ct2",
    )


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def bench_from_args(args: Any) -> dict[str, Any]:
    """Run what the parsed `tomtat bench` options ask for and write it under --out."""
    from evaluation.bench_runner import run_benchmark

    if args.summarize_median_of:
        from evaluation.summarize_latency import load_options_for, median_document, summarize_latency

        backends = [b for b in args.backends.split(",") if b]
        load_options_for(backends)  # an unknown name is refused before the data set is read
        rows = summarize_latency(
            model=args.model or "compact-vi",
            backends=backends,
            text=median_document(args.summarize_median_of),
            repeats=args.repeats,
            threads=args.threads,
        )
        report = {"machine": machine_info("cpu", args.threads), "summarize": rows, "command": " ".join(sys.argv)}
        sys.stderr.write(f"CPU: {format_cpu(report['machine'])}\n")  # stdout stays the rows' JSON
        Path(args.out).mkdir(parents=True, exist_ok=True)
        (Path(args.out) / "summarize.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
        return report

    report = run_benchmark(
        model_dir=Path(args.model) if args.model else None,
        preset=args.preset,
        backends=[b for b in args.backends.split(",") if b],
        batch_sizes=_ints(args.batch_sizes),
        lengths=_ints(args.lengths),
        beams=_ints(args.beams),
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
    """`python -m evaluation.benchmark`: the same options and output as `tomtat bench`."""
    share_malloc_arena()
    parser = argparse.ArgumentParser(prog="python -m evaluation.benchmark", description=__doc__)
    add_bench_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    sys.stdout.write(render(bench_from_args(args)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
