"""report.md's model and speed lines, and the histograms of scores.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from evaluation.report import model_line, score_figure, write_report

SPEED_EXTRACTIVE = {"backend": "extractive", "dtype": "n/a", "device": "cpu"}


def metrics(model: dict[str, Any], speed: dict[str, Any], load_avg: list[float]) -> dict[str, Any]:
    """The fields write_report reads, as runner.run_eval writes them."""
    scores = {"rouge1": 40.0, "rouge2": 20.0, "rougeL": 30.0, "rougeLsum": 35.0}
    return {
        "n": 2,
        "model": model,
        "data": {
            "path": "/data/vietnews/test.jsonl.xz",
            "sha256": "f" * 64,
            "dedup": None,
            "skipped": {},
            "limit": None,
        },
        "speed": {
            "docs_per_s": 10.0,
            "latency_p50_s": 0.1,
            "latency_p95_s": 0.2,
            "generated_tokens_per_s": None,
            "peak_memory_mb": 100.0,
            "batch_size": 16,
            **speed,
        },
        "machine": {"threads": "library default", "cpu": "Test CPU", "load_avg": load_avg},
        "git_commit": "0123456789abcdef",
        "scores": {"abstract": {"syllable": scores, "paper": scores}},
        "intervals": {"abstract": {t: {m: [v - 1, v + 1] for m, v in scores.items()} for t in ("syllable", "paper")}},
        "n_scored": {"abstract": 2},
        "lengths": {"abstract": {"mean_syllables": 30, "reference_mean_syllables": 32}},
    }


ROWS = [
    {
        "id": f"d{i}",
        "headline": "Tiêu đề",
        "abstract": "Hà Nội mưa lớn.",
        "bullets": ["Hà Nội mưa lớn."],
        "references": {"title": "Tiêu đề", "summary": "Hà Nội mưa to."},
    }
    for i in range(2)
]


def report_text(tmp_path: Path, model: dict[str, Any], speed: dict[str, Any], load_avg: list[float]) -> str:
    per_doc = {"abstract": np.array([40.0, 50.0]), "bullets": np.array([40.0, 50.0])}
    write_report(tmp_path, metrics(model, speed, load_avg), ROWS, per_doc)
    assert (tmp_path / "scores.png").stat().st_size > 0
    return (tmp_path / "report.md").read_text(encoding="utf-8")


def test_extractive_model_line_names_no_backend_and_load_is_rounded(tmp_path: Path) -> None:
    model = {"name": "lead", "kind": "extractive", "backend": "extractive", "revision": ""}
    text = report_text(tmp_path, model, SPEED_EXTRACTIVE, [1.0234, 0.8667, 0.5512])
    assert "- model: lead (extractive)\n" in text
    assert "load average 1.02 / 0.87 / 0.55." in text
    assert "0.8667" not in text and "revision" not in text
    assert "device cpu, batch size 16" in text  # no "(n/a, extractive)" for a model that generates nothing


def test_generation_model_line_names_the_backend_that_ran_and_the_revision(tmp_path: Path) -> None:
    # the card says transformers; on CPU the library ran its CTranslate2 conversion
    model = {"name": "vit5-base-vietnews", "kind": "seq2seq", "backend": "transformers", "revision": "abc123"}
    speed = {"backend": "ct2", "dtype": "float32", "device": "cpu"}
    text = report_text(tmp_path, model, speed, [2.0, 1.5, 1.25])
    assert "- model: vit5-base-vietnews (seq2seq, ct2 backend), revision `abc123`\n" in text
    assert "device cpu (float32, ct2)" in text and "load average 2.00 / 1.50 / 1.25." in text


@pytest.mark.parametrize(
    ("model", "speed", "expected"),
    [
        (
            {"name": "m", "kind": "seq2seq", "backend": "transformers", "revision": ""},
            {},
            "m (seq2seq, transformers backend)",
        ),
        ({"name": "old-run", "kind": "unknown", "backend": "unknown", "revision": ""}, {}, "old-run (unknown)"),
    ],
)
def test_model_line_without_a_speed_record(model: dict[str, Any], speed: dict[str, Any], expected: str) -> None:
    assert model_line(model, speed) == expected


def test_identical_histograms_both_show_and_titles_name_model_and_data() -> None:
    import matplotlib.pyplot as plt

    same = np.array([10.0, 40.0, 40.0, 70.0])
    fig = score_figure(
        {"headline": np.array([5.0]), "abstract": same, "bullets": same.copy()}, ROWS[:0], "lead on x.jsonl"
    )
    try:
        left, right = fig.axes
        assert left.get_title().endswith("lead on x.jsonl") and right.get_title().endswith("lead on x.jsonl")
        outlines = {patch.get_label(): patch for patch in left.patches}
        assert set(outlines) == {"headline", "abstract", "bullets"}
        # unfilled outlines, each of its own style: the later one never covers the earlier
        assert not any(patch.get_fill() for patch in outlines.values())
        abstract, bullets = outlines["abstract"], outlines["bullets"]
        assert np.array_equal(abstract.get_xy(), bullets.get_xy())
        assert (abstract.get_linestyle(), abstract.get_linewidth()) != (
            bullets.get_linestyle(),
            bullets.get_linewidth(),
        )
        assert [t.get_text() for t in left.get_legend().get_texts()] == ["headline", "abstract", "bullets"]
    finally:
        plt.close(fig)
