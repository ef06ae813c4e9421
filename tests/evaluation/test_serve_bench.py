"""The service throughput benchmark: starts the real server, reports both runs and the ceiling."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from evaluation import serve_bench


@pytest.mark.skipif(
    not Path(sys.executable).with_name("tomtat").exists(),
    reason="needs the `tomtat` console script beside this Python (pip install -e .)",
)
def test_reports_single_concurrent_and_in_process_ceiling(tmp_path: Path) -> None:
    out = tmp_path / "serve.json"
    assert (
        serve_bench.main(["--model", "lead", "--requests", "6", "--clients", "3", "--ceiling", "--out", str(out)]) == 0
    )
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["single"]["clients"] == 1 and report["concurrent"]["clients"] == 3
    for run in (report["single"], report["concurrent"]):
        assert run["requests"] == 6 and run["docs_per_s"] > 0
        assert 0 < run["latency_p50_s"] <= run["latency_p95_s"]
    assert report["throughput_ratio"] == pytest.approx(
        report["concurrent"]["docs_per_s"] / report["single"]["docs_per_s"]
    )
    ceiling = report["in_process_batching"]
    assert ceiling["docs_per_s_1"] > 0 and ceiling["docs_per_s_3"] > 0
