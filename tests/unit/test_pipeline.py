"""The pipeline with a fake generator: no model, exact control of what is 'generated'."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

import pytest

from summarizer import ConfigurationError, InvalidInputError, ModelNotFoundError, Summarizer, resolve_model
from summarizer.generation import Generated, sorted_batches
from summarizer.normalize import clean_document
from summarizer.options import GenerationOptions, LoadOptions, SummarizeOptions
from summarizer.registry import ModelSpec


class FakeGenerator:
    """Returns the first sentence of each input (or a canned text); counts words as tokens."""

    backend = "fake"
    device = "cpu"
    dtype = "float32"

    def __init__(self, canned: str | None = None) -> None:
        self.canned = canned
        self.calls: list[tuple[list[str], GenerationOptions]] = []

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(t.split()) for t in texts]

    def generate(self, texts, options, *, max_input_tokens, batch_size=8):
        self.calls.append((list(texts), options))
        out = []
        for text in texts:
            body = text.split(": ", 1)[1]
            first = self.canned or body.split(". ")[0]
            out.append(Generated(first, len(first.split()), len(text.split()) > max_input_tokens))
        return out


SPEC = ModelSpec(
    name="fake",
    kind="seq2seq",
    max_input_tokens=40,
    prefixes={"headline": "tiêu đề: ", "summary": "tóm tắt: "},
    generation={"summary": GenerationOptions(max_new_tokens=50, num_beams=2)},
)


def test_short_document_bullets_are_abstract_sentences_without_the_headline() -> None:
    fake = FakeGenerator(canned="Tỉnh họp bàn kế hoạch. Dân đồng tình")
    summary = Summarizer(SPEC, fake).summarize("Tỉnh họp bàn về kế hoạch. Người dân đồng tình.")
    assert summary.headline == "Tỉnh họp bàn kế hoạch"
    # the contract: the abstract does not open with the headline, no bullet repeats it
    assert summary.abstract == "Dân đồng tình."
    assert summary.bullets == ("Dân đồng tình.",)
    assert summary.info.chunks == 1 and not summary.info.truncated


def test_long_document_one_bullet_per_chunk_in_order(report_text: str) -> None:
    fake = FakeGenerator()
    summary = Summarizer(SPEC, fake).summarize(report_text, max_bullets=10)
    assert summary.info.chunks > 3
    assert len(summary.bullets) == len(set(summary.bullets))
    cleaned = clean_document(report_text).text.lower()
    positions = [cleaned.find(b.rstrip(".").lower()) for b in summary.bullets]
    assert -1 not in positions and positions == sorted(positions)
    summary_inputs = fake.calls[0][0]
    assert all(len(t.split()) <= SPEC.max_input_tokens for t in summary_inputs)
    assert "Minh Khoa" not in " ".join(summary_inputs)  # the byline never reaches the model


def test_max_bullets_is_honoured_and_reported(report_text: str) -> None:
    summary = Summarizer(SPEC, FakeGenerator()).summarize(report_text, max_bullets=2)
    assert len(summary.bullets) == 2
    assert any("left out by max_bullets" in w for w in summary.info.warnings)


def test_invented_numbers_drop_bullets_and_flag_headline() -> None:
    fake = FakeGenerator(canned="Tăng 99% so với năm trước. Tỉnh giữ vững ổn định")
    summary = Summarizer(SPEC, fake).summarize("Tỉnh tăng trưởng 14,14% trong năm 2024. Tình hình ổn định.")
    assert summary.bullets == ("Tỉnh giữ vững ổn định.",)
    assert any("99%" in w and "dropped" in w for w in summary.info.warnings)
    assert any(w.startswith("headline has what is not in the source: 99%") for w in summary.info.warnings)


def test_invented_names_drop_bullets() -> None:
    fake = FakeGenerator(canned="Ông Nguyễn Văn Thể phát biểu. Ông Lê Minh Hưng chủ trì hội nghị")
    summary = Summarizer(SPEC, fake).summarize("Ông Lê Minh Hưng chủ trì hội nghị tại Bắc Giang. Nhiều ý kiến.")
    assert summary.bullets == ("Ông Lê Minh Hưng chủ trì hội nghị.",)
    assert any("Nguyễn Văn Thể" in w and "dropped" in w for w in summary.info.warnings)


def test_generation_overrides_and_registry_defaults() -> None:
    fake = FakeGenerator()
    Summarizer(SPEC, fake).summarize("Một câu ngắn.", generation={"summary": {"num_beams": 4}})
    options = {tuple(o.as_dict().items()) for _, o in fake.calls}
    assert any(dict(o)["num_beams"] == 4 and dict(o)["max_new_tokens"] == 50 for o in options)
    with pytest.raises(ConfigurationError, match="unknown generation task"):
        Summarizer(SPEC, fake).summarize("Một câu.", generation={"title": {}})


@pytest.mark.parametrize("bad", ["", "   \n\t ", "<p> </p>", None, 42, "a\x00b"])
def test_bad_input_is_a_clear_error(bad) -> None:
    with pytest.raises(InvalidInputError):
        Summarizer(SPEC, FakeGenerator()).summarize(bad)


def test_summarize_many_names_the_bad_document() -> None:
    with pytest.raises(InvalidInputError, match="document 1"):
        Summarizer(SPEC, FakeGenerator()).summarize_many(["Câu một.", " "])


def test_lead_is_extractive_and_says_so() -> None:
    summary = Summarizer.from_pretrained("lead").summarize("Câu một. Câu hai. Câu ba. Câu bốn.")
    assert summary.headline == "Câu một"
    assert summary.bullets == ("Câu hai.", "Câu ba.")  # the headline's sentence is not repeated
    assert summary.abstract == "Câu hai. Câu ba."
    assert summary.info.kind == "extractive"
    assert any("extractive" in w for w in summary.info.warnings)


def test_textrank_picks_central_sentences_in_document_order() -> None:
    text = (
        "Hà Nội mưa lớn gây ngập nhiều tuyến phố trung tâm. Trời hôm qua đẹp. "
        "Cơn mưa lớn kéo dài khiến phố cổ Hà Nội ngập sâu. "
        "Nhiều tuyến phố ở Hà Nội vẫn ngập sau mưa lớn đến tối."
    )
    summary = Summarizer.from_pretrained("textrank").summarize(text)
    assert "Trời hôm qua đẹp." not in summary.bullets
    assert len(summary.bullets) == 2 and summary.headline  # the top sentence is the headline, not a bullet
    assert not any(summary.headline in b for b in summary.bullets)


def test_unknown_model_lists_known_names() -> None:
    with pytest.raises(ModelNotFoundError, match=r"Known names: .*lead"):
        resolve_model("no-such-model")


def test_summary_is_frozen_and_json_friendly() -> None:
    summary = Summarizer.from_pretrained("lead").summarize("Câu một. Câu hai.")
    with pytest.raises(AttributeError):
        summary.headline = "x"  # type: ignore[misc]
    data = summary.to_dict()
    assert data["bullets"] == ["Câu hai."] and isinstance(data["info"]["warnings"], list)
    assert json.loads(json.dumps(data))["evidence"][0]["part"] == "headline"


def test_sorted_batches_group_by_length_and_respect_budgets() -> None:
    lengths = [5, 100, 7, 90, 6, 95]
    batches = sorted_batches(lengths, batch_size=2)
    assert batches == [[1, 5], [3, 2], [4, 0]]
    assert sorted(i for b in batches for i in b) == list(range(6))
    assert all(max(lengths[i] for i in b) * len(b) <= 100 for b in sorted_batches(lengths, 8, 100))


def test_out_of_range_options_are_refused() -> None:
    from summarizer import ConfigurationError

    with pytest.raises(ConfigurationError, match="max_bullets"):
        Summarizer(SPEC, FakeGenerator()).summarize("Một câu.", max_bullets=0)
    with pytest.raises(ConfigurationError, match="num_beams"):
        Summarizer(SPEC, FakeGenerator()).summarize("Một câu.", generation={"summary": {"num_beams": 0}})


def test_a_task_with_max_source_tokens_reads_only_leading_whole_sentences() -> None:
    lead_spec = replace(SPEC, generation={"headline": GenerationOptions(max_new_tokens=8, max_source_tokens=9)})
    text = "Một hai ba bốn. Năm sáu bảy tám. Chín mười mười một mười hai. Cuối cùng là đây."
    fake = FakeGenerator()
    Summarizer(lead_spec, fake).summarize(text)
    (summary_inputs, _), (headline_inputs, _) = fake.calls
    assert summary_inputs == ["tóm tắt: " + text]  # the summary still reads the whole chunk
    assert headline_inputs == ["tiêu đề: Một hai ba bốn. Năm sáu bảy tám."]  # 8 words fit in 9, 12 do not


def test_negative_max_source_tokens_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="max_source_tokens"):
        GenerationOptions(max_source_tokens=-1)


class FailsOn(FakeGenerator):
    """A generator whose model call fails whenever a batch holds an input containing `marker`."""

    def __init__(self, marker: str) -> None:
        super().__init__()
        self.marker = marker

    def generate(self, texts, options, *, max_input_tokens, batch_size=8):
        if any(self.marker in t for t in texts):
            from summarizer import ModelLoadError

            raise ModelLoadError("the model failed on this input")
        return super().generate(texts, options, max_input_tokens=max_input_tokens, batch_size=batch_size)


def test_summarize_each_isolates_bad_documents_and_failed_model_calls() -> None:
    fake = FailsOn("độc")
    texts = ["Câu một về mưa. Câu hai về lũ.", "   ", "Tin độc hại ở đây. Câu sau.", "Hà Nội nắng. Trời đẹp."]
    outcomes = Summarizer(SPEC, fake).summarize_each(texts)
    assert [type(o).__name__ for o in outcomes] == ["Summary", "InvalidInputError", "ModelLoadError", "Summary"]
    assert outcomes[0].headline.startswith("Câu một") and outcomes[3].headline.startswith("Hà Nội")
    # one batched call failed, then each document was tried on its own
    assert len(fake.calls) >= 2 and all(len(inputs) == 1 for inputs, _ in fake.calls)


def test_summarize_each_takes_one_options_object_and_checks_the_call() -> None:
    fake = FakeGenerator(canned="Tỉnh họp bàn kế hoạch. Ông Trần Văn Bịa nói 99 người dự")
    summarizer = Summarizer(SPEC, fake)
    text = "Tỉnh họp bàn về kế hoạch năm. Người dân đồng tình với kế hoạch."
    dropped = summarizer.summarize_each([text])[0]
    flagged = summarizer.summarize_each([text], options=SummarizeOptions(faithfulness="flag"))[0]
    assert dropped.bullets == () and any("bullet dropped" in w for w in dropped.info.warnings)
    assert flagged.bullets and any("bullet has what is not in the source" in w for w in flagged.info.warnings)
    assert flagged.info.options["faithfulness"] == "flag"
    with pytest.raises(ConfigurationError, match="titles"):
        summarizer.summarize_each(["Câu một.", "Câu hai."], titles=["Một"])


def test_model_info_reports_what_runs() -> None:
    summarizer = Summarizer(SPEC, FakeGenerator(), load=LoadOptions(batch_size=3))
    assert summarizer.info.as_dict() == {
        "name": "fake",
        "revision": "",
        "kind": "seq2seq",
        "backend": "fake",
        "device": "cpu",
        "dtype": "float32",
        "compute_type": "float32",
    }
    assert summarizer.batch_size == 3
    summary = summarizer.summarize("Câu một về mưa. Câu hai về lũ.")
    assert (summary.info.backend, summary.info.device) == ("fake", "cpu")
    lead = Summarizer.from_pretrained("lead", device="cpu")
    assert (lead.info.backend, lead.info.kind) == ("extractive", "extractive")
    with pytest.raises(ConfigurationError, match="load options"):
        Summarizer.from_pretrained("lead", devise="cpu")
    with pytest.raises(ConfigurationError, match="backend"):
        LoadOptions(backend="onnx")


class RaisesRuntime(FakeGenerator):
    """A backend that fails the way torch or CTranslate2 do: a plain RuntimeError."""

    def generate(self, texts, options, *, max_input_tokens, batch_size=8):
        if any("BOOM" in t for t in texts):
            raise RuntimeError("CUDA error: device-side assert triggered")
        return super().generate(texts, options, max_input_tokens=max_input_tokens, batch_size=batch_size)


def test_a_backend_error_is_the_documents_generation_error_only() -> None:
    from summarizer.errors import GenerationError

    outcomes = Summarizer(SPEC, RaisesRuntime()).summarize_each(["Câu một. Câu hai.", "BOOM ở đây. Câu sau."])
    assert outcomes[0].headline == "Câu một"
    assert isinstance(outcomes[1], GenerationError) and "RuntimeError" in str(outcomes[1])
    assert isinstance(outcomes[1].__cause__, RuntimeError)


def test_summarize_many_names_the_document_for_errors_with_their_own_constructor() -> None:
    from summarizer.errors import ModelLoadError

    class Picky(ModelLoadError):
        def __init__(self, message: str, *, reason: str) -> None:
            super().__init__(message)
            self.reason = reason

    class FailsPicky(FakeGenerator):
        def generate(self, texts, options, *, max_input_tokens, batch_size=8):
            raise Picky("hub unreachable", reason="offline")

    with pytest.raises(Picky, match="document 0: hub unreachable") as caught:
        Summarizer(SPEC, FailsPicky()).summarize_many(["Câu một.", "Câu hai."])
    assert caught.value.reason == "offline"
