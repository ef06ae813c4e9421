"""Key points: the choice of lines under a word budget, one distinct point each."""

from __future__ import annotations

import numpy as np
import pytest

from summarizer.compress import Excerpt
from summarizer.keypoints import (
    SALIENCE,
    Candidates,
    choose,
    cover_facets,
    names_only,
    praise_share,
    report_salience,
    stands_alone,
    words,
)


def _cands(texts: list[str], vectors: list[list[float]], sections: list[int] | None = None) -> Candidates:
    v = np.asarray(vectors, dtype=np.float32)
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    excerpts = tuple(Excerpt(pieces=((0, len(t)),), sentence=i, text=t) for i, t in enumerate(texts))
    return Candidates(excerpts, v, sections=sections)


TEXTS = [
    "Một hai ba bốn năm sáu bảy tám chín mười.",  # 10 words
    "Một hai ba bốn năm sáu bảy tám chín mười.",  # the same point, another wording
    "Mười một mười hai mười ba.",  # 6 words
    "A b c d e f g h i k l m n o p q r s t u.",  # 20 words
]
VECTORS = [[1, 0, 0], [0.99, 0.1, 0], [0, 1, 0], [0, 0, 1]]


def test_one_line_per_point_in_document_order() -> None:
    cands = _cands(TEXTS, VECTORS)
    chosen = choose(np.array([3.0, 2.9, 1.0, 0.5]), cands, 4, allowed=[True] * 4, budget=100)
    assert chosen == [0, 2, 3]  # 1 says what 0 says


def test_the_word_budget_holds_and_a_shorter_point_fills_it() -> None:
    cands = _cands(TEXTS, VECTORS)
    chosen = choose(np.array([3.0, 0.0, 1.0, 2.0]), cands, 4, allowed=[True] * 4, budget=17)
    assert sum(words(cands.excerpts[i].text) for i in chosen) <= 17
    assert chosen == [0, 2]  # the 20-word line does not fit; the 6-word one does


def test_taken_lines_block_their_point_and_disallowed_are_never_chosen() -> None:
    cands = _cands(TEXTS, VECTORS)
    chosen = choose(np.array([3.0, 2.9, 1.0, 0.5]), cands, 4, allowed=[True, True, False, True], budget=100, taken=[0])
    assert chosen == [3]


def test_facets_are_covered_when_a_line_carries_them() -> None:
    texts = ["Tỉnh tổ chức hội nghị sơ kết.", "Tỉnh đạt tăng trưởng 14,14%.", "Tỉnh còn nhiều khó khăn về vốn."]
    cands = _cands(texts, [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    scores = np.array([3.0, 1.0, 0.5])
    assert choose(scores, cands, 1, allowed=[True] * 3, budget=100) == [0]
    assert cover_facets([0], scores, cands, allowed=[True] * 3, budget=100) == [1]  # the figure replaces it


def test_lines_spread_over_a_reports_sections() -> None:
    texts = ["Một hai ba bốn năm sáu.", "Bảy tám chín mười một.", "Mười hai mười ba mười bốn.", "Mười lăm mười sáu."]
    vectors = np.eye(4).tolist()
    sections = [0, 0, 1, 1]
    scores = np.array([1.0, 0.95, 0.9, 0.0])  # the two best lines are in the first section

    def two(scores: np.ndarray, sections: list[int] | None) -> list[int]:
        return choose(scores, _cands(texts, vectors, sections), 2, allowed=[True] * 4, budget=100)

    assert two(scores, None) == [0, 1]
    assert two(scores, sections) == [0, 2]
    far_below = np.array([1.0, 0.95, 0.5, 0.0])  # a weak line of another section is not forced in
    assert two(far_below, sections) == [0, 1]


def test_salience_reads_figures_problems_directions_and_praise() -> None:
    texts = [
        "Tốc độ tăng trưởng đạt 14,14%, đứng đầu cả nước.",
        "Tỉnh còn khó khăn về quỹ đất.",
        "Đề nghị tỉnh khắc phục hạn chế.",
        "Tỉnh tiếp tục đoàn kết, nỗ lực, quyết tâm, quyết liệt.",
        "Ngày 26-6-2024, năm 2024, 6 tháng đầu năm.",
    ]
    salience = report_salience(_cands(texts, np.eye(5).tolist()))
    assert salience[:, 0].tolist() == [1, 0, 0, 0, 0]  # dates and periods are not figures
    assert salience[1, 1] == 1 and salience[2, 2] == 1
    assert salience[3, 3] > 0.5 and salience[0, 3] == 0
    assert praise_share("Biểu dương kết quả đạt được.") > 0


def test_a_figure_said_as_a_change_total_rank_or_target_is_a_measured_one() -> None:
    texts = [
        "Số vụ tai nạn giảm 663 vụ so với cùng kỳ.",  # a change
        "Tỉnh đứng đầu cả nước với 14,14%.",  # a rank
        "Trong đó có 33 người ở huyện Lục Nam.",  # a breakdown's count
        "Tỉnh tiếp tục tăng cường quản lý.",  # the cue without a figure
    ]
    salience = report_salience(_cands(texts, np.eye(4).tolist()))
    assert salience[:, SALIENCE.index("measured")].tolist() == [1, 1, 0, 0]


def test_a_reference_back_without_a_figure_is_a_vague_line() -> None:
    texts = [
        "Đề nghị tỉnh nghiêm túc khắc phục các hạn chế đã chỉ ra.",  # which ones: said elsewhere
        "Tỉnh cần thực hiện hiệu quả những mục tiêu, nhiệm vụ đã đề ra.",
        "Hoàn thành các mục tiêu nhiệm kỳ 2020 - 2025 đã đề ra, tăng trưởng 8%.",  # it has a figure
        "Tiếp tục khắc phục các điểm nghẽn, nút thắt cản trở sự phát triển của tỉnh.",
        "Tỉnh đã đề ra mục tiêu tăng trưởng cao cho giai đoạn tới.",  # says what it set out
        "Diện tích đất đã được giao cho các doanh nghiệp đầu tư nông nghiệp.",
        "Hoàn thành các mục tiêu nhiệm kỳ đại hội 2020 - 2025 đã đề ra.",  # a period is specific
    ]
    salience = report_salience(_cands(texts, np.eye(7).tolist()))
    assert salience[:, SALIENCE.index("vague")].tolist() == [1, 1, 0, 0, 0, 0, 0]


@pytest.mark.parametrize(
    "line",
    [
        "Đây là 3 dự án luật sẽ được trình lần đầu tại kỳ họp thứ 4 của Quốc hội.",
        "Con số này sẽ tăng lên hơn 3.800 tấn vào năm 2030.",
        "Như vậy tổng cộng 85 nhiệm vụ ở cấp thành phố đã phân cấp cho các sở, ngành.",
        "Hay vụ tai nạn giao thông tại Hòa Bình ngày 4/6 làm 3 người chết.",
        "Đó là thông tin được đưa ra tại cuộc họp về xử lý 12 dự án chậm tiến độ.",
        "“Chúng tôi xác nhận có quân nhân liên quan tới vụ tai nạn.",
        "Tham dự hội nghị có gần 200 đại biểu đại diện 26 ủy ban thành viên.",
        "làm việc, nhưng đến nay chưa có kết luận sau cùng.",  # a sentence's tail after a line break
        "“là câu hỏi đã từng được dư luận đặt ra trong năm 2017.",
        "nhưng, theo ông A, dự án vẫn chậm tiến độ 2 năm.",  # a word with its comma
        "… đeo nhiều đồ trang sức, nam thanh niên đã khống chế chủ quán.",
    ],
)
def test_a_line_leaning_on_its_context_does_not_stand_alone(line: str) -> None:
    assert not stands_alone(line)


@pytest.mark.parametrize(
    "line",
    [
        "Tốc độ tăng trưởng GRDP đạt 14,14%, đứng đầu cả nước.",
        "Thứ trưởng Bộ Giao thông Vận tải chỉ đạo thu hồi thông báo.",  # a title
        "Hãy tiếp tục tháo gỡ các điểm nghẽn, nút thắt của tỉnh.",  # not "Hay"
        "Tối 5/7, Hà Nội mưa lớn khiến nhiều tuyến phố ngập sâu.",  # not "Tôi"
        "Đầy đủ hồ sơ, thủ tục được tiếp nhận tại Trung tâm hành chính công.",  # not "Đây"
        "Đóng góp của ngành bất động sản chiếm khoảng 4,5% GDP.",  # not "Đó"
        "Hay tin, người dân đã đến hiện trường để hỗ trợ các nạn nhân.",  # on hearing the news
        "Cùng dự án này, tỉnh còn 12 công trình chậm tiến độ.",
        "iPhone 15 được bán tại Việt Nam từ ngày 20/10 với giá từ 22 triệu đồng.",  # a name in small letters
        "5 tuyến phố bị ngập sâu sau trận mưa lớn.",
    ],
)
def test_a_line_with_its_own_subject_stands_alone(line: str) -> None:
    assert stands_alone(line)


def test_names_only_lines_are_attendance_lists() -> None:
    assert names_only("Chánh Văn phòng Trung ương Đảng Nguyễn Duy Ngọc.")
    assert not names_only("Tốc độ tăng trưởng GRDP đạt 14,14%, đứng đầu cả nước.")
