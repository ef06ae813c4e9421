"""Syllable tokens of normalized Vietnamese text: one definition for features, selection and ROUGE."""

from __future__ import annotations

import re

# a number with its group/decimal separators ("14,14", "1.000") is one token; otherwise runs
# of letters (and digits glued to letters): Vietnamese syllables, names, acronyms
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W_]+")


def syllables(text: str) -> list[str]:
    """Lower-cased syllable tokens of already-normalized text (NFC, canonical tones).

    >>> syllables("GRDP tăng 14,14%, đứng đầu cả nước.")
    ['grdp', 'tăng', '14,14', 'đứng', 'đầu', 'cả', 'nước']
    """
    return _TOKEN.findall(text.lower())


def has_syllable(text: str) -> bool:
    """True when `syllables(text)` would not be empty (without building the list)."""
    return _TOKEN.search(text) is not None
