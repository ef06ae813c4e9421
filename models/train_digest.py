"""`tomtat train-digest`: ext-vi's digest scorer, trained on AbMuSu cluster summaries (CPU).

A digest (`summarizer.digest`) pools the candidate lines (units compressed by deletion) of
every article of a story. Each candidate of every cluster of the training file gets the label

    in the greedy oracle of the whole cluster against its summary (0/1)
    + the share of the line's syllable bigrams found in the summary
    + the share of its syllables found in the summary,

and the features `summarizer.digest.DIGEST_FEATURE_NAMES` (its unit features plus
cross-article ones). One LightGBM regression (fixed seed, deterministic) is written as
`digest.lgb.txt` into an ext-vi model folder; `model.json` records it under "digest", with
the selection settings (MMR diversity, the similarity at which a line repeats another, length
scale, order) chosen on a validation file: every combination of `DIVERSITIES` × `SAME_POINTS` ×
`TARGET_SCALES` × `ORDERS`, by syllable ROUGE-1 + ROUGE-2 F of the digest abstract against the
cluster summaries.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evaluation.digest_eval import read_clusters
from evaluation.rouge import score_corpus
from models.lgb_params import params_of
from models.oracle import greedy_oracle
from summarizer.digest import (
    COMPRESSION,
    DEFAULT_DIVERSITY,
    DEFAULT_SAME_POINT,
    DIGEST_FEATURE_NAMES,
    DIGEST_FEATURE_VERSION,
    DIGEST_FILE,
    GRANULARITIES,
    Story,
    choose,
    features,
    in_story_order,
    story,
)
from summarizer.document import prepare_document
from summarizer.errors import InvalidInputError, SummarizerError
from summarizer.keypoints import KEYPOINT_FEATURE_VERSION
from summarizer.normalize import normalize_text
from summarizer.options import DEFAULT_DIGEST_SYLLABLES
from summarizer.tokens import syllables

logger = logging.getLogger(__name__)

DIVERSITIES = (0.1, 0.2, 0.3)
SAME_POINTS = (0.5, 0.6, 0.7)
# the abstract keeps the length asked for (`digest_syllables`); 1.1 scored +0.14 R1 on validation but is longer
TARGET_SCALES = (1.0,)
ORDERS = ("story", "score")


@dataclass(frozen=True)
class DigestConfig:
    """Everything that decides the trained scorer (recorded in model.json)."""

    data: str
    model: str
    validation: str | None = None
    rounds: int = 300
    learning_rate: float = 0.05
    num_leaves: int = 31
    min_data_in_leaf: int = 20
    oracle_lines: int = 12
    # candidates: "unit" or "sentence", compressed by "units" (all rules) or "sentence" rules
    granularity: str = "unit"
    compression: str = "units"
    seed: int = 0
    workers: int = 2
    limit: int | None = None


def _bigram_share(tokens: list[str], reference: set[tuple[str, str]]) -> float:
    grams = list(itertools.pairwise(tokens))
    return sum(g in reference for g in grams) / len(grams) if grams else 0.0


def stories(
    path: str, idf: dict[str, float], *, limit: int | None = None, granularity: str = "unit", compression: str = "units"
) -> list[tuple[Story, str]]:
    """Each cluster of `path` as a `Story` (articles prepared like `Summarizer.digest` does), with its summary."""
    out = []
    for cluster in read_clusters(path, limit=limit):
        docs = []
        for text, title in zip(cluster.texts, cluster.titles, strict=True):
            try:
                docs.append(prepare_document(text, title=title or None))
            except SummarizerError:
                continue
        if docs:
            out.append((story(docs, idf, granularity=granularity, rules=COMPRESSION[compression]), cluster.summary))
    return out


def labels(pool: Story, summary: str, *, oracle_lines: int) -> np.ndarray:
    """Oracle membership over the whole cluster + bigram share + syllable share, per candidate."""
    reference = normalize_text(summary)
    ref_tokens = syllables(reference)
    ref_bigrams, ref_unigrams = set(itertools.pairwise(ref_tokens)), set(ref_tokens)
    texts = [e.text for e in pool.excerpts]
    oracle = set(greedy_oracle(texts, reference, max_sentences=oracle_lines))
    out = []
    for i, text in enumerate(texts):
        tokens = syllables(text)
        unigram_share = sum(t in ref_unigrams for t in tokens) / len(tokens) if tokens else 0.0
        out.append((i in oracle) + _bigram_share(tokens, ref_bigrams) + unigram_share)
    return np.array(out, dtype=np.float32)


def tune(
    predict: Any, validation: list[tuple[Story, str]], *, target: int = DEFAULT_DIGEST_SYLLABLES
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The selection settings of best syllable R1 + R2 on `validation`, and every setting's scores."""
    scored = [(pool, summary, predict(features(pool))) for pool, summary in validation]
    table = []
    for diversity, same, scale, order in itertools.product(DIVERSITIES, SAME_POINTS, TARGET_SCALES, ORDERS):
        abstracts = []
        for pool, _, values in scored:
            chosen = choose(
                values, pool, target=target * scale, allowed=pool.allowed, diversity=diversity, same_point=same
            )
            if order == "story":
                chosen = in_story_order(chosen, pool)
            abstracts.append(" ".join(pool.excerpts[i].text for i in chosen))
        rouge = score_corpus(predictions=abstracts, references=[s for _, s, _ in scored])
        table.append(
            {
                "diversity": diversity,
                "same_point": same,
                "target_scale": scale,
                "order": order,
                "rouge1": round(float(rouge["rouge1"].mean()), 2),
                "rouge2": round(float(rouge["rouge2"].mean()), 2),
                "rougeL": round(float(rouge["rougeL"].mean()), 2),
            }
        )
    best = max(table, key=lambda r: (r["rouge1"] + r["rouge2"], r["rougeL"]))
    return {k: best[k] for k in ("diversity", "same_point", "target_scale", "order")}, table


def train_digest(cfg: DigestConfig) -> dict[str, Any]:
    """Train the scorer, choose the selection settings, write both into `cfg.model`; returns the record."""
    import lightgbm as lgb

    started = time.perf_counter()
    folder = Path(cfg.model)
    config_path = folder / "model.json"
    try:
        idf = json.loads((folder / "idf.json").read_text(encoding="utf-8"))
        json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInputError(
            f"{folder} is not an ext-vi model folder ({exc}); train one with `tomtat train-extractor`"
        ) from exc
    if cfg.granularity not in GRANULARITIES or cfg.compression not in COMPRESSION:
        raise InvalidInputError(
            f"granularity is one of {', '.join(GRANULARITIES)}, compression one of {', '.join(COMPRESSION)}"
        )
    candidates = {"granularity": cfg.granularity, "compression": cfg.compression}
    train = stories(cfg.data, idf, limit=cfg.limit, **candidates)
    if not train:
        raise InvalidInputError(f"{cfg.data}: no cluster with a summary and articles; is it AbMuSu clusters-*?")
    rows = [features(pool) for pool, _ in train]
    targets = [labels(pool, summary, oracle_lines=cfg.oracle_lines) for pool, summary in train]
    x, y = np.concatenate(rows), np.concatenate(targets)
    stats: Counter[str] = Counter(clusters=len(train), articles=sum(len(p.docs) for p, _ in train), lines=len(y))
    params = params_of(cfg)
    booster = lgb.train(params, lgb.Dataset(x, y, feature_name=list(DIGEST_FEATURE_NAMES)), num_boost_round=cfg.rounds)
    selection: dict[str, Any] = {
        "diversity": DEFAULT_DIVERSITY,
        "same_point": DEFAULT_SAME_POINT,
        "target_scale": 1.0,
        "order": "story",
    }
    table: list[dict[str, Any]] = []
    if cfg.validation:
        selection, table = tune(booster.predict, stories(cfg.validation, idf, **candidates))
    selection.update(candidates)
    booster.save_model(str(folder / DIGEST_FILE))
    gain = booster.feature_importance("gain")
    top = sorted(zip(DIGEST_FEATURE_NAMES, gain.round(1).tolist(), strict=True), key=lambda kv: -kv[1])[:15]
    record = {
        "feature_version": DIGEST_FEATURE_VERSION,
        "keypoint_feature_version": KEYPOINT_FEATURE_VERSION,
        "features": list(DIGEST_FEATURE_NAMES),
        "selection": selection,
        "trained_on": {**asdict(cfg), **stats, "positive_rate": round(float((y >= 1).mean()), 4)},
        "validation": table,
        "feature_gain_top15": dict(top),
        "seconds": round(time.perf_counter() - started, 1),
    }
    config = json.loads(config_path.read_text(encoding="utf-8"))  # re-read: others may have written it meanwhile
    config["digest"] = record
    config_path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    logger.info("digest scorer: %d lines of %d clusters in %.0fs", len(y), len(train), record["seconds"])
    return record
