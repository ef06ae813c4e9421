"""`tomtat train` refuses what it cannot train on with one line on stderr and exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.cli import main
from tests.conftest import fixture_records


def few_articles(tmp_path: Path, n: int = 3) -> Path:
    path = tmp_path / "few.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in fixture_records()[:n]), encoding="utf-8")
    return path


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("tomtat: error: "), err
    return err[0]


@pytest.mark.parametrize("mode", [[], ["--prepare-only", "shard.jsonl.xz"], ["--prepare-pairs", "pairs.jsonl.xz"]])
def test_a_missing_data_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: list[str]) -> None:
    args = ["train", "--data", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "run"), *mode]
    assert main(args) == 2
    assert "no such file" in error_line(capsys)


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--batch-tokens", "0"], "--batch-tokens"),
        (["--max-steps", "-3"], "--max-steps"),
        (["--tokenizer", "missing.model"], "--tokenizer"),
        (["--init", "."], "spiece.model"),
    ],
)
def test_an_invalid_option_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], says: str
) -> None:
    data = few_articles(tmp_path)
    assert main(["train", "--data", str(data), "--out", str(tmp_path / "run"), *flags]) == 2
    assert says in error_line(capsys)


def test_too_few_articles_for_the_held_out_set_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = few_articles(tmp_path)
    assert main(["train", "--smoke", "--data", str(data), "--out", str(tmp_path / "run")]) == 2
    line = error_line(capsys)
    assert "3 usable articles" in line and "give more data" in line


def test_cuda_without_a_gpu_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    data = few_articles(tmp_path)
    assert main(["train", "--data", str(data), "--out", str(tmp_path / "run"), "--device", "cuda"]) == 2
    assert "--device cpu" in error_line(capsys)


def test_key_point_cross_validation_without_facts_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = few_articles(tmp_path)
    args = ["train-keypoints", "--data", str(data), "--model", str(tmp_path), "--cv-folds", "3"]
    assert main(args) == 2
    assert "give --facts files" in error_line(capsys)
