"""Units: parts of a sentence that can stand alone, each exactly a span of the text."""

from __future__ import annotations

import pytest

from summarizer.document import prepare_document
from summarizer.units import ITEM, OPENER, STATEMENT, role_of, split_sentence


def _parts(sentence: str) -> list[str]:
    return [sentence[a:b] for a, b in split_sentence(sentence)]


def test_a_sentence_splits_at_semicolons_into_requests() -> None:
    sentence = (
        "Đồng chí đề nghị tỉnh cần nghiêm túc khắc phục các hạn chế đã chỉ ra; tiếp tục tập trung khắc phục "
        "các điểm nghẽn, nút thắt cản trở sự phát triển; phát huy nội lực và đề ra quyết sách phù hợp."
    )
    assert _parts(sentence) == [
        "Đồng chí đề nghị tỉnh cần nghiêm túc khắc phục các hạn chế đã chỉ ra",
        "tiếp tục tập trung khắc phục các điểm nghẽn, nút thắt cản trở sự phát triển",
        "phát huy nội lực và đề ra quyết sách phù hợp.",
    ]


def test_a_list_opener_is_split_from_its_list_and_knows_it() -> None:
    sentence = "Cùng dự có các đồng chí: Ủy viên Bộ Chính trị Lê Minh Hưng; Chánh Văn phòng Nguyễn Duy Ngọc."
    parts = _parts(sentence)
    assert parts[0] == "Cùng dự có các đồng chí:"
    assert role_of(parts[0]) == OPENER


def test_no_split_inside_brackets_or_quotes_nor_into_a_tiny_part() -> None:
    assert len(split_sentence("Ông nói (gồm: A; B) rằng việc này cần làm ngay trong năm nay.")) == 1
    assert len(split_sentence('Ông nói: "Chúng ta cần làm ngay; không thể chờ thêm nữa" tại hội nghị.')) == 1
    assert len(split_sentence("Giá tăng; còn giá xăng dầu trong nước vẫn được giữ ổn định nhờ quỹ bình ổn.")) == 1


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Năm 2024, ngành có 9 điểm sáng như sau.", OPENER),
        ("Bộ Tài chính có 7 kiến nghị, cụ thể như sau:", OPENER),
        ("Thứ chín, xuất khẩu tăng 14%.", ITEM),
        ("- Giảm 663 vụ tai nạn.", ITEM),
        ("Tốc độ tăng trưởng GRDP đạt 14,14%.", STATEMENT),
    ],
)
def test_roles(text: str, role: str) -> None:
    assert role_of(text) == role


def test_document_units_are_exact_spans_in_order() -> None:
    text = (
        "Tỉnh cần khắc phục các hạn chế đã chỉ ra; tiếp tục tháo gỡ các điểm nghẽn của tỉnh.\n"
        "Tốc độ tăng trưởng GRDP đạt 14,14%, đứng đầu cả nước. Các cấp ủy quyết tâm đạt mục tiêu đề ra."
    )
    doc = prepare_document(text)
    assert [doc.text[u.start : u.end] for u in doc.units] == [
        "Tỉnh cần khắc phục các hạn chế đã chỉ ra",
        "tiếp tục tháo gỡ các điểm nghẽn của tỉnh.",
        "Tốc độ tăng trưởng GRDP đạt 14,14%, đứng đầu cả nước.",
        "Các cấp ủy quyết tâm đạt mục tiêu đề ra.",
    ]
    assert [(u.sentence, u.first) for u in doc.units] == [(0, True), (0, False), (1, True), (2, True)]
    assert [u.paragraph for u in doc.units] == [0, 0, 1, 1]


def test_an_apostrophe_does_not_stop_the_splits_after_it() -> None:
    sentence = "Tỉnh 'xanh' cần khắc phục các hạn chế đã chỉ ra; tiếp tục tháo gỡ các điểm nghẽn của tỉnh."
    assert len(split_sentence(sentence)) == 2


@pytest.mark.parametrize(
    "text",
    [
        "Ngành có các nhiệm vụ gồm",
        "Ngành có các nhiệm vụ GỒM CÓ :",
        "Kết quả cụ thể như sau . .",
        "Các kiến nghị như sau.  ",
        "Danh sách sau đây:",
        "Thành phần bao gồm.",
        "Ông nói như sau đó mới làm.",
        "Ông gồm",
        "Một câu bình thường.",
        "…:",
        ".",
        "",
    ],
)
def test_the_opener_shortcut_agrees_with_the_opener_pattern(text: str) -> None:
    # role_of skips the pattern's search when the text's end cannot match it: never a different role
    from summarizer.units import _OPENER_END

    stripped = text.strip()
    expected = OPENER if _OPENER_END.search(stripped.rstrip(".")) or stripped.endswith(":") else STATEMENT
    assert role_of(text) == expected
