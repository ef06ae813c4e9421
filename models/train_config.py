"""`TrainConfig`: every knob of a compact-vi training run (`tomtat train`), checked when made.

Its own module, so that the recipe (`models.train`), its data (`models.train_data`) and its
loop (`models.train_loop`) all import it and none of them imports another through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from summarizer.errors import ConfigurationError
from summarizer.generation.architectures import PRESETS

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
