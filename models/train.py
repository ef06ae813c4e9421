"""Training recipe for compact-vi, tomtat's own Vietnamese T5 summarizer.

One command runs all of it (`tomtat train --data VIETNEWS.jsonl.xz --out DIR`):
1. read the multi-task mixture (models.data): "tiêu đề: " → title, "tóm tắt: " → sapo;
2. train a SentencePiece vocabulary (models.tokenizer), unless --tokenizer or --init gives one;
3. build the model (models.architectures "compact") or continue from --init weights;
4. train: bf16 autocast on GPU, length-grouped token-budget batches, AdamW, warm-up then
   cosine decay over the step or time budget, checkpoints every few minutes, --resume;
5. export with save_pretrained (safetensors, optionally bf16 and sharded) + tokenizer files
   + tomtat.json + the loss curve (train_log.jsonl) and a summary (train_summary.json).
`--smoke` trains a few steps of a tiny model on CPU so the recipe is tested in CI.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from models.architectures import random_t5, write_metadata
from models.data import Article, read_articles
from models.tokenizer import save_tokenizer_json, train_sentencepiece, write_tokenizer_files
from summarizer.registry import known_models
from summarizer.segment import split_sentences

logger = logging.getLogger(__name__)

MODEL_NAME = "compact-vi"


@dataclass
class TrainConfig:
    """Every knob of a training run (recorded in train_summary.json)."""

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


def _task_prefixes() -> dict[str, str]:
    return known_models()[MODEL_NAME].prefixes


def _examples(articles: list[Article], tokenizer: Any, cfg: TrainConfig) -> list[tuple[list[int], list[int]]]:
    """Tokenized (source, target) pairs for both tasks, source truncated to the model limit."""
    prefixes = _task_prefixes()
    pairs: list[tuple[list[int], list[int]]] = []
    for task, attr in (("headline", "title"), ("summary", "summary")):
        rows = [a for a in articles if getattr(a, attr)]
        sources = tokenizer(
            [prefixes[task] + a.body for a in rows],
            max_length=cfg.max_source_tokens,
            truncation=True,
        )["input_ids"]
        targets = tokenizer(
            [getattr(a, attr) for a in rows],
            max_length=cfg.max_target_tokens[task],
            truncation=True,
        )["input_ids"]
        pairs.extend(zip(sources, targets, strict=True))
    return pairs


def _batches(lengths: list[int], cfg: TrainConfig, rng: random.Random) -> list[list[int]]:
    """Length-grouped batches: shuffle, sort within windows, cut by padded-token budget."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    window = cfg.max_batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), window):
        group = sorted(order[start : start + window], key=lambda i: lengths[i])
        current: list[int] = []
        for index in group:
            longest = max(lengths[index], lengths[current[-1]] if current else 0)
            if current and (longest * (len(current) + 1) > cfg.batch_tokens or len(current) >= cfg.max_batch_size):
                batches.append(current)
                current = []
            current.append(index)
        if current:
            batches.append(current)
    rng.shuffle(batches)
    return batches


def _collate(pairs: list[tuple[list[int], list[int]]], batch: list[int], device: str) -> dict[str, Any]:
    """Pad one batch; labels use -100 where there is no target token (ignored by the loss)."""
    import torch

    src_len = max(len(pairs[i][0]) for i in batch)
    tgt_len = max(len(pairs[i][1]) for i in batch)
    input_ids = torch.zeros((len(batch), src_len), dtype=torch.long)
    attention = torch.zeros((len(batch), src_len), dtype=torch.long)
    labels = torch.full((len(batch), tgt_len), -100, dtype=torch.long)
    for row, i in enumerate(batch):
        src, tgt = pairs[i]
        input_ids[row, : len(src)] = torch.tensor(src)
        attention[row, : len(src)] = 1
        labels[row, : len(tgt)] = torch.tensor(tgt)
    return {
        k: v.to(device, non_blocking=True)
        for k, v in {"input_ids": input_ids, "attention_mask": attention, "labels": labels}.items()
    }


def _lr(cfg: TrainConfig, step: int, progress: float) -> float:
    warm = min(1.0, (step + 1) / max(1, cfg.warmup_steps))
    return cfg.lr * warm * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def _load_tokenizer(folder: Path) -> Any:
    """The run's tokenizer; from tokenizer.json when there is one.

    Older transformers (seen: 5.17 on the GPU machine) cannot convert an identity-normalized
    spiece.model ("Cannot parse precompiled_charsmap"), so a tokenizer.json made where the
    conversion works is loaded directly instead.
    """
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    if (folder / "tokenizer.json").is_file():
        return PreTrainedTokenizerFast(
            tokenizer_file=str(folder / "tokenizer.json"),
            pad_token="<pad>",
            eos_token="</s>",
            unk_token="<unk>",
        )
    return AutoTokenizer.from_pretrained(folder, local_files_only=True)


def _prepare_tokenizer(cfg: TrainConfig, articles: list[Article], out: Path) -> Path:
    """A folder holding this run's tokenizer: spiece.model, tokenizer_config.json and, where
    one was made beside the given spiece.model (or the vocabulary is trained here), tokenizer.json."""
    folder = out / "tokenizer"
    if cfg.init:
        spiece = Path(cfg.init) / "spiece.model"
    elif cfg.tokenizer:
        spiece = Path(cfg.tokenizer)
    elif (folder / "spiece.model").is_file():
        spiece = folder / "spiece.model"
    else:
        # one sentence per line: SentencePiece skips lines over 4,192 bytes (a whole body)
        lines = [s for a in articles for s in (a.title, a.summary, *split_sentences(a.body)) if s]
        spiece = train_sentencepiece(lines, folder, vocab_size=cfg.vocab_size)
        write_tokenizer_files(spiece, folder)
        save_tokenizer_json(folder)  # converted here, so a GPU machine's older transformers needs no conversion
        return folder
    write_tokenizer_files(spiece, folder)
    return folder


def _evaluate(model: Any, pairs: list, batches: list[list[int]], device: str, autocast: Any) -> float:
    import torch

    model.eval()
    total, count = 0.0, 0
    with torch.inference_mode():
        for batch in batches:
            inputs = _collate(pairs, batch, device)
            with autocast():
                loss = model(**inputs).loss
            n = int((inputs["labels"] != -100).sum())
            total += float(loss) * n
            count += n
    model.train()
    return total / max(1, count)


def train(cfg: TrainConfig) -> dict[str, Any]:
    """Run the whole recipe; returns the training summary (also written to OUT)."""
    import contextlib

    import torch
    from transformers import T5ForConditionalGeneration

    started = time.perf_counter()
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(cfg.seed)
    device = ("cuda" if torch.cuda.is_available() else "cpu") if cfg.device == "auto" else cfg.device
    use_bf16 = device.startswith("cuda") and torch.cuda.is_bf16_supported()
    if device.startswith("cuda"):
        torch.backends.cuda.matmul.allow_tf32 = True

    articles = list(read_articles(cfg.data, max_words=cfg.max_words, limit=cfg.limit, workers=cfg.workers))
    if len(articles) <= cfg.heldout:
        raise ValueError(f"{cfg.data}: {len(articles)} articles is too few (held-out set: {cfg.heldout})")
    tok_folder = _prepare_tokenizer(cfg, articles, out)
    tokenizer = _load_tokenizer(tok_folder)
    heldout, articles = articles[: cfg.heldout], articles[cfg.heldout :]
    pairs = _examples(articles, tokenizer, cfg)
    held_pairs = _examples(heldout, tokenizer, cfg)
    lengths = [len(s) for s, _ in pairs]
    logger.info(
        "%d articles -> %d examples (%.1f s)",
        len(articles),
        len(pairs),
        time.perf_counter() - started,
    )

    checkpoint = out / "checkpoint"
    state: dict[str, Any] = {"step": 0, "tokens": 0, "seconds": 0.0, "epoch": 0}
    if cfg.resume and (checkpoint / "state.json").is_file():
        model = T5ForConditionalGeneration.from_pretrained(checkpoint, dtype=torch.float32)
        state = json.loads((checkpoint / "state.json").read_text())
    elif cfg.init:
        model = T5ForConditionalGeneration.from_pretrained(cfg.init, dtype=torch.float32)
    else:
        model = random_t5(cfg.preset, vocab_size=len(tokenizer), seed=cfg.seed, dropout_rate=0.0)
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

    def autocast() -> Any:
        if use_bf16:
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    held_batches = _batches([len(s) for s, _ in held_pairs], cfg, random.Random(0))
    log_path = out / "train_log.jsonl"
    log = log_path.open("a", encoding="utf-8")
    loop_start = time.perf_counter()
    base_seconds = float(state["seconds"])
    last_checkpoint = loop_start
    done = False
    running = 0.0
    while not done:
        for batch in _batches(lengths, cfg, random.Random(cfg.seed + state["epoch"])):
            elapsed = base_seconds + time.perf_counter() - loop_start
            progress = max(
                state["step"] / cfg.max_steps if cfg.max_steps else 0.0,
                elapsed / (cfg.minutes * 60) if cfg.minutes else 0.0,
            )
            if progress >= 1.0:
                done = True
                break
            for group in optimizer.param_groups:
                group["lr"] = _lr(cfg, state["step"], progress)
            inputs = _collate(pairs, batch, device)
            with autocast():
                loss = model(**inputs).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            state["step"] += 1
            # counted on the host from lengths: no device sync on every step
            state["tokens"] += sum(len(pairs[i][0]) + len(pairs[i][1]) for i in batch)
            if state["step"] % cfg.log_every == 0:
                value = float(loss.detach())  # the only sync, once per log interval
                running = value if running == 0.0 else 0.9 * running + 0.1 * value
                row = {
                    "step": state["step"],
                    "loss": round(value, 4),
                    "smoothed": round(running, 4),
                    "lr": optimizer.param_groups[0]["lr"],
                    "tokens": state["tokens"],
                    "seconds": round(elapsed, 1),
                    "epoch": state["epoch"],
                }
                log.write(json.dumps(row) + "\n")
                log.flush()
                logger.info("step %(step)d loss %(loss).3f tokens %(tokens)d %(seconds).0fs", row)
            if time.perf_counter() - last_checkpoint > cfg.checkpoint_minutes * 60:
                state["seconds"] = base_seconds + time.perf_counter() - loop_start
                _save_checkpoint(model, optimizer, state, checkpoint)
                last_checkpoint = time.perf_counter()
        else:
            state["epoch"] += 1
    log.close()
    state["seconds"] = base_seconds + time.perf_counter() - loop_start
    _save_checkpoint(model, optimizer, state, checkpoint)
    held_loss = _evaluate(model, held_pairs, held_batches, device, autocast)
    summary = {
        "config": asdict(cfg),
        "device": torch.cuda.get_device_name() if device.startswith("cuda") else device,
        "bf16": use_bf16,
        "parameters": sum(p.numel() for p in model.parameters()),
        "articles": len(articles),
        "examples": len(pairs),
        "steps": state["step"],
        "epochs": round(state["step"] / max(1, len(_batches(lengths, cfg, random.Random(0)))), 2),
        "tokens_seen": state["tokens"],
        "train_seconds": round(state["seconds"], 1),
        "heldout_loss": round(held_loss, 4),
        "total_seconds": round(time.perf_counter() - started, 1),
        "torch": torch.__version__,
    }
    export(model, tok_folder, out / "model", cfg, summary)
    return summary


def _save_checkpoint(model: Any, optimizer: Any, state: dict[str, Any], folder: Path) -> None:
    import torch

    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    torch.save(optimizer.state_dict(), folder / "optimizer.pt")
    (folder / "state.json").write_text(json.dumps(state))


def export(model: Any, tok_folder: Path, folder: Path, cfg: TrainConfig, summary: dict[str, Any]) -> Path:
    """Save weights (safetensors), tokenizer files, tomtat.json and the training record."""
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
