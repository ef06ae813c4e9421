"""Generation backends: the only place that imports torch, transformers or ctranslate2.

Every backend implements `Generator`; `load_generator` picks one for a `ModelSpec`.
Heavy imports happen inside the backend modules, which are imported lazily here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from summarizer.errors import ConfigurationError
from summarizer.options import GenerationOptions
from summarizer.registry import ModelSpec

BACKENDS = ("transformers", "ct2")


@dataclass(frozen=True)
class Generated:
    """One generated text, with its length in tokens and whether its input was cut."""

    text: str
    n_tokens: int
    input_truncated: bool = False


class Generator(Protocol):
    """What the pipeline needs from a seq2seq backend."""

    backend: str
    device: str
    dtype: str

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens of each text, special tokens excluded."""
        ...

    def generate(
        self,
        texts: Sequence[str],
        options: GenerationOptions,
        *,
        max_input_tokens: int,
        batch_size: int = 8,
    ) -> list[Generated]:
        """Generate one output per input, in input order."""
        ...


def sorted_batches(lengths: Sequence[int], batch_size: int, max_batch_tokens: int = 0) -> list[list[int]]:
    """Indices grouped into batches of similar length (longest first).

    A batch holds at most `batch_size` items and, when `max_batch_tokens` > 0, at most that
    many padded input tokens (longest item × batch size): this fills a GPU without
    overflowing it on long inputs.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        longest = lengths[current[0]] if current else lengths[index]
        full = len(current) >= batch_size or (
            max_batch_tokens > 0 and current and longest * (len(current) + 1) > max_batch_tokens
        )
        if full:
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


def load_generator(
    spec: ModelSpec,
    *,
    device: str = "auto",
    dtype: str = "auto",
    backend: str | None = None,
    compute_type: str = "auto",
    threads: int = 0,
) -> Generator:
    """Load the backend for `spec` (transformers by default, ct2 for converted folders).

    Raises:
        ModelLoadError: the weights cannot be loaded; the message says how to get them.
        ConfigurationError: an unsupported device/dtype/backend combination.
    """
    chosen = backend or spec.backend
    if chosen == "transformers":
        from summarizer.generation.hf import TransformersGenerator

        return TransformersGenerator.load(spec, device=device, dtype=dtype, threads=threads)
    if chosen == "ct2":
        from summarizer.generation.ct2 import CT2Generator

        return CT2Generator.load(spec, device=device, compute_type=compute_type, threads=threads)
    raise ConfigurationError(f"unknown backend {chosen!r}; choose one of: {', '.join(BACKENDS)}")
