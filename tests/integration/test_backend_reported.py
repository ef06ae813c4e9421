"""What ran is what is reported: compact-vi on CPU with the auto backend runs CTranslate2."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from evaluation.runner import EvalConfig, run_eval
from summarizer import Summarizer, resolve_model
from summarizer.options import LoadOptions
from tests.conftest import REPO


def test_compact_vi_auto_on_cpu_reports_ct2_everywhere(tmp_path: Path) -> None:
    if not Path(resolve_model("compact-vi").source, "model.safetensors").is_file():
        pytest.skip("compact-vi weights are not in this checkout")
    load = LoadOptions(device="cpu", batch_size=2)  # backend left to the library: auto
    summarizer = Summarizer.from_pretrained("compact-vi", load)
    assert resolve_model("compact-vi").backend != "ct2"  # the registry entry is a transformers model
    assert (summarizer.info.backend, summarizer.info.device, summarizer.info.kind) == ("ct2", "cpu", "seq2seq")
    assert summarizer.summarize("Hà Nội mưa lớn. Nhiều tuyến phố ngập sâu.").info.backend == "ct2"

    out = tmp_path / "run"
    cfg = EvalConfig(
        data=str(REPO / "tests" / "fixtures" / "vi_corpus.jsonl"),
        out=str(out),
        model="compact-vi",
        limit=2,
        load=load,
        bootstrap_samples=10,
        generation={"summary": {"max_new_tokens": 16}, "headline": {"max_new_tokens": 8}},
    )
    run_eval(cfg, summarizer=summarizer)
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["model"]["backend"] == metrics["options"]["backend"] == metrics["speed"]["backend"] == "ct2"
    assert metrics["model"]["name"] == "compact-vi"
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "ct2" in report and "transformers" not in report

    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    settings = Settings(model="compact-vi", device="cpu", jobs_db=tmp_path / "jobs.db")
    with TestClient(create_app(settings, load=lambda: summarizer)) as client:
        deadline = time.monotonic() + 60
        while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        body = client.get("/v1/models").json()
    assert (body["name"], body["backend"], body["device"]) == ("compact-vi", "ct2", "cpu")
