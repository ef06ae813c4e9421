"""Sentence features: one row per body sentence, named columns, title features only with a title."""

from __future__ import annotations

import numpy as np

from summarizer.document import prepare_document
from summarizer.features import FEATURE_NAMES, sentence_features

TEXT = (
    "Sáng 5/7, Sở Nông nghiệp tổ chức hội nghị sơ kết công tác phòng chống hạn mặn.\n"
    "Toàn tỉnh có 12.400 ha lúa bị ảnh hưởng, tăng 14,14% so với năm trước.\n"
    'Ông Nguyễn Văn An cho biết: "Các địa phương đã vận hành 86 cống ngăn mặn."\n'
    "Các nhiệm vụ trọng tâm:\n"
    "- Nạo vét kênh mương.\n"
    "Sở đề nghị các huyện rà soát công trình cấp nước xuống cấp trong tháng này."
)


def column(rows: np.ndarray, name: str) -> np.ndarray:
    return rows[:, FEATURE_NAMES.index(name)]


def test_one_row_per_sentence_with_every_named_column() -> None:
    doc = prepare_document(TEXT)
    rows = sentence_features(doc, {})
    assert rows.shape == (len(doc.sentences), len(FEATURE_NAMES)) and rows.dtype == np.float32
    assert np.isfinite(rows).all()
    assert column(rows, "position").tolist() == list(range(len(doc.sentences)))


def test_shape_number_name_and_cue_features_read_the_sentence() -> None:
    rows = sentence_features(prepare_document(TEXT), {})
    assert column(rows, "has_percent").tolist()[:2] == [0, 1]
    assert column(rows, "has_date")[0] == 1
    assert column(rows, "name_runs")[2] >= 1 and column(rows, "quotes")[2] == 2
    assert column(rows, "cue_cho_biết").tolist()[:3] == [0, 0, 1]
    assert column(rows, "ends_with_colon").tolist() == [0, 0, 0, 1, 0, 0]
    assert column(rows, "list_item").tolist() == [0, 0, 0, 0, 1, 0]


def test_title_features_are_zero_without_a_title_and_rank_with_one() -> None:
    without = sentence_features(prepare_document(TEXT), {})
    with_title = sentence_features(prepare_document(TEXT, title="Lâm Hà vận hành 86 cống ngăn mặn"), {})
    assert column(without, "has_title").max() == 0 and column(without, "sim_title").max() == 0
    assert column(with_title, "has_title").min() == 1
    assert int(np.argmax(column(with_title, "sim_title"))) == 2
    # everything that does not look at the title is the same
    other = [i for i, n in enumerate(FEATURE_NAMES) if "title" not in n]
    assert np.allclose(without[:, other], with_title[:, other], atol=1e-5)


def test_features_are_deterministic() -> None:
    doc = prepare_document(TEXT)
    assert np.array_equal(sentence_features(doc, {"hạn": 3.0}), sentence_features(doc, {"hạn": 3.0}))
