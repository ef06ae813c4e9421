"""CTranslate2 backend: int8 (or bf16/fp32) T5 inference on CPU or CUDA.

Uses the converted folder's own tokenizer files (see models/export.py), so tokens, prefixes
and decoding settings are the same as with the PyTorch backend.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from summarizer.errors import ConfigurationError, ModelLoadError
from summarizer.generation import Generated, sorted_batches
from summarizer.options import GenerationOptions
from summarizer.registry import ModelSpec

logger = logging.getLogger(__name__)


class CT2Generator:
    """Batched generation with a CTranslate2 `Translator`."""

    backend = "ct2"

    def __init__(self, translator: Any, tokenizer: Any, *, device: str, dtype: str) -> None:
        self.translator = translator
        self.tokenizer = tokenizer
        self.device = device
        self.dtype = dtype

    @classmethod
    def load(
        cls, spec: ModelSpec, *, device: str = "auto", compute_type: str = "auto", threads: int = 0
    ) -> CT2Generator:
        import ctranslate2
        from transformers import AutoTokenizer

        folder = Path(spec.source)
        if not (folder / "model.bin").is_file():
            raise ModelLoadError(
                f"{spec.source} is not a CTranslate2 folder (no model.bin); convert it with "
                f"`tomtat export --format ct2 {spec.name} OUT` and pass OUT as --model"
            )
        if device == "auto":
            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        if device not in ("cpu", "cuda"):
            raise ConfigurationError(f"the ct2 backend runs on cpu or cuda, not {device!r}")
        if compute_type == "float16":
            raise ConfigurationError("float16 produces NaNs in T5 models; use int8, bfloat16 or float32")
        chosen = "default" if compute_type == "auto" else compute_type
        try:
            translator = ctranslate2.Translator(str(folder), device=device, compute_type=chosen, intra_threads=threads)
            tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        except (OSError, RuntimeError, ValueError) as exc:
            raise ModelLoadError(f"cannot load CTranslate2 model {spec.source}: {exc}") from exc
        logger.info("loaded %s with ctranslate2 on %s (%s)", spec.name, device, translator.compute_type)
        return cls(translator, tokenizer, device=device, dtype=str(translator.compute_type))

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        return [len(ids) for ids in self.tokenizer(list(texts), add_special_tokens=False)["input_ids"]]

    def generate(
        self,
        texts: Sequence[str],
        options: GenerationOptions,
        *,
        max_input_tokens: int,
        batch_size: int = 8,
    ) -> list[Generated]:
        full = self.tokenizer(list(texts))["input_ids"]
        encoded = [ids[: max_input_tokens - 1] + ids[-1:] if len(ids) > max_input_tokens else ids for ids in full]
        tokens = [self.tokenizer.convert_ids_to_tokens(ids) for ids in encoded]
        results: list[Generated | None] = [None] * len(texts)
        for batch in sorted_batches([len(t) for t in tokens], batch_size):
            outputs = self.translator.translate_batch(
                [tokens[i] for i in batch],
                beam_size=options.num_beams,
                length_penalty=options.length_penalty,
                no_repeat_ngram_size=options.no_repeat_ngram_size,
                repetition_penalty=options.repetition_penalty,
                max_decoding_length=options.max_new_tokens,
                min_decoding_length=options.min_new_tokens,
                max_batch_size=len(batch),
            )
            for index, output in zip(batch, outputs, strict=True):
                hypothesis = output.hypotheses[0]
                ids = self.tokenizer.convert_tokens_to_ids(hypothesis)
                results[index] = Generated(
                    text=self.tokenizer.decode(ids, skip_special_tokens=True),
                    n_tokens=len(hypothesis),
                    input_truncated=len(full[index]) > max_input_tokens,
                )
        return [r for r in results if r is not None]
