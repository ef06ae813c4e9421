"""One submitted document, validated and cleaned once: its text, sentences and title.

Every entry point (library, CLI, batch, service, evaluation) turns what a user sent into a
`Document` with `prepare_document`; the stages after it never see raw input.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from summarizer.errors import InvalidInputError
from summarizer.normalize import clean_document, normalize_text
from summarizer.segment import SentenceSpan, sentence_spans
from summarizer.tokens import syllables
from summarizer.units import Unit, split_units

# A first line is read as the document's title when it looks like one: no final punctuation,
# one sentence of a headline's length, and a body of at least two sentences after it.
_TITLE_END = re.compile(r"[.!?…:;,\"”'»)\]-]$")
_LIST_MARK = re.compile(r"^[-•*+»]|^\d+[.)]\s")
TITLE_MIN_SYLLABLES = 4
TITLE_MAX_SYLLABLES = 40
# a line without final punctuation up to this long is a heading or a link, not a statement
MAX_HEADING_SYLLABLES = 15
_ENDS_LIKE_SENTENCE = re.compile(r"[.!?…;]['\"”’»)\]]*$")


def is_heading(sentence: str, tokens: Sequence[str]) -> bool:
    """True for a heading (or a link line): at most `MAX_HEADING_SYLLABLES` syllables (`tokens`)
    and no sentence-final punctuation."""
    return len(tokens) <= MAX_HEADING_SYLLABLES and not _ENDS_LIKE_SENTENCE.search(sentence)


@dataclass(frozen=True)
class Document:
    """A document ready for the model.

    Attributes:
        text: the cleaned text (NFC, markup and page trailer removed); evidence spans index it.
        sentences: the body's sentences, in order (a title line read from the text is not one).
        spans: where each sentence lies in `text`, aligned with `sentences`.
        title: the title given with the document, or read from its first line ("" if none).
        title_span: (start, end) of the title in `text` when it was read from there.
        trailer_lines: scraped page lines (bylines, related links, menus) removed.
        units: the parts of the sentences that can stand alone (`summarizer.units`), in order.
    """

    text: str
    sentences: tuple[str, ...]
    spans: tuple[SentenceSpan, ...]
    title: str = ""
    title_span: tuple[int, int] | None = None
    trailer_lines: int = 0
    units: tuple[Unit, ...] = ()

    @functools.cached_property
    def tokens(self) -> tuple[list[str], ...]:
        """The syllables (`tokens.syllables`) of each sentence, read once."""
        return tuple(syllables(s) for s in self.sentences)

    @functools.cached_property
    def sections(self) -> tuple[int, ...]:
        """The section of each sentence: 0 up to the first heading (`is_heading`), one more at
        each heading after that."""
        out = []
        section = 0
        for sentence, tokens in zip(self.sentences, self.tokens, strict=True):
            section += is_heading(sentence, tokens)
            out.append(section)
        return tuple(out)

    @property
    def title_given(self) -> bool:
        """True when the title came with the document rather than from its first line."""
        return bool(self.title) and self.title_span is None


def _title_line(text: str, spans: list[SentenceSpan]) -> SentenceSpan | None:
    """The first sentence when it is a title line (see the module constants)."""
    if len(spans) < 3:
        return None
    first = spans[0]
    line = text[first.start : first.end]
    alone_on_line = spans[1].paragraph != first.paragraph
    n = len(syllables(line))
    if (
        alone_on_line
        and TITLE_MIN_SYLLABLES <= n <= TITLE_MAX_SYLLABLES
        and not _TITLE_END.search(line)
        and not _LIST_MARK.match(line)
        and line[:1].isalnum()  # a title may open with a figure ("2,33 triệu tỉ đồng dư nợ …")
    ):
        return first
    return None


def clean_title(title: Any) -> str:
    """A given title as one normalized line ("" for None or blank).

    Raises:
        InvalidInputError: the title is not a string.
    """
    if title is None:
        return ""
    if not isinstance(title, str):
        raise InvalidInputError(f"title must be a string, not {type(title).__name__}")
    _refuse_surrogates("title", title)
    return " ".join(normalize_text(title).split())


_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_surrogates(name: str, text: str) -> None:
    """Lone surrogates (from a JSON escape such as "\\ud800") are not text: refuse them here,
    before they fail later in an encoder or a database."""
    match = _SURROGATE.search(text)
    if match:
        raise InvalidInputError(
            f"{name} holds a lone surrogate (U+{ord(match.group()):04X} at character {match.start()}): "
            "not valid Unicode text; fix the encoding of the source"
        )


def prepare_document(text: Any, *, title: Any = None, detect_title: bool = True) -> Document:
    """Validate and clean one submitted document.

    Args:
        text: the article or report (plain text, HTML remnants allowed, any Unicode form).
        title: its title, when the caller has it apart from the text.
        detect_title: without a given title, read a title-like first line as the title.

    Raises:
        InvalidInputError: text or title is not a string, holds a lone surrogate, the text
            has NUL bytes, or nothing is left to summarize after cleaning.
    """
    if not isinstance(text, str):
        raise InvalidInputError(f"text must be a string, not {type(text).__name__}")
    if "\x00" in text:
        raise InvalidInputError("text contains NUL bytes: it looks like a binary file, not text")
    _refuse_surrogates("text", text)
    given = clean_title(title)
    cleaned = clean_document(text)
    spans = sentence_spans(cleaned.text)
    title_span = None
    if not given and detect_title:
        line = _title_line(cleaned.text, spans)
        if line is not None:
            given = cleaned.text[line.start : line.end]
            title_span = (line.start, line.end)
            spans = spans[1:]
    if not spans:
        raise InvalidInputError("the text is empty (or only whitespace/markup); nothing to summarize")
    return Document(
        text=cleaned.text,
        sentences=tuple(cleaned.text[s.start : s.end] for s in spans),
        spans=tuple(spans),
        title=given,
        title_span=title_span,
        trailer_lines=len(cleaned.trailer),
        units=split_units(cleaned.text, spans),
    )
