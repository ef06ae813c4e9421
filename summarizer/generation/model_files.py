"""The files that make a folder a T5 model the library loads: tokenizer files and `tomtat.json`.

Written by the training recipe (`models.train`), the speed benchmark's random models
(`evaluation.random_model`) and the tests; read by `summarizer.registry` and the backends.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from summarizer.registry import METADATA_FILE


def write_tokenizer_files(spiece_model: Path, model_dir: Path) -> None:
    """Make `model_dir` loadable by AutoTokenizer: spiece.model + tokenizer_config.json.

    spiece.model is kept beside the transformers files because CTranslate2 conversion and
    plain sentencepiece users need it (transformers' save_pretrained does not write it).
    A tokenizer.json beside `spiece_model` (made where conversion works) is copied too.
    """
    model_dir.mkdir(parents=True, exist_ok=True)
    if spiece_model.resolve() != (model_dir / "spiece.model").resolve():
        shutil.copy(spiece_model, model_dir / "spiece.model")
        converted = spiece_model.with_name("tokenizer.json")
        if converted.is_file():
            shutil.copy(converted, model_dir / "tokenizer.json")
    config = {
        "tokenizer_class": "T5Tokenizer",
        "extra_ids": 0,
        "model_max_length": 512,
        "pad_token": "<pad>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
    }
    (model_dir / "tokenizer_config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")


def write_metadata(model_dir: Path, **fields: Any) -> None:
    """Write `tomtat.json` (prefixes, limits, decoding defaults) so `--model DIR` knows them."""
    (model_dir / METADATA_FILE).write_text(json.dumps(fields, ensure_ascii=False, indent=2), encoding="utf-8")
