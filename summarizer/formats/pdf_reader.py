"""PDF files (pypdf): the text layer, as paragraphs, without the page furniture.

- Lines are read with their position and font size (pypdf's text visitor).
- Running headers and footers are removed: a line at the top or bottom edge of a page whose
  text (digits aside), size and height recur on at least half of the pages; so are page
  numbers ("3", "- 3 -", "Trang 3/12", "Page 3 of 12") at an edge.
- The first large line(s) of the first page (a font at least `TITLE_SCALE` times the body's)
  are the title.
- Lines are reflowed into paragraphs: a paragraph ends at a wider gap, a change of font
  size, an indented or list-marked next line, or a short line ending a sentence; words cut
  by a hyphen at the end of a line are joined, runs of spaces (justified text) collapsed.

A PDF with no text layer (scanned), an encrypted one and a damaged one get a
`DocumentFormatError` (codes `no_text_layer`, `encrypted_pdf`, `damaged_file`); there is no OCR.
pypdf bounds what a compressed stream may unpack to, so a decompression bomb is refused too.
"""

from __future__ import annotations

import io
import itertools
import logging
import math
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from summarizer.errors import DocumentFormatError, DocumentTooLargeError
from summarizer.formats.base import ExtractedDocument, Format, ReadLimits
from summarizer.formats.limits import CharBudget
from summarizer.formats.quiet import parser_warnings_quiet

logger = logging.getLogger(__name__)

EDGE_LINES = 2  # lines at the top and at the bottom of a page that may be furniture
REPEAT_SHARE = 0.5  # furniture recurs on at least this share of the pages (and on two)
TITLE_SCALE = 1.2  # a title's font is at least this much larger than the body's
TITLE_WITHIN = 6  # ... and among the first lines of the first page
GAP_SCALE = 1.3  # a gap this much wider than the usual line pitch ends a paragraph
SHORT_LINE = 0.75  # a sentence-final line shorter than this share of a usual line ends one

_PAGE_NUMBER = re.compile(
    r"^(?:(?:trang|page|tr\.|p\.)\s*)?[-–—(\[]?\s*\d{1,4}\s*[-–—)\]]?(?:\s*(?:/|of|trên|\|)\s*\d{1,4})?$", re.I
)
_SENTENCE_END = re.compile(r"[.!?…:;][\"”’')»\]]*$")
_LIST_MARK = re.compile(r"^(?:[-–•*+▪●]\s|\d{1,2}[.)]\s|[a-zđ][.)]\s)")
_CUT_WORD = re.compile(r"\w-$")


@dataclass
class _Line:
    text: str
    x: float
    y: float
    size: float
    page: int


def read_pdf(data: bytes, name: str, limits: ReadLimits) -> ExtractedDocument:
    """The text and title of a PDF.

    Raises:
        DocumentFormatError: encrypted, damaged, or without a text layer.
        DocumentTooLargeError: more pages than `limits.max_pages`, more text than
            `limits.max_chars`, or a stream that unpacks past pypdf's limits.
    """
    budget = CharBudget(name, limits.max_chars)
    with parser_warnings_quiet("pypdf"):
        return _read(data, name, limits, budget)


def _read(data: bytes, name: str, limits: ReadLimits, budget: CharBudget) -> ExtractedDocument:
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError, LimitReachedError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # an owner password alone still lets anyone read it
            except (DependencyError, NotImplementedError):
                opened = PasswordType.NOT_DECRYPTED
            if opened == PasswordType.NOT_DECRYPTED:
                raise DocumentFormatError(
                    f"{name} is an encrypted PDF: remove its password (or print it to a new PDF) first",
                    "encrypted_pdf",
                )
        count = len(reader.pages)
        if count > limits.max_pages:
            raise DocumentTooLargeError(
                f"{name} has {count:,} pages; the limit is {limits.max_pages:,}: split it", "too_many_pages"
            )
        pages = []
        for number, page in enumerate(reader.pages):
            lines = _page_lines(page, number)
            for line in lines:
                budget.take(line.text)
            pages.append(lines)
    except DocumentFormatError:
        raise
    except LimitReachedError:
        raise DocumentTooLargeError(
            f"{name} holds a stream that unpacks to more than the PDF reader allows (a decompression bomb?)",
            "document_too_large",
        ) from None
    except Exception as exc:  # any failure of the parser on this file: the file is damaged
        logger.debug("pypdf failed on %s: %s", name, type(exc).__name__)
        raise DocumentFormatError(
            f"{name} is a damaged PDF ({type(exc).__name__}); open and save (or print) it again", "damaged_file"
        ) from None
    lines = _without_furniture(pages)
    if not lines:
        raise DocumentFormatError(
            f"{name} has no text layer (a scanned PDF?): tomtat does no OCR; run OCR on it first "
            "(e.g. ocrmypdf) or send its text",
            "no_text_layer",
        )
    title, lines = _title(lines)
    return ExtractedDocument(text="\n".join(_paragraphs(lines)), title=title, format=Format.PDF, pages=len(pages))


def _page_lines(page: Any, number: int) -> list[_Line]:
    """The page's non-blank lines, in pypdf's order, each with where its first text starts."""
    fragments: list[tuple[str, list[float], list[float], float]] = []
    page.extract_text(visitor_text=lambda text, cm, tm, _font, size: fragments.append((text, cm, tm, size)))
    lines: list[_Line] = []
    parts: list[str] = []
    start: tuple[float, float] | None = None
    size = 0.0

    def flush() -> None:
        nonlocal parts, start, size
        text = " ".join("".join(parts).split())
        if text and start is not None:
            lines.append(_Line(text, start[0], start[1], round(size, 1), number))
        parts, start, size = [], None, 0.0

    for text, cm, tm, font_size in fragments:
        for index, piece in enumerate(text.split("\n")):
            if index:
                flush()
            if not piece:
                continue
            parts.append(piece)
            if piece.strip():
                if start is None:
                    start = _position(cm, tm)
                size = max(size, _font_size(cm, tm, font_size))
    flush()
    return lines


def _position(cm: list[float], tm: list[float]) -> tuple[float, float]:
    """Where the text matrix puts the origin, in page space."""
    x, y = tm[4], tm[5]
    return x * cm[0] + y * cm[2] + cm[4], x * cm[1] + y * cm[3] + cm[5]


def _font_size(cm: list[float], tm: list[float], size: float) -> float:
    return abs(size) * math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3])


def _without_furniture(pages: list[list[_Line]]) -> list[_Line]:
    """Every line but running headers, footers and page numbers at a page's edges."""

    def key(line: _Line) -> tuple[str, float, float]:
        return re.sub(r"\d+", "#", line.text.casefold()), round(line.size), round(line.y / 4)

    edges: list[list[_Line]] = []
    for lines in pages:
        by_height = sorted(lines, key=lambda line: -line.y)
        edges.append(by_height[:EDGE_LINES] + by_height[EDGE_LINES:][-EDGE_LINES:])
    seen_on: defaultdict[tuple[str, float, float], set[int]] = defaultdict(set)
    for number, edge in enumerate(edges):
        for line in edge:
            seen_on[key(line)].add(number)
    needed = max(2, math.ceil(REPEAT_SHARE * len(pages)))
    furniture = {
        id(line)
        for edge in edges
        for line in edge
        if _PAGE_NUMBER.match(line.text) or len(seen_on[key(line)]) >= needed
    }
    return [line for lines in pages for line in lines if id(line) not in furniture]


def _body_size(lines: list[_Line]) -> float:
    weights: Counter[float] = Counter()
    for line in lines:
        weights[line.size] += len(line.text)
    return weights.most_common(1)[0][0]


def _title(lines: list[_Line]) -> tuple[str | None, list[_Line]]:
    """The first page's first large line(s), and the lines without them."""
    body = _body_size(lines)
    first_page = lines[0].page
    for index, line in enumerate(lines[:TITLE_WITHIN]):
        if line.page != first_page:
            break
        if line.size >= TITLE_SCALE * body:
            end = index + 1
            while end < len(lines) and lines[end].page == first_page and abs(lines[end].size - line.size) < 0.6:
                end += 1
            title = lines[index].text
            for following in lines[index + 1 : end]:
                title = _join(title, following.text)
            return title, lines[:index] + lines[end:]
    return None, lines


def _paragraphs(lines: list[_Line]) -> list[str]:
    """Lines joined into paragraphs (see the module's description)."""
    pitch = _usual_pitch(lines)
    lengths = [len(line.text) for line in lines]
    usual_length = statistics.median(lengths) if lengths else 0
    paragraphs: list[str] = []
    current = ""
    previous: _Line | None = None
    for line in lines:
        if previous is not None and not _breaks(previous, line, pitch, usual_length):
            current = _join(current, line.text)
        else:
            if current:
                paragraphs.append(current)
            current = line.text
        previous = line
    if current:
        paragraphs.append(current)
    return paragraphs


def _usual_pitch(lines: list[_Line]) -> float:
    """The most common distance between consecutive lines of one paragraph (0 when unknown)."""
    gaps = [
        round(a.y - b.y, 1) for a, b in itertools.pairwise(lines) if a.page == b.page and a.size == b.size and a.y > b.y
    ]
    return Counter(gaps).most_common(1)[0][0] if gaps else 0.0


def _breaks(previous: _Line, line: _Line, pitch: float, usual_length: float) -> bool:
    """Whether `line` starts a new paragraph after `previous`."""
    ends_sentence = bool(_SENTENCE_END.search(previous.text))
    if line.page != previous.page:
        return ends_sentence
    gap = previous.y - line.y
    if abs(line.size - previous.size) >= 0.6 or gap <= 0 or (pitch and gap > GAP_SCALE * pitch):
        return True
    if _LIST_MARK.match(line.text):
        return True
    indented = line.x > previous.x + 2 * max(line.size, 1.0) / 3
    return ends_sentence and (indented or len(previous.text) < SHORT_LINE * usual_length)


def _join(text: str, following: str) -> str:
    """Two lines of one paragraph as one: a word cut by a hyphen is put back together."""
    if text.endswith("\u00ad"):  # soft hyphen
        return text[:-1] + following
    if _CUT_WORD.search(text):
        return (text[:-1] if following[:1].islower() else text) + following
    return f"{text} {following}"
