"""Training recipe for compact-vi, tomtat's own Vietnamese T5 summarizer.

One command runs all of it (`tomtat train --data VIETNEWS.jsonl.xz --out DIR`):
1. read the multi-task mixture (models.data): "tiêu đề: " → title, "tóm tắt: " → sapo;
2. train a SentencePiece vocabulary (models.tokenizer), unless --tokenizer or --init gives one;
3. build the model (models.architectures "compact") or continue from --init weights;
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
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from models.architectures import PRESETS, random_t5, write_metadata
from models.tokenizer import write_tokenizer_files
from models.train_data import MODEL_NAME, check_inputs, load_data
from models.train_loop import Run, RunState, evaluate, length_batches, load_state, make_collator, run_loop
from summarizer.errors import ConfigurationError, InvalidInputError
from summarizer.registry import known_models

logger = logging.getLogger(__name__)

EXPORT_DTYPES = ("float32", "bfloat16")


@dataclass(frozen=True)
class TrainConfig:
    """Every knob of a training run (recorded in train_summary.json); checked when made."""

    data: str
    out: str
    tokenizer: str | None = None  # an existing spiece.model
    init: str | None = None  # continue from these weights (e.g. models/compact-vi)
    resume: bool = False  # continue from OUT/checkpoint (optimizer and step too)
    preset: str = "compact"
    vocab_size: int = 16000
    max_words: int = 400
    limit: int | None = None  # use only the first N articles
    max_source_tokens: int = 512
    max_target_tokens: dict[str, int] = field(default_factory=lambda: {"headline": 48, "summary": 128})
    batch_tokens: int = 65536  # padded source tokens per batch
    max_batch_size: int = 256
    lr: float = 1e-3
    warmup_steps: int = 300
    weight_decay: float = 0.01
    max_steps: int | None = None
    minutes: float | None = None  # wall-clock budget for the training loop
    checkpoint_minutes: float = 10.0
    heldout: int = 500
    log_every: int = 25
    seed: int = 0
    device: str = "auto"
    export_dtype: str = "float32"  # "bfloat16" halves the shipped size
    max_shard_size: str = "200MB"
    workers: int = 1

    def __post_init__(self) -> None:
        if self.preset not in PRESETS:
            raise ConfigurationError(f"unknown preset {self.preset!r}: use one of {', '.join(PRESETS)}")
        if self.export_dtype not in EXPORT_DTYPES:
            raise ConfigurationError(f"export dtype {self.export_dtype!r}: use one of {', '.join(EXPORT_DTYPES)}")
        positive = {
            "--batch-tokens": self.batch_tokens,
            "--lr": self.lr,
            "--max-source-tokens": self.max_source_tokens,
            "--max-steps": self.max_steps,
            "--minutes": self.minutes,
            "--limit": self.limit,
            "--workers": self.workers,
            "max_batch_size": self.max_batch_size,
            "log_every": self.log_every,
            "checkpoint_minutes": self.checkpoint_minutes,
            **{f"max_target_tokens[{task}]": n for task, n in self.max_target_tokens.items()},
        }
        for name, value in positive.items():
            if value is not None and value <= 0:
                raise ConfigurationError(f"{name} is {value}: give a number above 0 (or leave it out)")
        if self.warmup_steps < 0 or self.heldout < 0:
            raise ConfigurationError("warmup_steps and heldout cannot be negative")

    def smoke(self) -> TrainConfig:
        """A copy for a few CPU steps of the tiny model (keeps a given max_steps, limit, smaller inputs)."""
        return replace(
            self,
            preset="tiny",
            vocab_size=500,
            device="cpu",
            max_steps=self.max_steps or 3,
            limit=self.limit or 40,
            heldout=8,
            max_words=60,
            max_source_tokens=min(self.max_source_tokens, 128),
            batch_tokens=2048,
            max_batch_size=16,
            log_every=1,
            warmup_steps=1,
        )


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
