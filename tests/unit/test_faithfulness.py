from summarizer.faithfulness import invented_names, invented_numbers, name_runs, number_keys

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


REPORT = "Ủy viên Bộ Chính trị Lê Minh Hưng làm việc với Ban Chấp hành Đảng bộ tỉnh Bắc Giang."


def test_name_runs_are_consecutive_capitalized_words() -> None:
    assert name_runs("Ông Nguyễn Văn Thể đến Bắc Giang, gặp Ban Bí thư.") == [
        "Ông Nguyễn Văn Thể",
        "Bắc Giang",
        "Ban Bí",
    ]
    assert name_runs("Đảng bộ tỉnh đạt 14,14%.") == []


def test_names_must_occur_in_the_source() -> None:
    assert invented_names("Ông Lê Minh Hưng làm việc tại Bắc Giang.", REPORT) == []  # "Ông" starts the sentence
    assert invented_names("Ông Nguyễn Văn Thể làm việc tại Cà Mau.", REPORT) == ["Ông Nguyễn Văn Thể", "Cà Mau"]
    assert invented_names("BAN CHẤP HÀNH làm việc.", REPORT) == []  # case-insensitive


def test_counting_name_runs_agrees_with_listing_them() -> None:
    from summarizer.faithfulness import count_name_runs

    texts = [
        "Ông Nguyễn Văn Thể đến Bắc Giang, gặp Ban Bí thư.",
        "aB C",  # "B" is inside the word "aB": not a capital word
        "A1 B",  # a digit between: not separated by spaces only
        "Hà Nội, Việt Nam và Lào",
        "(Hà Nội) Ông Ba  Bốn\tNăm",
        "ℂ Ａ B",  # a capital past the fast path's range
        "Ⓐ B C",  # a capital-looking symbol, not a letter
        "ǅ ǈ Ab",  # titlecase letters are not upper case
        "Đảng bộ tỉnh đạt 14,14%.",
        "",
    ]
    for text in texts:
        assert count_name_runs(text) == len(name_runs(text)), text
