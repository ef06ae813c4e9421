"""prepare_document: validation, sentence spans, and titles (given or read from the first line)."""

from __future__ import annotations

import pytest

from summarizer.document import prepare_document
from summarizer.errors import InvalidInputError
from summarizer.segment import sentence_spans, split_sentences

REPORT = (
    "Hội nghị sơ kết công tác phòng chống hạn mặn năm 2024\n"
    "LH - Ngày 5-7-2024, Sở Nông nghiệp tổ chức hội nghị sơ kết. Toàn tỉnh có 12.400 ha lúa bị ảnh hưởng.\n"
    "Các địa phương đã vận hành 86 cống ngăn mặn."
)


def test_sentence_spans_are_the_split_sentences_with_paragraphs() -> None:
    text = "Ông A đến TP. Đà Nẵng. GRDP tăng 14,14%.\n\n  Dòng hai không dấu\nDòng ba."
    spans = sentence_spans(text)
    assert [text[s.start : s.end] for s in spans] == split_sentences(text)
    assert [s.paragraph for s in spans] == [0, 0, 1, 2]


def test_a_title_like_first_line_is_read_as_the_title() -> None:
    doc = prepare_document(REPORT)
    assert doc.title == "Hội nghị sơ kết công tác phòng chống hạn mặn năm 2024"
    assert doc.title_span == (0, len(doc.title)) and not doc.title_given
    assert doc.sentences[0].startswith("LH - Ngày 5-7-2024")
    assert all(doc.text[s.start : s.end] == t for s, t in zip(doc.spans, doc.sentences, strict=True))


@pytest.mark.parametrize(
    "first_line",
    [
        "Mưa lớn kéo dài ở Hà Nội.",  # ends like a sentence
        "Các ý kiến chính:",  # opens a list
        "- Mục một của danh sách",  # a list item
        "Hà Nội",  # too short for a title
    ],
)
def test_lines_that_are_not_titles_stay_in_the_body(first_line: str) -> None:
    doc = prepare_document(f"{first_line}\nCâu thứ hai của bài. Câu thứ ba của bài.\nCâu thứ tư.")
    assert doc.title == "" and doc.sentences[0] == first_line


def test_a_given_title_is_normalized_and_the_text_keeps_its_first_line() -> None:
    doc = prepare_document(REPORT, title="  Tiêu đề\n  riêng  ")
    assert doc.title == "Tiêu đề riêng" and doc.title_given
    assert doc.sentences[0] == "Hội nghị sơ kết công tác phòng chống hạn mặn năm 2024"


@pytest.mark.parametrize("title", [42, ["a"], {"a": 1}])
def test_a_title_that_is_not_a_string_is_refused(title: object) -> None:
    with pytest.raises(InvalidInputError, match="title must be a string"):
        prepare_document("Một câu.", title=title)


@pytest.mark.parametrize(
    ("text", "title", "where"), [("Câu \ud800 một.", None, "text"), ("Câu một.", "T\udfff", "title")]
)
def test_a_lone_surrogate_is_refused_where_it_is(text: str, title: str | None, where: str) -> None:
    with pytest.raises(InvalidInputError, match=f"{where} holds a lone surrogate"):
        prepare_document(text, title=title)
    assert prepare_document("Vui 😀 lắm. Câu hai.").sentences[0] == "Vui 😀 lắm."  # a real pair is text


def test_only_a_title_is_nothing_to_summarize() -> None:
    with pytest.raises(InvalidInputError, match="empty"):
        prepare_document("   ")


def test_headings_open_the_sections_of_a_report() -> None:
    doc = prepare_document(
        "Tỉnh đạt nhiều kết quả quan trọng trong sáu tháng đầu năm.\n"
        "Kết quả nổi bật\n"
        "Tăng trưởng kinh tế đạt 8,5%, đứng thứ ba cả nước.\n"
        "Thu ngân sách đạt 12.000 tỷ đồng.\n"
        "Khó khăn, hạn chế\n"
        "Tỉnh còn thiếu quỹ đất sạch cho dự án đầu tư."
    )
    assert doc.sections == (0, 1, 1, 1, 2, 2)
    flat = prepare_document("Một câu dài đủ để là một câu văn. Câu thứ hai cũng dài như thế. Câu thứ ba.")
    assert set(flat.sections) == {0}
