"""Sentence splitting for Vietnamese news and official documents.

A line break always ends a sentence (scraped text is one paragraph per line). Inside a
line, a sentence ends at ".", "!", "?", "…" or the official-document ending "./.",
optionally followed by closing quotes or brackets, when a space and an upper-case letter,
digit or opening quote follow, unless the word before the dot is an abbreviation
("TP.", "PGS.TS.", "ThS.", "Th.S.", "ông.") or a single capital initial ("C. Mác").
Numbers ("1.000", "14,14%", "26-6-2024") contain no space after their dot, so never split.
"""

from __future__ import annotations

import re

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

_BOUNDARY = re.compile(r"(?P<end>\./\.|[.!?…]+)(?P<close>[\"”’'»)\]]*)(?P<space>\s+)(?=[\"“‘'«(\[]?[^\W_a-zà-ỹđ])")
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


def _split_line(line: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(line):
        if match.group("end") == "." and _is_abbreviation(line[start : match.start()]):
            continue
        end = match.end("close")
        sentences.append(line[start:end].strip())
        start = match.end("space")
    tail = line[start:].strip()
    if tail:
        sentences.append(tail)
    return [s for s in sentences if s]


def split_sentences(text: str) -> list[str]:
    """Split normalized text into sentences; no character other than spaces is dropped.

    >>> split_sentences("Ông A đến TP. Đà Nẵng. GRDP tăng 14,14%.")
    ['Ông A đến TP. Đà Nẵng.', 'GRDP tăng 14,14%.']
    """
    return [s for line in text.split("\n") for s in _split_line(line.strip())]


def split_paragraphs(text: str) -> list[list[str]]:
    """Sentences grouped by paragraph (line); empty lines are skipped."""
    return [_split_line(line.strip()) for line in text.split("\n") if line.strip()]
