"""Light compression: each rule removes furniture, never content, and reports where the text lies."""

from __future__ import annotations

import pytest

from summarizer.compress import compress, headline_form, is_photo_caption
from summarizer.tokens import syllables


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("TCCS - Ngày 26-6-2024, tỉnh Bắc Giang họp.", "Ngày 26-6-2024, tỉnh Bắc Giang họp."),
        ("HÀ NỘI - Mưa lớn gây ngập nhiều tuyến phố.", "Mưa lớn gây ngập nhiều tuyến phố."),
        ("(Dân trí) - Sáng 5/7, Sở Nông nghiệp tổ chức hội nghị.", "Sáng 5/7, Sở Nông nghiệp tổ chức hội nghị."),
        ("VOV.VN - Chiều nay, Quốc hội họp phiên bế mạc.", "Chiều nay, Quốc hội họp phiên bế mạc."),
    ],
)
def test_source_tags_at_the_start_are_removed(sentence: str, expected: str) -> None:
    result = compress(sentence)
    assert result.text == expected
    assert sentence[result.start : result.end] == expected  # still one piece of the source


@pytest.mark.parametrize(
    "sentence",
    [
        "Hà Nội - Hải Phòng là tuyến cao tốc quan trọng.",  # a route, not a dateline
        "Ông A - người đứng đầu dự án - phát biểu.",
        "Giá vàng tăng mạnh trong phiên sáng nay.",
    ],
)
def test_content_is_never_removed(sentence: str) -> None:
    assert compress(sentence).text == sentence


def test_photo_credits_and_attributions_are_removed() -> None:
    assert compress("Mưa lớn gây ngập sâu (Ảnh: TTXVN).").text == "Mưa lớn gây ngập sâu."
    assert compress("Ông A bị bắt giữ (theo VnExpress).").text == "Ông A bị bắt giữ."
    assert compress("Giá vàng tăng mạnh./. Hà Phương").text == "Giá vàng tăng mạnh."
    assert is_photo_caption("Ảnh: TTXVN.") and is_photo_caption("(Ảnh minh họa)")
    assert not is_photo_caption("Ảnh hưởng của bão rất lớn.")


def test_each_rule_can_be_switched_off() -> None:
    sentence = "TCCS - Mưa lớn gây ngập sâu (Ảnh: TTXVN)."
    assert compress(sentence, rules=()).text == sentence
    assert compress(sentence, rules=("source_tag",)).text == "Mưa lớn gây ngập sâu (Ảnh: TTXVN)."


def test_headline_form_drops_tag_time_phrase_and_keeps_leading_clauses() -> None:
    sentence = (
        "TCCS - Ngày 26-6-2024, Ban Chấp hành Đảng bộ tỉnh Bắc Giang làm việc với đoàn công tác Trung ương, "
        "báo cáo kết quả sáu tháng đầu năm, trong đó tốc độ tăng trưởng GRDP đạt 14,14%, đứng đầu cả nước."
    )
    headline = headline_form(sentence)
    assert headline.startswith("Ban Chấp hành Đảng bộ tỉnh Bắc Giang")
    assert 6 <= len(syllables(headline)) <= 25 and not headline.endswith((".", ","))
    assert headline_form("Giá vàng tăng mạnh.") == "Giá vàng tăng mạnh"
