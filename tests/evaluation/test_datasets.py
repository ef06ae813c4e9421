import gzip
import json
import lzma
from pathlib import Path

import pytest

from evaluation.datasets import ReadStats, read_duplicates, read_records
from tests.conftest import SHARED

ROWS = [
    {"id": "a/1", "title": "T1", "summary": "S1", "text": "Văn bản một."},
    {"id": "a/2", "title": "", "summary": "S2", "text": "   "},
    "not json",
    {"id": "a/3", "summary": "S3", "text": "Văn bản ba.", "category": "Kinh tế"},
    {"id": "a/4", "summary": "", "text": "Không có tóm tắt."},
    {"id": "a/5", "summary": "S5", "text": "Văn bản năm."},
]


def write(path: Path, opener) -> Path:
    with opener(path, "wt", encoding="utf-8") as fh:
        for row in ROWS:
            fh.write((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n")
    return path


@pytest.mark.parametrize(("name", "opener"), [("d.jsonl", open), ("d.jsonl.xz", lzma.open), ("d.jsonl.gz", gzip.open)])
def test_reads_plain_and_compressed_and_skips_bad_records(tmp_path: Path, name: str, opener) -> None:
    stats = ReadStats()
    records = list(read_records(write(tmp_path / name, opener), stats=stats))
    assert [r.id for r in records] == ["a/1", "a/3", "a/5"]
    assert records[1].extra == {"category": "Kinh tế"}
    assert stats.skipped == {"empty text": 1, "invalid JSON": 1, "empty summary": 1}


def test_limit_is_first_n_in_file_order_after_exclusions(tmp_path: Path) -> None:
    path = write(tmp_path / "d.jsonl", open)
    assert [r.id for r in read_records(path, limit=2)] == ["a/1", "a/3"]
    assert [r.id for r in read_records(path, limit=2, exclude_ids={"a/1"})] == ["a/3", "a/5"]


def test_duplicates_tsv(tmp_path: Path) -> None:
    path = tmp_path / "dup.tsv"
    path.write_text("id\tduplicate_of\nv/test/2\tv/train/9\nv/test/7\tv/test/1\n", encoding="utf-8")
    assert read_duplicates(path) == {"v/test/2", "v/test/7"}


@pytest.mark.shared
def test_shared_abmusu_train_docs_skip_the_three_empty_records() -> None:
    path = SHARED / "data" / "abmusu" / "docs-train.jsonl.xz"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    stats = ReadStats()
    n = sum(1 for _ in read_records(path, stats=stats))
    assert n > 0 and sum(stats.skipped.values()) == 3
