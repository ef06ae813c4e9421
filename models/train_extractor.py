"""`tomtat train-extractor`: train `ext-vi`, the learned extractive model, on CPU.

One command, reproducible with a seed:
1. IDF of syllables over the first `idf_articles` training articles;
2. features and oracle labels of every training article (`models.extractor_data`, cached);
3. two LightGBM models: the abstract scorer (regression on "in the greedy oracle against the
   sapo" (0/1) plus the sentence's own ROUGE-1+2 F against the sapo: the oracle says which
   sentences to take, the graded part orders the rest) and the headline scorer (regression
   on ROUGE-1+2 F of the sentence's headline form against the title);
4. the abstract's target length: log sapo syllables ~ log body syllables, fitted on train,
   times a scale chosen on validation articles;
5. a model folder: `model.json`, `abstract.lgb.txt`, `headline.lgb.txt` (LightGBM's text
   format: loads without pickle), `idf.json`, `train_summary.json`.
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evaluation.datasets import read_duplicates, read_records
from models.extractor_data import build_idf, cached_examples
from models.lgb_params import params_of
from summarizer.errors import InvalidInputError
from summarizer.ext_model import DEFAULT_HEADLINE_MARGIN
from summarizer.features import FEATURE_NAMES, FEATURE_VERSION

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExtractorConfig:
    """Everything that decides the trained model (recorded in train_summary.json)."""

    data: str
    out: str
    validation: str | None = None
    dedup: str | None = None
    limit: int | None = None
    validation_articles: int = 1000
    idf_articles: int = 30000
    rounds: int = 400
    learning_rate: float = 0.05
    num_leaves: int = 63
    min_data_in_leaf: int = 50
    seed: int = 0
    workers: int = 2
    cache_dir: str | None = None
    length_scales: tuple[float, ...] = (1.0, 1.15, 1.3, 1.45)

    @classmethod
    def smoke(cls, data: str, out: str, **overrides: Any) -> ExtractorConfig:
        """A seconds-long run on a few articles, for CI: same code path, tiny sizes."""
        small = {
            "limit": 200,
            "validation_articles": 50,
            "idf_articles": 200,
            "rounds": 20,
            "num_leaves": 15,
            "min_data_in_leaf": 5,
        }
        return cls(data=data, out=out, **{**small, **overrides})


def fit_length(summary_syllables: np.ndarray, body_syllables: np.ndarray) -> tuple[float, float]:
    """Least squares of log(sapo syllables) on log(body syllables): (intercept, slope)."""
    x = np.log1p(body_syllables.astype(float))
    y = np.log1p(summary_syllables.astype(float))
    slope, intercept = np.polyfit(x, y, 1)
    return float(intercept), float(slope)


def _choose_scale(cfg: ExtractorConfig, folder: Path, config: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    """The length scale with the best syllable ROUGE-1+2+L of the abstract on validation."""
    from evaluation.rouge import score_corpus
    from summarizer.ext_model import ExtractiveModel

    assert cfg.validation is not None
    records = list(read_records(cfg.validation))
    random.Random(cfg.seed).shuffle(records)
    records = records[: cfg.validation_articles]
    from summarizer.document import prepare_document

    docs = [prepare_document(r.text) for r in records]
    table: dict[str, Any] = {}
    best = (-1.0, 1.0)
    for scale in cfg.length_scales:
        trial = {**config, "length": {**config["length"], "scale": scale}}
        (folder / "model.json").write_text(json.dumps(trial, indent=2), encoding="utf-8")
        model = ExtractiveModel.load(folder)
        abstracts = [" ".join(e.text for e in sel.abstract) for doc, sel in zip(docs, model.select(docs), strict=True)]
        scores = score_corpus(predictions=abstracts, references=[r.summary for r in records])
        means = {m: round(float(v.mean()), 2) for m, v in scores.items()}
        table[str(scale)] = means
        total = means["rouge1"] + means["rouge2"] + means["rougeL"]
        logger.info("length scale %.2f: %s", scale, means)
        if total > best[0]:
            best = (total, scale)
    return best[1], table


def train_extractor(cfg: ExtractorConfig) -> dict[str, Any]:
    """Train and write the model folder; returns train_summary.json's content."""
    import lightgbm as lgb

    started = time.perf_counter()
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    cache = Path(cfg.cache_dir) if cfg.cache_dir else out / "cache"
    excluded = read_duplicates(cfg.dedup) if cfg.dedup else frozenset()
    idf_limit = min(cfg.idf_articles, cfg.limit) if cfg.limit else cfg.idf_articles
    idf = build_idf(read_records(cfg.data, limit=idf_limit, exclude_ids=excluded))
    if not idf:
        raise InvalidInputError(f"{cfg.data}: no usable article (each needs text and summary)")
    t_idf = time.perf_counter()
    examples = cached_examples(
        cfg.data, cache_dir=cache, idf=idf, dedup=cfg.dedup, limit=cfg.limit, workers=cfg.workers
    )
    t_examples = time.perf_counter()
    logger.info("examples: %d sentences of %d articles", len(examples.abstract), len(examples.groups))
    abstract = lgb.train(
        params_of(cfg),
        lgb.Dataset(examples.features, examples.abstract + examples.abstract_gain, feature_name=list(FEATURE_NAMES)),
        num_boost_round=cfg.rounds,
    )
    headline = lgb.train(
        params_of(cfg),
        lgb.Dataset(examples.features, examples.headline, feature_name=list(FEATURE_NAMES)),
        num_boost_round=cfg.rounds,
    )
    t_train = time.perf_counter()
    abstract.save_model(str(out / "abstract.lgb.txt"))
    headline.save_model(str(out / "headline.lgb.txt"))
    (out / "idf.json").write_text(json.dumps(idf, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    intercept, slope = fit_length(examples.summary_syllables, examples.body_syllables)
    config: dict[str, Any] = {
        "format": "tomtat-extractive",
        "feature_version": FEATURE_VERSION,
        "features": list(FEATURE_NAMES),
        "length": {"intercept": round(intercept, 4), "slope": round(slope, 4), "scale": 1.0, "min": 15, "max": 150},
        "bullets": {"min": 3, "max": 5, "mmr_lambda": 0.7, "sentences_per_bullet": 4, "long_report_sentences": 12},
        "headline_margin": DEFAULT_HEADLINE_MARGIN,
    }
    scales: dict[str, Any] = {}
    if cfg.validation:
        scale, scales = _choose_scale(cfg, out, config)
        config["length"]["scale"] = scale
    (out / "model.json").write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    importance = dict(
        sorted(
            zip(FEATURE_NAMES, abstract.feature_importance("gain").round(1).tolist(), strict=True),
            key=lambda kv: -kv[1],
        )[:15]
    )
    summary = {
        "config": {**asdict(cfg), "length_scales": list(cfg.length_scales)},
        "articles": len(examples.groups),
        "sentences": len(examples.abstract),
        "oracle_positive_rate": round(float(examples.abstract.mean()), 4),
        "seconds": {
            "idf": round(t_idf - started, 1),
            "examples": round(t_examples - t_idf, 1),
            "train": round(t_train - t_examples, 1),
            "total": round(time.perf_counter() - started, 1),
        },
        "length_scale_validation": scales,
        "abstract_feature_gain_top15": importance,
        "machine": {"cpus": os.cpu_count()},
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    (out / "train_summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    logger.info("trained in %.0f s", summary["seconds"]["total"])
    return summary
