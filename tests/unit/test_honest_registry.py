"""The registry says which models are previews, and the text output says when no bullet is left."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer import Summarizer, cli
from summarizer.registry import known_models, resolve_model
from tests.unit.test_pipeline import SPEC, FakeGenerator

PREVIEWS = {"compact-vi", "compact-vi-rewrite"}


def test_the_registry_marks_the_previews() -> None:
    models = known_models()
    assert {name for name, spec in models.items() if spec.preview} == PREVIEWS
    for name in PREVIEWS:
        assert models[name].card()["preview"] is True
        assert "ext-vi" in models[name].description and "ext-vi" in models[name].description_vi


def test_every_model_has_a_vietnamese_description() -> None:
    for name, spec in known_models().items():
        assert spec.description_vi and spec.description_vi != spec.description, name
        assert any(ch in spec.description_vi for ch in "ăâđêôơư"), f"{name}: {spec.description_vi!r}"


def test_tomtat_models_says_which_are_not_fit_for_use(capsys) -> None:
    assert cli.main(["models"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = {line[2:].split()[0]: line for line in lines if line[:2] in ("  ", "* ") and line[2:3].strip()}
    assert set(known_models()) <= set(rows)
    marked = {name for name in known_models() if "not fit for use" in rows[name]}
    assert marked == PREVIEWS
    assert cli.main(["models", "--format", "json"]) == 0
    cards = json.loads(capsys.readouterr().out)
    assert {card["name"] for card in cards if card["preview"]} == PREVIEWS


def test_v1_models_carries_the_preview_flag(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings
    from tests.api.conftest import wait_ready

    preview = Summarizer(resolve_model("compact-vi"), FakeGenerator())
    with TestClient(create_app(Settings(jobs_db=tmp_path / "jobs.db"), load=lambda: preview)) as client:
        wait_ready(client)
        card = client.get("/v1/models").json()["model"]
    assert card["name"] == "compact-vi" and card["preview"] is True and "ext-vi" in card["description_vi"]


def test_text_output_says_when_the_guard_dropped_every_bullet(
    capsys, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = FakeGenerator(canned="Tỉnh họp bàn kế hoạch. Ông Trần Văn Bịa nói 99 người dự")
    monkeypatch.setattr(cli, "load_summarizer", lambda args: Summarizer(SPEC, fake))
    path = tmp_path / "a.txt"
    path.write_text("Tỉnh họp bàn về kế hoạch năm. Người dân đồng tình với kế hoạch.", encoding="utf-8")
    assert cli.main(["summarize", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "guard dropped the bullets" in out and "bullet dropped" in err
    assert "- " not in out  # no bullet lines


def test_text_output_has_no_such_line_when_bullets_remain(capsys, monkeypatch, tmp_path: Path) -> None:
    fake = FakeGenerator(canned="Tỉnh họp bàn kế hoạch. Người dân đồng tình")
    monkeypatch.setattr(cli, "load_summarizer", lambda args: Summarizer(SPEC, fake))
    path = tmp_path / "a.txt"
    path.write_text("Tỉnh họp bàn về kế hoạch năm. Người dân đồng tình với kế hoạch.", encoding="utf-8")
    assert cli.main(["summarize", str(path)]) == 0
    out = capsys.readouterr().out
    assert "- Người dân đồng tình." in out and "dropped" not in out
