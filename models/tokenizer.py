"""SentencePiece vocabulary for T5 models, saved as a transformers tokenizer folder.

The transformers T5 tokenizer ignores SentencePiece byte fallback: a character missing from
the vocabulary becomes <unk> and vanishes on decode. So the vocabulary is trained with full
character coverage and with every Vietnamese letter (both cases, every tone), the digits and
the punctuation of news text forced in; `summarizer.normalize` folds the rest. The folder files
that make it loadable (`write_tokenizer_files`) are the library's (`summarizer.generation.model_files`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from pathlib import Path

_VOWELS = "aăâeêioôơuưy"
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
_CONSONANTS = "bcdđghklmnpqrstvxfjwz"
PUNCTUATION = "0123456789%‰–—-“”\"'.,;:!?…()[]{}/\\&+*=<>#@_$€£°²³|~^`"


def vietnamese_letters() -> str:
    """Every Vietnamese letter, lower and upper case, with every tone (NFC)."""
    lower = [unicodedata.normalize("NFC", v + t) for v in _VOWELS for t in _TONES]
    lower += list(_CONSONANTS)
    return "".join(lower + [c.upper() for c in lower])


def required_characters() -> str:
    return vietnamese_letters() + PUNCTUATION


def train_sentencepiece(lines: Iterable[str], out_dir: Path, *, vocab_size: int, threads: int = 2) -> Path:
    """Train a unigram SentencePiece model with T5's special ids (pad 0, eos 1, unk 2).

    Returns the path of `spiece.model` inside `out_dir`.
    """
    import sentencepiece as spm

    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = out_dir / "spiece"
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        required_chars=required_characters(),
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        byte_fallback=False,
        normalization_rule_name="identity",  # tomtat normalizes (NFC, tones) itself
        split_digits=False,
        hard_vocab_limit=False,
        num_threads=threads,
        input_sentence_size=2_000_000,
        shuffle_input_sentence=True,
        minloglevel=2,
    )
    (out_dir / "spiece.vocab").unlink(missing_ok=True)
    return prefix.with_suffix(".model")


def save_tokenizer_json(model_dir: Path) -> Path:
    """Convert spiece.model to tokenizer.json beside it (loadable without conversion)."""
    from transformers import AutoTokenizer

    AutoTokenizer.from_pretrained(model_dir).backend_tokenizer.save(str(model_dir / "tokenizer.json"))
    return model_dir / "tokenizer.json"
