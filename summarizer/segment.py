"""Sentence splitting for Vietnamese news and official documents.

A line break always ends a sentence (scraped text is one paragraph per line). Inside a
line, a sentence ends at ".", "!", "?", "…" or the official-document ending "./.",
optionally followed by closing quotes or brackets, when a space and an upper-case letter,
digit or opening quote follow, unless the word before the dot is an abbreviation
("TP.", "PGS.TS.", "ThS.", "Th.S.", "ông.") or a single capital initial ("C. Mác").
Numbers ("1.000", "14,14%", "26-6-2024") contain no space after their dot, so never split.
A run longer than `MAX_SENTENCE_CHARS` without such an ending is cut into bounded pieces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Abbreviations after which a dot never ends a sentence (compared lower-case, the last
# dotted part counts: "PGS.TS." -> "ts").
ABBREVIATIONS = frozenset(
    {
        "tp",
        "tx",
        "q",
        "p",
        "h",
        "kp",
        "tt",
        "pgs",
        "gs",
        "ts",
        "ths",
        "th",
        "bs",
        "ks",
        "cn",
        "ls",
        "ds",
        "nxb",
        "nsnd",
        "nsưt",
        "ttnd",
        "ttưt",
        "ubnd",
        "hđnd",
        "st",
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "tr",
        "ng",
        "sđd",
        "tlđd",
        "vd",
        "tel",
        "fax",
    }
)

# A sentence is at most this long: text without sentence punctuation (a pasted table, a run of
# words or of combining accents) is cut into pieces of this size, at a space where there is one.
MAX_SENTENCE_CHARS = 1000

# the next sentence must start with an upper-case letter or a digit (checked in code: a
# character class cannot tell Vietnamese capitals such as "Đ" or "Ấ" from small letters)
_BOUNDARY = re.compile(r"(?P<end>\./\.|[.!?…]+)(?P<close>[\"”’'»)\]]*)(?P<space>\s+)(?P<open>[\"“‘'«(\[]?)(?=\w)")
_WORD_BEFORE = re.compile(r"(\S+)$")


def _is_abbreviation(text_before: str) -> bool:
    match = _WORD_BEFORE.search(text_before)
    if not match:
        return False
    word = match.group(1).lstrip("(\"“'‘")
    if word.lower() == "v.v":  # "vân vân" closes an enumeration, usually the sentence too
        return False
    last = word.rsplit(".", 1)[-1].lower()
    if len(last) == 1 and last.isalpha():  # an initial: "C. Mác", "Th.S." -> "s"
        return True
    return last in ABBREVIATIONS or word.lower() in ABBREVIATIONS


def _line_spans(line: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence of one line, offsets shifted by `offset`, spaces trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(line):
        first = line[match.end()]
        if not (first.isupper() or first.isdigit()):
            continue
        if match.group("end") == "." and _is_abbreviation(line[start : match.start()]):
            continue
        spans.append((start, match.end("close")))
        start = match.end("space")
    spans.append((start, len(line)))
    out = []
    for begin, end in (piece for span in spans for piece in _bounded(line, *span)):
        piece = line[begin:end]
        stripped = piece.strip()
        if stripped:
            begin += len(piece) - len(piece.lstrip())
            out.append((offset + begin, offset + begin + len(stripped)))
    return out


def _bounded(line: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) cut into pieces of at most `MAX_SENTENCE_CHARS`: at the last space before
    the limit (in its second half), else at the limit itself (a run without spaces)."""
    pieces = []
    while end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        cut = line.rfind(" ", start + MAX_SENTENCE_CHARS // 2, limit)
        cut = cut if cut > start else limit
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def _split_line(line: str) -> list[str]:
    return [line[a:b] for a, b in _line_spans(line)]


@dataclass(frozen=True)
class SentenceSpan:
    """Where one sentence lies in a text: `text[start:end]`, in paragraph (line) `paragraph`."""

    start: int
    end: int
    paragraph: int


def sentence_spans(text: str) -> list[SentenceSpan]:
    """Every sentence of `text` with its character span and paragraph number.

    The sentences are exactly those of `split_sentences`; paragraphs are the non-empty lines,
    numbered from 0.

    >>> [("Ông A đến. Bà B về."[s.start:s.end], s.paragraph) for s in sentence_spans("Ông A đến. Bà B về.")]
    [('Ông A đến.', 0), ('Bà B về.', 0)]
    """
    spans: list[SentenceSpan] = []
    offset = 0
    paragraph = 0
    for line in text.split("\n"):
        found = _line_spans(line, offset)
        spans.extend(SentenceSpan(a, b, paragraph) for a, b in found)
        paragraph += bool(found)
        offset += len(line) + 1
    return spans


def split_sentences(text: str) -> list[str]:
    """Split normalized text into sentences; no character other than spaces is dropped.

    >>> split_sentences("Ông A đến TP. Đà Nẵng. GRDP tăng 14,14%.")
    ['Ông A đến TP. Đà Nẵng.', 'GRDP tăng 14,14%.']
    """
    return [s for line in text.split("\n") for s in _split_line(line)]


def split_paragraphs(text: str) -> list[list[str]]:
    """Sentences grouped by paragraph (line); empty lines are skipped."""
    return [_split_line(line) for line in text.split("\n") if line.strip()]


OFFICIAL_ENDING = "./."


def official_ending_length(sentence: str) -> int:
    """How many characters to cut so that an official-document ending "./." reads as a plain full
    stop: 2 (the "/.") when `sentence` ends with it, else 0. A sentence keeps its "./." in the
    text (it marks where a document ends); an output line shows a full stop."""
    return 2 if sentence.rstrip().endswith(OFFICIAL_ENDING) else 0


def plain_full_stop(sentence: str) -> str:
    """`sentence` with a final "./." written as "." (see `official_ending_length`)."""
    sentence = sentence.rstrip()
    return sentence[: len(sentence) - official_ending_length(sentence)]


def stripped_spans(text: str, spans: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """`spans` of `text` without their surrounding whitespace; the ones left empty dropped."""
    out = []
    for a, b in spans:
        piece = text[a:b]
        a += len(piece) - len(piece.lstrip())
        b = a + len(piece.strip())
        if b > a:
            out.append((a, b))
    return tuple(out)
