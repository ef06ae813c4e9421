"""`summarizer.grouping.group`: articles into stories, deterministic, scored by adjusted Rand."""

from __future__ import annotations

import random

import pytest

from evaluation.grouping_eval import adjusted_rand
from summarizer import ConfigurationError, InvalidInputError
from summarizer.document import prepare_document
from summarizer.grouping import group
from tests.digest_articles import FUEL, PLANE_A, PLANE_B

FLOOD_A = (
    "Lũ lớn trên sông Hồng, Hà Nội sơ tán dân ven sông\n"
    "Mực nước sông Hồng tại Hà Nội lên 11,5 m lúc 7 giờ sáng nay, vượt báo động hai. Quận Long Biên đã sơ tán "
    "hơn 300 hộ dân ở bãi giữa sông Hồng. Lực lượng cứu hộ túc trực tại các điểm xung yếu của đê."
)
FLOOD_B = (
    "Nước sông Hồng vượt báo động hai, hàng trăm hộ dân bãi giữa phải sơ tán\n"
    "Sáng nay, mực nước sông Hồng đoạn qua Hà Nội đạt 11,5 m. Hơn 300 hộ dân bãi giữa sông Hồng thuộc quận Long "
    "Biên được đưa đến nơi an toàn. Các điểm xung yếu của đê được canh gác suốt đêm."
)
FUEL_B = (
    "Xăng RON 95 giảm 800 đồng mỗi lít\n"
    "Từ 15 giờ chiều 12/3, giá xăng RON 95 giảm 800 đồng mỗi lít theo quyết định của liên Bộ Công Thương - Tài "
    "chính. Giá dầu diesel giảm 500 đồng mỗi lít. Quỹ bình ổn giá không được trích lập trong kỳ điều hành này."
)


def test_articles_of_one_story_are_grouped_in_input_order() -> None:
    assert group([PLANE_A, FUEL, PLANE_B]) == [[0, 2], [1]]


def test_three_stories_shuffled_are_found_exactly() -> None:
    articles = [PLANE_A, PLANE_B, FUEL, FUEL_B, FLOOD_A, FLOOD_B]
    truth = [0, 0, 1, 1, 2, 2]
    order = list(range(len(articles)))
    random.Random(3).shuffle(order)
    stories = group([articles[i] for i in order])
    assert adjusted_rand(stories, [truth[i] for i in order]) == 1.0
    assert all(story == sorted(story) for story in stories) and [s[0] for s in stories] == sorted(s[0] for s in stories)


def test_the_same_input_gives_the_same_stories() -> None:
    articles = [FLOOD_A, PLANE_A, FUEL_B, FLOOD_B, PLANE_B, FUEL]
    assert group(articles) == group(list(articles)) == group([prepare_document(a) for a in articles])


def test_threshold_one_splits_everything_and_small_inputs_are_fine() -> None:
    assert group([PLANE_A, PLANE_B, FUEL], threshold=1.0) == [[0], [1], [2]]
    assert group([PLANE_A]) == [[0]] and group([]) == []


def test_adjusted_rand_scores_a_wrong_grouping_lower() -> None:
    truth = [0, 0, 1, 1, 2, 2]
    assert adjusted_rand([[0, 1], [2, 3], [4, 5]], truth) == 1.0
    assert adjusted_rand([[0, 1, 2, 3, 4, 5]], truth) == 0.0
    assert adjusted_rand([[0, 2], [1, 4], [3, 5]], truth) < 0.1


@pytest.mark.parametrize(
    ("documents", "threshold", "error", "message"),
    [
        ([PLANE_A, "  "], None, InvalidInputError, "document 1"),
        ([PLANE_A, 3], None, InvalidInputError, "document 1 must be a string"),
        ([PLANE_A, PLANE_B], 1.5, ConfigurationError, "threshold"),
    ],
)
def test_bad_input_is_a_clear_error(documents, threshold, error, message) -> None:
    with pytest.raises(error, match=message):
        group(documents, threshold=threshold)


def test_tfidf_rows_are_scikit_learns_vectors() -> None:
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from summarizer.grouping import _grams, tfidf_rows

    texts = [PLANE_A, PLANE_B, FUEL, FUEL_B, FLOOD_A, FLOOD_B, PLANE_A + " " + FUEL]
    expected = TfidfVectorizer(analyzer=_grams, sublinear_tf=True, max_df=3).fit_transform(texts).toarray()
    assert np.allclose(tfidf_rows([_grams(t) for t in texts], max_df=3).toarray(), expected)
