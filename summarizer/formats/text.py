"""Plain text: UTF-8 (with or without a byte-order mark) or UTF-16 with a byte-order mark."""

from __future__ import annotations

import codecs

from summarizer.errors import DocumentFormatError, UnsupportedFormatError
from summarizer.formats.base import ExtractedDocument, Format

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def text_encoding(head: bytes) -> str:
    """The codec of a text file that starts with `head`: UTF-16 when it has that byte-order mark."""
    return "utf-16" if head.startswith(_UTF16_BOMS) else "utf-8-sig"


def binary_error(name: str) -> UnsupportedFormatError:
    return UnsupportedFormatError(
        f"{name} looks like a binary file, not text (tomtat reads text, .docx, .pdf and .html files)"
    )


def encoding_error(name: str, byte: int) -> DocumentFormatError:
    return DocumentFormatError(
        f"{name} is not UTF-8 text (byte {byte}); convert it first from its encoding "
        f"(e.g. cp1258 or latin-1): `iconv -f cp1258 -t utf-8 {name}`",
        "invalid_encoding",
    )


class TextCheck:
    """Checks text as it arrives, chunk by chunk: the first NUL byte or invalid UTF-8 stops it."""

    def __init__(self, name: str, head: bytes) -> None:
        self.name = name
        self.encoding = text_encoding(head)
        self._decoder = codecs.getincrementaldecoder(self.encoding)()
        self._offset = 0

    def feed(self, chunk: bytes) -> None:
        """Check the next chunk of the file.

        Raises:
            UnsupportedFormatError: a NUL byte in UTF-8 text (a binary file).
            DocumentFormatError: bytes that are not valid in the file's encoding.
        """
        if self.encoding != "utf-16" and b"\x00" in chunk:
            raise binary_error(self.name)
        try:
            self._decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            raise encoding_error(self.name, self._offset + exc.start) from None
        self._offset += len(chunk)


def read_text(data: bytes, name: str) -> ExtractedDocument:
    """A plain-text file (its title, if any, is left to the summarizer's first-line rule).

    Raises:
        UnsupportedFormatError: NUL bytes (a binary file).
        DocumentFormatError: not UTF-8 (code `invalid_encoding`).
    """
    check = TextCheck(name, data[:4])
    check.feed(data)
    try:
        text = data.decode(check.encoding)
    except UnicodeDecodeError as exc:  # a sequence cut at the end of the file
        raise encoding_error(name, exc.start) from None
    return ExtractedDocument(text=text, title=None, format=Format.TEXT)
