import unicodedata

from summarizer.postprocess import as_headline, as_sentence, clean_generated, dedupe


def test_special_tokens_and_prefixes_never_leak() -> None:
    text = clean_generated("<pad> tóm tắt: hà nội mưa lớn </s><unk>", prefixes=["tóm tắt: ", "tiêu đề: "])
    assert text == "Hà nội mưa lớn"
    assert "<" not in text


def test_only_the_models_own_prefixes_are_removed() -> None:
    assert clean_generated("vietnews: Mưa lớn", prefixes=["vietnews: "]) == "Mưa lớn"
    # a model without prefixes keeps a sentence that happens to start like one
    assert clean_generated("Tóm tắt: kết quả năm 2024") == "Tóm tắt: kết quả năm 2024"


def test_output_is_nfc_with_canonical_tones() -> None:
    text = clean_generated(unicodedata.normalize("NFD", "hoà bình được giữ vững"))
    assert text == "Hòa bình được giữ vững"
    assert unicodedata.is_normalized("NFC", text)


def test_sentence_and_headline_shape() -> None:
    assert as_sentence("Tỉnh đạt kết quả tốt,") == "Tỉnh đạt kết quả tốt."
    assert as_sentence("Tốt?") == "Tốt?"
    assert as_sentence('Ông nói "được."') == 'Ông nói "được."'
    assert as_headline("Hà Nội mưa lớn.") == "Hà Nội mưa lớn"
    assert as_headline("Vì sao...") == "Vì sao..."


def test_dedupe_keeps_first_and_order() -> None:
    items = [
        "Tỉnh tăng trưởng 14%.",
        "Giáo dục phát triển.",
        "tỉnh tăng trưởng 14 %!",
        "Y tế cải thiện.",
    ]
    assert dedupe(items) == ["Tỉnh tăng trưởng 14%.", "Giáo dục phát triển.", "Y tế cải thiện."]
