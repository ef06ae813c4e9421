"""Compression by deletion: every rule keeps source words only, and the pieces are exact."""

from __future__ import annotations

import pytest

from summarizer.compress import _OPEN_ENDINGS, UNIT_RULES, excerpt, headline_excerpt, headline_form
from summarizer.tokens import syllables


def _line(text: str, rules: tuple[str, ...] = UNIT_RULES) -> str:
    return excerpt(text, 0, len(text), 0, rules=rules).text


def _assert_exact(text: str, rules: tuple[str, ...] = UNIT_RULES) -> None:
    """The line is the kept pieces joined: every word is a word of the source, in order."""
    result = excerpt(text, 0, len(text), 0, rules=rules)
    kept = [text[a:b] for a, b in result.pieces]
    assert all(b > a for a, b in result.pieces)
    assert all(result.pieces[i][1] <= result.pieces[i + 1][0] for i in range(len(result.pieces) - 1))
    assert syllables(" ".join(kept)) == syllables(result.text)


CHAIN = (
    "Ủy viên Bộ Chính trị, Bí thư Trung ương Đảng, Trưởng Ban Tổ chức Trung ương Lê Minh Hưng "
    "nhấn mạnh vai trò của công tác cán bộ trong giai đoạn mới."
)


def test_a_chain_of_titles_keeps_the_last_title_and_the_name() -> None:
    assert _line(CHAIN, ("title_chain",)) == (
        "Trưởng Ban Tổ chức Trung ương Lê Minh Hưng nhấn mạnh vai trò của công tác cán bộ trong giai đoạn mới."
    )
    _assert_exact(CHAIN)


def test_a_single_title_is_kept() -> None:
    text = "Thủ tướng Phạm Minh Chính chủ trì hội nghị về thị trường bất động sản."
    assert _line(text, ("title_chain",)) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Theo Chủ tịch UBND tỉnh Lê Ánh Dương, Bắc Giang gặp khó khăn về quỹ đất thu hút đầu tư.",
            "Bắc Giang gặp khó khăn về quỹ đất thu hút đầu tư.",
        ),
        (
            "Phát biểu kết luận, Thường trực Ban Bí thư Lương Cường biểu dương kết quả tỉnh đạt được.",
            "Thường trực Ban Bí thư Lương Cường biểu dương kết quả tỉnh đạt được.",
        ),
        (
            "Ngày 26-6-2024, tại tỉnh Bắc Giang, đoàn công tác làm việc với Tỉnh ủy về công tác cán bộ.",
            "Đoàn công tác làm việc với Tỉnh ủy về công tác cán bộ.",
        ),
        (
            "Trong đó, khung học phí năm 2022 - 2023 dự kiến giữ ổn định như năm học trước.",
            "Khung học phí năm 2022 - 2023 dự kiến giữ ổn định như năm học trước.",
        ),
    ],
)
def test_leading_ceremony_attribution_and_connectives_are_dropped(text: str, expected: str) -> None:
    assert _line(text, ("lead_phrase", "connective")) == expected
    _assert_exact(text)


def test_a_leading_phrase_stays_when_the_rest_cannot_stand_alone() -> None:
    text = "Theo kế hoạch, sẽ khởi công."  # the rest is too short and has no subject
    assert _line(text, ("lead_phrase",)) == text


def test_a_speaker_is_dropped_before_a_statement_with_its_own_subject() -> None:
    text = "Ông Nguyễn Văn A cho biết, Tỉnh ủy Bắc Giang đã ban hành nhiều nghị quyết liên quan đến đầu tư."
    assert _line(text, ("speaker",)) == "Tỉnh ủy Bắc Giang đã ban hành nhiều nghị quyết liên quan đến đầu tư."
    kept = "Ông Nguyễn Văn A cho biết, sẽ sớm ban hành nhiều nghị quyết liên quan đến đầu tư."  # no subject
    assert _line(kept, ("speaker",)) == kept


def test_asides_without_figures_are_dropped_with_figures_kept() -> None:
    text = "Ủy ban Kinh tế (cơ quan thẩm tra) đề nghị giảm thuế (từ 10% xuống 8%) cho doanh nghiệp nhỏ."
    assert _line(text, ("parenthetical",)) == "Ủy ban Kinh tế đề nghị giảm thuế (từ 10% xuống 8%) cho doanh nghiệp nhỏ."
    _assert_exact(text)


def test_enumerations_are_trimmed() -> None:
    trailing = "Tỉnh gặp khó khăn, như thiếu quỹ đất, hạ tầng điện yếu, chưa có năng lượng sạch, năng lượng tái tạo..."
    assert _line(trailing, ("enumeration",)) == "Tỉnh gặp khó khăn, như thiếu quỹ đất, hạ tầng điện yếu..."
    _assert_exact(trailing)
    praise = "Tỉnh ủy tiếp tục đoàn kết, nỗ lực, quyết tâm, quyết liệt, tập trung lãnh đạo, chỉ đạo, đạt kết quả tốt."
    assert (
        _line(praise, ("enumeration",)) == "Tỉnh ủy tiếp tục đoàn kết, nỗ lực, quyết tâm, quyết liệt, đạt kết quả tốt."
    )
    _assert_exact(praise)


def test_a_line_over_the_limit_is_cut_after_a_clause_that_fits() -> None:
    text = ", ".join(["Tỉnh đạt kết quả tốt trong nhiều lĩnh vực quan trọng"] * 6) + "."
    result = _line(text, ("clause_cut",))
    assert len(syllables(result)) <= 45
    assert text.startswith(result)


@pytest.mark.parametrize(
    ("text", "never_ends_with"),
    [
        (  # a comma inside a list of short items is no clause end: the line ends before "để"
            "Dự án được Quốc hội thông qua là tín hiệu vui và là điều kiện thuận lợi để thành phố cùng các "
            "địa phương nhanh chóng triển khai các phần việc sắp tới để dự án sớm được khởi công đưa vào khai "
            "thác phục vụ nhân dân, doanh nghiệp, hợp tác xã.",
            ("để dự", "nhân dân", "doanh nghiệp"),
        ),
        (  # never at a list's colon or on its enumerator, whose items would be cut off
            "Chủ tịch Quốc hội cho rằng thành công của phiên họp lần này có hai ý nghĩa rất lớn đối với công tác "
            "lập pháp: một là, bước rất quan trọng thực hiện kết luận của Bộ Chính trị, Ban Bí thư, các cơ quan "
            "của Quốc hội, Chính phủ và các địa phương trong cả nước.",
            ("một là", "lập pháp"),
        ),
        (  # nor inside a quotation
            "Giám đốc Sở nhấn mạnh, năm nay tỉnh đặt mục tiêu tăng trưởng 8% và thu ngân sách 12.000 tỷ đồng, "
            "trong đó “phải giữ vững ổn định kinh tế vĩ mô, kiểm soát lạm phát, bảo đảm các cân đối lớn của nền "
            "kinh tế, tạo việc làm”.",
            ("vĩ mô", "lạm phát", "nền kinh tế"),
        ),
        (  # a dash between lower-case words joins a compound ("kinh tế - xã hội"): no clause end
            "Bắc Giang cần tiếp tục gắn chặt giữa thực hiện mục tiêu, chỉ tiêu, nhiệm vụ, giải pháp của Đảng bộ "
            "tỉnh với việc thực hiện Nghị quyết số 11-NQ/TW, ngày 10-2-2022, của Bộ Chính trị, về phát triển kinh tế "
            "- xã hội và bảo đảm quốc phòng, an ninh vùng trung du và miền núi phía Bắc.",
            ("kinh tế",),
        ),
        (  # nor a comma before a list's last item and its "và", nor after a one-word item
            "Đặc biệt về nhiệm vụ phát triển kinh tế - xã hội, thu, chi ngân sách 6 tháng cuối năm 2022 với 6 nhóm "
            "nhiệm vụ, giải pháp trọng tâm, trong đó tập trung tháo gỡ khó khăn, hỗ trợ sản xuất kinh doanh, "
            "thúc đẩy, phục hồi và phát triển kinh tế - xã hội.",
            ("thúc đẩy", "kinh tế", "xã hội, thu"),
        ),
    ],
)
def test_a_long_line_is_never_cut_mid_phrase(text: str, never_ends_with: tuple[str, ...]) -> None:
    result = _line(text, ("clause_cut",))
    assert text.startswith(result)
    assert len(syllables(result)) <= 45
    assert not result.endswith(never_ends_with), result
    _assert_exact(text, ("clause_cut",))


@pytest.mark.parametrize(
    ("text", "ends_before"),
    [
        (  # before an adjunct rather than mid-phrase
            "Dự án được Quốc hội thông qua là tín hiệu vui và là điều kiện thuận lợi để thành phố cùng các địa "
            "phương nhanh chóng triển khai các phần việc sắp tới để dự án sớm được khởi công đưa vào khai thác phục "
            "vụ nhân dân trong năm nay.",
            " để dự án",
        ),
        (  # a rank ("xếp thứ hai") is no enumerator: the line may end on it
            "Năm 2023, tốc độ tăng trưởng kinh tế của tỉnh đạt 13,5%, đứng đầu cả nước, Hải Phòng xếp thứ hai, "
            "Bắc Giang xếp thứ ba và Quảng Ninh xếp thứ tư trong số các tỉnh thành phố có tốc độ tăng trưởng kinh "
            "tế cao nhất cả nước trong năm qua.",
            ", Bắc Giang",
        ),
    ],
)
def test_a_long_line_ends_at_the_last_place_a_line_may_end(text: str, ends_before: str) -> None:
    assert _line(text, ("clause_cut",)) == text[: text.index(ends_before)]


def test_a_line_with_no_good_place_to_end_is_still_cut() -> None:
    # every place that fits is inside the quotation: the line is cut there rather than left too long
    text = (
        "Bộ trưởng nhấn mạnh: “Chúng ta phải đạt mục tiêu tăng trưởng 8%, giữ vững ổn định kinh tế vĩ mô, kiểm "
        "soát lạm phát, bảo đảm các cân đối lớn của nền kinh tế, tạo việc làm cho người lao động trong cả nước "
        "và nâng cao đời sống của nhân dân”."
    )
    result = _line(text, ("clause_cut",))
    assert len(syllables(result)) <= 45
    assert text.replace("“", "").startswith(result)  # the quotation mark it cut open is gone


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # every place that fits is inside the brackets: the line ends before they open
            "Triển lãm trưng bày 230 tác phẩm (trong đó ảnh về Việt Nam có 50 ảnh và ảnh về 9 quốc gia có 20 ảnh "
            "mỗi nước) của 136 nghệ sĩ nhiếp ảnh thuộc 10 nước ASEAN tại Hà Nội từ ngày 5 đến ngày 15 tháng 8 năm nay.",
            "Triển lãm trưng bày 230 tác phẩm",
        ),
        (
            "Thông tin trên báo Pháp luật, sáng 30/6, chị Lương Thị Phương Thảo (SN 2000) cùng con gái Phạm Thị "
            "Quỳnh Anh (6 tháng tuổi, trú tại tổ dân phố 2, thị trấn Nông Trường Trần Phú) đi xe máy sang nhà dì ở "
            "xã Tân Thịnh (TP. Yên Bái, tỉnh Yên Bái) chơi và ăn cơm.",
            "Thông tin trên báo Pháp luật, sáng 30/6, chị Lương Thị Phương Thảo (SN 2000) cùng con gái Phạm Thị "
            "Quỳnh Anh",
        ),
    ],
)
def test_a_long_line_never_ends_inside_an_aside_it_opened(text: str, expected: str) -> None:
    assert _line(text, ("clause_cut",)) == expected
    _assert_exact(text, ("clause_cut",))


def test_a_speakers_introduction_with_commas_is_dropped() -> None:
    text = (
        "Chia sẻ về chính sách hỗ trợ tìm kiếm, kết nối, đổi mới công nghệ và đổi mới sáng tạo, ông Phạm Thế "
        "Dũng, Phó Cục trưởng phụ trách Cục Ứng dụng và phát triển công nghệ cho biết, Bộ đã xây dựng nhiều "
        "chương trình hỗ trợ doanh nghiệp, trong đó có chương trình đổi mới công nghệ quốc gia đến năm 2030."
    )
    assert _line(text, ("speaker",)) == text[text.index("Bộ đã") :]
    _assert_exact(text)
    # a statement before "… cho biết, " is not an introduction: it stays
    statement = "Tỉnh đạt kết quả tốt trong sáu tháng, ông Nguyễn Văn A cho biết, nhờ cải cách thủ tục hành chính."
    assert _line(statement, ("speaker",)) == statement


def test_an_official_ending_reads_as_a_full_stop() -> None:
    assert (
        _line("Văn phòng Trung ương tổng hợp kiến nghị của tỉnh./.", ())
        == "Văn phòng Trung ương tổng hợp kiến nghị của tỉnh."
    )


def test_pieces_index_the_whole_text() -> None:
    text = "Mở đầu. " + CHAIN
    start = text.index("Ủy viên")
    result = excerpt(text, start, len(text), 1)
    assert len(result.pieces) == 1 and result.pieces[0][0] > start  # the chain was cut at the start
    assert text[result.pieces[0][0] : result.pieces[0][1]] == result.text


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "TCCS - Ngày 26-6-2024, tại tỉnh Bắc Giang, Ủy viên Bộ Chính trị, Thường trực Ban Bí thư Lương Cường có "
            "buổi làm việc với Ban Chấp hành Đảng bộ tỉnh Bắc Giang về tình hình, kết quả công tác cán bộ.",
            "Thường trực Ban Bí thư Lương Cường có buổi làm việc với Ban Chấp hành Đảng bộ tỉnh Bắc Giang",
        ),
        (
            "Tuyến metro số 2 Bến Thành – Tham Lương sẽ khởi công vào cuối năm nay, theo Ban Quản lý đường sắt.",
            "Tuyến metro số 2 Bến Thành – Tham Lương sẽ khởi công vào cuối năm nay",
        ),
        (
            "Từ nay đến cuối nhiệm kỳ, Đảng bộ tỉnh cần tập trung thực hiện hiệu quả những mục tiêu, nhiệm vụ, "
            "giải pháp đã đề ra và hoàn thành các chỉ tiêu.",
            "Từ nay đến cuối nhiệm kỳ",
        ),
    ],
)
def test_headlines_are_short_clauses_that_keep_their_subject(sentence: str, expected: str) -> None:
    headline = headline_form(sentence)
    assert len(syllables(headline)) <= 20 + 6
    if expected == "Từ nay đến cuối nhiệm kỳ":  # never cut inside "mục tiêu, nhiệm vụ, giải pháp"
        assert not headline.endswith(("mục tiêu", "nhiệm vụ"))
    else:
        assert headline == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (  # no clause end near 20 syllables: before the last phrase of place or time that fits
            "Cơ quan chức năng tỉnh Ninh Bình công bố bệnh dịch tả lợn châu Phi đã được ghi nhận tại 3 xã của huyện "
            "Yên Mô và huyện Kim Sơn trong tuần này.",
            "Cơ quan chức năng tỉnh Ninh Bình công bố bệnh dịch tả lợn châu Phi đã được ghi nhận",
        ),
        (  # no phrase within 20 syllables: the first one within 6 more, rather than "… cho nền hòa bình và thịnh"
            "Các tuyến đường bộ và đường sắt liên Triều sẽ đóng góp đáng kể cho nền hòa bình và thịnh vượng trên bán "
            "đảo Triều Tiên trong thời gian tới",
            "Các tuyến đường bộ và đường sắt liên Triều sẽ đóng góp đáng kể cho nền hòa bình và thịnh vượng",
        ),
        (  # a clause end after a word that leaves its phrase open ("phía anh đang") is no place to end
            "Theo lời luật sư Hoàng, phía anh đang chuẩn bị hồ sơ khởi kiện công ty ra tòa trong thời gian tới.",
            "Theo lời luật sư Hoàng, phía anh đang chuẩn bị hồ sơ khởi kiện công ty ra tòa",
        ),
    ],
)
def test_a_headline_ends_where_its_phrase_closes(sentence: str, expected: str) -> None:
    assert headline_form(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (  # "từ chối" (refuse) is a word, not the phrase "từ …" (from)
            "Tổ chức này đã nhiều lần từ chối cung cấp thông tin cho phóng viên về vụ việc xảy ra ở tỉnh Bình "
            "Dương năm ngoái",
            "Tổ chức này đã nhiều lần từ chối cung cấp thông tin cho phóng viên",
        ),
        (  # the phrase starts at "kể từ", not inside it
            "Công ty đã chậm trả lương cho công nhân kể từ tháng bảy năm ngoái đến nay mà chưa có phương án khắc "
            "phục nào",
            "Công ty đã chậm trả lương cho công nhân",
        ),
        (  # "thu hồi" (revoke) is a word; "hồi" starts a phrase only before a time
            "Ủy ban nhân dân tỉnh yêu cầu thu hồi giấy phép của doanh nghiệp vi phạm quy định về môi trường trên "
            "địa bàn",
            "Ủy ban nhân dân tỉnh yêu cầu thu hồi giấy phép của doanh nghiệp vi phạm quy định",
        ),
        (  # a name's "Do" is no "do" (because)
            "Người dân trong cộng đồng người Do Thái và người Hồi giáo tại thành phố này đã cùng nhau cầu nguyện "
            "cho các nạn nhân",
            "Người dân trong cộng đồng người Do Thái và người Hồi giáo",
        ),
    ],
)
def test_a_headline_never_ends_inside_a_word(sentence: str, expected: str) -> None:
    assert headline_form(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "TS Trịnh Hoàng Hiệp cho rằng, đề xuất tăng học phí đại học trong năm học tới của Bộ Giáo dục và Đào tạo cần "
        "được cân nhắc kỹ lưỡng.",
        "Trong clip là cảnh cô giáo đổ cồn ra mâm sau đó châm lửa dạy kỹ năng sống cho các em học sinh mầm non.",
        # no clause end or phrase: cut by length, less the open words ("… ba ngày", not "… cho các")
        " ".join(["mưa lớn kéo dài"] * 4) + " ba ngày cho các tỉnh phía bắc và miền trung trong tuần tới",
    ],
)
def test_a_headline_never_ends_on_an_open_word_or_a_speech_verb(sentence: str) -> None:
    headline = headline_form(sentence)
    assert syllables(headline)[-1] not in _OPEN_ENDINGS and not headline.endswith(("cho rằng", "cho biết"))
    assert len(syllables(headline)) <= 26


def test_a_long_line_never_splits_trong_khi() -> None:
    # "trong khi" (while) starts the adjunct; cut before "khi", the line ended "…, trong."
    text = (
        "Liên Hợp Quốc bày tỏ lo ngại rằng chiến dịch tấn công của Syria vào Idlib có khả năng buộc 2,5 triệu dân "
        "thường phải rời bỏ nhà cửa và vượt biên sang Thổ Nhĩ Kỳ, trong khi Ankara cũng đang nỗ lực gây sức ép với "
        "Moskva để Damascus không mở chiến dịch tấn công vào Idlib."
    )
    assert _line(text, ("clause_cut",)) == text[: text.index(", trong khi")]


def test_a_long_line_never_ends_on_a_word_that_leaves_its_phrase_open() -> None:
    # the last place that fits comes after "mà" (before the adjunct "về sau"): an earlier one is taken
    text = (
        "Danh họa người Hà Lan trút hơi thở cuối cùng ở tuổi 37 - kết thúc một cuộc đời ngắn ngủi nhiều khổ đau, "
        "bất hạnh và để lại một gia tài hội họa mà về sau hậu thế mới công nhận những giá trị của nó."
    )
    assert _line(text, ("clause_cut",)) == text[: text.index(", bất hạnh")]


def test_a_long_run_without_punctuation_is_never_cut_into_a_line() -> None:
    run = (
        "Ông Hoài cũng dẫn chứng việc đã kêu gọi hơn 70.000 tàu thuyền đánh cá vào nơi tránh trú bão nhưng với tàu "
        "vận tải dường như không quan tâm đến cảnh báo và các địa phương cũng không quan tâm khiến thiệt hại từ các "
        "sự cố tàu vận tải rất lớn."
    )
    assert _line(run, ("clause_cut",)) == run  # over 45 syllables: never a line, rather than "… thiệt hại từ."


def test_a_headline_of_a_run_without_punctuation_is_bounded() -> None:
    run = " ".join(["mưa lớn kéo dài"] * 500)
    assert len(syllables(headline_form(run))) == 20
    accents = "a" + "\u0301" * 5000
    assert len(headline_excerpt(accents, 0, len(accents), 0).text) <= 200


@pytest.mark.parametrize(
    "text",
    [
        "Tổng vốn đầu tư đạt 5 tỷ USD, Tổng thu ngân sách đạt 3 tỷ USD trong sáu tháng đầu năm.",
        "Phó giám đốc sở bị kỷ luật, Giám đốc sở bị cách chức vì sai phạm trong đấu thầu.",
    ],
)
def test_words_that_look_like_titles_but_start_a_clause_are_kept(text: str) -> None:
    assert _line(text, ("title_chain",)) == text


def test_a_noun_that_looks_like_a_speaking_verb_is_not_a_speaker() -> None:
    text = "Tỉnh chưa thực hiện chế độ báo cáo, nhiều dự án chậm tiến độ và thiếu vốn đối ứng."
    assert _line(text, ("speaker",)) == text


def test_a_list_marker_is_dropped() -> None:
    assert _line("b) Tăng trưởng tín dụng đạt 14% so với cuối năm trước.", ("lead_phrase",)) == (
        "Tăng trưởng tín dụng đạt 14% so với cuối năm trước."
    )


def test_a_line_has_no_quotation_mark_that_opens_or_closes_nothing() -> None:
    text = "Lúc này tôi mới biết em gái mình cũng bị đánh hội đồng”, chị H. chia sẻ với phóng viên."
    assert _line(text, ()) == "Lúc này tôi mới biết em gái mình cũng bị đánh hội đồng, chị H. chia sẻ với phóng viên."
    _assert_exact(text)
    quoted = "Ông A nói “không” với đề xuất tăng giá điện của ngành."
    assert _line(quoted, ()) == quoted


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (  # the quotation is cut off with the rest of the sentence
            "Bị cáo Lương nói: “Bị cáo không thể là nguyên nhân gây chết người, vì lúc đó bị cáo không có mặt.",
            "Bị cáo Lương nói: Bị cáo không thể là nguyên nhân gây chết người",
        ),
        (  # the quotation began in the sentence before
            "Lúc này tôi mới biết em gái mình cũng bị đánh hội đồng”, chị H. chia sẻ.",
            "Lúc này tôi mới biết em gái mình cũng bị đánh hội đồng, chị H. chia sẻ",
        ),
        ('" Nam thanh niên này bị bệnh không bình thường.', "Nam thanh niên này bị bệnh không bình thường"),
        ("Ông A nói “không” với đề xuất tăng giá điện.", "Ông A nói “không” với đề xuất tăng giá điện"),
    ],
)
def test_a_headline_has_no_quotation_mark_that_opens_or_closes_nothing(sentence: str, expected: str) -> None:
    result = headline_excerpt(sentence, 0, len(sentence), 0)
    assert result.text == expected
    kept = [sentence[a:b] for a, b in result.pieces]
    assert "".join(kept).replace(" ", "") == expected.replace(" ", "")  # the evidence is the line's words


@pytest.mark.parametrize(
    ("text", "place", "is_cut"),
    [
        ("phát triển kinh tế - xã hội của tỉnh", " - xã", False),  # a compound
        ("phát triển kinh tế - xã hội - 70% dành cho giao thông", " - 70%", True),  # a clause dash right after one
        ("ký hợp đồng với đối tác nước ngoài - bao gồm các nhà nhập khẩu", " - bao", True),  # an apposition
        ("Đây là sản phẩm của nữ ca sĩ - vốn là người mẫu", " - vốn", True),
        ("Tuyến Bến Thành – Tham Lương dài 11 km", " – Tham", False),  # a name range
        ("tháo gỡ khó khăn, hỗ trợ doanh nghiệp, thúc đẩy, phục hồi và phát triển", ", phục", False),
        ("phát triển kinh tế, thu, chi ngân sách địa phương năm nay", ", chi", False),  # after a one-word item
        ("Doanh thu đạt 26 tỷ USD, tăng 16%, người dân và doanh nghiệp đều hưởng lợi", ", người", True),  # a figure
        ("Theo ông Hùng, doanh nghiệp và người dân đều hưởng lợi từ chính sách", ", doanh", True),  # no list before
    ],
)
def test_where_a_line_may_end_at_dashes_and_commas(text: str, place: str, is_cut: bool) -> None:
    from summarizer.compress import _headline_cuts

    assert (text.index(place) in _headline_cuts(text)) is is_cut
