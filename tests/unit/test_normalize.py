import unicodedata

import pytest

from summarizer.normalize import (
    canonical_tones,
    clean_document,
    normalize_text,
    strip_html,
    strip_trailer,
)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hoà", "hòa"),
        ("Hoà Bình", "Hòa Bình"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("HOÀ", "HÒA"),
        ("Uỷ ban", "Ủy ban"),
        ("tuỳ", "tùy"),
        ("phiên toà, ma tuý", "phiên tòa, ma túy"),
        ("hoạ sĩ", "họa sĩ"),
    ],
)
def test_old_tone_placement_becomes_new(old: str, new: str) -> None:
    assert canonical_tones(old) == new
    assert canonical_tones(new) == new  # idempotent


@pytest.mark.parametrize(
    "word",
    # "oặ": the dot below belongs to "ă" (decomposed, it comes before the breve)
    ["quý", "quỳ", "hoàn", "ngoài", "khuya", "thuyết", "Huỳnh", "của", "hoặc", "Hoặc", "HOẶC", "ngoặt", "ngoặc"],
)
def test_tones_outside_oa_oe_uy_endings_are_untouched(word: str) -> None:
    assert canonical_tones(word) == word
    assert canonical_tones(unicodedata.normalize("NFD", word)) == word


@pytest.mark.parametrize(
    ("misplaced", "right"),
    [("họăc", "hoặc"), ("Họăc", "Hoặc"), ("ngọăt", "ngoặt"), ("thủơ", "thuở"), ("múôn", "muốn")],
)
def test_a_tone_before_a_vowel_with_its_own_mark_moves_onto_that_vowel(misplaced: str, right: str) -> None:
    assert canonical_tones(misplaced) == right
    assert canonical_tones(right) == right


def test_a_sentence_with_hoac_is_left_as_written() -> None:
    text = "Người dân nộp hồ sơ trực tuyến hoặc trực tiếp, tránh ngoặt gấp."
    assert normalize_text(text) == text


def test_nfd_input_becomes_nfc() -> None:
    text = unicodedata.normalize("NFD", "Việt Nam tăng trưởng")
    assert normalize_text(text) == "Việt Nam tăng trưởng"
    assert unicodedata.is_normalized("NFC", normalize_text(text))


def test_invisible_and_control_characters_and_spaces() -> None:
    text = "Hà\u200b Nội\u00a0\u00a0có\tmưa\x07.\r\n\r\n\r\n\r\nNgày mai  nắng. \ufeff"
    assert normalize_text(text) == "Hà Nội có mưa.\n\nNgày mai nắng."


def test_fullwidth_and_typographic_variants_are_folded() -> None:
    assert normalize_text("ＧＤＰ tăng ５％ ‘tốt’") == "GDP tăng 5% 'tốt'"


def test_html_tags_and_entities() -> None:
    html = "<p>Giá vàng &amp; USD</p><script>var x=1;</script><br/>Tăng&nbsp;mạnh"
    assert normalize_text(strip_html(html)).split() == ["Giá", "vàng", "&", "USD", "Tăng", "mạnh"]
    assert normalize_text(strip_html(html)).splitlines()[0] == "Giá vàng & USD"
    assert strip_html("a < b và c > d") == "a < b và c > d"


BODY = (
    "Tỉnh đã hoàn thành 12 công trình thủy lợi trong năm nay.\n"
    "Các địa phương tiếp tục rà soát, bảo đảm đủ nước tưới cho vụ đông xuân./."
)


@pytest.mark.parametrize(
    "trailer",
    [
        ["Hà Phương (tổng hợp)"],
        ["Theo TTXVN"],
        ["Minh Khoa", "Tin liên quan", "- Lâm Hà: Chủ động phòng, chống thiên tai (28/06/2024)"],
        ["Một bài viết liên quan rất dài nhưng không có dấu chấm câu ở cuối dòng này (17/06/2024)"],
        ["Trang chủ", "Kinh tế - Xã hội -", "Nông nghiệp"],
    ],
)
def test_scraped_trailers_are_removed(trailer: list[str]) -> None:
    doc = strip_trailer(BODY + "\n" + "\n".join(trailer))
    assert doc.text == BODY
    assert doc.trailer == tuple(trailer)


def test_last_paragraph_without_full_stop_is_kept() -> None:
    text = BODY + "\nĐây là đoạn cuối của bài viết nhưng tác giả quên đặt dấu chấm câu ở cuối đoạn văn này"
    assert strip_trailer(text).text == text


def test_sample_trailer_is_gone(sample_text: str) -> None:
    doc = clean_document(sample_text)
    assert doc.text.endswith("nhiệm vụ./.")
    for gone in (
        "Hà Phương",
        "(17/06/2024)",
        "Chính trị - Xây dựng Đảng",
        "Kinh tế thị trường định hướng",
    ):
        assert gone not in doc.text
    assert len(doc.trailer) >= 10
