"""The pieces of compact-vi's trainer: config, batches, collator, schedule, checkpoint state, log."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import random
from pathlib import Path
from typing import Any

import pytest

from models.train_config import TrainConfig
from models.train_loop import (
    MIN_LR_RATE,
    UNBOUNDED,
    RunState,
    TrainLog,
    budget_progress,
    collate,
    length_batches,
    load_state,
    make_collator,
    make_schedule,
    schedule_horizon,
)
from summarizer.errors import ConfigurationError


def config(**overrides: Any) -> TrainConfig:
    return TrainConfig(data="train.jsonl", out="run", **overrides)


def test_smoke_is_a_tiny_cpu_copy_and_the_config_is_frozen() -> None:
    cfg = config(max_source_tokens=96)
    smoke = cfg.smoke()
    assert (smoke.preset, smoke.device, smoke.max_steps, smoke.limit, smoke.heldout) == ("tiny", "cpu", 3, 40, 8)
    assert (smoke.max_source_tokens, smoke.batch_tokens, smoke.log_every, smoke.warmup_steps) == (96, 2048, 1, 1)
    assert (cfg.preset, cfg.device, cfg.max_steps, cfg.heldout) == ("compact", "auto", None, 500)  # unchanged
    assert config(max_steps=7, limit=100).smoke().max_steps == 7 and config(limit=100).smoke().limit == 100
    assert config().smoke().max_source_tokens == 128
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.lr = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"batch_tokens": 0}, "--batch-tokens"),
        ({"max_steps": -1}, "--max-steps"),
        ({"minutes": 0.0}, "--minutes"),
        ({"preset": "huge"}, "unknown preset"),
        ({"export_dtype": "float16"}, "export dtype"),
        ({"warmup_steps": -5}, "warmup_steps"),
    ],
)
def test_an_invalid_config_says_which_option(overrides: dict[str, Any], says: str) -> None:
    with pytest.raises(ConfigurationError, match=says):
        config(**overrides)


def test_length_batches_cover_every_example_once_within_the_budgets() -> None:
    rng = random.Random(1)
    lengths = [rng.randint(5, 120) for _ in range(500)]
    batches = length_batches(lengths, batch_size=16, batch_tokens=600, rng=random.Random(0))
    assert sorted(i for batch in batches for i in batch) == list(range(500))
    for batch in batches:
        assert len(batch) <= 16
        assert len(batch) == 1 or max(lengths[i] for i in batch) * len(batch) <= 600
    assert batches == length_batches(lengths, 16, 600, random.Random(0))  # reproducible per epoch seed
    assert batches != length_batches(lengths, 16, 600, random.Random(1))  # reshuffled each epoch
    assert length_batches([700, 3], 16, 600, random.Random(0)) in ([[0], [1]], [[1], [0]])  # too long: alone


def word_tokenizer() -> Any:
    """A fast tokenizer with T5's pad id 0, built in memory."""
    from tokenizers import Tokenizer, models
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "</s>": 1, "<unk>": 2, **{f"w{i}": i + 3 for i in range(20)}}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    return PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="<pad>", eos_token="</s>", unk_token="<unk>")


def test_collator_pads_sources_with_the_pad_id_and_labels_with_minus_100() -> None:
    pairs = [([5, 6, 7, 1], [8, 1]), ([9, 1], [10, 11, 12, 1]), ([4, 1], [3, 1])]
    batch = collate(make_collator(word_tokenizer()), pairs, [0, 1], "cpu")
    assert set(batch) == {"input_ids", "attention_mask", "labels"}
    assert batch["input_ids"].tolist() == [[5, 6, 7, 1], [9, 1, 0, 0]]
    assert batch["attention_mask"].tolist() == [[1, 1, 1, 1], [1, 1, 0, 0]]
    assert batch["labels"].tolist() == [[8, 1, -100, -100], [10, 11, 12, 1]]


def optimizer(lr: float = 1e-3) -> Any:
    import torch

    return torch.optim.AdamW([torch.nn.Parameter(torch.zeros(2))], lr=lr)


def lrs(opt: Any, scheduler: Any, steps: int) -> list[float]:
    """The learning rate each of `steps` optimizer steps uses."""
    used = []
    for _ in range(steps):
        used.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return used


def test_schedule_warms_up_linearly_then_decays_by_cosine_to_the_floor() -> None:
    opt = optimizer()
    curve = lrs(opt, make_schedule(opt, lr=1e-3, warmup_steps=10, horizon=100), 100)
    assert curve[:10] == pytest.approx([1e-3 * (s + 1) / 10 for s in range(10)])  # (step+1)/warm-up
    assert max(curve) == pytest.approx(1e-3)
    decay = curve[9:]
    assert all(a >= b for a, b in itertools.pairwise(decay))
    assert curve[54] == pytest.approx(1e-3 * (MIN_LR_RATE + (1 - MIN_LR_RATE) * 0.5), rel=0.05)  # half-way
    assert curve[-1] == pytest.approx(1e-3 * MIN_LR_RATE)


def test_a_resumed_schedule_continues_the_same_curve_with_the_peak_given() -> None:
    opt = optimizer()
    whole = lrs(opt, make_schedule(opt, lr=1e-3, warmup_steps=10, horizon=100), 100)
    resumed = optimizer(lr=5e-5)  # a loaded optimizer holds its last lr; the schedule sets the peak again
    assert lrs(resumed, make_schedule(resumed, lr=1e-3, warmup_steps=10, horizon=100, position=40), 60) == (
        pytest.approx(whole[40:])
    )


def test_without_a_budget_the_rate_stays_at_its_peak_after_warm_up() -> None:
    opt = optimizer()
    horizon = schedule_horizon(config(warmup_steps=3), step=0, elapsed=0.0)
    assert horizon == UNBOUNDED
    assert lrs(opt, make_schedule(opt, lr=1e-3, warmup_steps=3, horizon=horizon), 50)[2:] == pytest.approx([1e-3] * 48)


def test_a_time_budget_becomes_a_step_horizon_from_the_warm_up_pace() -> None:
    cfg = config(minutes=10.0, warmup_steps=100)
    assert schedule_horizon(cfg, step=50, elapsed=30.0) == UNBOUNDED  # still warming up: not needed yet
    assert schedule_horizon(cfg, step=100, elapsed=60.0) == 1000  # 100 steps a minute, for 10 minutes
    assert schedule_horizon(config(minutes=10.0, warmup_steps=100, max_steps=400), step=100, elapsed=60.0) == 400
    assert schedule_horizon(config(max_steps=400), step=100, elapsed=60.0) == 400


def test_budget_progress_is_the_larger_of_steps_and_time() -> None:
    assert budget_progress(config(max_steps=10, minutes=1.0), 5, 45.0) == 0.75
    assert budget_progress(config(max_steps=10), 10, 1e9) == 1.0
    assert budget_progress(config(), 10**9, 1e9) == 0.0  # no budget: never done


def test_train_log_appends_rows_and_closes_its_file(tmp_path: Path) -> None:
    path = tmp_path / "train_log.jsonl"
    with TrainLog(path) as log:
        log.write(RunState(step=1, tokens=10), 4.0, 1e-3, 0.04)
        row = log.write(RunState(step=2, tokens=20, epoch=1), 2.0, 5e-4, 1.26)
    assert log._file.closed
    assert row == {"step": 2, "loss": 2.0, "smoothed": 3.8, "lr": 5e-4, "tokens": 20, "seconds": 1.3, "epoch": 1}
    with TrainLog(path) as log:  # a resumed run appends
        log.write(RunState(step=3), 1.0, 1e-4, 2.0)
    assert [json.loads(line)["step"] for line in path.read_text().splitlines()] == [1, 2, 3]


def test_checkpoint_state_is_read_back_and_absent_without_a_checkpoint(tmp_path: Path) -> None:
    assert load_state(tmp_path) is None
    (tmp_path / "state.json").write_text(json.dumps({"step": 7, "tokens": 99, "seconds": 1.5, "epoch": 2}))
    assert load_state(tmp_path) == RunState(step=7, tokens=99, seconds=1.5, epoch=2)


class FakeClock:
    """Seconds that advance by one on every reading: the loop's timing without waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def test_a_time_budget_run_warms_up_decays_to_the_floor_stops_and_checkpoints(tmp_path: Path) -> None:
    import torch

    from models.train_loop import Run, run_loop
    from summarizer.generation.architectures import random_t5

    tokenizer = word_tokenizer()
    model = random_t5("tiny", vocab_size=len(tokenizer), seed=0)
    rng = random.Random(0)
    pairs = [([rng.randint(3, 22) for _ in range(rng.randint(3, 9))] + [1], [rng.randint(3, 22), 1]) for _ in range(8)]
    cfg = config(minutes=0.5, warmup_steps=2, log_every=1, max_batch_size=4, batch_tokens=1000, checkpoint_minutes=1e9)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr)
    run = Run(cfg, model, opt, make_collator(tokenizer), pairs, RunState(), "cpu", contextlib.nullcontext, tmp_path)
    run.clock = FakeClock()
    run_loop(run)

    rows = [json.loads(line) for line in (tmp_path / "train_log.jsonl").read_text().splitlines()]
    curve = [row["lr"] for row in rows]
    assert curve[:2] == pytest.approx([cfg.lr / 2, cfg.lr])  # warm-up
    floor = curve.index(cfg.lr * MIN_LR_RATE)  # the horizon estimated from the warm-up pace (2.5 s a step)
    assert all(a > b for a, b in itertools.pairwise(curve[1 : floor + 1]))  # then a cosine down to the floor,
    assert curve[floor:] == [cfg.lr * MIN_LR_RATE] * (len(curve) - floor) and floor < len(curve) - 1  # held there
    assert rows[-1]["epoch"] >= 2 and rows[-1]["tokens"] == run.state.tokens  # 2 batches an epoch
    saved = load_state(tmp_path / "checkpoint")
    assert saved == run.state and saved.step == len(rows) and saved.seconds >= 30.0
    assert (tmp_path / "checkpoint" / "model.safetensors").is_file() and (
        tmp_path / "checkpoint" / "optimizer.pt"
    ).is_file()
