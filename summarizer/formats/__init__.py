"""Reading documents from files: plain text, Word .docx, PDF and HTML.

    >>> from summarizer.formats import read_document
    >>> doc = read_document(Path("report.pdf").read_bytes(), "report.pdf")
    >>> summarizer.summarize(doc.text, title=doc.title)

The format is told from the content (`sniff_format`), not from the file name: a PDF named
.txt is read as a PDF. Each reader returns an `ExtractedDocument` (text without page
furniture, and the title the file names) or raises a `DocumentFormatError` whose `code`
names the problem (`unsupported_format`, `invalid_encoding`, `damaged_file`, `encrypted_pdf`,
`no_text_layer`, `empty_document`; `DocumentTooLargeError`: `too_many_pages`,
`document_too_large`, `text_too_long`). Everything is read in memory; nothing is written to disk.
`StreamCheck` checks a file's bytes while they are still arriving, so that a reader of an
endless or binary stream (`/dev/zero`) stops at once.
"""

from __future__ import annotations

from summarizer.errors import DocumentFormatError, DocumentTooLargeError, UnsupportedFormatError
from summarizer.formats.base import ExtractedDocument, Format, ReadLimits
from summarizer.formats.sniff import HEAD_BYTES, sniff_format
from summarizer.formats.text import TextCheck, read_text

__all__ = [
    "HEAD_BYTES",
    "DocumentFormatError",
    "DocumentTooLargeError",
    "ExtractedDocument",
    "Format",
    "ReadLimits",
    "StreamCheck",
    "UnsupportedFormatError",
    "read_document",
    "sniff_format",
]


def read_document(
    data: bytes, filename: str | None = None, *, limits: ReadLimits | None = None, name: str | None = None
) -> ExtractedDocument:
    """The text and title of a file's bytes, whatever its format.

    Args:
        data: the whole file.
        filename: its name, if known (only a .html/.htm name is used, to recognize a page
            that does not open with an HTML tag).
        limits: pages, unpacked size and characters to refuse past (default: `ReadLimits()`).
        name: how error messages call the file (default: `filename`, else "the file").

    Raises:
        DocumentFormatError: the file cannot be read (see the module's codes); an
            `InvalidInputError`, so the CLI reports it as one line and exit status 2.
    """
    limits = limits or ReadLimits()
    name = name or filename or "the file"
    kind = sniff_format(data[:HEAD_BYTES], filename, name=name)
    if kind is Format.PDF:
        from summarizer.formats.pdf_reader import read_pdf

        return read_pdf(data, name, limits)
    if kind is Format.DOCX:
        from summarizer.formats.docx_reader import read_docx

        return read_docx(data, name, limits)
    if kind is Format.HTML:
        from summarizer.formats.html_reader import read_html

        return read_html(data, name, limits)
    return read_text(data, name)


class StreamCheck:
    """Checks a file's bytes as they arrive (call it with each chunk, in order).

    The first chunk decides the format (it should hold at least `HEAD_BYTES`, or the whole
    file): a binary file of no known format is refused at once; plain text is checked chunk
    by chunk for NUL bytes and invalid UTF-8, so that an endless stream of either stops at
    its first bad byte. .docx, .pdf and .html are checked once whole, by `read_document`.
    """

    def __init__(self, filename: str | None = None, *, name: str | None = None) -> None:
        self.filename = filename
        self.name = name or filename or "the file"
        self.format: Format | None = None
        self._text: TextCheck | None = None

    def __call__(self, chunk: bytes) -> None:
        """Check the next chunk.

        Raises:
            UnsupportedFormatError, DocumentFormatError: as soon as the bytes show the file
                cannot be read.
        """
        if self.format is None:
            self.format = sniff_format(chunk[:HEAD_BYTES], self.filename, name=self.name)
            if self.format is Format.TEXT:
                self._text = TextCheck(self.name, chunk[:4])
        if self._text is not None:
            self._text.feed(chunk)
