"""Clean-up of generated text: special tokens, normalization, sentence shape, de-duplication."""

from __future__ import annotations

import re
from collections.abc import Iterable

from summarizer.normalize import normalize_text
from summarizer.segment import plain_full_stop, split_sentences

_SPECIAL = re.compile(r"<extra_id_\d+>|</s>|<s>|<pad>|<unk>")
_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?:[.!?…]|\./\.)[\"”’')\]]*$")


def clean_generated(text: str, *, prefixes: Iterable[str] = ()) -> str:
    """Remove special tokens and an echoed task prefix, normalize, capitalize the first letter.

    `prefixes` are the model's task prefixes (its registry entry's), e.g. "tóm tắt: ".
    """
    text = _SPECIAL.sub(" ", text)
    text = normalize_text(text).replace("\n", " ").strip()
    for prefix in sorted({p.strip().rstrip(":").strip() for p in prefixes if p.strip()}, key=len, reverse=True):
        match = re.match(rf"{re.escape(prefix)}\s*:\s*", text, re.IGNORECASE)
        if match:
            text = text[match.end() :]
            break
    text = text.strip(" -–")
    return text[:1].upper() + text[1:] if text else text


def as_sentence_list(generated: str) -> list[str]:
    """Generated text as a list of complete sentences."""
    return [as_sentence(s) for s in split_sentences(generated) if s.strip(" .")]


def as_sentence(text: str) -> str:
    """Ensure the text ends like a sentence (adds "." where it does not)."""
    text = text.rstrip(" ,;:-–")
    if text and not _SENTENCE_END.search(text):
        text += "."
    return text


def as_headline(text: str) -> str:
    """One sentence on one line, no final full stop (headline style); keeps "?", "!", "…"."""
    sentences = split_sentences(text.split("\n", 1)[0].strip())
    text = plain_full_stop(sentences[0]) if sentences else ""
    return text[:-1].rstrip() if text.endswith(".") and not text.endswith("..") else text


def _bag(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def dedupe(sentences: list[str], *, threshold: float = 0.8) -> list[str]:
    """Drop sentences that repeat an earlier one (word-set Jaccard ≥ `threshold`); keep order."""
    kept: list[str] = []
    bags: list[set[str]] = []
    for sentence in sentences:
        bag = _bag(sentence)
        if not bag:
            continue
        if any(len(bag & b) / len(bag | b) >= threshold for b in bags):
            continue
        kept.append(sentence)
        bags.append(bag)
    return kept
