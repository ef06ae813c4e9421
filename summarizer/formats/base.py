"""The types every reader shares: the formats, the reading limits and what a reader returns."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Format(StrEnum):
    """The kinds of file tomtat reads."""

    TEXT = "text"
    DOCX = "docx"
    PDF = "pdf"
    HTML = "html"


@dataclass(frozen=True)
class ReadLimits:
    """What a reader refuses to go past (`DocumentTooLargeError`).

    Attributes:
        max_pages: pages of a PDF.
        max_unpacked_bytes: the sum of a .docx's members once unzipped (a zip bomb stops here,
            before anything is decompressed).
        max_chars: characters of the text read (None: no limit); a reader stops as soon as
            it passes it rather than reading the rest of a long file.
    """

    max_pages: int = 1000
    max_unpacked_bytes: int = 200_000_000
    max_chars: int | None = None


@dataclass(frozen=True)
class ExtractedDocument:
    """A file's text as the summarizer should read it.

    Attributes:
        text: plain text, one paragraph per line (headings on lines of their own); page
            furniture (running headers and footers, page numbers, navigation...) removed.
            It does not repeat `title`.
        title: the document's title when the file says which it is (a Word title or first
            heading, a PDF's first large line, a web page's headline), else None.
        format: what the content was read as.
        pages: a PDF's page count (None for other formats).
    """

    text: str
    title: str | None
    format: Format
    pages: int | None = None
