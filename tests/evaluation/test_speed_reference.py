"""`tomtat eval --model` times Lead-2 on the same batches, interleaved: speed.reference and its report line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evaluation.baselines import Baseline
from evaluation.datasets import read_records
from evaluation.runner import predict
from tests.evaluation.test_eval_cli import DATA, eval_run


def metrics_of(out: Path) -> dict[str, Any]:
    return json.loads((out / "metrics.json").read_text(encoding="utf-8"))


def test_a_model_run_times_lead_2_on_the_same_documents(tmp_path: Path, capsys) -> None:
    out = eval_run(tmp_path, "lead", "--model", "lead", "--limit", "5", "--batch-size", "2")
    metrics = metrics_of(out)
    speed, reference = metrics["speed"], metrics["speed"]["reference"]
    assert reference["baseline"] == "lead-2" and metrics["config"]["speed_reference"] == "lead-2"
    assert reference["docs_per_s"] > 0 and reference["seconds"] > 0
    assert reference["ratio"] == pytest.approx(speed["docs_per_s"] / reference["docs_per_s"])
    assert reference["wall_seconds_including_warmup"] >= reference["seconds"]
    report = (out / "report.md").read_text(encoding="utf-8")
    speed_section = report.split("## Speed", 1)[1].split("## Examples", 1)[0]
    assert "Speed reference: Lead-2 (lead-2, evaluation/baselines.py) on the same documents" in speed_section
    assert f"{reference['docs_per_s']:.2f} documents/s; this model does {reference['ratio']:.2f}×" in speed_section


def test_speed_reference_none_leaves_it_out(tmp_path: Path, capsys) -> None:
    out = eval_run(tmp_path, "lead", "--model", "lead", "--limit", "3", "--speed-reference", "none")
    metrics = metrics_of(out)
    assert "reference" not in metrics["speed"] and metrics["config"]["speed_reference"] is None
    assert "Speed reference" not in (out / "report.md").read_text(encoding="utf-8")


def test_a_baseline_run_has_no_speed_reference(tmp_path: Path, capsys) -> None:
    out = eval_run(tmp_path, "lead2", "--baseline", "lead-2", "--limit", "3")
    metrics = metrics_of(out)
    assert "reference" not in metrics["speed"] and metrics["config"]["speed_reference"] is None
    assert "Speed reference" not in (out / "report.md").read_text(encoding="utf-8")


class Logged:
    """A summarizer that logs each call as (tag, texts) into a log shared with another one."""

    def __init__(self, inner: Baseline, tag: str, log: list[tuple[str, list[str]]]) -> None:
        self.inner, self.tag, self.log = inner, tag, log
        self.name, self.spec, self.info = inner.name, inner.spec, inner.info

    def warm_up(self) -> None:
        self.log.append((f"{self.tag} warm-up", []))

    def summarize(self, text: str, **kwargs: Any) -> Any:
        self.log.append((f"{self.tag} warm-up", [text]))
        return self.inner.summarize(text)

    def summarize_many(self, texts: list[str], **kwargs: Any) -> Any:
        self.log.append((self.tag, list(texts)))
        return self.inner.summarize_many(texts, **kwargs)


def test_the_reference_runs_right_after_the_model_on_each_batch_and_writes_nothing(tmp_path: Path) -> None:
    log: list[tuple[str, list[str]]] = []
    model, reference = Logged(Baseline("lead-1"), "model", log), Logged(Baseline("lead-2"), "reference", log)
    texts = [r.text for r in read_records(DATA, limit=5)]
    speed = predict(model, read_records(DATA, limit=5), tmp_path, batch_size=2, reference=reference)
    batches = [texts[0:2], texts[2:4], texts[4:5]]
    expected = [
        ("model warm-up", []),
        ("model warm-up", texts[:1]),
        ("reference warm-up", []),
        ("reference warm-up", texts[:1]),
    ]
    for batch in batches:
        expected += [("model", batch), ("reference", batch)]
    assert log == expected
    rows = [json.loads(line) for line in (tmp_path / "predictions.jsonl").read_text(encoding="utf-8").splitlines()]
    lead_1 = Baseline("lead-1").summarize_many(texts)
    assert [r["abstract"] for r in rows] == [s.abstract for s in lead_1]  # the model's outputs only
    assert speed["documents"] == 5 and speed["reference"]["baseline"] == "lead-2"
