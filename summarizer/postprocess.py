"""Clean-up of generated text: special tokens, normalization, sentence shape, de-duplication."""

from __future__ import annotations

import re

from summarizer.normalize import normalize_text
from summarizer.segment import split_sentences

_SPECIAL = re.compile(r"<extra_id_\d+>|</s>|<s>|<pad>|<unk>")
_TASK_PREFIX = re.compile(r"^(?:tiêu đề|tóm tắt|vietnews|summarize)\s*:\s*", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?:[.!?…]|\./\.)[\"”’')\]]*$")


def clean_generated(text: str) -> str:
    """Remove special tokens and echoed task prefixes, normalize, capitalize the first letter."""
    text = _SPECIAL.sub(" ", text)
    text = normalize_text(text).replace("\n", " ")
    text = _TASK_PREFIX.sub("", text).strip(" -–")
    return text[:1].upper() + text[1:] if text else text


def as_sentence(text: str) -> str:
    """Ensure the text ends like a sentence (adds "." where it does not)."""
    text = text.rstrip(" ,;:-–")
    if text and not _SENTENCE_END.search(text):
        text += "."
    return text


def as_headline(text: str) -> str:
    """One sentence on one line, no final full stop (headline style); keeps "?", "!", "…"."""
    sentences = split_sentences(text.split("\n", 1)[0].strip())
    text = sentences[0] if sentences else ""
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
