import unicodedata

import numpy as np
import pytest

from evaluation.rouge import SyllableTokenizer, bootstrap_interval, score_corpus, score_pair


def test_hand_checkable_rouge1() -> None:
    score = score_pair(prediction="việt nam thắng", reference="việt nam thắng thái lan")["rouge1"]
    assert score.precision == pytest.approx(1.0)
    assert score.recall == pytest.approx(3 / 5)
    assert score.f1 == pytest.approx(2 * 0.6 / 1.6)


def test_nfc_and_nfd_score_the_same() -> None:
    reference = "Việt Nam giành chiến thắng thuyết phục"
    nfd = unicodedata.normalize("NFD", reference)
    assert score_pair(prediction=nfd, reference=reference)["rouge1"].f1 == pytest.approx(1.0)


def test_old_and_new_tone_marks_score_the_same() -> None:
    assert score_pair(prediction="hoà bình thuỷ lợi", reference="hòa bình thủy lợi")["rouge2"].f1 == pytest.approx(1.0)


def test_diacritics_matter_in_syllable_but_not_in_paper_tokenizer() -> None:
    assert score_pair(prediction="ma", reference="má")["rouge1"].f1 == 0.0
    syllable = score_pair(prediction="Hội nghị Ban Chấp hành", reference="Hồ sơ ngân hàng")["rouge1"].f1
    paper = score_pair(prediction="Hội nghị Ban Chấp hành", reference="Hồ sơ ngân hàng", tokenizer="paper")["rouge1"].f1
    assert syllable == 0.0 and paper > 0.0  # the shredding that inflates paper-compatible scores


def test_empty_prediction_scores_zero() -> None:
    assert score_pair(prediction="", reference="có nội dung")["rougeL"].f1 == 0.0


def test_paper_tokenizer_agrees_with_plain_rouge_score() -> None:
    from rouge_score import rouge_scorer

    plain = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"])
    pairs = [
        ("Việt Nam thắng Thái Lan 2-0.", "Đội tuyển Việt Nam thắng."),
        ("GRDP tăng 14,14%", "tăng trưởng 14,14 %"),
    ]
    for prediction, reference in pairs:
        ours = score_pair(prediction=prediction, reference=reference, tokenizer="paper")
        theirs = plain.score(reference, prediction)
        for metric in ("rouge1", "rouge2", "rougeL"):
            assert ours[metric].f1 == pytest.approx(theirs[metric].fmeasure)


def test_tokenizer_keeps_numbers_and_splits_segmented_words() -> None:
    assert SyllableTokenizer().tokenize("Việt_Nam đạt 14,14% và 1.000 tỷ") == [
        "việt",
        "nam",
        "đạt",
        "14,14",
        "và",
        "1.000",
        "tỷ",
    ]


def test_keyword_only_api_prevents_swapping() -> None:
    with pytest.raises(TypeError):
        score_pair("dự đoán", "tham chiếu")  # type: ignore[misc]
    with pytest.raises(ValueError, match="2 predictions but 1 references"):
        score_corpus(predictions=["a", "b"], references=["a"])


def test_bootstrap_is_reproducible_and_brackets_the_mean() -> None:
    values = np.random.default_rng(1).uniform(0, 100, size=200)
    low, high = bootstrap_interval(values)
    assert low < values.mean() < high
    assert bootstrap_interval(values) == (low, high)
