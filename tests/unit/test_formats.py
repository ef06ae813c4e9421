"""summarizer.formats: each reader's text and title, page furniture removed, and bad files refused."""

from __future__ import annotations

import io

import pytest

from summarizer.errors import DocumentFormatError, DocumentTooLargeError, InputTooLongError, UnsupportedFormatError
from summarizer.formats import Format, ReadLimits, StreamCheck, read_document, sniff_format
from summarizer.io import read_limited
from tests.document_files import (
    FURNITURE,
    blank_pdf_bytes,
    docx_bytes,
    html_bytes,
    pdf_bytes,
    report,
    zip_bytes,
)

TITLE, PARAGRAPHS = report()


def assert_no_furniture(text: str) -> None:
    found = [f for f in FURNITURE if f.casefold() in text.casefold()]
    assert not found, f"page furniture in the text: {found}"


def test_the_format_is_told_by_content_not_by_name() -> None:
    assert sniff_format(pdf_bytes(TITLE, PARAGRAPHS[:1])[:8192], "bao-cao.txt") is Format.PDF
    assert sniff_format(docx_bytes(TITLE, PARAGRAPHS[:1])[:8192], "bao-cao.pdf") is Format.DOCX
    assert sniff_format(html_bytes(TITLE, PARAGRAPHS[:1]), None) is Format.HTML
    assert sniff_format("<p>Hà Nội</p>".encode(), "trang.htm") is Format.HTML
    assert sniff_format("<p>Hà Nội</p>".encode(), "ghi-chu.txt") is Format.TEXT  # HTML remnants in a text
    assert sniff_format("Hà Nội mưa lớn.".encode(), "bao-cao.docx") is Format.TEXT


def test_docx_paragraphs_title_and_tables_without_header_and_footer() -> None:
    table = [["Chỉ tiêu", "Kết quả"], ["Cống ngăn mặn vận hành", "86"]]
    doc = read_document(docx_bytes(TITLE, PARAGRAPHS, table=table), "bao-cao.docx")
    assert doc.format is Format.DOCX and doc.title == TITLE
    lines = doc.text.splitlines()
    assert lines[: len(PARAGRAPHS)] == PARAGRAPHS
    assert "Chỉ tiêu | Kết quả" in lines and "Cống ngăn mặn vận hành | 86" in lines
    assert TITLE not in doc.text  # the title is apart, not repeated
    assert_no_furniture(doc.text)


def test_multi_page_pdf_is_reflowed_without_running_header_and_page_numbers() -> None:
    doc = read_document(pdf_bytes(TITLE, PARAGRAPHS), "bao-cao.pdf")
    assert doc.format is Format.PDF and doc.pages is not None and doc.pages >= 3
    assert doc.title == TITLE  # the first large line(s), joined
    assert doc.text.splitlines() == PARAGRAPHS  # lines joined into the original paragraphs, across pages
    assert_no_furniture(doc.text)


def test_pdf_hyphenated_words_and_justified_spaces_are_mended() -> None:
    lines = [
        "Tỉnh  đã  đầu  tư  hạ  tầng  số  và  mạng  in-",
        "ternet vạn vật cho vùng Bà Rịa-",
        "Vũng Tàu, hoàn thành năm 2024.",
    ]
    doc = read_document(pdf_bytes(None, [], lines=lines, header=None), "x.pdf")
    assert (
        doc.text == "Tỉnh đã đầu tư hạ tầng số và mạng internet vạn vật cho vùng Bà Rịa-Vũng Tàu, hoàn thành năm 2024."
    )


def test_news_page_main_text_and_title_only() -> None:
    doc = read_document(html_bytes(TITLE, PARAGRAPHS), "bai-bao.html")
    assert doc.format is Format.HTML and doc.title == TITLE
    assert doc.text.splitlines() == PARAGRAPHS
    assert_no_furniture(doc.text)  # navigation, share bar, byline, related links, footer, script, style


@pytest.mark.parametrize("method", ["RC4", "AES_256"])
def test_owner_password_alone_does_not_stop_reading(method: str) -> None:
    from fpdf.enums import EncryptionMethod

    data = pdf_bytes(
        TITLE, PARAGRAPHS[:2], owner_password="chu-so-huu", user_password="", encryption_method=EncryptionMethod[method]
    )
    assert read_document(data, "x.pdf").text.splitlines() == PARAGRAPHS[:2]


@pytest.mark.parametrize(
    ("make", "error", "code"),
    [
        (lambda: blank_pdf_bytes(), DocumentFormatError, "no_text_layer"),
        (
            lambda: pdf_bytes(TITLE, PARAGRAPHS[:1], owner_password="a", user_password="b"),
            DocumentFormatError,
            "encrypted_pdf",
        ),
        (lambda: pdf_bytes(TITLE, PARAGRAPHS)[:3000], DocumentFormatError, "damaged_file"),
        (lambda: b"%PDF-1.7\n" + b"rac " * 500, DocumentFormatError, "damaged_file"),
        (lambda: zip_bytes({"word/document.xml": b"<w:document><oops"}), DocumentFormatError, "damaged_file"),
        (lambda: docx_bytes(TITLE, PARAGRAPHS)[:2000], DocumentFormatError, "damaged_file"),
        (lambda: zip_bytes({"xl/workbook.xml": b"<x/>"}), UnsupportedFormatError, "unsupported_format"),
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), UnsupportedFormatError, "unsupported_format"),
        (lambda: b"\x89PNG\r\n\x1a\n" + bytes(100), UnsupportedFormatError, "unsupported_format"),
        (lambda: b"\x00\x01\x02 binary", UnsupportedFormatError, "unsupported_format"),
        (lambda: "Hà Nội mưa".encode("latin-1", errors="replace"), DocumentFormatError, "invalid_encoding"),
        (lambda: "Hà Nộ".encode()[:-1], DocumentFormatError, "invalid_encoding"),  # "ộ" cut
        (
            lambda: b"<!DOCTYPE html><html><body><script>var ad = 'Mua ngay';</script><style>p{}</style></body></html>",
            DocumentFormatError,
            "empty_document",
        ),
    ],
    ids=[
        "scanned-pdf",
        "encrypted-pdf",
        "truncated-pdf",
        "garbage-pdf",
        "bad-xml-docx",
        "truncated-docx",
        "xlsx",
        "old-doc",
        "png",
        "binary",
        "cp1258-text",
        "cut-utf8",
        "page-without-text",
    ],
)
def test_bad_files_get_a_one_line_error_with_a_code(make, error: type[Exception], code: str) -> None:
    with pytest.raises(error) as caught:
        read_document(make(), "tep")
    assert caught.value.code == code
    message = str(caught.value)
    assert "tep" in message and "\n" not in message and "Traceback" not in message


def test_limits_stop_reading_early() -> None:
    bomb = zip_bytes({"word/document.xml": b"<a/>", "word/media/big.bin": bytes(3_000_000)})
    assert len(bomb) < 10_000
    with pytest.raises(DocumentTooLargeError) as caught:
        read_document(bomb, "bomb.docx", limits=ReadLimits(max_unpacked_bytes=1_000_000))
    assert caught.value.code == "document_too_large"
    pdf = pdf_bytes(TITLE, PARAGRAPHS)
    with pytest.raises(DocumentTooLargeError) as caught:
        read_document(pdf, "x.pdf", limits=ReadLimits(max_pages=2))
    assert caught.value.code == "too_many_pages"
    with pytest.raises(InputTooLongError) as caught:
        read_document(pdf, "x.pdf", limits=ReadLimits(max_chars=500))
    assert caught.value.code == "text_too_long"


def test_stream_check_refuses_binary_at_the_first_chunk_and_bad_utf8_where_it_is() -> None:
    with pytest.raises(UnsupportedFormatError):
        StreamCheck("zero", name="zero")(bytes(65536))
    check = StreamCheck("a.txt")
    check("Hà Nội mưa lớn. ".encode() * 100)  # 2,200 bytes
    with pytest.raises(DocumentFormatError, match="byte 2202") as caught:
        check(b"ab\xff")
    assert caught.value.code == "invalid_encoding"


class Endless(io.RawIOBase):
    """A stream that never ends (like /dev/zero, or `yes`), counting what was read of it."""

    def __init__(self, byte: bytes) -> None:
        self.byte, self.read_bytes = byte, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer[:] = self.byte * len(buffer)
        self.read_bytes += len(buffer)
        return len(buffer)


def test_an_endless_input_stops_at_the_limit_or_at_its_first_chunk() -> None:
    text = Endless(b"a")
    with pytest.raises(InputTooLongError, match="larger than 1,000,000 bytes"):
        read_limited(io.BufferedReader(text), 1_000_000, check=StreamCheck("-"))
    assert text.read_bytes < 1_200_000
    zeros = Endless(b"\x00")
    with pytest.raises(UnsupportedFormatError, match="binary"):
        read_limited(io.BufferedReader(zeros), 10**12, check=StreamCheck("-"))
    assert zeros.read_bytes <= 1 << 17
