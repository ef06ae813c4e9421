"""The numpy tree evaluator gives LightGBM's own predictions, from the same text model file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from summarizer.errors import ModelLoadError
from summarizer.trees import TreeEnsemble

lgb = pytest.importorskip("lightgbm")


@pytest.mark.parametrize("objective", ["regression", "binary"])
def test_predictions_match_lightgbm(tmp_path: Path, objective: str) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 6))
    x[rng.random(x.shape) < 0.05] = 0.0
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(float) if objective == "binary" else x[:, 0] - 2 * x[:, 3]
    params = {"objective": objective, "num_leaves": 15, "min_data_in_leaf": 5, "verbose": -1, "seed": 0}
    booster = lgb.train(params, lgb.Dataset(x, y), num_boost_round=30)
    path = tmp_path / "model.txt"
    booster.save_model(str(path))
    test = rng.normal(size=(200, 6))
    test[:5, 2] = np.nan  # missing values take the trained default direction
    test[5:10, 1] = 0.0
    ours = TreeEnsemble.load(path).predict(test)
    assert np.allclose(ours, booster.predict(test), rtol=0, atol=1e-9)


def test_the_bundled_ext_vi_models_load_and_predict() -> None:
    folder = Path(__file__).resolve().parents[2] / "models" / "ext-vi"
    ensemble = TreeEnsemble.load(folder / "abstract.lgb.txt")
    reference = lgb.Booster(model_file=str(folder / "abstract.lgb.txt"))
    x = np.random.default_rng(1).normal(size=(50, ensemble.num_features))
    assert np.allclose(ensemble.predict(x), reference.predict(x), atol=1e-9)


def test_bad_files_are_clear_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("not a model", encoding="utf-8")
    with pytest.raises(ModelLoadError, match="not a LightGBM text model"):
        TreeEnsemble.load(bad)
    with pytest.raises(ModelLoadError, match="cannot read"):
        TreeEnsemble.load(tmp_path / "missing.txt")


@pytest.mark.parametrize("name", ["abstract", "headline", "keypoints", "digest"])
def test_past_its_row_count_an_ensemble_predicts_with_lightgbm_and_the_very_same_floats(name: str) -> None:
    path = Path(__file__).resolve().parents[2] / "models" / "ext-vi" / f"{name}.lgb.txt"
    walked = TreeEnsemble.load(path, compiled_after=None)
    switching = TreeEnsemble.load(path, compiled_after=1000)
    rng = np.random.default_rng(2)
    x = rng.normal(size=(600, walked.num_features)) * rng.choice([0.0, 1.0, 10.0], size=(600, walked.num_features))
    x[::7, 3] = np.nan
    first = switching.predict(x)
    assert not switching.compiled  # 600 rows: still the numpy walk
    second = switching.predict(x)
    assert switching.compiled  # 1,200 rows > 1,000: LightGBM's compiled predictor from now on
    assert not walked.compiled
    assert np.array_equal(first, second)  # a row scores the same before and after the switch
    assert np.array_equal(second, lgb.Booster(model_file=str(path)).predict(x))


def test_compile_switches_at_once_with_the_same_floats_and_only_where_allowed() -> None:
    path = Path(__file__).resolve().parents[2] / "models" / "ext-vi" / "keypoints.lgb.txt"
    ensemble = TreeEnsemble.load(path)
    x = np.random.default_rng(3).normal(size=(40, ensemble.num_features))
    walked = ensemble.predict(x)
    assert not ensemble.compiled  # 40 rows: far below the switch
    assert ensemble.compile() and ensemble.compiled
    assert np.array_equal(ensemble.predict(x), walked)
    assert ensemble.compile()  # a second call keeps the compiled predictor
    never = TreeEnsemble.load(path, compiled_after=None)  # told never to switch: compile() refuses
    assert not never.compile() and not never.compiled
