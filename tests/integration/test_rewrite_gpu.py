"""The prepared GPU call of compact-vi v2, run end to end on CPU with the tiny model."""

from __future__ import annotations

import json
from pathlib import Path

from models.rewrite_gpu import main
from summarizer.io import open_text
from tests.conftest import FIXTURES

DATA = str(FIXTURES / "vi_corpus.jsonl")


def test_prepare_generate_assemble_round_trip(tiny_model_dir: Path, tmp_path: Path, capsys) -> None:
    inputs, outputs, run = tmp_path / "in.jsonl.xz", tmp_path / "out.jsonl", tmp_path / "run"
    assert main(["prepare", "--data", DATA, "--out", str(inputs)]) == 0
    with open_text(inputs) as fh:  # compressed: what the GPU call carries stays small
        rows = [json.loads(line) for line in fh]
    assert rows and {r["task"] for r in rows} <= {"summary", "headline"}
    assert all(r["text"].startswith(("tóm tắt: ", "tiêu đề: ")) for r in rows)
    assert len({r["text"] for r in rows}) == len(rows)

    assert main(["generate", "--model", str(tiny_model_dir), "--inputs", str(inputs), "--out", str(outputs)]) == 0
    written = [json.loads(line) for line in outputs.read_text(encoding="utf-8").splitlines()]
    assert [w["text"] for w in written] == [r["text"] for r in rows if r["task"] == "summary"] + [
        r["text"] for r in rows if r["task"] == "headline"
    ]

    args = ["assemble", "--data", DATA, "--outputs", str(outputs), "--out", str(run), "--model", str(tiny_model_dir)]
    assert main(args) == 0
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["n"] == 8 and metrics["model"]["name"] == "compact-vi-rewrite"
    assert metrics["model"]["source"] == str(tiny_model_dir)
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert 0 <= report["documents_with_a_fallback"] <= 8
