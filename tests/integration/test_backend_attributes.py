"""Every generation backend says what actually runs: backend, device, dtype, compute type."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer import Summarizer
from summarizer.generation import load_generator
from summarizer.registry import resolve_model


def test_transformers_backend_reports_the_loaded_dtype(tiny_model_dir: Path) -> None:
    import torch

    generator = load_generator(resolve_model(str(tiny_model_dir)), device="cpu", backend="transformers")
    assert (generator.backend, generator.device) == ("transformers", "cpu")
    assert generator.dtype == generator.compute_type == "float32"
    assert {p.dtype for p in generator.model.parameters()} == {torch.float32}


@pytest.fixture(scope="module")
def int8_dir(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("ctranslate2")
    from models.export import export_ct2

    return Path(export_ct2(str(tiny_model_dir), str(tmp_path_factory.mktemp("ct2") / "int8"), quantization="int8"))


def test_ct2_backend_reports_the_compute_type_it_resolved(int8_dir: Path) -> None:
    generator = load_generator(resolve_model(str(int8_dir)), device="cpu")  # auto: the folder's own type
    assert (generator.backend, generator.device) == ("ct2", "cpu")
    # CTranslate2 runs int8 weights with a float activation type it picks for the CPU ("int8_float32")
    assert generator.compute_type == str(generator.translator.compute_type)
    assert generator.compute_type.startswith("int8_") and generator.dtype == "int8"


def test_ct2_backend_reports_a_requested_compute_type(int8_dir: Path) -> None:
    generator = load_generator(resolve_model(str(int8_dir)), device="cpu", compute_type="float32")
    assert generator.compute_type == str(generator.translator.compute_type) == "float32"
    assert generator.dtype == "float32"


def test_model_info_records_what_runs(int8_dir: Path, report_text: str) -> None:
    summarizer = Summarizer.from_pretrained(str(int8_dir), device="cpu")
    generator = summarizer.generator
    model = summarizer.info  # what `GET /v1/models` and the eval records report
    assert (model.backend, model.device, model.dtype, model.compute_type) == (
        "ct2",
        "cpu",
        generator.dtype,
        generator.compute_type,
    )
    summary = summarizer.summarize(report_text).info
    assert (summary.backend, summary.device) == ("ct2", "cpu")
