"""Units: the pieces of a sentence that can stand alone, each with its exact span.

Long report sentences chain several points: "… đề nghị tỉnh khắc phục các hạn chế; tiếp tục
tháo gỡ các điểm nghẽn; phát huy nội lực." A unit is one of them. Sentences are split:
- at ";" (outside brackets and quotes);
- after a list opener ending in ":" when a list follows ("Cùng dự có các đồng chí: …");
- before ", đồng thời" and similar connectives that start a second clause, when both sides
  are long enough to stand alone.

Every unit is `Document.text[start:end]` exactly (no character added or dropped inside it),
so a line made of units keeps exact evidence. A unit also knows its `role`:
- "opener": it announces a list ("… như sau:", "… gồm:", "… 9 điểm sáng như sau.");
- "item": it is a list item ("- …", "a) …", "Thứ nhất, …", "Một là, …");
- "statement": anything else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from summarizer.segment import SentenceSpan, stripped_spans
from summarizer.tokens import syllables

OPENER = "opener"
ITEM = "item"
STATEMENT = "statement"

# a part shorter than this is not split off (it could not stand alone)
MIN_UNIT_SYLLABLES = 5
# connectives that open a second clause of its own after ", "
_CONNECTIVES = ("đồng thời", "qua đó", "từ đó", "bên cạnh đó", "ngoài ra")
_CONNECTIVE = re.compile(r",\s+(?=(?:" + "|".join(_CONNECTIVES) + r")\b)", re.IGNORECASE)
_SEMICOLON = re.compile(r";\s+")
_COLON = re.compile(r":\s+(?![\"“'‘«])")
# the words that end a list opener ("… như sau:", "… gồm:")
_OPENER_WORDS = ("như sau", "sau đây", "cụ thể như sau", "bao gồm", "gồm có", "gồm")
_OPENER_END = re.compile(rf"(?::|\b(?:{'|'.join(_OPENER_WORDS)})\s*[:.]?)\s*$", re.IGNORECASE)
# ordinals and counting words that open a list item ("thứ hai", "ba là")
ORDINALS = "nhất|hai|ba|tư|năm|sáu|bảy|tám|chín|mười"
COUNTING = "một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười"
_ITEM_START = re.compile(
    rf"^(?:[-•*+–—]\s*|\d{{1,2}}[.)]\s|[a-zđ][.)]\s|[ivx]{{1,4}}[.)]\s"
    rf"|thứ (?:{ORDINALS})\b|(?:{COUNTING}) là\b)",
    re.IGNORECASE,
)
_OPENING = "([{“‘«"  # straight quotes toggle (below); "'" is also an apostrophe and is not counted
_CLOSING = ")]}”’»"


@dataclass(frozen=True)
class Unit:
    """A part of one sentence that can stand alone: `text[start:end]` of the cleaned text.

    Attributes:
        start, end: its span in `Document.text`.
        sentence: index of its sentence in `Document.sentences`.
        paragraph: the paragraph (line) of that sentence.
        role: "statement", "opener" (announces a list) or "item" (a list item).
        first: True for the first unit of its sentence.
    """

    start: int
    end: int
    sentence: int
    paragraph: int
    role: str = STATEMENT
    first: bool = True


def role_of(text: str) -> str:
    """ "opener", "item" or "statement" for one unit's text (see the module docstring)."""
    stripped = text.strip()
    if _ITEM_START.match(stripped):
        return ITEM
    if stripped.endswith(":") or (_may_open_list(stripped) and _OPENER_END.search(stripped.rstrip("."))):
        return OPENER
    return STATEMENT


def _may_open_list(text: str) -> bool:
    """False when `_OPENER_END` cannot match `text.rstrip(".")`: its end is neither a colon nor one
    of the opener words (checked without searching the whole text)."""
    tail = text.rstrip(".").rstrip()
    if tail.endswith(":"):
        return True
    if tail.endswith("."):
        tail = tail[:-1].rstrip()
    return tail.casefold().endswith(_OPENER_WORDS)


def nesting_depth(sentence: str) -> list[int]:
    """Bracket/quote nesting depth before each character (straight quotes toggle)."""
    if '"' not in sentence and not any(ch in sentence for ch in _OPENING):
        return [0] * len(sentence)  # most sentences: nothing opens, so nothing nests
    depth = 0
    straight = False
    out = []
    for ch in sentence:
        out.append(depth + straight)
        if ch == '"':
            straight = not straight
        elif ch in _OPENING:
            depth += 1
        elif ch in _CLOSING and depth > 0:
            depth -= 1
    return out


def _cuts(sentence: str) -> list[tuple[int, int]]:
    """(end of the left part, start of the right part) of each split point of one sentence."""
    matches = [(pattern, m) for pattern in (_SEMICOLON, _COLON, _CONNECTIVE) for m in pattern.finditer(sentence)]
    depth = nesting_depth(sentence) if matches else []  # most sentences have no split point
    cuts: list[tuple[int, int]] = []
    for pattern, match in matches:
        if depth[match.start()] == 0:
            # the opener keeps its ":"
            cuts.append((match.start() + (pattern is _COLON), match.end()))
    return sorted(set(cuts))


def split_sentence(sentence: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the units of one sentence, in order; spaces trimmed.

    A split is kept only when both sides have at least `MIN_UNIT_SYLLABLES` syllables.

    >>> s = "Tỉnh cần khắc phục các hạn chế đã chỉ ra; tiếp tục tháo gỡ các điểm nghẽn của tỉnh."
    >>> [s[a:b] for a, b in split_sentence(s)]
    ['Tỉnh cần khắc phục các hạn chế đã chỉ ra', 'tiếp tục tháo gỡ các điểm nghẽn của tỉnh.']
    """
    pieces: list[tuple[int, int]] = []
    start = 0
    for left_end, right_start in _cuts(sentence):
        if left_end <= start:
            continue
        left, right = sentence[start:left_end], sentence[right_start:]
        if len(syllables(left)) < MIN_UNIT_SYLLABLES or len(syllables(right)) < MIN_UNIT_SYLLABLES:
            continue
        pieces.append((start, left_end))
        start = right_start
    pieces.append((start, len(sentence)))
    return list(stripped_spans(sentence, pieces))


def split_units(text: str, spans: Sequence[SentenceSpan]) -> tuple[Unit, ...]:
    """The units of every sentence of a document (`spans` index `text`), in order."""
    units: list[Unit] = []
    for index, span in enumerate(spans):
        sentence = text[span.start : span.end]
        for k, (a, b) in enumerate(split_sentence(sentence)):
            units.append(
                Unit(
                    start=span.start + a,
                    end=span.start + b,
                    sentence=index,
                    paragraph=span.paragraph,
                    role=role_of(sentence[a:b]),
                    first=k == 0,
                )
            )
    return tuple(units)
