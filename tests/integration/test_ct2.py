"""CTranslate2 export and backend: same tokens, same options, same Summary as PyTorch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer import ConfigurationError, Summarizer
from summarizer.generation import load_generator
from summarizer.options import GenerationOptions
from summarizer.registry import resolve_model
from tests.conftest import build_tiny_model

pytest.importorskip("ctranslate2")

TEXTS = [
    "tóm tắt: Hà Nội khởi công tuyến đường sắt đô thị số 5.",
    "tóm tắt: Giá lúa tại Đồng bằng sông Cửu Long tăng mạnh, nông dân phấn khởi.",
    "tiêu đề: Xuất khẩu cà phê quý I đạt gần 2 tỷ USD",
]


@pytest.fixture(scope="module")
def untied_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny-untied"), tie=False, seed=1)


def _export(model_dir: Path, out: Path, quantization: str) -> Path:
    from models.export import export_ct2

    return export_ct2(str(model_dir), str(out), quantization=quantization)


@pytest.mark.parametrize("which", ["tied", "untied"])
def test_float32_ct2_matches_pytorch_greedy(
    which: str, tiny_model_dir: Path, untied_model_dir: Path, tmp_path: Path
) -> None:
    source = tiny_model_dir if which == "tied" else untied_model_dir
    ct2_dir = _export(source, tmp_path / "ct2", "float32")
    options = GenerationOptions(max_new_tokens=12, min_new_tokens=6)
    torch_gen = load_generator(resolve_model(str(source)), device="cpu", backend="transformers")
    torch_out = torch_gen.generate(TEXTS, options, max_input_tokens=64)
    ct2_out = load_generator(resolve_model(str(ct2_dir)), device="cpu").generate(TEXTS, options, max_input_tokens=64)
    assert [g.text for g in ct2_out] == [g.text for g in torch_out]
    assert all(g.text for g in ct2_out)


def test_exported_folder_carries_tokenizer_prefixes_and_limits(tiny_model_dir: Path, tmp_path: Path) -> None:
    ct2_dir = _export(tiny_model_dir, tmp_path / "int8", "int8")
    meta = json.loads((ct2_dir / "tomtat.json").read_text())
    assert meta["backend"] == "ct2" and meta["quantization"] == "int8"
    spec = resolve_model(str(ct2_dir))
    assert spec.backend == "ct2" and spec.prefixes == resolve_model(str(tiny_model_dir)).prefixes
    assert (ct2_dir / "spiece.model").is_file()


def test_ct2_summary_has_the_same_shape(tiny_model_dir: Path, tmp_path: Path, report_text: str) -> None:
    ct2_dir = _export(tiny_model_dir, tmp_path / "f32", "float32")
    pytorch = Summarizer.from_pretrained(str(tiny_model_dir), device="cpu", backend="transformers").summarize(
        report_text
    )
    ct2 = Summarizer.from_pretrained(str(ct2_dir), device="cpu").summarize(report_text)
    assert ct2.info.backend == "ct2" and ct2.info.chunks == pytorch.info.chunks
    assert (ct2.headline, ct2.abstract, ct2.bullets) == (
        pytorch.headline,
        pytorch.abstract,
        pytorch.bullets,
    )


def test_fp16_export_is_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="NaN"):
        _export(tiny_model_dir, tmp_path / "x", "float16")


def test_existing_output_is_not_overwritten(tiny_model_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "exists").mkdir()
    with pytest.raises(ConfigurationError, match="--force"):
        _export(tiny_model_dir, tmp_path / "exists", "int8")


def test_auto_backend_on_cpu_converts_once_and_caches(tiny_model_dir: Path) -> None:
    from summarizer.generation import CPU_DEFAULT_QUANTIZATION, cache_dir

    first = Summarizer.from_pretrained(str(tiny_model_dir), device="cpu")
    assert first.generator.backend == "ct2"
    entries = list((cache_dir() / "ct2").glob(f"tiny-test-{CPU_DEFAULT_QUANTIZATION}-*"))
    assert len(entries) == 1 and (entries[0] / "model.bin").is_file()
    mtime = (entries[0] / "model.bin").stat().st_mtime_ns
    second = Summarizer.from_pretrained(str(tiny_model_dir), device="cpu")
    assert second.generator.backend == "ct2" and (entries[0] / "model.bin").stat().st_mtime_ns == mtime


def test_forcing_a_backend_or_dtype_skips_the_conversion(tiny_model_dir: Path) -> None:
    assert Summarizer.from_pretrained(str(tiny_model_dir), device="cpu", backend="transformers").generator.backend == (
        "transformers"
    )
    assert Summarizer.from_pretrained(str(tiny_model_dir), device="cpu", dtype="float32").generator.backend == (
        "transformers"
    )


def test_a_batch_job_on_a_cpu_with_amx_runs_pytorch_bfloat16(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import summarizer.generation as generation

    monkeypatch.setattr(generation, "has_amx_bf16", lambda: True)
    model = str(tiny_model_dir)
    batch = Summarizer.from_pretrained(model, device="cpu", batch_job=True)
    assert (batch.info.backend, batch.info.dtype) == ("transformers", "bfloat16")
    assert batch.summarize("Hà Nội mưa lớn. Nhiều tuyến phố ngập sâu. Giao thông tê liệt.").abstract
    # one document at a time, or a choice the user made, keeps its path
    assert Summarizer.from_pretrained(model, device="cpu").info.backend == "ct2"
    assert Summarizer.from_pretrained(model, device="cpu", batch_job=True, dtype="float32").info.dtype == "float32"
    int8 = Summarizer.from_pretrained(model, device="cpu", batch_job=True, compute_type="int8").info
    assert (int8.backend, int8.compute_type) == ("ct2", "int8_float32")
    # a CTranslate2 folder has no PyTorch weights to run
    folder = _export(tiny_model_dir, tmp_path / "ct2", "float32")
    assert Summarizer.from_pretrained(str(folder), device="cpu", batch_job=True).info.backend == "ct2"
    monkeypatch.setattr(generation, "has_amx_bf16", lambda: False)  # no matrix units: the default path
    assert Summarizer.from_pretrained(model, device="cpu", batch_job=True).info.backend == "ct2"


@pytest.mark.parametrize(
    ("device", "gpu", "batch_job", "dtype", "compute_type", "bf16"),
    [
        ("cpu", False, True, "auto", "auto", True),
        ("auto", False, True, "auto", "auto", True),
        ("auto", True, True, "auto", "auto", False),  # a GPU runs bf16 PyTorch its own way
        ("cuda", True, True, "auto", "auto", False),
        ("cpu", False, False, "auto", "auto", False),  # not a batch job
        ("cpu", False, True, "float32", "auto", False),
        ("cpu", False, True, "auto", "float32", False),
    ],
)
def test_which_loads_choose_pytorch_bfloat16(
    tiny_model_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    device: str,
    gpu: bool,
    batch_job: bool,
    dtype: str,
    compute_type: str,
    bf16: bool,
) -> None:
    import torch

    import summarizer.generation as generation

    monkeypatch.setattr(generation, "has_amx_bf16", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: gpu)
    spec = resolve_model(str(tiny_model_dir))
    assert generation._auto_bf16(spec, device, dtype, compute_type, batch_job) is bf16
    folder = resolve_model(str(_export(tiny_model_dir, tmp_path / "ct2", "float32")))
    assert not generation._auto_bf16(folder, device, dtype, compute_type, batch_job)  # no PyTorch weights


def test_a_batch_job_runs_the_cached_conversion_of_a_hub_model_without_its_weights(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    import summarizer.generation as generation

    monkeypatch.setattr(generation, "has_amx_bf16", lambda: True)
    monkeypatch.setattr(generation, "cached_hub_weights", lambda spec: None)  # only the conversion is here
    monkeypatch.setattr(generation, "hub_weights", lambda spec: pytest.fail("a download the conversion avoids"))
    spec = resolve_model("someone/tiny-t5-never-downloaded")
    assert spec.is_hub
    shutil.copytree(_export(tiny_model_dir, tmp_path / "ct2", "float32"), generation._conversion_target(spec))
    generator = load_generator(spec, device="cpu", batch_job=True)
    assert (generator.backend, generator.compute_type) == ("ct2", "float32")


def test_compact_vi_float32_ct2_matches_pytorch(tmp_path: Path, report_text: str) -> None:
    spec = resolve_model("compact-vi")
    if not Path(spec.source, "model.safetensors").is_file():
        pytest.skip("compact-vi weights are not in this checkout")
    from summarizer.segment import split_sentences

    sentences = split_sentences(report_text)
    texts = [spec.prefixes["summary"] + " ".join(sentences[i : i + 4]) for i in range(0, 12, 4)]
    texts.append(spec.prefixes["headline"] + " ".join(sentences[:6]))
    options = GenerationOptions(max_new_tokens=24, no_repeat_ngram_size=3)
    ct2_dir = _export(Path(spec.source), tmp_path / "cvi-f32", "float32")
    torch_gen = load_generator(spec, device="cpu", backend="transformers")
    torch_out = [g.text for g in torch_gen.generate(texts, options, max_input_tokens=512)]
    ct2_out = [
        g.text
        for g in load_generator(resolve_model(str(ct2_dir)), device="cpu").generate(
            texts, options, max_input_tokens=512
        )
    ]
    assert ct2_out == torch_out and all(torch_out)
