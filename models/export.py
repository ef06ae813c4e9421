"""Offline conversion of T5 models to CTranslate2 (`tomtat export --format ct2`).

The converted folder holds CTranslate2's model.bin and vocabulary, plus the model's own
tokenizer files (spiece.model, tokenizer.json, tokenizer_config.json) and a tomtat.json that
records the backend, prefixes, limits and decoding defaults, so `--model FOLDER` or a
registry entry pointing at it gives the same Summary as the PyTorch model. The conversion
itself lives with the backend (summarizer.generation.ct2.convert), which also uses it to
build its cache.
"""

from __future__ import annotations

from pathlib import Path

from summarizer.generation.ct2 import QUANTIZATIONS, convert
from summarizer.registry import resolve_model

__all__ = ["QUANTIZATIONS", "export_ct2"]


def export_ct2(model: str, out: str, *, quantization: str = "int8", force: bool = False) -> Path:
    """Convert a registry model or local T5 folder to a CTranslate2 folder at `out`.

    Raises:
        ConfigurationError: float16 (NaNs in T5), an unknown quantization, or OUT exists.
        ModelLoadError: the source model cannot be loaded.
    """
    return convert(resolve_model(model), Path(out), quantization=quantization, force=force)
