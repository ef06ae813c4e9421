"""Web pages (trafilatura): the article's main text and its title.

Navigation, share bars, related links, bylines, comments and footers are left out; the
contents of <script> and <style> are never read. A page whose main text cannot be told
apart (a short page, a bare fragment) falls back to all of its visible text.
"""

from __future__ import annotations

import logging

from summarizer.errors import DocumentFormatError
from summarizer.formats.base import ExtractedDocument, Format, ReadLimits
from summarizer.formats.limits import CharBudget
from summarizer.formats.quiet import parser_warnings_quiet

logger = logging.getLogger(__name__)


def read_html(data: bytes, name: str, limits: ReadLimits) -> ExtractedDocument:
    """The main text and title of an HTML page (its charset from the page, else detected).

    Raises:
        DocumentFormatError: no text in the page (code `empty_document`).
        DocumentTooLargeError: more text than `limits.max_chars`.
    """
    with parser_warnings_quiet("trafilatura"):
        return _read(data, name, limits)


def _read(data: bytes, name: str, limits: ReadLimits) -> ExtractedDocument:
    import trafilatura  # imported on first use (a quarter of a second)

    try:
        article = trafilatura.bare_extraction(
            data,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            favor_precision=True,
            deduplicate=False,
        )
        text = (article.text or "") if article is not None else ""
        title = " ".join((article.title or "").split()) if article is not None else ""
        if not text.strip():
            text = trafilatura.html2txt(data) or ""
    except Exception as exc:  # lxml and trafilatura on a page they cannot parse
        logger.debug("trafilatura failed on %s: %s", name, type(exc).__name__)
        raise DocumentFormatError(
            f"{name} is an HTML page that cannot be parsed ({type(exc).__name__})", "damaged_file"
        ) from None
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if title and lines and lines[0].casefold() == title.casefold():
        lines = lines[1:]  # the page's <h1> repeats its title
    if not lines:
        raise DocumentFormatError(f"{name} is an HTML page with no article text", "empty_document")
    CharBudget(name, limits.max_chars).take("\n".join(lines))
    return ExtractedDocument(text="\n".join(lines), title=title or None, format=Format.HTML)
