"""Offline conversion of T5 models to CTranslate2 (`tomtat export --format ct2`).

The converted folder holds CTranslate2's model.bin and vocabulary, plus the model's own
tokenizer files (spiece.model, tokenizer_config.json) and a tomtat.json that records the
backend, prefixes, limits and decoding defaults, so `--model FOLDER` or a registry entry
pointing at it gives the same Summary as the PyTorch model.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path

from summarizer.errors import ConfigurationError, ModelLoadError
from summarizer.registry import METADATA_FILE, resolve_model

logger = logging.getLogger(__name__)

QUANTIZATIONS = ("int8", "int8_float32", "int8_bfloat16", "bfloat16", "float32")


def export_ct2(model: str, out: str, *, quantization: str = "int8", force: bool = False) -> Path:
    """Convert a registry model or local T5 folder to a CTranslate2 folder at `out`.

    transformers 5 reports `tie_word_embeddings=True` even for untied T5 v1.1-style models
    (the real flag is `scale_decoder_outputs`) and CTranslate2 reads the former, which
    converts untied models wrongly; the flag is set right before converting.

    Raises:
        ConfigurationError: float16 (NaNs in T5) or an unknown quantization.
        ModelLoadError: the source model cannot be loaded.
    """
    if quantization == "float16":
        raise ConfigurationError("float16 produces NaNs in T5 models; use int8, bfloat16 or float32")
    if quantization not in QUANTIZATIONS:
        raise ConfigurationError(f"unknown quantization {quantization!r}; choose one of {', '.join(QUANTIZATIONS)}")
    import ctranslate2
    import torch
    from transformers import AutoTokenizer, T5ForConditionalGeneration

    spec = resolve_model(model)
    if spec.kind != "seq2seq" or spec.backend != "transformers":
        raise ConfigurationError(f"{model!r} is not a transformers seq2seq model; nothing to convert")
    target = Path(out)
    if target.exists() and not force:
        raise ConfigurationError(f"{target} exists; pass --force to overwrite it")
    try:
        hf_model = T5ForConditionalGeneration.from_pretrained(spec.source, dtype=torch.float32)
        tokenizer = AutoTokenizer.from_pretrained(spec.source)
    except OSError as exc:
        raise ModelLoadError(f"cannot load {spec.source}: {exc}") from exc
    hf_model.config.tie_word_embeddings = bool(getattr(hf_model.config, "scale_decoder_outputs", True))
    with tempfile.TemporaryDirectory(prefix="tomtat-export-") as tmp:
        staged = Path(tmp) / "hf"
        hf_model.save_pretrained(staged)
        tokenizer.save_pretrained(staged)
        spiece = _find_spiece(spec.source, tokenizer)
        if spiece:
            shutil.copy(spiece, staged / "spiece.model")
        converter = ctranslate2.converters.TransformersConverter(str(staged))
        converter.convert(str(target), quantization=quantization, force=force)
    tok_dir = target
    if spiece:
        shutil.copy(spiece, tok_dir / "spiece.model")
    # CTranslate2 writes its own config.json; the tokenizer files sit beside it.
    tokenizer.save_pretrained(tok_dir)
    meta = {
        "name": f"{spec.name}-ct2-{quantization}",
        "kind": "seq2seq",
        "backend": "ct2",
        "quantization": quantization,
        "converted_from": spec.source,
        "revision": spec.revision,
        "description": spec.description,
        "license": spec.license,
        "max_input_tokens": spec.max_input_tokens,
        "prefixes": spec.prefixes,
        "generation": {task: opts.as_dict() for task, opts in spec.generation.items()},
    }
    (target / METADATA_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    logger.info("exported %s to %s (%s)", spec.name, target, quantization)
    return target


def _find_spiece(source: str, tokenizer: object) -> Path | None:
    local = Path(source) / "spiece.model"
    if local.is_file():
        return local
    vocab_file = getattr(tokenizer, "vocab_file", None)
    return Path(vocab_file) if vocab_file and Path(vocab_file).is_file() else None
