"""Shared fixtures: the tiny T5 built on the fly, fixture texts, the ../shared data."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLE = SHARED / "samples" / "bac-giang-working-session.txt"


def fixture_records() -> list[dict[str, str]]:
    lines = (FIXTURES / "vi_corpus.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def corpus_lines() -> list[str]:
    from models.tokenizer import vietnamese_letters

    lines = [" ".join(vietnamese_letters())]
    for record in fixture_records():
        lines += [record["title"], record["summary"], *record["text"].split("\n")]
    lines += (REPO / "examples" / "bao-cao-mau.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip()]


def build_tiny_model(folder: Path, *, tie: bool = True, seed: int = 0) -> Path:
    """A random-weight tiny T5 + a SentencePiece vocabulary trained on the fixture texts.

    min_new_tokens is set because a random T5 otherwise emits only padding.
    """
    from transformers import AutoTokenizer

    from models.tokenizer import train_sentencepiece
    from summarizer.generation.architectures import random_t5
    from summarizer.generation.model_files import write_metadata, write_tokenizer_files

    spiece = train_sentencepiece(corpus_lines(), folder / "spm", vocab_size=700)
    write_tokenizer_files(spiece, folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    overrides = (
        {}
        if tie
        else {
            "tie_word_embeddings": False,
            "scale_decoder_outputs": False,
            "feed_forward_proj": "gated-gelu",
        }
    )
    model = random_t5("tiny", vocab_size=len(tokenizer), seed=seed, **overrides)
    model.save_pretrained(folder)
    write_metadata(
        folder,
        name="tiny-test",
        max_input_tokens=64,
        prefixes={"headline": "tiêu đề: ", "summary": "tóm tắt: "},
        generation={
            "headline": {"max_new_tokens": 8, "min_new_tokens": 4},
            "summary": {"max_new_tokens": 16, "min_new_tokens": 8},
        },
    )
    return folder


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny-t5"))


@pytest.fixture(scope="session", autouse=True)
def _private_model_cache(tmp_path_factory: pytest.TempPathFactory):
    """Converted models (CTranslate2 cache) go to a temporary folder, not the user's home."""
    old = os.environ.get("TOMTAT_CACHE")
    os.environ["TOMTAT_CACHE"] = str(tmp_path_factory.mktemp("tomtat-cache"))
    yield
    if old is None:
        os.environ.pop("TOMTAT_CACHE", None)
    else:
        os.environ["TOMTAT_CACHE"] = old


@pytest.fixture(scope="session")
def tiny_summarizer(tiny_model_dir: Path):
    """The tiny model on the PyTorch backend (auto mode would pick CTranslate2 on CPU)."""
    from summarizer import Summarizer

    return Summarizer.from_pretrained(str(tiny_model_dir), device="cpu", backend="transformers")


@pytest.fixture(scope="session")
def sample_text() -> str:
    if not SAMPLE.is_file():
        pytest.skip(f"{SAMPLE} is absent (../shared is only beside the project checkout)")
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def report_text() -> str:
    return (REPO / "examples" / "bao-cao-mau.txt").read_text(encoding="utf-8")
