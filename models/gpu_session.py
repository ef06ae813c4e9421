"""One prepared call on a lent GPU machine: train compact-vi, then benchmark ViT5-base's shape.

Run from the repository root on the GPU machine (no network there, nothing installed but
its own torch/transformers/sentencepiece; the project is used from the source tree):

    PYTHONPATH=. python3 -m models.gpu_session --shard .gpu/vietnews-train-shard.jsonl.xz \\
        --tokenizer .gpu/tok/spiece.model --budget 540 --out "$OUT"

The whole call stays inside `--budget` seconds: the training loop gets what is left after
the time reserved for data loading, export and the benchmark. What comes back must be few
files of at most 16 MB, so the results are packed into one tar split in 15 MB parts
(`cat result.tar.part-* | tar x` joins them). Whatever happens, what exists is packed.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import subprocess
import sys
import time
from pathlib import Path

logger = logging.getLogger("models.gpu_session")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shard", required=True)
    parser.add_argument("--tokenizer")
    parser.add_argument("--init")
    parser.add_argument("--out", required=True)
    parser.add_argument("--run", default="/tmp/compact-vi-run", help="scratch folder for the run")
    parser.add_argument("--budget", type=float, default=540, help="seconds for the whole call")
    parser.add_argument("--reserve-data", type=float, default=60, help="seconds kept for loading data")
    parser.add_argument("--reserve-bench", type=float, default=100, help="seconds kept for the benchmark")
    parser.add_argument("--reserve-export", type=float, default=40)
    parser.add_argument("--batch-tokens", type=int, default=65536)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--limit", type=int, help="first N articles only (dry runs)")
    parser.add_argument("--preset", default="compact")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--bench-preset", default="vit5-base")
    parser.add_argument("--bench-batch-sizes", default="64,256,512,1024")
    parser.add_argument("--max-source-tokens", type=int, default=512, help="128 for the v2 rewriter")
    parser.add_argument(
        "--rewrite-inputs",
        nargs="*",
        default=[],
        help="v2: rewrite inputs prepared on CPU (models/rewrite_gpu.py prepare); the trained model "
        "writes their outputs as OUT-side files NAME.outputs.jsonl, instead of the benchmark",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    out, run = Path(args.out), Path(args.run)
    out.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", stream=sys.stdout)
    import torch

    from models.train import train
    from models.train_config import TrainConfig

    cuda = torch.cuda.is_available()
    logger.info(
        "torch %s, cuda %s, %s",
        torch.__version__,
        torch.version.cuda,
        torch.cuda.get_device_name() if cuda else "no GPU",
    )
    minutes = (args.budget - args.reserve_data - args.reserve_bench - args.reserve_export) / 60
    cfg = TrainConfig(
        data=args.shard,
        out=str(run),
        tokenizer=args.tokenizer,
        init=args.init,
        minutes=minutes,
        batch_tokens=args.batch_tokens,
        lr=args.lr,
        export_dtype="bfloat16",
        limit=args.limit,
        preset=args.preset,
        device=args.device,
        max_source_tokens=args.max_source_tokens,
        checkpoint_minutes=1e9,  # one call: the final save is the checkpoint
    )
    try:
        summary = train(cfg)
        summary["command"] = " ".join(sys.argv)
        (run / "model" / "train_summary.json").write_text(json.dumps(summary, indent=2))
        logger.info("trained: %s", {k: v for k, v in summary.items() if k != "config"})
    except Exception:
        logger.exception("training failed; packing what exists")
    if cuda:
        torch.cuda.empty_cache()

    for inputs in args.rewrite_inputs if (run / "model").is_dir() else []:
        target = run / f"{Path(inputs).name.split('.')[0]}.outputs.jsonl"
        step = [sys.executable, "-m", "models.rewrite_gpu", "generate", "--model", str(run / "model")]
        began = time.perf_counter()
        subprocess.run([*step, "--inputs", inputs, "--out", str(target)], check=False)
        logger.info("rewrote %s in %.1f s", inputs, time.perf_counter() - began)
    left = args.budget - (time.perf_counter() - started) - 20
    if left > 30 and not args.rewrite_inputs:
        bench = [
            sys.executable,
            "-m",
            "evaluation.benchmark",
            "--preset",
            args.bench_preset,
            "--device",
            "cuda" if cuda else "cpu",
            "--backends",
            "torch",
            "--batch-sizes",
            args.bench_batch_sizes,
            "--lengths",
            "512",
            "--beams",
            "1",
            "--repeats",
            "3",
            "--max-seconds",
            "15",
            "--peak-tflops",
            "989",
            "--out",
            str(run / "bench"),
        ]
        try:
            subprocess.run(bench, timeout=left, check=False)
        except subprocess.TimeoutExpired:
            logger.warning("benchmark stopped at the time limit")
    (run / "checkpoint" / "optimizer.pt").unlink(missing_ok=True)  # too big to bring back
    if (run / "model").is_dir():
        shutil.rmtree(run / "checkpoint", ignore_errors=True)
    outputs = [p.name for p in run.glob("*.outputs.jsonl")]
    parts = [p for p in ("model", "checkpoint", "bench", "train_log.jsonl", *outputs) if (run / p).exists()]
    if not parts:
        logger.error("nothing to pack: training failed before writing anything (see the log above)")
        return 1
    pack = f"tar -C {run} -cf - {' '.join(parts)} | split -b 15M - {out}/result.tar.part-"
    subprocess.run(["bash", "-c", pack], check=True)
    logger.info("packed %s; done in %.0f s", parts, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
