"""The "faster, slightly different" switch (`--compute-type int8`, TOMTAT_COMPUTE_TYPE) reaches the generator
that is loaded, in the CLI, the batch command and the service; `auto` keeps float32 on CPU; a typo is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from summarizer.cli import main
from summarizer.errors import ConfigurationError
from summarizer.options import LoadOptions
from summarizer.pipeline import Summarizer

pytest.importorskip("ctranslate2")


@pytest.fixture
def loaded(monkeypatch: pytest.MonkeyPatch) -> list[Summarizer]:
    """Every Summarizer the command under test loads (the real one: CPU, auto backend, the tiny model),
    on a CPU taken to have AMX, where a batch job's `auto` differs from everything else's."""
    import summarizer.generation as generation

    monkeypatch.setattr(generation, "has_amx_bf16", lambda: True)
    seen: list[Summarizer] = []
    original = Summarizer.from_pretrained.__func__  # type: ignore[attr-defined]

    def recording(cls: type[Summarizer], *args: Any, **kwargs: Any) -> Summarizer:
        seen.append(original(cls, *args, **kwargs))
        return seen[-1]

    monkeypatch.setattr(Summarizer, "from_pretrained", classmethod(recording))
    return seen


def _ran(summarizer: Summarizer) -> tuple[str, str]:
    assert summarizer.generator is not None
    assert summarizer.info.compute_type == summarizer.generator.compute_type  # info says what ran
    return summarizer.info.backend, summarizer.info.compute_type


@pytest.mark.parametrize(("flag", "expected"), [([], "float32"), (["--compute-type", "int8"], "int8_float32")])
def test_summarize_loads_the_compute_type_asked(
    tiny_model_dir: Path, tmp_path: Path, loaded: list[Summarizer], flag: list[str], expected: str, capsys
) -> None:
    source = tmp_path / "doc.txt"
    source.write_text("Hà Nội mưa lớn. Nhiều tuyến phố ngập sâu. Giao thông tê liệt.", encoding="utf-8")
    argv = ["summarize", str(source), "--model", str(tiny_model_dir), "--device", "cpu", "--format", "json"]
    assert main([*argv, *flag]) == 0
    (summarizer,) = loaded
    assert _ran(summarizer) == ("ct2", expected)  # CTranslate2 on int8 arithmetic "int8_float32" on CPU
    assert json.loads(capsys.readouterr().out)["headline"]


def test_batch_loads_the_compute_type_asked(tiny_model_dir: Path, tmp_path: Path, loaded: list[Summarizer]) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text(json.dumps({"id": "a", "text": "Hà Nội mưa lớn. Nhiều tuyến phố ngập sâu."}) + "\n")
    argv = ["batch", str(source), "-o", str(out), "--model", str(tiny_model_dir), "--device", "cpu"]
    assert main([*argv, "--compute-type", "int8"]) == 0
    (summarizer,) = loaded
    assert _ran(summarizer) == ("ct2", "int8_float32")
    assert json.loads(out.read_text(encoding="utf-8"))["id"] == "a"


def test_batch_on_a_cpu_with_amx_runs_bfloat16_unless_float32_is_asked(
    tiny_model_dir: Path, tmp_path: Path, loaded: list[Summarizer], caplog: pytest.LogCaptureFixture
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": "Hà Nội mưa lớn. Nhiều tuyến phố ngập sâu."}) + "\n")
    argv = ["batch", str(source), "--model", str(tiny_model_dir), "--device", "cpu"]
    assert main([*argv, "-o", str(tmp_path / "bf16.jsonl")]) == 0
    assert main([*argv, "-o", str(tmp_path / "float32.jsonl"), "--compute-type", "float32"]) == 0
    assert [_ran(s) for s in loaded] == [("transformers", "bfloat16"), ("ct2", "float32")]
    said = [r.getMessage() for r in caplog.records if r.name == "summarizer.batch" and "model" in r.getMessage()]
    assert [m.split(": ", 1)[1] for m in said] == ["transformers, bfloat16 on cpu", "ct2, float32 on cpu"]


def test_the_service_setting_reaches_the_loaded_model(tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import summarizer.generation as generation
    from api.service import default_loader
    from api.settings import Settings

    monkeypatch.setattr(generation, "has_amx_bf16", lambda: True)  # not a batch job: AMX changes nothing
    assert _ran(default_loader(Settings(model=str(tiny_model_dir), device="cpu"))()) == ("ct2", "float32")
    monkeypatch.setenv("TOMTAT_COMPUTE_TYPE", "int8")
    summarizer = default_loader(Settings(model=str(tiny_model_dir), device="cpu"))()
    assert _ran(summarizer) == ("ct2", "int8_float32")


def test_an_unknown_compute_type_is_refused_everywhere(capsys) -> None:
    from pydantic import ValidationError

    from api.settings import Settings

    with pytest.raises(ConfigurationError, match=r"unknown compute type 'int4'.*int8: faster"):
        LoadOptions(compute_type="int4")
    with pytest.raises(ValidationError, match="unknown compute type"):
        Settings(compute_type="int4")
    with pytest.raises(SystemExit) as exited:
        main(["summarize", "-", "--compute-type", "int4"])
    assert exited.value.code == 2 and "invalid choice: 'int4'" in capsys.readouterr().err
