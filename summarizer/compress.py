"""Light compression of extracted sentences: the output stays text of the source.

Each rule removes page furniture that an editor would delete by hand, never content words:
- `source_tag`: a dateline or source tag opening a sentence ("TCCS - ", "HÀ NỘI - ",
  "(Dân trí) - ", "VOV.VN - ");
- `photo_credit`: photo and video credits ("(Ảnh: TTXVN)", "Ảnh minh họa", "(Video: ...)");
- `attribution`: a parenthetical source at the end ("(theo VnExpress)", "(PV)", "(TTXVN)");
- `trailing_byline`: a signature glued after the last full stop ("... ./. Hà Phương").

Rules are named so evaluation can switch each one off (`RULES`); a rule is kept only when
it raises ROUGE on validation (see models/ext-vi/README.md). Removal is at the start or the
end of a sentence, so what remains is one contiguous span of the source: `compress` returns
its offsets, and evidence stays exact.

`headline_form` shortens a sentence into a headline: it also drops a leading time phrase
("Ngày 26-6-2024, ", "Sáng 5/7, ") and keeps the leading clauses within a syllable budget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from summarizer.tokens import syllables

_UPPER_TAG = r"[A-ZĐÀ-Ỹ0-9][A-ZĐÀ-Ỹ0-9.\s]{0,28}?"
_SOURCE_TAG = re.compile(
    rf"^(?:\([^()]{{1,30}}\)|{_UPPER_TAG}|[\wÀ-ỹ]+\.(?:vn|VN|com|net))\s*[-–—]\s*(?=[\"“(]?[A-ZĐÀ-Ỹ0-9])"
)
_PHOTO = re.compile(
    r"\s*\((?:ảnh|video|clip|nguồn ảnh|ảnh minh họa)(?:\s*:[^()]{0,80})?\)"
    r"|\s*[-–]?\s*ảnh(?: minh họa)?\s*:\s*[^.]{1,60}\.?$",
    re.IGNORECASE,
)
_ATTRIBUTION = re.compile(
    r"\s*\((?:theo|nguồn|pv|ptv|ctv|ttxvn|tttxvn|vtv|vov|tổng hợp)\b[^()]{0,60}\)(?=[.!?…\s]*$)",
    re.IGNORECASE,
)
_TRAILING_BYLINE = re.compile(r"(?<=[.!?…])(?:/\.)?\s+(?:[A-ZĐÀ-Ỹ][\wÀ-ỹ]*\s?){1,4}$")
_LEAD_TIME = re.compile(
    r"^(?:(?:sáng|trưa|chiều|tối|đêm|rạng sáng|ngày|hôm|trong ngày|vào)\s+(?:nay\s+)?(?:ngày\s+)?"
    r"(?:\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?|qua|nay|hôm qua)|(?:sáng|chiều|tối|trưa)\s+nay)"
    r"(?:\s*\([^()]{0,20}\))?\s*,\s*",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[,;:]\s|\s[-–]\s")
_END_PUNCT = ".!?…;,:"

RULES = ("source_tag", "photo_credit", "attribution", "trailing_byline")
HEADLINE_MAX_SYLLABLES = 25
HEADLINE_MIN_SYLLABLES = 6


@dataclass(frozen=True)
class Compressed:
    """A compressed sentence and where it lies in the original one.

    `start`/`end` are offsets into the original sentence: `sentence[start:end] == text` when
    only its start or end was removed; otherwise (a removal in the middle) they cover the
    whole sentence.
    """

    text: str
    start: int
    end: int


def compress(sentence: str, *, rules: tuple[str, ...] = RULES) -> Compressed:
    """Apply the enabled `rules` (see the module docstring) to one sentence."""
    text = sentence
    if "source_tag" in rules:
        match = _SOURCE_TAG.match(text)
        if match and len(syllables(text[match.end() :])) >= 4:
            text = text[match.end() :]
    if "trailing_byline" in rules:
        match = _TRAILING_BYLINE.search(text)
        if match and match.start() > 0:
            text = text[: match.start()]
    if "attribution" in rules:
        text = _ATTRIBUTION.sub("", text)
    if "photo_credit" in rules:
        removed = _PHOTO.sub("", text)
        if syllables(removed):
            text = removed
    text = text.strip()
    start = sentence.find(text)
    if start < 0:
        return Compressed(text, 0, len(sentence))
    return Compressed(text, start, start + len(text))


def is_photo_caption(sentence: str) -> bool:
    """A whole sentence that is only a photo/video credit ("Ảnh: TTXVN.", "(Ảnh minh họa)")."""
    return not syllables(_PHOTO.sub("", sentence))


def headline_form(sentence: str, *, max_syllables: int = HEADLINE_MAX_SYLLABLES) -> str:
    """A sentence shortened into a headline: no tag, no leading time phrase, leading clauses only.

    Clauses are kept up to `max_syllables`; when even the first clause is longer, it is kept
    whole rather than cut mid-phrase. No final full stop.

    >>> headline_form("TCCS - Ngày 26-6-2024, tỉnh Bắc Giang đạt tăng trưởng 14,14%, đứng đầu cả nước.")
    'Tỉnh Bắc Giang đạt tăng trưởng 14,14%, đứng đầu cả nước'
    """
    text = compress(sentence).text
    shorter = _LEAD_TIME.sub("", text)
    if len(syllables(shorter)) >= HEADLINE_MIN_SYLLABLES:
        text = shorter[:1].upper() + shorter[1:]
    if len(syllables(text)) > max_syllables:
        cuts = [m.start() for m in _CLAUSE_END.finditer(text)]
        sizes = [len(syllables(text[:c])) for c in cuts]
        fitting = [c for c, n in zip(cuts, sizes, strict=True) if HEADLINE_MIN_SYLLABLES <= n <= max_syllables]
        longer = [c for c, n in zip(cuts, sizes, strict=True) if n > max_syllables]
        if fitting:
            text = text[: fitting[-1]]
        elif longer:
            text = text[: longer[0]]
    return text.rstrip(" .,;:-–")
