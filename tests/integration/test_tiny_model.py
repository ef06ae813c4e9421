"""The real transformers path on a tiny random T5 built by a session fixture (no network)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from models.tokenizer import PUNCTUATION, vietnamese_letters
from summarizer import ConfigurationError, ModelLoadError, Summarizer
from summarizer.registry import resolve_model


def test_round_trip_save_and_load_offline(tiny_model_dir: Path, tmp_path: Path, monkeypatch) -> None:
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_model_dir)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    model.save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    again = AutoModelForSeq2SeqLM.from_pretrained(tmp_path)
    for a, b in zip(model.state_dict().values(), again.state_dict().values(), strict=True):
        assert (a == b).all()


def test_every_vietnamese_letter_digit_and_punctuation_survives(tiny_model_dir: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    text = " ".join(vietnamese_letters()) + " " + " ".join(PUNCTUATION)
    ids = tokenizer(text)["input_ids"]
    assert tokenizer.unk_token_id not in ids
    assert tokenizer.decode(ids, skip_special_tokens=True).split() == text.split()


def test_greedy_generation_is_deterministic_and_clean(tiny_summarizer: Summarizer, report_text: str) -> None:
    first = tiny_summarizer.summarize(report_text)
    second = tiny_summarizer.summarize(report_text)
    assert first.headline == second.headline and first.bullets == second.bullets
    assert first.headline and first.abstract
    for text in (first.headline, first.abstract, *first.bullets):
        assert "</s>" not in text and "<pad>" not in text and "<unk>" not in text
        assert unicodedata.is_normalized("NFC", text)
    assert len(set(first.bullets)) == len(first.bullets)
    assert first.info.backend == "transformers" and first.info.device == "cpu"
    assert first.info.generated_tokens > 0


def test_five_thousand_words_are_chunked_and_every_chunk_fits(tiny_summarizer: Summarizer, report_text: str) -> None:
    body = "\n".join(report_text.splitlines()[1:7])
    text = "\n".join([body] * (5000 // len(body.split()) + 1))
    assert len(text.split()) >= 5000
    spec = tiny_summarizer.spec
    generator = tiny_summarizer.generator
    doc = tiny_summarizer._chunked(text, None, tiny_summarizer_options())
    prefix = max(generator.count_tokens([p for p in spec.prefixes.values()]))
    assert len(doc.chunks) > 10
    for chunk in doc.chunks:
        assert generator.count_tokens([chunk.text])[0] + prefix + 1 <= spec.max_input_tokens
    covered = [i for c in doc.chunks for i in range(c.first, c.last + 1)]
    assert sorted(set(covered)) == list(range(len(doc.document.sentences)))


def tiny_summarizer_options():
    from summarizer.options import SummarizeOptions

    return SummarizeOptions(max_chunks=1000)


def test_long_document_beyond_max_chunks_is_reported_as_truncated(
    tiny_summarizer: Summarizer, report_text: str
) -> None:
    summary = tiny_summarizer.summarize_many([report_text * 3], max_chunks=2)[0]
    assert summary.info.truncated and summary.info.chunks == 2
    assert any("not summarized" in w for w in summary.info.warnings)


def test_batched_results_come_back_in_input_order(tiny_summarizer: Summarizer, report_text: str) -> None:
    texts = ["Một câu rất ngắn.", report_text, "Hai câu. Cũng ngắn."]
    together = tiny_summarizer.summarize_many(texts, batch_size=2)
    alone = [tiny_summarizer.summarize(t) for t in texts]
    assert [s.abstract for s in together] == [s.abstract for s in alone]


def test_local_folder_metadata_gives_prefixes_and_limits(tiny_model_dir: Path) -> None:
    spec = resolve_model(str(tiny_model_dir))
    assert spec.prefixes["headline"] == "tiêu đề: " and spec.max_input_tokens == 64
    assert spec.options_for("summary").min_new_tokens == 8


def test_fp16_is_refused_for_t5(tiny_model_dir: Path) -> None:
    with pytest.raises(ConfigurationError, match="bfloat16"):
        Summarizer.from_pretrained(str(tiny_model_dir), dtype="float16", device="cpu")


def test_cuda_requested_without_gpu_is_a_clear_error(tiny_model_dir: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(ConfigurationError, match="no CUDA GPU"):
        Summarizer.from_pretrained(str(tiny_model_dir), device="cuda")


@pytest.mark.parametrize("backend", [None, "transformers", "ct2"])
def test_hub_model_without_network_explains_how_to_download(monkeypatch, tmp_path: Path, backend) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))  # nothing downloaded
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(ModelLoadError) as raised:
        Summarizer.from_pretrained("vit5-base-vietnews", device="cpu", backend=backend)
    message = str(raised.value)
    assert "\n" not in message and "`tomtat download vit5-base-vietnews`" in message
    assert "`hf download VietAI/vit5-base-vietnews-summarization --revision " in message


def test_registry_entries_carry_their_own_prefixes_and_limits() -> None:
    base, large = resolve_model("vit5-base-vietnews"), resolve_model("vit5-large-vietnews")
    assert base.source == "VietAI/vit5-base-vietnews-summarization" and base.prefixes == {"summary": ""}
    assert large.prefixes == {"summary": "vietnews: "} and large.max_input_tokens == 1024
    assert base.revision and large.revision and base.license
