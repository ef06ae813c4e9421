"""`tomtat bench`: the FLOPs model, the bench inputs, the case loop and the command end to end."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from evaluation.bench_runner import BenchCase, add_ratios, make_texts, percentile, run_case
from evaluation.flops import t5_flops_per_doc
from evaluation.machine import format_cpu, format_load_avg
from evaluation.random_model import placeholder_spiece
from summarizer.cli import main
from summarizer.generation import Generated
from summarizer.options import GenerationOptions
from tests.conftest import FIXTURES


def config(*, gated: bool) -> SimpleNamespace:
    return SimpleNamespace(
        d_model=2, d_ff=4, num_layers=1, num_decoder_layers=1, num_heads=1, d_kv=2, is_gated_act=gated, vocab_size=10
    )


def test_flops_count_encoder_decoder_attention_and_vocabulary() -> None:
    # encoder: 2·(4·2·2 + 2·2·4)·3 + 4·3²·2 = 264; decoder: 2·(2·(8·2·2 + 2·2·4) + 2·2·10 + 4·2·5) = 352
    assert t5_flops_per_doc(config(gated=False), 3, 2) == 616
    # a gated feed-forward has a third d_model × d_ff matrix (8 weights): 2·8 FLOPs a token and layer
    assert t5_flops_per_doc(config(gated=True), 3, 2) == 616 + 2 * 8 * 3 + 2 * 8 * 2


def test_load_average_and_percentile() -> None:
    assert format_load_avg((1.0234, 0.8667, 0.5512)) == "1.02 / 0.87 / 0.55"
    assert format_load_avg(None) == "unknown"
    assert percentile([3.0, 1.0, 2.0, 10.0], 95) == 10.0 and percentile([3.0, 1.0, 2.0], 50) == 2.0


def test_speedups_are_against_the_first_backend_on_the_same_work() -> None:
    rows: list[dict[str, Any]] = [
        {"backend": "torch", "batch_size": 1, "source_tokens": 8, "beams": 1, "docs_per_s": 2.0},
        {"backend": "torch", "batch_size": 4, "source_tokens": 8, "beams": 1, "docs_per_s": 5.0},
        {"backend": "ct2-int8", "error": "ImportError: no ctranslate2"},
        {"backend": "ct2-float32", "batch_size": 1, "source_tokens": 8, "beams": 1, "docs_per_s": 3.0},
    ]
    add_ratios(rows)
    assert [r.get("speedup_vs_first") for r in rows] == [1.0, 1.0, None, 1.5]


@pytest.fixture(scope="module")
def placeholder_tokenizer(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from transformers import AutoTokenizer

    from summarizer.generation.model_files import write_tokenizer_files

    folder = tmp_path_factory.mktemp("placeholder")
    write_tokenizer_files(placeholder_spiece(folder / "spm", 300), folder / "model")
    return AutoTokenizer.from_pretrained(folder / "model")


def test_inputs_are_seeded_and_as_long_as_asked(placeholder_tokenizer: Any, tiny_model_dir: Path) -> None:
    from transformers import AutoTokenizer

    texts = make_texts(placeholder_tokenizer, 3, 20, seed=1)
    assert texts == make_texts(placeholder_tokenizer, 3, 20, seed=1) != make_texts(placeholder_tokenizer, 3, 20, seed=2)
    assert len(set(texts)) == 3
    # one placeholder piece per word: exactly 19 tokens, and </s> makes the 20th
    assert [len(placeholder_tokenizer(t)["input_ids"]) for t in texts] == [20, 20, 20]
    # a trained vocabulary may merge pieces when decoded text is read again: never shorter
    trained = AutoTokenizer.from_pretrained(tiny_model_dir)
    assert all(len(trained(t, add_special_tokens=False)["input_ids"]) >= 39 for t in make_texts(trained, 4, 40))
    with pytest.raises(ValueError, match="at least 2 tokens"):
        make_texts(placeholder_tokenizer, 1, 1)


class RecordingGenerator:
    """A generator that records its calls and takes no time."""

    backend, device, dtype = "ct2", "cpu", "int8"

    def __init__(self) -> None:
        self.calls: list[tuple[int, GenerationOptions, int, int]] = []

    def count_tokens(self, texts: Any) -> list[int]:
        return [len(t.split()) for t in texts]

    def generate(
        self, texts: Any, options: GenerationOptions, *, max_input_tokens: int, batch_size: int = 8
    ) -> list[Generated]:
        self.calls.append((len(texts), options, max_input_tokens, batch_size))
        return [Generated(text="x", n_tokens=options.max_new_tokens) for _ in texts]


def test_a_case_warms_up_then_times_whole_batches_of_forced_length() -> None:
    generator = RecordingGenerator()
    case = BenchCase("ct2-int8", batch_size=4, source_tokens=16, new_tokens=12, beams=2)
    row = run_case(generator, case, ["w"] * 8, repeats=3, max_seconds=60)
    warm, *timed = generator.calls
    assert warm[0] == 2 and warm[1].max_new_tokens == warm[1].min_new_tokens == 8
    assert len(timed) == 3 == row["batches"]
    for count, options, max_input_tokens, batch_size in timed:
        assert (count, max_input_tokens, batch_size) == (4, 16, 4)
        assert (options.min_new_tokens, options.max_new_tokens, options.num_beams) == (12, 12, 2)
    assert row["tokens_per_s"] == pytest.approx(row["docs_per_s"] * 12)
    assert row["s_per_doc"] == pytest.approx(1 / row["docs_per_s"])


def test_bench_command_runs_every_backend_on_a_random_tiny_model(tmp_path: Path, capsys) -> None:
    pytest.importorskip("ctranslate2")
    out = tmp_path / "bench"
    argv = ["bench", "--preset", "tiny", "--backends", "torch,ct2-float32,onnx", "--batch-sizes", "1,2"]
    argv += ["--lengths", "16", "--beams", "1", "--new-tokens", "4", "--repeats", "2", "--out", str(out)]
    assert main(argv) == 0
    report = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    rows = {(r["backend"], r.get("batch_size")): r for r in report["results"]}
    assert set(rows) == {("torch", 1), ("torch", 2), ("ct2-float32", 1), ("ct2-float32", 2), ("onnx", None)}
    assert "unknown backend 'onnx'" in rows["onnx", None]["error"]
    for key in [("torch", 1), ("torch", 2), ("ct2-float32", 1), ("ct2-float32", 2)]:
        row = rows[key]
        assert "error" not in row and row["batches"] == 2 and row["docs_per_s"] > 0
        assert row["source_tokens"] == 16 and row["new_tokens"] == 4 and row["achieved_tflops"] > 0
    assert rows["torch", 1]["speedup_vs_first"] == 1.0
    assert rows["ct2-float32", 2]["speedup_vs_first"] == pytest.approx(
        rows["ct2-float32", 2]["docs_per_s"] / rows["torch", 2]["docs_per_s"]
    )
    table = capsys.readouterr().out
    assert table == (out / "bench.md").read_text(encoding="utf-8")
    assert "| ct2-float32 | 2 | 16 | 1 |" in table and "error: ValueError: unknown backend 'onnx'" in table
    assert "load average " in table and "Generated tokens per document: 4 (forced)" in table
    assert f"CPU: {format_cpu(report['machine'])}." in table and "cpu_flags" in report["machine"]


def test_summarize_latency_on_the_median_document(tmp_path: Path, capsys) -> None:
    out = tmp_path / "latency"
    data = str(FIXTURES / "vi_corpus.jsonl")
    argv = ["bench", "--summarize-median-of", data, "--model", "lead", "--backends", "auto", "--repeats", "2"]
    assert main([*argv, "--out", str(out)]) == 0
    (row,) = json.loads((out / "summarize.json").read_text(encoding="utf-8"))["summarize"]
    assert row["model"] == "lead" and row["backend"] == "extractive" and row["repeats"] == 2
    assert 0 < row["best_s"] <= row["p50_s"] <= row["p95_s"] and row["input_words"] > 0
    printed = capsys.readouterr()
    assert json.loads(printed.out) == [row] and printed.err.startswith("CPU: ")


def test_torch_bf16_backend_runs_bfloat16_weights_on_cpu(tiny_model_dir: Path, tmp_path: Path) -> None:
    from evaluation.bench_runner import load_backend

    generator = load_backend("torch-bf16", tiny_model_dir, "cpu", 0, tmp_path)
    assert (generator.backend, generator.device, generator.dtype) == ("transformers", "cpu", "bfloat16")
    assert load_backend("torch", tiny_model_dir, "cpu", 0, tmp_path).dtype == "float32"  # the default is unchanged
    case = BenchCase("torch-bf16", batch_size=2, source_tokens=16, new_tokens=4, beams=1)
    row = run_case(generator, case, ["Hà Nội mưa lớn, phố ngập sâu."] * 2, repeats=1, max_seconds=60)
    assert row["backend"] == "torch-bf16" and row["docs_per_s"] > 0


def test_summarize_latency_times_pytorch_bfloat16_on_request(tiny_model_dir: Path) -> None:
    from evaluation.summarize_latency import summarize_latency

    text = "Hà Nội mưa lớn. Nhiều tuyến phố ngập sâu. Giao thông tê liệt."
    (row,) = summarize_latency(model=str(tiny_model_dir), backends=["torch-bf16"], text=text, repeats=1)
    assert (row["backend"], row["compute"]) == ("transformers", "bfloat16")


def test_summarize_latency_takes_the_model_call_bench_names(tiny_model_dir: Path, monkeypatch) -> None:
    from evaluation.summarize_latency import load_options_for, summarize_latency
    from summarizer.errors import ConfigurationError
    from summarizer.pipeline import Summarizer

    text = "Hà Nội mưa lớn. Nhiều tuyến phố ngập sâu. Giao thông tê liệt."
    (row,) = summarize_latency(model=str(tiny_model_dir), backends=["torch"], text=text, repeats=1)
    assert (row["asked"], row["backend"], row["compute"]) == ("torch", "transformers", "float32")
    assert load_options_for(["auto", "torch-bf16", "ct2-int8", "ct2-int8_float32", "transformers", "ct2"]) == [
        {},
        {"backend": "transformers", "dtype": "bfloat16"},
        {"compute_type": "int8"},
        {"compute_type": "int8_float32"},
        {"backend": "transformers"},
        {"backend": "ct2"},
    ]
    monkeypatch.setattr(Summarizer, "from_pretrained", lambda *a, **k: pytest.fail("loaded before the check"))
    for wrong in ("onnx", "ct2-int4", "torch-fp16"):
        with pytest.raises(ConfigurationError, match=rf"unknown backend.*{wrong}.*use auto, torch"):
            summarize_latency(model=str(tiny_model_dir), backends=["torch", wrong], text=text, repeats=1)


def test_an_unknown_summarize_backend_is_refused_before_the_data_is_read(tmp_path: Path, capsys) -> None:
    missing = str(tmp_path / "not-there.jsonl")
    argv = ["bench", "--summarize-median-of", missing, "--model", "lead", "--backends", "auto,onnx"]
    assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    assert "unknown backend(s) onnx" in capsys.readouterr().err
