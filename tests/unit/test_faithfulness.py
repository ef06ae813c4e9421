from summarizer.faithfulness import invented_numbers, number_keys

SOURCE = "Ngày 26-6-2024, GRDP đạt 14,14%, có 1.000 người dự, giai đoạn 2020 - 2025, lúc 06/08."


def test_numbers_present_in_the_source_pass() -> None:
    keys = number_keys(SOURCE)
    for text in [
        "GRDP tăng 14,14 %",
        "Ngày 26/6, tỉnh họp",
        "có 1000 người",
        "giai đoạn 2020 - 2025",
        "ngày 6/8",
        "năm 2024",
        "ngày 26-6-2024",
    ]:
        assert invented_numbers(text, keys) == [], text


def test_invented_numbers_are_reported_as_written() -> None:
    keys = number_keys(SOURCE)
    assert invented_numbers("GRDP tăng 15% vào năm 2030", keys) == ["15%", "2030"]
    assert invented_numbers("14,14‰", keys) == ["14,14‰"]  # per mille is not percent


def test_text_without_numbers_is_faithful() -> None:
    assert invented_numbers("Tỉnh họp bàn kế hoạch.", number_keys(SOURCE)) == []
