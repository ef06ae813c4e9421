"""The parts of compact-vi's training loop, run by `models.train`.

data → batches (`length_batches`) → padded tensors (`collate`, transformers'
`DataCollatorForSeq2Seq`) → one optimizer step (`train_step`, under transformers' cosine
schedule, `make_schedule`) → checkpoint/resume (`save_checkpoint`, `load_state`) → the loss
curve (`TrainLog`). `run_loop` strings them together until the step or time budget is spent.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from types import TracebackType
from typing import Any

from models.train_config import TrainConfig
from summarizer.generation import sorted_batches

logger = logging.getLogger(__name__)

Pair = tuple[list[int], list[int]]  # (source token ids, target token ids)
MIN_LR_RATE = 0.1  # the cosine decays to 10 % of the peak learning rate
WINDOW_BATCHES = 50  # lengths are sorted within windows of this many full batches
UNBOUNDED = 2**62  # horizon without a budget: after warm-up the learning rate stays at its peak


def length_batches(lengths: Sequence[int], batch_size: int, batch_tokens: int, rng: random.Random) -> list[list[int]]:
    """Length-grouped batches in random order: shuffle, group within windows, shuffle the batches.

    Each window of `batch_size * WINDOW_BATCHES` examples is cut by
    `summarizer.generation.sorted_batches`: similar lengths together, at most `batch_size`
    rows and `batch_tokens` padded source tokens per batch (a longer example goes alone).
    """
    order = list(range(len(lengths)))
    rng.shuffle(order)
    window = batch_size * WINDOW_BATCHES
    batches: list[list[int]] = []
    for start in range(0, len(order), window):
        group = order[start : start + window]
        cut = sorted_batches([lengths[i] for i in group], batch_size, batch_tokens)
        batches.extend([group[j] for j in batch] for batch in cut)
    rng.shuffle(batches)
    return batches


def make_collator(tokenizer: Any) -> Any:
    """transformers' seq2seq collator: sources padded with the pad id, labels with -100 (no loss)."""
    from transformers import DataCollatorForSeq2Seq

    return DataCollatorForSeq2Seq(tokenizer, padding="longest", label_pad_token_id=-100, return_tensors="pt")


def collate(collator: Any, pairs: Sequence[Pair], batch: Sequence[int], device: str) -> dict[str, Any]:
    """The padded tensors of one batch (input_ids, attention_mask, labels) on `device`."""
    features = [{"input_ids": pairs[i][0], "labels": pairs[i][1]} for i in batch]
    return {name: tensor.to(device, non_blocking=True) for name, tensor in collator(features).items()}


def make_schedule(optimizer: Any, *, lr: float, warmup_steps: int, horizon: int, position: int = 0) -> Any:
    """transformers' warm-up + cosine schedule, placed at step `position` (0, or the resumed step).

    The learning rate of step s (from 0) is lr × (s+1)/warmup_steps during warm-up, then follows a
    cosine from lr down to MIN_LR_RATE × lr, reached by the `horizon`-th step (s = horizon - 1).
    `get_cosine_with_min_lr_schedule_with_warmup_lr_rate` rather than `get_scheduler`: only it
    takes `last_epoch`, which places a resumed run on its curve.
    """
    from transformers import get_cosine_with_min_lr_schedule_with_warmup_lr_rate

    for group in optimizer.param_groups:
        group["initial_lr"] = lr  # the peak, also when a resumed run is given another --lr
    return get_cosine_with_min_lr_schedule_with_warmup_lr_rate(
        optimizer,
        num_warmup_steps=warmup_steps,
        num_training_steps=horizon,
        min_lr_rate=MIN_LR_RATE,
        last_epoch=min(position, horizon - 1) - 1,  # at most the floor, reached at step horizon - 1
    )


def schedule_horizon(cfg: TrainConfig, step: int, elapsed: float) -> int:
    """The step at which the cosine reaches its floor.

    A step budget gives it. A time budget cannot be known in steps beforehand: once warm-up is
    over it is estimated from the pace so far (`elapsed` seconds for `step` steps), capped by
    any step budget. Before that, or with no budget at all, it is `max_steps` or UNBOUNDED.
    """
    if not cfg.minutes or step < max(1, cfg.warmup_steps) or elapsed <= 0:
        return cfg.max_steps or UNBOUNDED
    left = max(0.0, cfg.minutes * 60 - elapsed)
    estimate = max(step + 1, math.ceil(step + left * step / elapsed))
    return min(estimate, cfg.max_steps) if cfg.max_steps else estimate


def budget_progress(cfg: TrainConfig, step: int, elapsed: float) -> float:
    """How much of the budget is spent (1.0: stop): the larger of the step and the time fraction."""
    return max(
        step / cfg.max_steps if cfg.max_steps else 0.0,
        elapsed / (cfg.minutes * 60) if cfg.minutes else 0.0,
    )


@dataclass
class RunState:
    """Where a run stands; saved as the checkpoint's state.json."""

    step: int = 0
    tokens: int = 0
    seconds: float = 0.0
    epoch: int = 0


def save_checkpoint(model: Any, optimizer: Any, state: RunState, folder: Path) -> None:
    """Weights, optimizer state and RunState, enough for `--resume` to continue."""
    import torch

    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    torch.save(optimizer.state_dict(), folder / "optimizer.pt")
    (folder / "state.json").write_text(json.dumps(asdict(state)))


def load_state(folder: Path) -> RunState | None:
    """The RunState of a checkpoint folder, or None when it holds none."""
    path = folder / "state.json"
    if not path.is_file():
        return None
    saved = json.loads(path.read_text())
    return RunState(**{f.name: saved[f.name] for f in fields(RunState) if f.name in saved})


class TrainLog(AbstractContextManager["TrainLog"]):
    """The loss curve: one JSON row per log interval, appended to `path` (kept across resumes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.smoothed = 0.0
        self._file: Any = None

    def __enter__(self) -> TrainLog:
        self._file = self.path.open("a", encoding="utf-8")
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._file.close()

    def write(self, state: RunState, loss: float, lr: float, seconds: float) -> dict[str, Any]:
        """Append the row of `state.step` (loss also smoothed exponentially) and return it."""
        self.smoothed = loss if self.smoothed == 0.0 else 0.9 * self.smoothed + 0.1 * loss
        row = {
            "step": state.step,
            "loss": round(loss, 4),
            "smoothed": round(self.smoothed, 4),
            "lr": lr,
            "tokens": state.tokens,
            "seconds": round(seconds, 1),
            "epoch": state.epoch,
        }
        self._file.write(json.dumps(row) + "\n")
        self._file.flush()
        logger.info("step %(step)d loss %(loss).3f tokens %(tokens)d %(seconds).0fs", row)
        return row


def train_step(model: Any, inputs: dict[str, Any], optimizer: Any, autocast: Callable[[], Any]) -> Any:
    """One optimizer step (gradient norm clipped at 1); returns the loss tensor, not synced."""
    import torch

    with autocast():
        loss = model(**inputs).loss
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return loss.detach()


def evaluate(run: Run, pairs: Sequence[Pair], batches: Sequence[Sequence[int]]) -> float:
    """Mean loss per target token of `pairs`."""
    import torch

    run.model.eval()
    total, count = 0.0, 0
    with torch.inference_mode():
        for batch in batches:
            inputs = collate(run.collator, pairs, batch, run.device)
            with run.autocast():
                loss = run.model(**inputs).loss
            n = int((inputs["labels"] != -100).sum())
            total += float(loss) * n
            count += n
    run.model.train()
    return total / max(1, count)


@dataclass
class Run:
    """What the loop works on: the model and optimizer, the examples, where it stands, its clock."""

    cfg: TrainConfig
    model: Any
    optimizer: Any
    collator: Any
    pairs: list[Pair]
    state: RunState
    device: str
    autocast: Callable[[], Any]
    out: Path
    clock: Callable[[], float] = time.perf_counter  # seconds; a test can pass a fake one
    scheduler: Any = field(default=None, init=False)
    horizon: int = field(default=UNBOUNDED, init=False)
    _started: float = field(default=0.0, init=False)  # perf_counter() when this process's loop began
    _saved: float = field(default=0.0, init=False)  # perf_counter() of the last checkpoint
    _before: float = field(default=0.0, init=False)  # training seconds of earlier (resumed) runs

    def start_clock(self) -> None:
        self._started = self._saved = self.clock()
        self._before = self.state.seconds

    def elapsed(self) -> float:
        """Training seconds so far, those of the runs this one resumes included."""
        return self._before + self.clock() - self._started

    def epoch_batches(self, seed: int) -> list[list[int]]:
        lengths = [len(source) for source, _ in self.pairs]
        return length_batches(lengths, self.cfg.max_batch_size, self.cfg.batch_tokens, random.Random(seed))

    def reschedule(self) -> None:
        """(Re)build the schedule at the current step, with the horizon known now."""
        self.horizon = schedule_horizon(self.cfg, self.state.step, self.elapsed())
        if self.horizon != UNBOUNDED:
            logger.info("the learning rate reaches its floor at step %d", self.horizon)
        self.scheduler = make_schedule(
            self.optimizer,
            lr=self.cfg.lr,
            warmup_steps=self.cfg.warmup_steps,
            horizon=self.horizon,
            position=self.state.step,
        )

    def step(self, batch: Sequence[int]) -> tuple[Any, float]:
        """Train on one batch; returns the loss tensor and the learning rate used."""
        lr = self.optimizer.param_groups[0]["lr"]
        loss = train_step(
            self.model, collate(self.collator, self.pairs, batch, self.device), self.optimizer, self.autocast
        )
        self.state.step += 1
        if self.state.step < self.horizon:  # past it transformers' cosine would rise again: the floor holds
            self.scheduler.step()
        # counted on the host from lengths: no device sync on every step
        self.state.tokens += sum(len(self.pairs[i][0]) + len(self.pairs[i][1]) for i in batch)
        return loss, lr

    def checkpoint_due(self) -> bool:
        return self.clock() - self._saved > self.cfg.checkpoint_minutes * 60

    def save(self) -> None:
        """Checkpoint to OUT/checkpoint, with the training seconds so far."""
        self.state.seconds = self.elapsed()
        save_checkpoint(self.model, self.optimizer, self.state, self.out / "checkpoint")
        self._saved = self.clock()


def run_loop(run: Run) -> None:
    """Train until the budget is spent (or, without one, until stopped), then save the checkpoint."""
    cfg, state = run.cfg, run.state
    run.start_clock()
    run.reschedule()
    with TrainLog(run.out / "train_log.jsonl") as log:
        while True:
            for batch in run.epoch_batches(cfg.seed + state.epoch):
                elapsed = run.elapsed()
                if budget_progress(cfg, state.step, elapsed) >= 1.0:
                    run.save()
                    return
                loss, lr = run.step(batch)
                if state.step % cfg.log_every == 0:
                    log.write(state, float(loss), lr, elapsed)  # the only device sync, once per log interval
                if cfg.minutes and state.step == max(1, cfg.warmup_steps):
                    run.reschedule()  # warm-up over: the pace, so the horizon of a time budget, is known
                if run.checkpoint_due():
                    run.save()
            state.epoch += 1
