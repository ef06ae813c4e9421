"""Which format a file is, from its first bytes (its name only breaks a tie for HTML)."""

from __future__ import annotations

import re
from pathlib import PurePath

from summarizer.errors import UnsupportedFormatError
from summarizer.formats.base import Format
from summarizer.formats.text import binary_error

HEAD_BYTES = 8192  # enough of the start of a file to tell its format

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97-2003 (.doc, .xls, .ppt)

# binary files people pick by mistake, named in the error
_OTHER_MAGIC = (
    (
        OLE_MAGIC,
        "an old Word .doc (Office 97-2003) file or a password-protected Office file: "
        "save it as .docx (without a password) or .pdf",
    ),
    (b"{\\rtf", "an RTF document: save it as .docx or .txt"),
    (b"\x89PNG", "a PNG image: tomtat reads text, not pictures (no OCR)"),
    (b"\xff\xd8\xff", "a JPEG image: tomtat reads text, not pictures (no OCR)"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "gzip-compressed data: decompress it first"),
    (b"\xfd7zXZ\x00", "xz-compressed data: decompress it first"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
)

_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)[\s>]", re.I | re.S
)
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})


def sniff_format(head: bytes, filename: str | None = None, *, name: str | None = None) -> Format:
    """The format of a file that starts with `head` (its first `HEAD_BYTES`, or all of it).

    Content decides: a PDF renamed .txt is read as a PDF. HTML is recognized by its opening
    tag, or by a .html/.htm name and a first character "<".

    Raises:
        UnsupportedFormatError: a binary file of another kind (old .doc, image, archive...).
    """
    name = name or filename or "the file"
    if PDF_MAGIC in head[:1024]:
        return Format.PDF
    if head.startswith(ZIP_MAGIC):
        return Format.DOCX  # the reader tells a .docx from other zip files
    for magic, what in _OTHER_MAGIC:
        if head.startswith(magic):
            raise UnsupportedFormatError(f"{name} is {what}")
    text = head.removeprefix(b"\xef\xbb\xbf")
    if _HTML_START.match(text):
        return Format.HTML
    suffix = PurePath(filename).suffix.lower() if filename else ""
    if suffix in HTML_SUFFIXES and text.lstrip()[:1] == b"<":
        return Format.HTML
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise binary_error(name)
    return Format.TEXT
