"""The compact-vi recipe end to end on CPU (--smoke), so it cannot rot; and continuing from its weights."""

from __future__ import annotations

import json
from pathlib import Path

from summarizer import Summarizer
from summarizer.cli import main
from tests.conftest import fixture_records


def training_file(tmp_path: Path) -> Path:
    path = tmp_path / "train.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for copy in range(6):
            for record in fixture_records():
                fh.write(json.dumps({**record, "id": f"{record['id']}-{copy}"}, ensure_ascii=False) + "\n")
    return path


def test_smoke_training_exports_a_loadable_model_and_training_can_continue(tmp_path: Path, capsys) -> None:
    data = training_file(tmp_path)
    assert main(["train", "--smoke", "--data", str(data), "--out", str(tmp_path / "run")]) == 0
    model = tmp_path / "run" / "model"
    for name in (
        "model.safetensors",
        "config.json",
        "spiece.model",
        "tokenizer.json",
        "tomtat.json",
        "train_log.jsonl",
    ):
        assert (model / name).is_file(), name
    summary = summary_before = json.loads((model / "train_summary.json").read_text())
    assert summary["steps"] == 3 and summary["tokens_seen"] > 0 and summary["heldout_loss"] > 0
    assert len((model / "train_log.jsonl").read_text().splitlines()) == 3
    metadata = json.loads((model / "tomtat.json").read_text())
    assert metadata["prefixes"] == {"headline": "tiêu đề: ", "summary": "tóm tắt: "}

    summary = Summarizer.from_pretrained(str(model), device="cpu", backend="transformers").summarize(
        fixture_records()[0]["text"], generation={"summary": {"min_new_tokens": 4}, "headline": {"min_new_tokens": 2}}
    )
    assert summary.abstract and summary.info.model == "compact-vi"

    # --resume continues the checkpoint (step, tokens, optimizer) up to the new step budget
    args = ["train", "--smoke", "--data", str(data), "--out", str(tmp_path / "run"), "--resume", "--max-steps", "5"]
    assert main(args) == 0
    resumed = json.loads((model / "train_summary.json").read_text())
    assert resumed["steps"] == 5 and resumed["tokens_seen"] > summary_before["tokens_seen"]
    rows = [json.loads(line) for line in (model / "train_log.jsonl").read_text().splitlines()]
    assert [row["step"] for row in rows] == [1, 2, 3, 4, 5]
    assert rows[3]["tokens"] > rows[2]["tokens"] and rows[-1]["lr"] < rows[3]["lr"]

    again = tmp_path / "again"
    assert main(["train", "--smoke", "--data", str(data), "--out", str(again), "--init", str(model)]) == 0
    assert (again / "model" / "model.safetensors").is_file()


def test_prepare_only_writes_a_compact_shard(tmp_path: Path, capsys) -> None:
    shard = tmp_path / "shard.jsonl.xz"
    data = training_file(tmp_path)
    assert (
        main(
            [
                "train",
                "--data",
                str(data),
                "--out",
                str(tmp_path / "x"),
                "--prepare-only",
                str(shard),
                "--offset",
                "10",
                "--limit",
                "5",
            ]
        )
        == 0
    )
    import lzma

    with lzma.open(shard, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    assert len(rows) == 5 and set(rows[0]) == {"x", "t", "s"}


def test_rewrite_pairs_shard_trains_with_the_same_recipe(tmp_path: Path, capsys) -> None:
    from tests.unit.test_rewrite_pairs import BODY, TWO

    data = tmp_path / "articles.jsonl"
    rows = [
        {"id": f"a{i}", "text": BODY, "summary": TWO, "title": "Hà Nội khởi công tuyến đường sắt số 5"}
        for i in range(12)
    ]
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    shard = tmp_path / "pairs.jsonl.xz"
    assert main(["train", "--data", str(data), "--out", str(tmp_path / "x"), "--prepare-pairs", str(shard)]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["summary_pairs"] == 12 and stats["headline_pairs"] == 12
    args = ["train", "--smoke", "--data", str(shard), "--out", str(tmp_path / "run"), "--max-source-tokens", "96"]
    assert main(args) == 0
    summary = json.loads((tmp_path / "run" / "model" / "train_summary.json").read_text())
    assert summary["config"]["max_source_tokens"] == 96 and summary["tokens_seen"] > 0
