"""CTranslate2 backend: int8 (or bf16/fp32) T5 inference on CPU or CUDA.

Uses the converted folder's own tokenizer files (see models/export.py), so tokens, prefixes
and decoding settings are the same as with the PyTorch backend.
"""

from __future__ import annotations

import functools
import json
import logging
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from summarizer.errors import ConfigurationError, ModelLoadError
from summarizer.generation import Generated, count_tokens_with, hub_weights, sorted_batches
from summarizer.generation.faithful import forbidden_ids, protected_pieces
from summarizer.options import GenerationOptions
from summarizer.registry import METADATA_FILE, ModelSpec, folder_metadata

logger = logging.getLogger(__name__)


class CT2Generator:
    """Batched generation with a CTranslate2 `Translator`.

    `compute_type` is what CTranslate2 resolved the requested type to on this device (e.g.
    "int8" becomes "int8_float32" on CPU; a bfloat16 folder runs in float32 on a CPU without
    bf16); `dtype` is the weights' part of it ("int8", "float32", "bfloat16").
    """

    backend = "ct2"

    def __init__(self, translator: Any, tokenizer: Any, *, device: str) -> None:
        self.translator = translator
        self.tokenizer = tokenizer
        self.device = device
        self.compute_type = str(translator.compute_type)
        self.dtype = self.compute_type.split("_", 1)[0]

    @classmethod
    def load(
        cls, spec: ModelSpec, *, device: str = "auto", compute_type: str = "auto", threads: int = 0
    ) -> CT2Generator:
        """Load a CTranslate2 folder (`tomtat export --format ct2`, or the CPU conversion cache).

        Raises:
            ModelLoadError: not a CTranslate2 folder, or it cannot be read.
            ConfigurationError: an unsupported device or compute type (float16 for T5).
        """
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
        # auto: the type the folder was saved in on CPU; int8 weights with bf16 activations on a
        # GPU (never float16 for T5)
        if compute_type == "auto":
            compute_type = "int8_bfloat16" if device == "cuda" else "default"
        try:
            translator = ctranslate2.Translator(
                str(folder), device=device, compute_type=compute_type, intra_threads=threads
            )
            tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        except (OSError, RuntimeError, ValueError) as exc:
            reason = " ".join(str(exc).split())
            raise ModelLoadError(f"cannot load CTranslate2 model {spec.source}: {reason}") from exc
        generator = cls(translator, tokenizer, device=device)
        logger.info("loaded %s with ctranslate2 on %s (%s)", spec.name, device, generator.compute_type)
        return generator

    @functools.cached_property
    def _protected(self) -> frozenset[int]:
        return protected_pieces(tuple(self.tokenizer.convert_ids_to_tokens(list(range(len(self.tokenizer))))))

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return count_tokens_with(self.tokenizer, texts)

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
        # faithful decoding forbids different pieces for each input: one input per call then
        size = 1 if options.copy_names_numbers else batch_size
        for batch in sorted_batches([len(t) for t in tokens], size):
            suppress = None
            if options.copy_names_numbers:
                forbidden = forbidden_ids(self._protected, encoded[batch[0]])
                suppress = [[piece] for piece in self.tokenizer.convert_ids_to_tokens(forbidden)]
            outputs = self.translator.translate_batch(
                [tokens[i] for i in batch],
                suppress_sequences=suppress,
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


QUANTIZATIONS = ("int8", "int8_float32", "int8_bfloat16", "bfloat16", "float32")


def convert(spec: ModelSpec, target: Path, *, quantization: str = "int8", force: bool = False) -> Path:
    """Convert a transformers T5 model to a CTranslate2 folder (with tokenizer and tomtat.json).

    transformers 5 reports `tie_word_embeddings=True` even for untied T5 v1.1-style models
    (the real flag is `scale_decoder_outputs`) and CTranslate2 reads the former, which
    converts untied models wrongly; the flag is set right before converting.
    """
    if quantization == "float16":
        raise ConfigurationError("float16 produces NaNs in T5 models; use int8, bfloat16 or float32")
    if quantization not in QUANTIZATIONS:
        raise ConfigurationError(f"unknown quantization {quantization!r}; choose one of {', '.join(QUANTIZATIONS)}")
    if spec.kind != "seq2seq" or spec.backend != "transformers":
        raise ConfigurationError(f"{spec.name!r} is not a transformers seq2seq model; nothing to convert")
    if target.exists() and not force:
        raise ConfigurationError(f"{target} exists; pass --force to overwrite it")
    import ctranslate2
    import torch
    from transformers import AutoTokenizer, T5ForConditionalGeneration

    source = hub_weights(spec)  # a hub model: from the local cache, or downloaded once (fails fast offline)
    try:
        model = T5ForConditionalGeneration.from_pretrained(source, dtype=torch.float32, local_files_only=True)
        tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
    except (OSError, ValueError) as exc:
        reason = " ".join(str(exc).split())
        raise ModelLoadError(f"cannot load model {spec.name!r} from {source}: {reason}") from exc
    model.config.tie_word_embeddings = bool(getattr(model.config, "scale_decoder_outputs", True))
    spiece = source / "spiece.model"
    if not spiece.is_file():
        vocab_file = getattr(tokenizer, "vocab_file", None)
        spiece = Path(vocab_file) if vocab_file else spiece
    with tempfile.TemporaryDirectory(prefix="tomtat-convert-") as tmp:
        staged = Path(tmp)
        model.save_pretrained(staged)
        tokenizer.save_pretrained(staged)
        ctranslate2.converters.TransformersConverter(str(staged)).convert(
            str(target), quantization=quantization, force=force
        )
    if spiece.is_file():
        shutil.copy(spiece, target / "spiece.model")
    tokenizer.save_pretrained(target)  # beside CTranslate2's own config.json, which it does not touch
    meta = folder_metadata(spec, backend="ct2", quantization=quantization, converted_from=spec.source)
    (target / METADATA_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    logger.info("converted %s to %s (%s)", spec.name, target, quantization)
    return target
