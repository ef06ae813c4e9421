"""ext-vi on long reports: key points within the word budget, exact evidence, no repetition."""

from __future__ import annotations

import numpy as np
import pytest

from summarizer import Summarizer
from summarizer.document import prepare_document
from summarizer.errors import ConfigurationError
from summarizer.ext_model import LONG_ABSTRACT_WORDS, LONG_REPORT_SYLLABLES, _content, _report_abstract
from summarizer.keypoints import candidates, eligible
from summarizer.options import SummarizeOptions
from summarizer.tokens import syllables

TOPICS = [
    ("Tốc độ tăng trưởng GRDP của tỉnh đạt {n},5%, đứng thứ {n} cả nước", "kinh tế"),
    ("Kim ngạch xuất khẩu đạt {n}.200 tỷ đồng, tăng {n}% so với cùng kỳ", "xuất khẩu"),
    ("Tỉnh còn thiếu quỹ đất sạch cho {n} dự án thu hút đầu tư", "đất đai"),
    ("Hạ tầng điện chưa đáp ứng nhu cầu của {n} khu công nghiệp", "điện"),
    ("Đề nghị các sở khẩn trương tháo gỡ vướng mắc cho {n} dự án giao thông", "giao thông"),
    ("Yêu cầu ngành y tế bảo đảm đủ thuốc cho {n} bệnh viện tuyến huyện", "y tế"),
    ("Thu ngân sách nhà nước đạt {n}.500 tỷ đồng, bằng {n}0% dự toán", "ngân sách"),
    ("Giao Sở Giáo dục xây thêm {n} trường học ở vùng khó khăn", "giáo dục"),
    ("Diện tích lúa bị hạn mặn là {n}.400 ha, trong đó {n}00 ha mất trắng", "nông nghiệp"),
    ("Tỉnh thu hút {n} dự án đầu tư nước ngoài với tổng vốn {n}00 triệu USD", "đầu tư"),
    ("Chỉ đạo ngành du lịch đón {n} triệu lượt khách trong năm nay", "du lịch"),
    ("Số hộ nghèo giảm còn {n},2%, thấp hơn mục tiêu đề ra", "giảm nghèo"),
]


def long_report() -> str:
    """A report of twelve distinct points with figures, problems and directions (over 850 syllables)."""
    lines = ["Tỉnh Hòa Bình sơ kết sáu tháng đầu năm 2024"]
    filler = (
        "Các sở, ngành đã phối hợp chặt chẽ, triển khai đồng bộ nhiều giải pháp trong lĩnh vực {t} "
        "và báo cáo đầy đủ, kịp thời với Ủy ban nhân dân tỉnh theo đúng quy định hiện hành của Nhà nước."
    )
    for k, (point, topic) in enumerate(TOPICS, start=2):
        lines.append(
            f"{point.format(n=k)}. {filler.format(t=topic)} Về {topic}, tỉnh tiếp tục theo dõi sát tình hình "
            "và kịp thời đề xuất giải pháp."
        )
    return "\n".join(lines)


@pytest.fixture(scope="module")
def ext_vi() -> Summarizer:
    return Summarizer.from_pretrained("ext-vi")


def _words(summary) -> int:  # type: ignore[no-untyped-def]
    return sum(len(p.split()) for p in [summary.headline, summary.abstract, *summary.bullets])


def test_the_long_report_is_long_enough_to_be_one() -> None:
    doc = prepare_document(long_report())
    assert sum(len(syllables(s)) for s in doc.sentences) >= LONG_REPORT_SYLLABLES


def test_a_long_report_fits_the_default_budget_with_short_bullets(ext_vi: Summarizer) -> None:
    summary = ext_vi.summarize(long_report())
    assert _words(summary) <= 200
    assert summary.bullets and all(len(syllables(b)) <= 45 for b in summary.bullets)
    figures = [b for b in summary.bullets if any(c.isdigit() for c in b)]
    assert figures, summary.bullets  # a report's bullets carry its figures


def test_a_reports_abstract_stays_short_when_its_best_sentence_is_long(ext_vi: Summarizer) -> None:
    run_on = ", ".join(f"xây dựng {k} cây cầu dân sinh ở xã vùng cao số {k}" for k in range(2, 14))
    first = "Tốc độ tăng trưởng GRDP của tỉnh đạt 2,5%, đứng thứ 2 cả nước"
    doc = prepare_document(long_report().replace(first, f"{first}, {run_on}"))
    assert len(doc.sentences[0].split()) > 150
    cands = candidates(doc, ext_vi.selector.idf)
    best_first = np.arange(len(doc.sentences), 0, -1, dtype=float)  # the long sentence scores best
    taken, lines = _report_abstract(doc, cands, best_first, eligible(doc, cands), "Tỉnh Hòa Bình", budget=180)
    assert taken and doc.units[taken[0]].sentence == 0
    assert sum(len(line.text.split()) for line in lines) <= LONG_ABSTRACT_WORDS  # cut at a clause


def test_a_reports_abstract_opens_a_sentence_and_drops_its_connective(ext_vi: Summarizer) -> None:
    # the best sentence's only line is a list's tail ("Luật Đất đai …"): the abstract is taken
    # from the next best sentence, which opens with a connective that is dropped
    opener = "Chính phủ yêu cầu các bộ, cơ quan chủ trì soạn thảo tập trung hoàn thiện 4 dự án Luật: "
    tail = "Luật Đất đai (sửa đổi), Luật Giá (sửa đổi), Luật Đấu thầu (sửa đổi), Luật Hợp tác xã (sửa đổi)."
    second = "Trong đó, Chính phủ yêu cầu Bộ Tài nguyên và Môi trường hoàn thiện hồ sơ dự án Luật Đất đai."
    text = f"Phiên họp chuyên đề xây dựng pháp luật\n{opener}{tail} {second}\n" + long_report().split("\n", 1)[1]
    doc = prepare_document(text)
    cands = candidates(doc, ext_vi.selector.idf)
    scores = np.arange(len(doc.sentences), 0, -1, dtype=float)  # the list sentence first, then the next
    taken, lines = _report_abstract(doc, cands, scores, eligible(doc, cands), "Phiên họp", budget=180)
    assert [doc.units[i].sentence for i in taken] == [1]
    assert lines[0].text.startswith("Chính phủ yêu cầu Bộ Tài nguyên"), lines[0].text
    summary = ext_vi.summarize(text)
    assert not summary.abstract.startswith(("Trong đó", "Luật Đất đai")), summary.abstract


def test_a_speakers_introduction_is_no_abstract_sentence() -> None:
    sentences = [
        "Chia sẻ về chính sách hỗ trợ doanh nghiệp, ông Phạm Thế Dũng, Phó Cục trưởng Cục Ứng dụng công nghệ cho biết.",
        "Bộ đã hỗ trợ 175 doanh nghiệp đổi mới công nghệ trong năm 2022.",
        "Ông Nguyễn Văn An, Giám đốc Sở Kế hoạch và Đầu tư tỉnh, cho biết thêm:",
        # statements that end with a speech verb say something themselves
        "Tăng trưởng xanh là yêu cầu mà Thủ tướng đã nhiều lần nhấn mạnh.",
        "Kết quả này vượt xa kỳ vọng của ngành năm nay, như ông An chia sẻ.",
    ]
    assert _content(sentences, [syllables(s) for s in sentences]) == [False, True, False, True, True]


def test_a_reports_abstract_drops_the_connective_opening_its_sentence(ext_vi: Summarizer) -> None:
    abstract = ext_vi.summarize(long_report()).abstract
    text = long_report().replace(abstract, f"Trong đó, {abstract[0].lower()}{abstract[1:]}", 1)
    assert text != long_report()
    assert ext_vi.summarize(text).abstract == abstract  # read apart from the text, without "Trong đó, "


def test_a_word_budget_is_honoured_and_more_bullets_asked_are_given(ext_vi: Summarizer) -> None:
    small = ext_vi.summarize(long_report(), options=SummarizeOptions(max_words=80))
    assert _words(small) <= 80
    assert any("fit within max_words 80" in w for w in small.info.warnings)  # says why there are fewer
    ten = ext_vi.summarize(long_report(), options=SummarizeOptions(max_bullets=10))
    assert len(ten.bullets) == 10, ten.info.warnings
    assert _words(ten) <= SummarizeOptions(max_bullets=10).word_budget


@pytest.mark.parametrize("max_words", [30, 45])
def test_a_tight_budget_holds_for_a_report_and_for_news(ext_vi: Summarizer, max_words: int) -> None:
    news = (
        "Hà Nội mưa lớn suốt đêm qua, lượng mưa có nơi vượt 200 mm. Nhiều tuyến phố ngập sâu 40-60 cm, "
        "hàng trăm xe chết máy. Giao thông ùn tắc đến trưa. Công ty Thoát nước huy động 1.500 công nhân."
    )
    for text in (long_report(), news):
        summary = ext_vi.summarize(text, max_words=max_words)
        assert _words(summary) <= max_words, summary
        assert summary.abstract and syllables(summary.abstract) != syllables(summary.headline)


@pytest.mark.parametrize("bad", [0, 5, 10_000, True, "200"])
def test_a_bad_word_budget_is_refused(bad: object) -> None:
    with pytest.raises(ConfigurationError, match="max_words"):
        SummarizeOptions(max_words=bad)  # type: ignore[arg-type]


def test_bullets_follow_the_report_and_never_repeat_the_abstract_or_each_other(ext_vi: Summarizer) -> None:
    text = long_report()
    summary = ext_vi.summarize(text)
    bullets = [e for e in summary.evidence if e.part == "bullet"]
    starts = [e.sources[0].start for e in bullets]
    assert starts == sorted(starts)
    abstract_spans = {(s.start, s.end) for e in summary.evidence if e.part == "abstract" for s in e.sources}
    assert not abstract_spans & {(s.start, s.end) for e in bullets for s in e.sources}
    keys = [" ".join(syllables(b)) for b in summary.bullets]
    assert len(set(keys)) == len(keys)


def test_every_line_is_exactly_its_evidence(ext_vi: Summarizer) -> None:
    text = long_report()
    doc = ext_vi.prepare(text)
    summary = ext_vi.summarize(text)
    for entry in summary.evidence:
        if entry.origin != "extracted":
            continue
        pieces = " ".join(doc.text[s.start : s.end] for s in entry.sources)
        assert syllables(pieces) == syllables(entry.text), entry


@pytest.mark.parametrize(
    "text",
    [
        "Hà Nội mưa lớn. Nhiều tuyến phố ngập sâu.",
        "Hà Nội mưa lớn suốt đêm qua. Nhiều tuyến phố ngập sâu, nước tràn vào nhà dân. Giao thông ùn tắc đến trưa.",
        "Giá xăng giảm 500 đồng mỗi lít từ chiều nay. Đây là lần giảm thứ ba liên tiếp trong tháng. "
        "Giá dầu diesel cũng giảm 300 đồng. Các cửa hàng đã niêm yết giá mới.",
    ],
)
def test_short_texts_never_repeat_the_abstract_in_bullets_and_keep_the_subject(ext_vi: Summarizer, text: str) -> None:
    summary = ext_vi.summarize(text)
    abstract = set(syllables(summary.abstract))
    for bullet in summary.bullets:
        assert not set(syllables(bullet)) <= abstract, (bullet, summary.abstract)
    sentences = [s for s in text.split(".") if s.strip()]
    if len(sentences) <= 3:  # a text of a few sentences: the headline is its lead, with its subject
        assert syllables(summary.headline) == syllables(sentences[0])[: len(syllables(summary.headline))]


def test_a_line_leaning_on_its_context_is_never_a_line(ext_vi: Summarizer) -> None:
    text = (
        "Tỉnh Hòa Bình sơ kết công tác đầu tư công sáu tháng đầu năm 2024\n"
        "Giải ngân vốn đầu tư công của tỉnh đạt 4.200 tỷ đồng, bằng 48% kế hoạch được giao. "
        "Đây là mức giải ngân cao nhất trong 5 năm qua của tỉnh và đứng thứ 3 cả nước. "
        "Con số này sẽ còn tăng lên khoảng 7.000 tỷ đồng vào cuối năm nay. "
        "Tỉnh đề ra ba nhiệm vụ trọng tâm cho sáu tháng cuối năm. "
        "Đẩy nhanh giải phóng mặt bằng cho 12 dự án giao thông trọng điểm của tỉnh. "
        "Tháo gỡ vướng mắc về nguồn vật liệu xây dựng cho các nhà thầu thi công. "
        "Xử lý nghiêm các chủ đầu tư chậm giải ngân vốn được giao trong năm."
    )
    doc = prepare_document(text)
    cands = candidates(doc, ext_vi.selector.idf)
    allowed = eligible(doc, cands)
    leaning = [i for i, e in enumerate(cands.excerpts) if e.text.startswith(("Đây là", "Con số này"))]
    assert leaning and not any(allowed[i] for i in leaning)
    assert sum(allowed) >= 4  # the lines with their own subject are still lines
    summary = ext_vi.summarize(text, max_bullets=6)
    assert summary.bullets
    assert not any(line.startswith(("Đây là", "Con số này")) for line in summary.bullets)
