"""Syllable tokens of normalized Vietnamese text: one definition for features, selection and ROUGE."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

# a number with its group/decimal separators ("14,14", "1.000") is one token; otherwise runs
# of letters (and digits glued to letters): Vietnamese syllables, names, acronyms
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W_]+")


def syllables(text: str) -> list[str]:
    """Lower-cased syllable tokens of already-normalized text (NFC, canonical tones).

    >>> syllables("GRDP tăng 14,14%, đứng đầu cả nước.")
    ['grdp', 'tăng', '14,14', 'đứng', 'đầu', 'cả', 'nước']
    """
    if len(text) > _CACHED_CHARS:
        return _TOKEN.findall(text.lower())
    return list(_syllables(text))


# a line is tokenized by compression, selection and features in turn (in ext-vi, half of what
# `syllables` reads was read before): lines and sentences (at most `segment.MAX_SENTENCE_CHARS`)
# are cached, whole texts are not; at most a few tens of MB, whatever the input
_CACHED_CHARS = 1000


@functools.lru_cache(maxsize=4096)
def _syllables(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(text.lower()))


def has_syllable(text: str) -> bool:
    """True when `syllables(text)` would not be empty (without building the list)."""
    return _TOKEN.search(text) is not None


class Cues:
    """Cue phrases found on a line's syllables: phrase `p` is in a line when `" p "` is in the line's
    syllables joined by single spaces (and padded with one). Phrases are looked up by their first
    syllable, so a line is read once instead of once per phrase.

    >>> Cues(("khó khăn", "chậm")).found(syllables("Dự án chậm vì khó khăn về vốn."))
    [0, 1]
    """

    def __init__(self, phrases: Sequence[str]) -> None:
        self.phrases = tuple(phrases)
        odd = [p for p in self.phrases if not p or " ".join(syllables(p)) != p]
        if odd:  # the lookup is exact only for phrases written as `syllables` gives them
            raise ValueError(f"cue phrases must be lower-case syllables separated by single spaces: {odd}")
        self._by_first: dict[str, list[tuple[int, str | None]]] = {}
        for index, phrase in enumerate(self.phrases):
            words = phrase.split()
            # a one-syllable phrase is in a line exactly when it is one of its syllables
            self._by_first.setdefault(words[0], []).append((index, f" {phrase} " if len(words) > 1 else None))
        self._firsts = frozenset(self._by_first)

    def found(self, tokens: Sequence[str]) -> list[int]:
        """The indexes of the phrases in the line of syllables `tokens`, ascending."""
        present = self._firsts.intersection(tokens)
        if not present:
            return []
        joined = f" {' '.join(tokens)} "
        return sorted(i for word in present for i, key in self._by_first[word] if key is None or key in joined)
