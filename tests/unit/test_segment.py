import pytest

from summarizer.segment import split_paragraphs, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ông A đến TP. Đà Nẵng. Bà B ở lại.", ["Ông A đến TP. Đà Nẵng.", "Bà B ở lại."]),
        (
            "Hội nghị tại TP.HCM. Hôm nay có 1.000 người.",
            ["Hội nghị tại TP.HCM.", "Hôm nay có 1.000 người."],
        ),
        (
            "PGS.TS. Nguyễn Văn A phát biểu. Th.S Lê B đồng ý.",
            ["PGS.TS. Nguyễn Văn A phát biểu.", "Th.S Lê B đồng ý."],
        ),
        (
            "GRDP đạt 14,14%. Giai đoạn 2020 - 2025 tăng.",
            ["GRDP đạt 14,14%.", "Giai đoạn 2020 - 2025 tăng."],
        ),
        (
            "Ngày 26-6-2024, tỉnh họp. Sau đó giải tán.",
            ["Ngày 26-6-2024, tỉnh họp.", "Sau đó giải tán."],
        ),
        ('Anh nói: "Tốt lắm." Sau đó về.', ['Anh nói: "Tốt lắm."', "Sau đó về."]),
        (
            "Họ chờ... Rồi đi. Họ chờ... và đi tiếp.",
            ["Họ chờ...", "Rồi đi.", "Họ chờ... và đi tiếp."],
        ),
        ("Giải quyết theo nhiệm vụ./. Hà Phương", ["Giải quyết theo nhiệm vụ./.", "Hà Phương"]),
        (
            "Y tế, giáo dục, v.v. Trong khi đó, họ làm v.v. và hơn thế.",
            ["Y tế, giáo dục, v.v.", "Trong khi đó, họ làm v.v. và hơn thế."],
        ),
        (
            "Quan điểm của C. Mác về lực lượng sản xuất.",
            ["Quan điểm của C. Mác về lực lượng sản xuất."],
        ),
        ("Tôi gặp ông. Ông ấy đi.", ["Tôi gặp ông.", "Ông ấy đi."]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_line_breaks_always_end_sentences() -> None:
    assert split_paragraphs("Dòng một không có dấu chấm\n\nDòng hai. Câu ba.") == [
        ["Dòng một không có dấu chấm"],
        ["Dòng hai.", "Câu ba."],
    ]


def test_no_character_is_lost(report_text: str) -> None:
    for line in report_text.splitlines():
        assert " ".join(split_sentences(line)) == " ".join(line.split())


def test_sentences_starting_with_vietnamese_capitals_are_split() -> None:
    text = "Dung tích còn 32% thiết kế. Độ mặn lấn sâu 45 km. Ấn Độ tăng nhập khẩu. Ở Bắc Giang, GRDP tăng."
    assert split_sentences(text) == [
        "Dung tích còn 32% thiết kế.",
        "Độ mặn lấn sâu 45 km.",
        "Ấn Độ tăng nhập khẩu.",
        "Ở Bắc Giang, GRDP tăng.",
    ]
