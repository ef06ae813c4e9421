"""Training recipe for compact-vi, tomtat's own Vietnamese T5 summarizer.

One command runs all of it (`tomtat train --data VIETNEWS.jsonl.xz --out DIR`):
1. read the multi-task mixture (models.data): "tiêu đề: " → title, "tóm tắt: " → sapo;
2. train a SentencePiece vocabulary (models.tokenizer), unless --tokenizer or --init gives one;
3. build the model (summarizer.generation.architectures "compact") or continue from --init weights;
4. train (models.train_loop): bf16 autocast on GPU, length-grouped token-budget batches,
   AdamW, transformers' warm-up + cosine schedule over the step or time budget, checkpoints
   every few minutes, --resume;
5. export with save_pretrained (safetensors, optionally bf16 and sharded) + tokenizer files
   + tomtat.json + the loss curve (train_log.jsonl) and a summary (train_summary.json).
`--smoke` (`TrainConfig.smoke`) trains a few steps of a tiny model on CPU so the recipe is
tested in CI.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from models.train_config import TrainConfig
from models.train_data import MODEL_NAME, check_inputs, load_data
from models.train_loop import Run, RunState, evaluate, length_batches, load_state, make_collator, run_loop
from summarizer.errors import ConfigurationError, InvalidInputError
from summarizer.generation.architectures import random_t5
from summarizer.generation.model_files import write_metadata, write_tokenizer_files
from summarizer.registry import known_models

logger = logging.getLogger(__name__)


def _device(name: str) -> str:
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigurationError(f"--device {name}: no CUDA GPU here; use --device cpu (or auto)")
    return name


def _autocast(use_bf16: bool) -> Any:
    """A factory of the context every forward pass runs in: bf16 autocast on GPU, else nothing."""
    import torch

    if use_bf16:
        return lambda: torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext


def _model_and_state(cfg: TrainConfig, vocab_size: int, device: str, checkpoint: Path) -> tuple[Any, Any, RunState]:
    """The model and AdamW, fresh, from --init, or (--resume) from OUT/checkpoint with its step."""
    import torch
    from transformers import T5ForConditionalGeneration

    state = load_state(checkpoint) if cfg.resume else None
    if cfg.resume and state is None:
        logger.warning("--resume: no checkpoint in %s, starting from the beginning", checkpoint)
    if state is not None:
        model = T5ForConditionalGeneration.from_pretrained(checkpoint, dtype=torch.float32)
    elif cfg.init:
        model = T5ForConditionalGeneration.from_pretrained(cfg.init, dtype=torch.float32)
    else:
        model = random_t5(cfg.preset, vocab_size=vocab_size, seed=cfg.seed, dropout_rate=0.0)
    model.to(device).train()
    optimizer = torch.optim.AdamW(
        model.parameters(),
        lr=cfg.lr,
        betas=(0.9, 0.98),
        weight_decay=cfg.weight_decay,
        fused=device.startswith("cuda"),
    )
    if cfg.resume and (checkpoint / "optimizer.pt").is_file():
        optimizer.load_state_dict(torch.load(checkpoint / "optimizer.pt", map_location=device))
    return model, optimizer, state or RunState()


def train(cfg: TrainConfig) -> dict[str, Any]:
    """Run the whole recipe; returns the training summary (also written to OUT)."""
    import torch

    started = time.perf_counter()
    check_inputs(cfg)
    device = _device(cfg.device)
    out = Path(cfg.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInputError(f"--out {out}: cannot make this folder ({exc.strerror}); give a writable one") from exc
    torch.manual_seed(cfg.seed)
    use_bf16 = device.startswith("cuda") and torch.cuda.is_bf16_supported()
    if device.startswith("cuda"):
        torch.backends.cuda.matmul.allow_tf32 = True
    data = load_data(cfg, out)
    logger.info("%d articles -> %d examples (%.1f s)", data.articles, len(data.pairs), time.perf_counter() - started)
    model, optimizer, state = _model_and_state(cfg, len(data.tokenizer), device, out / "checkpoint")
    collator = make_collator(data.tokenizer)
    run = Run(cfg, model, optimizer, collator, data.pairs, state, device, _autocast(use_bf16), out)
    run_loop(run)
    held_lengths = [len(source) for source, _ in data.heldout]
    held_batches = length_batches(held_lengths, cfg.max_batch_size, cfg.batch_tokens, random.Random(0))
    summary = {
        "config": asdict(cfg),
        "device": torch.cuda.get_device_name() if device.startswith("cuda") else device,
        "bf16": use_bf16,
        "parameters": sum(p.numel() for p in model.parameters()),
        "articles": data.articles,
        "examples": len(data.pairs),
        "steps": state.step,
        "epochs": round(state.step / max(1, len(run.epoch_batches(0))), 2),
        "tokens_seen": state.tokens,
        "train_seconds": round(state.seconds, 1),
        "heldout_loss": round(evaluate(run, data.heldout, held_batches), 4),
        "total_seconds": round(time.perf_counter() - started, 1),
        "torch": torch.__version__,
    }
    export(model, data.tokenizer_folder, out / "model", cfg, summary)
    return summary


def export(model: Any, tok_folder: Path, folder: Path, cfg: TrainConfig, summary: dict[str, Any]) -> Path:
    """Save weights (safetensors), tokenizer files, tomtat.json and the training record."""
    import json
    import shutil

    import torch

    folder.mkdir(parents=True, exist_ok=True)
    model = model.to("cpu")
    if cfg.export_dtype == "bfloat16":
        model = model.to(torch.bfloat16)
    model.save_pretrained(folder, max_shard_size=cfg.max_shard_size)
    write_tokenizer_files(tok_folder / "spiece.model", folder)
    spec = known_models()[MODEL_NAME]
    write_metadata(
        folder,
        name=MODEL_NAME,
        kind="seq2seq",
        description=spec.description,
        license=spec.license,
        max_input_tokens=cfg.max_source_tokens,
        prefixes=spec.prefixes,
        generation={task: opts.as_dict() for task, opts in spec.generation.items()},
    )
    (folder / "train_summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    log = Path(cfg.out) / "train_log.jsonl"
    if log.is_file():
        shutil.copy(log, folder / "train_log.jsonl")
    return folder
