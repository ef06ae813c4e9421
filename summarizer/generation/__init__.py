"""Generation backends: the only place that imports torch, transformers or ctranslate2.

Every backend implements `Generator`; `load_generator` picks one for a `ModelSpec`.
Heavy imports happen inside the backend modules, which are imported lazily here.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from summarizer.errors import ConfigurationError
from summarizer.options import GenerationOptions
from summarizer.registry import ModelSpec

logger = logging.getLogger(__name__)

BACKENDS = ("transformers", "ct2")

# On CPU, when no backend is named, a transformers model is converted once to CTranslate2
# and cached. float32, not int8: on compact-vi, CTranslate2 float32 gives exactly PyTorch's
# greedy outputs at 2.2x its speed (batch 1), while int8 (2.65x) moved syllable ROUGE-1 by
# 0.58 on 500 VietNews validation articles, past the 0.5 we accept (evaluation/RESULTS.md).
CPU_DEFAULT_QUANTIZATION = "float32"


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


def download_hint(spec: ModelSpec) -> str:
    """How to get hub weights onto a machine without network access."""
    revision = f" --revision {spec.revision}" if spec.revision else ""
    return (
        f"On a machine with network access run `huggingface-cli download {spec.source}{revision} "
        f"--local-dir ./{spec.source.split('/')[-1]}`, copy the folder here and pass its path "
        f"as --model."
    )


def cache_dir() -> Path:
    """Where converted models are kept: $TOMTAT_CACHE, else ~/.cache/tomtat (read at call time)."""
    return Path(os.environ.get("TOMTAT_CACHE") or Path.home() / ".cache" / "tomtat")


def _converted_for_cpu(spec: ModelSpec) -> ModelSpec:
    """The spec of a cached CTranslate2 conversion of `spec`, converting it if needed."""
    from summarizer.generation.ct2 import convert

    stamp = spec.source + spec.revision
    weights = [p for p in Path(spec.source).glob("*.safetensors")] if Path(spec.source).is_dir() else []
    stamp += "".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in sorted(weights))
    key = hashlib.sha256(stamp.encode()).hexdigest()[:12]
    target = cache_dir() / "ct2" / f"{spec.name.replace('/', '--')}-{CPU_DEFAULT_QUANTIZATION}-{key}"
    if not (target / "model.bin").is_file():
        logger.info("converting %s to CTranslate2 %s in %s (once)", spec.name, CPU_DEFAULT_QUANTIZATION, target)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + f".partial-{os.getpid()}")
        convert(spec, partial, quantization=CPU_DEFAULT_QUANTIZATION, force=True)
        partial.replace(target)  # atomic: a crash never leaves a half-written cache entry
    return replace(spec, source=str(target), backend="ct2")


def _auto_ct2(spec: ModelSpec, device: str, dtype: str) -> bool:
    """Whether auto mode should run this transformers model through CTranslate2 on CPU."""
    if spec.backend != "transformers" or dtype != "auto" or not importlib.util.find_spec("ctranslate2"):
        return False
    if device == "auto":
        import torch

        return not torch.cuda.is_available()
    return device == "cpu"


def load_generator(
    spec: ModelSpec,
    *,
    device: str = "auto",
    dtype: str = "auto",
    backend: str | None = None,
    compute_type: str = "auto",
    threads: int = 0,
) -> Generator:
    """Load the backend for `spec`.

    With `backend=None` (auto): a CTranslate2 folder runs on ct2; a transformers model runs
    on ct2 float32 on CPU (converted once into `cache_dir()`, when ctranslate2 is installed)
    and on transformers (bf16) on GPU. Name a backend to force it.

    Raises:
        ModelLoadError: the weights cannot be loaded; the message says how to get them.
        ConfigurationError: an unsupported device/dtype/backend combination.
    """
    chosen = backend or spec.backend
    if backend is None and _auto_ct2(spec, device, dtype):
        spec, chosen = _converted_for_cpu(spec), "ct2"
    if chosen == "transformers":
        from summarizer.generation.hf import TransformersGenerator

        return TransformersGenerator.load(spec, device=device, dtype=dtype, threads=threads)
    if chosen == "ct2":
        from summarizer.generation.ct2 import CT2Generator

        return CT2Generator.load(spec, device=device, compute_type=compute_type, threads=threads)
    raise ConfigurationError(f"unknown backend {chosen!r}; choose one of: {', '.join(BACKENDS)}")
