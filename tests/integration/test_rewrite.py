"""Extract, then rewrite: ext-vi selects, a rewriter rewrites, unfaithful lines fall back."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from summarizer import Summarizer
from summarizer.ext_model import ExtractiveModel
from summarizer.faithfulness import number_keys, unsupported
from summarizer.generation import Generated, load_generator
from summarizer.options import GenerationOptions
from summarizer.registry import ModelSpec, resolve_model

SPEC = ModelSpec(
    name="rewriter",
    kind="seq2seq",
    max_input_tokens=128,
    prefixes={"headline": "tiêu đề: ", "summary": "tóm tắt: "},
    rewrite={"selector": "ext-vi"},
)


class FakeRewriter:
    """Drops the first word of each input; with `invent`, adds a number the input lacks."""

    backend = "fake"
    device = "cpu"
    dtype = "float32"

    def __init__(self, invent: bool = False) -> None:
        self.invent = invent
        self.inputs: list[str] = []

    def count_tokens(self, texts):
        return [len(t.split()) for t in texts]

    def generate(self, texts, options, *, max_input_tokens, batch_size=8):
        self.inputs += list(texts)
        out = []
        for text in texts:
            body = text.split(": ", 1)[1]
            words = body.split()[1:] + (["tăng", "99%"] if self.invent else [])
            out.append(Generated(" ".join(words), len(words)))
        return out


@pytest.fixture(scope="module")
def selector() -> ExtractiveModel:
    return ExtractiveModel.load(resolve_model("ext-vi").source)


def test_each_line_is_the_rewrite_of_its_selected_sentence(selector, report_text: str) -> None:
    fake = FakeRewriter()
    summary = Summarizer(SPEC, fake, selector=selector).summarize(report_text)
    doc = Summarizer(SPEC, fake, selector=selector).prepare(report_text)
    assert summary.headline == doc.title  # a title is never rewritten
    assert all(text.startswith(("tóm tắt: ", "tiêu đề: ")) for text in fake.inputs)
    assert len(fake.inputs) == len(set(fake.inputs))  # a sentence in abstract and bullets is rewritten once
    for evidence in summary.evidence[1:]:
        assert evidence.origin == "rewritten" and len(evidence.sources) == 1
        sentence = doc.sentences[evidence.sources[0].sentence]
        assert evidence.text.rstrip(".").split()[-1].rstrip(".") in sentence
    assert not any("fell back" in w for w in summary.info.warnings)


def test_an_unfaithful_rewrite_falls_back_to_the_extract(selector, report_text: str) -> None:
    summary = Summarizer(SPEC, FakeRewriter(invent=True), selector=selector).summarize(report_text)
    assert "99%" not in summary.abstract and not any("99%" in b for b in summary.bullets)
    assert all(e.origin == "extracted" for e in summary.evidence)
    assert any(w.startswith("rewrite fell back to the extracted sentence: ") for w in summary.info.warnings)


def test_tiny_model_rewrites_are_never_less_faithful_than_the_extract(
    selector, tiny_model_dir: Path, report_text: str
) -> None:
    spec = replace(
        resolve_model(str(tiny_model_dir)),
        rewrite={"selector": "ext-vi"},
        generation={
            "summary": GenerationOptions(max_new_tokens=16, min_new_tokens=8, copy_names_numbers=True),
            "headline": GenerationOptions(max_new_tokens=8, min_new_tokens=4, copy_names_numbers=True),
        },
    )
    generator = load_generator(spec, device="cpu", backend="transformers")
    summarizer = Summarizer(spec, generator, selector=selector)
    text = report_text.split("\n", 1)[1]  # no title line: the headline is rewritten too
    summary = summarizer.summarize(text)
    doc = summarizer.prepare(text)
    keys = number_keys(doc.text)
    for line in (summary.headline, *summary.bullets):
        assert not unsupported(line, keys, doc.text)
    for evidence in summary.evidence:
        assert evidence.origin in ("rewritten", "extracted") and evidence.sources
