"""Rewrite pairs: alignment of sapo sentences and titles to body sentences, and their filters."""

from __future__ import annotations

import json
import lzma
from pathlib import Path

from evaluation.datasets import Record
from models.rewrite_pairs import PairSettings, align, write_pairs

BODY = (
    "Sáng 12/3, UBND TP Hà Nội khởi công tuyến đường sắt đô thị số 5.\n"
    "Tuyến dài 38,4 km, đi từ quận Ba Đình đến huyện Thạch Thất.\n"
    "Người dân bày tỏ vui mừng trước dự án.\n"
    "Tổng vốn đầu tư hơn 65.000 tỷ đồng."
)

TWO = "Hà Nội khởi công tuyến đường sắt số 5 dài 38,4 km từ quận Ba Đình đến huyện Thạch Thất."


def test_align_takes_a_second_sentence_only_when_it_helps() -> None:
    sentences = BODY.split("\n")
    one = align(sentences, "Người dân vui mừng trước dự án.", PairSettings())
    assert one is not None and one[0] == [2] and one[1] > 0.8
    two = align(sentences, TWO, PairSettings())
    assert two is not None and two[0] == [0, 1]


def test_pairs_keep_only_what_the_source_supports(tmp_path: Path) -> None:
    record = Record(
        id="a",
        text=BODY,
        summary=TWO + " Ông Nguyễn Văn Bình dự lễ khởi công tuyến đường.",
        title="Hà Nội khởi công tuyến đường sắt đô thị số 5",
    )
    shard = tmp_path / "pairs.jsonl.xz"
    stats = write_pairs([record], shard)
    with lzma.open(shard, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    assert {"x", "s"} <= set(rows[0]) and "38,4 km" in rows[0]["x"]
    assert rows[-1]["t"] == "Hà Nội khởi công tuyến đường sắt đô thị số 5"
    # the second sapo sentence names a person the body never mentions: no pair
    assert stats.summary_pairs == 1 and stats.dropped_low_recall + stats.dropped_unsupported == 1
    saved = json.loads((tmp_path / "pairs.jsonl.xz.stats.json").read_text(encoding="utf-8"))
    assert saved["headline_pairs"] == 1 and saved["bytes"] == shard.stat().st_size
