"""Word .docx files (python-docx): the body's paragraphs and tables, in order.

Headings stay lines of their own; a table row becomes one line, its cells joined by " | ";
page headers and footers, footnotes and comments are never read. The title is the first
paragraph styled Title, else a heading near the start, else the file's title property.
The zip is checked before anything is decompressed: too many members, or more unpacked
bytes than `ReadLimits.max_unpacked_bytes` (a zip bomb), is refused.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Iterator

from summarizer.errors import DocumentFormatError, DocumentTooLargeError, UnsupportedFormatError
from summarizer.formats.base import ExtractedDocument, Format, ReadLimits
from summarizer.formats.limits import CharBudget

logger = logging.getLogger(__name__)

MAX_MEMBERS = 10_000
TITLE_WITHIN = 5  # a heading is the title when it is one of the first blocks of the body
_OTHER_ZIPS = (
    ("xl/workbook.xml", "an Excel workbook (.xlsx)"),
    ("ppt/presentation.xml", "a PowerPoint presentation (.pptx)"),
    ("content.xml", "an OpenDocument file (.odt/.ods): save it as .docx or .pdf"),
)
_FILE_NAME_TITLE = re.compile(r"^Microsoft Word - |\.docx?$", re.I)


def read_docx(data: bytes, name: str, limits: ReadLimits) -> ExtractedDocument:
    """The text and title of a .docx file.

    Raises:
        UnsupportedFormatError: a zip file that is not a Word document.
        DocumentTooLargeError: over `limits` (unpacked size, members, characters).
        DocumentFormatError: a damaged file (code `damaged_file`).
    """
    _check_zip(data, name, limits)
    import docx  # python-docx: imported on first use

    try:
        document = docx.Document(io.BytesIO(data))
        blocks = list(_blocks(document, name, CharBudget(name, limits.max_chars)))
        property_title = (document.core_properties.title or "").strip()
    except DocumentFormatError:
        raise
    except Exception as exc:  # any failure of the parser on this file: the file is damaged
        logger.debug("python-docx failed on %s: %s", name, type(exc).__name__)
        raise DocumentFormatError(
            f"{name} is a damaged Word file ({type(exc).__name__}); open and save it again in Word", "damaged_file"
        ) from None
    title = None
    for index, (text, style) in enumerate(blocks):
        if style == "title" or (style == "heading" and index < TITLE_WITHIN):
            title = text
            del blocks[index]
            break
    if title is None and property_title and not _FILE_NAME_TITLE.search(property_title):
        title = " ".join(property_title.split())
    return ExtractedDocument(text="\n".join(text for text, _ in blocks), title=title, format=Format.DOCX)


def _check_zip(data: bytes, name: str, limits: ReadLimits) -> None:
    """Refuse what is not a .docx, or would unpack too large, before decompressing anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocumentFormatError(f"{name} is a damaged zip/.docx file ({exc})", "damaged_file") from None
    names = {info.filename for info in infos}
    if "word/document.xml" not in names:
        what = next((what for member, what in _OTHER_ZIPS if member in names), "a zip archive")
        raise UnsupportedFormatError(f"{name} is {what}, not a Word .docx document")
    unpacked = sum(info.file_size for info in infos)
    if len(infos) > MAX_MEMBERS or unpacked > limits.max_unpacked_bytes:
        raise DocumentTooLargeError(
            f"{name} unpacks to {unpacked:,} bytes in {len(infos):,} parts; the limit is "
            f"{limits.max_unpacked_bytes:,} bytes and {MAX_MEMBERS:,} parts",
            "document_too_large",
        )


def _blocks(document: object, name: str, budget: CharBudget) -> Iterator[tuple[str, str]]:
    """(text, style) of each non-empty body block in order; style: title, heading or body."""
    from docx.table import Table

    for block in document.iter_inner_content():  # type: ignore[attr-defined]
        if isinstance(block, Table):
            for row in block.rows:
                line = _row_text(row)
                if line:
                    budget.take(line)
                    yield line, "body"
            continue
        text = " ".join(block.text.split())
        if not text:
            continue
        budget.take(text)
        style = (block.style.name if block.style is not None else "") or ""
        kind = "title" if style == "Title" else "heading" if style.startswith("Heading") else "body"
        yield text, kind


def _row_text(row: object) -> str:
    cells: list[str] = []
    for cell in row.cells:  # type: ignore[attr-defined]
        text = " ".join(cell.text.split())
        if text and (not cells or cells[-1] != text):  # a merged cell is listed once per grid column
            cells.append(text)
    return " | ".join(cells)
