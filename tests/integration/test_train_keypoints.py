"""`tomtat train-keypoints` end to end on fixture articles: AbMuSu-like clusters plus editors'
key facts, deterministic, recorded in model.json; bad arguments are clear errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from summarizer import Summarizer
from summarizer.cli import main
from tests.conftest import FIXTURES, REPO

CORPUS = [json.loads(line) for line in (FIXTURES / "vi_corpus.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("kp")
    clusters = root / "clusters.jsonl"
    with clusters.open("w", encoding="utf-8") as out:
        for first in range(0, 6, 2):  # three clusters of two articles: the sapos are the summary
            pair = CORPUS[first : first + 2]
            documents = [{"title": a["title"], "anchor_text": a["summary"], "raw_text": a["text"]} for a in pair]
            record = {"summary": " ".join(a["summary"] for a in pair), "documents": documents}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    shared = root / "shared"
    shared.mkdir()
    reports = []
    for article in CORPUS[6:8]:  # two reports, each with its opening and closing words as facts
        name = f"{article['id'].replace('/', '-')}.txt"
        (shared / name).write_text(f"{article['title']}\n{article['text']}", encoding="utf-8")
        words = article["text"].rstrip(".").split()
        facts = [[" ".join(words[:4])], [" ".join(words[-4:])]]
        reports.append({"id": f"kp/{name}", "source": {"path": name}, "facts": facts})
    facts = root / "facts.json"
    facts.write_text(json.dumps({"format": 1, "reports": reports}, ensure_ascii=False), encoding="utf-8")
    return {"root": root, "clusters": clusters, "facts": facts, "shared": shared}


def _model_copy(where: Path) -> Path:
    folder = where / "ext-vi"
    shutil.copytree(REPO / "models" / "ext-vi", folder)
    (folder / "keypoints.lgb.txt").unlink()
    return folder


def _train(inputs: dict[str, Path], folder: Path, *extra: str) -> int:
    args = ["train-keypoints", "--data", str(inputs["clusters"]), "--model", str(folder), "--rounds", "20"]
    return main([*args, "--facts", str(inputs["facts"]), "--shared", str(inputs["shared"]), "--workers", "1", *extra])


def _trees(folder: Path) -> str:
    return (folder / "keypoints.lgb.txt").read_text(encoding="utf-8").split("end of trees")[0]


def test_training_with_key_facts_is_recorded_and_reproducible(inputs: dict[str, Path], tmp_path: Path) -> None:
    first, second = _model_copy(tmp_path / "a"), _model_copy(tmp_path / "b")
    assert _train(inputs, first) == 0 and _train(inputs, second, "--seed", "7") == 0
    assert _trees(first).startswith("tree") and _trees(first) == _trees(second)  # no bagging: no seed lottery
    trained = json.loads((first / "model.json").read_text(encoding="utf-8"))["keypoints"]["trained_on"]
    assert trained["facts"] == [str(inputs["facts"])] and trained["fact_reports"] == 2
    assert 0 < trained["fact_lines_positive"] < trained["fact_lines"] and trained["bagging"] is False
    report = (REPO / "examples" / "bao-cao-mau.txt").read_text(encoding="utf-8")
    assert Summarizer.from_pretrained(str(first)).summarize(report).bullets


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--facts": "missing.json"}, "no such file"),
        ({"--shared": "no-such-folder"}, "is not a folder"),
        ({"--facts-weight": "0"}, "--facts-weight must be a positive number"),
        ({"--facts-weight": "nan"}, "--facts-weight must be a positive number"),
        (
            {"--facts": str(REPO / "evaluation" / "keyfacts" / "reports.json")},
            "holds reports of the key-fact benchmark",
        ),
    ],
)
def test_bad_key_fact_arguments_are_clear_errors(
    inputs: dict[str, Path], tmp_path: Path, capsys, change: dict[str, str], message: str
) -> None:
    values = {"--facts": str(inputs["facts"]), "--shared": str(inputs["shared"])}
    values.update(
        {k: v if k == "--facts-weight" or Path(v).is_absolute() else str(tmp_path / v) for k, v in change.items()}
    )
    args = ["train-keypoints", "--data", str(inputs["clusters"]), "--model", str(_model_copy(tmp_path))]
    for flag, value in values.items():
        args += [flag, value]
    assert main(args) == 2
    assert message in capsys.readouterr().err
