"""The LightGBM settings every tomtat scorer is trained with (ext-vi's sentence, key-point and
digest scorers): one place, so the recipes stay reproducible and alike."""

from __future__ import annotations

from typing import Any


def params_of(cfg: Any, objective: str = "regression", *, bagging: bool = True) -> dict[str, Any]:
    """LightGBM parameters from a training config's `learning_rate`, `num_leaves`,
    `min_data_in_leaf`, `seed` and `workers`: 80% feature and row bagging (none without
    `bagging`: then the seed changes nothing), deterministic."""
    if not bagging:
        return {**params_of(cfg, objective), "feature_fraction": 1.0, "bagging_fraction": 1.0, "bagging_freq": 0}
    return {
        "objective": objective,
        "learning_rate": cfg.learning_rate,
        "num_leaves": cfg.num_leaves,
        "min_data_in_leaf": cfg.min_data_in_leaf,
        "feature_fraction": 0.8,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "seed": cfg.seed,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": cfg.workers,
        "verbose": -1,
    }
