"""Digests: one summary of several articles on the same story (`Summarizer.digest`).

The same flow as one document, over a set: each article is prepared (normalize, segment,
units), every unit is a candidate line compressed by deletion (`keypoints.candidates`), and
the candidates of all articles are pooled:

- **scores**: the digest scorer (`digest.lgb.txt` in the ext-vi folder, trained on AbMuSu
  cluster summaries by `tomtat train-digest`: `models/train_digest.py`) reads each
  candidate's unit features (`keypoints.unit_features`) and cross-article ones
  (`CROSS_FEATURES`: how many other articles say something similar, similarity to the
  story, the article's position and share). Without it, the key-point scores plus a bonus
  for what several articles say.
- **abstract**: candidates by maximal marginal relevance across articles until
  `SummarizeOptions.digest_syllables`; a candidate that repeats a chosen one is never taken.
- **bullets**: further distinct points beyond the abstract, within the word budget.
- **headline**: the title (given or read from the text) closest to the whole story, else
  the best candidate's sentence in headline form.
- **evidence**: every source span names its article (`SourceSpan.document`, an index into
  the input; `Summary.ids` maps it to an id). A fact told by several articles is one line
  whose sources include the line of each other article that tells it (`same_fact`).
  A given title has no span in the text: its source is the empty span (0, 0) of its article.
- **warnings**: figures that disagree across articles for the same quantity ("180 hành khách"
  vs "186 hành khách" in lines on the same point) are named with both values and articles.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache, cached_property
from pathlib import Path

import numpy as np

from summarizer.compose import Line, excerpt_line
from summarizer.compress import RULES, UNIT_RULES, headline_form
from summarizer.document import Document
from summarizer.ext_model import ExtractiveModel
from summarizer.features import tfidf_matrix
from summarizer.keypoints import (
    KEYPOINT_FEATURE_NAMES,
    KEYPOINT_FEATURE_VERSION,
    SAME_POINT_SIMILARITY,
    candidates,
    eligible,
    unit_features,
    words,
)
from summarizer.options import SummarizeOptions
from summarizer.postprocess import as_headline
from summarizer.tokens import syllables
from summarizer.trees import TreeEnsemble
from summarizer.types import SourceSpan
from summarizer.units import Unit, role_of

logger = logging.getLogger(__name__)

DIGEST_FILE = "digest.lgb.txt"  # optional, in the ext-vi folder; model.json records it under "digest"
DIGEST_FEATURE_VERSION = 1
CROSS_FEATURES = (
    "max_sim_other",  # highest cosine to a candidate of another article
    "mean_best_sim_other",  # mean over the other articles of the best cosine to one of their candidates
    "support_share",  # share of the other articles with a candidate at SUPPORT_SIMILARITY or more
    "story_sim",  # cosine to the whole story (all candidates of all articles)
    "article_rel",  # the article's position in the input / count
    "articles",  # how many articles
    "article_share",  # the article's share of the story's syllables
    "article_story_sim",  # cosine of the article to the other articles
    "unit_rel",  # the unit's position in its article / its article's units
)
DIGEST_FEATURE_NAMES: tuple[str, ...] = (*KEYPOINT_FEATURE_NAMES, *CROSS_FEATURES)

GRANULARITIES = ("unit", "sentence")
# compression of the candidates: "units" = every rule of `compress.UNIT_RULES`, "sentence" =
# only the sentence rules (`compress.RULES`: tags, credits, bylines)
COMPRESSION = {"units": UNIT_RULES, "sentence": RULES}
# a candidate this close to one of another article says the same (counted as support)
SUPPORT_SIMILARITY = 0.3
# a candidate of another article this close to a chosen line (TF-IDF cosine and Dice of syllable
# bigrams) is the same fact: its span joins the line's sources instead of being a line of its own
DUPLICATE_SIMILARITY = 0.5
DUPLICATE_BIGRAMS = 0.25
# selection settings (the trained scorer's own, chosen on AbMuSu clusters-validation, are in
# model.json's "digest" → "selection"): MMR diversity, and the similarity at which a candidate
# repeats a chosen line (TF-IDF cosine) and is never taken
DEFAULT_DIVERSITY = 0.2
DEFAULT_SAME_POINT = 0.6
# without a trained digest scorer: key-point score + this × support_share
SUPPORT_BONUS = 1.0
# a figure: a number and the two words after it ("186 hành khách", "14,14 %" is not one)
_FIGURE = re.compile(r"(?<![\w.,/-])(\d+(?:[.,]\d+)*)\s+([^\W\d_]+(?:\s+[^\W\d_]+)?)")
_NOT_QUANTITY = frozenset({"giờ", "h", "tháng", "năm", "ngày", "tuổi"})
_YEAR = re.compile(r"^(?:19|20)\d\d$")
# two lines mentioning the same quantity are on the same point when this similar
FIGURE_CONTEXT_SIMILARITY = 0.25
MAX_FIGURE_WARNINGS = 5


@dataclass(frozen=True)
class Story:
    """The candidates of every article of a digest, pooled.

    Attributes:
        docs: the prepared articles, in input order.
        excerpts: every candidate line of every article (article by article, in order).
        owner: the article index of each candidate.
        vectors: L2-normalised TF-IDF rows of the candidates, over the story's vocabulary.
        allowed: which candidates may be a line (`keypoints.eligible`).
        unit_rows: the unit features of each candidate (`KEYPOINT_FEATURE_NAMES`).
    """

    docs: tuple[Document, ...]
    excerpts: tuple
    owner: np.ndarray
    vectors: np.ndarray
    allowed: np.ndarray
    unit_rows: np.ndarray

    def similarity(self) -> np.ndarray:
        """Cosine similarity between every pair of candidates (computed once)."""
        return self._similarity

    @cached_property
    def _similarity(self) -> np.ndarray:
        return self.vectors @ self.vectors.T

    @cached_property
    def bigrams(self) -> tuple[set[tuple[str, str]], ...]:
        """Each candidate's syllable bigrams."""
        return tuple(set(itertools.pairwise(syllables(e.text))) for e in self.excerpts)


def sentence_units(doc: Document) -> Document:
    """`doc` with each sentence as one unit (the digest's candidates are whole sentences)."""
    units = tuple(
        Unit(start=span.start, end=span.end, sentence=i, paragraph=span.paragraph, role=role_of(sentence))
        for i, (span, sentence) in enumerate(zip(doc.spans, doc.sentences, strict=True))
    )
    return replace(doc, units=units)


def story(
    docs: Sequence[Document], idf: dict[str, float], *, granularity: str = "unit", rules: tuple[str, ...] = UNIT_RULES
) -> Story:
    """Candidates, vectors, eligibility and unit features of every article of `docs`.

    `granularity` "unit" (a part of a sentence that stands alone, `summarizer.units`) or
    "sentence"; `rules` the compression rules applied to each candidate.
    """
    if granularity not in GRANULARITIES:
        raise ValueError(f"granularity must be one of {GRANULARITIES}, not {granularity!r}")
    if granularity == "sentence":
        docs = [sentence_units(d) for d in docs]
    excerpts: list = []
    owner: list[int] = []
    allowed: list[bool] = []
    rows: list[np.ndarray] = []
    for k, doc in enumerate(docs):
        cands = candidates(doc, idf, rules=rules)
        excerpts.extend(cands.excerpts)
        owner.extend([k] * len(cands.excerpts))
        allowed.extend(eligible(doc, cands))
        rows.append(unit_features(doc, cands, idf))
    vectors = tfidf_matrix([syllables(e.text) for e in excerpts], idf)
    return Story(
        docs=tuple(docs),
        excerpts=tuple(excerpts),
        owner=np.asarray(owner, dtype=np.int64),
        vectors=vectors,
        allowed=np.asarray(allowed, dtype=bool),
        unit_rows=np.concatenate(rows) if rows else np.zeros((0, len(KEYPOINT_FEATURE_NAMES)), dtype=np.float32),
    )


def cross_features(pool: Story) -> np.ndarray:
    """One row of `CROSS_FEATURES` per candidate of the story (float32)."""
    n_docs = len(pool.docs)
    n = len(pool.excerpts)
    sim = pool.similarity()
    out = np.zeros((n, len(CROSS_FEATURES)), dtype=np.float32)
    if n == 0:
        return out
    # best similarity of each candidate to each article's candidates: n × n_docs
    best = np.zeros((n, n_docs), dtype=np.float32)
    for k in range(n_docs):
        mine = pool.owner == k
        if mine.any():
            best[:, k] = sim[:, mine].max(axis=1)
    others = np.ones((n, n_docs), dtype=bool)
    others[np.arange(n), pool.owner] = False
    if n_docs > 1:
        other_best = np.where(others, best, -np.inf)
        out[:, 0] = other_best.max(axis=1)
        out[:, 1] = np.where(others, best, 0).sum(axis=1) / (n_docs - 1)
        out[:, 2] = ((best >= SUPPORT_SIMILARITY) & others).sum(axis=1) / (n_docs - 1)
    centroid = pool.vectors.sum(axis=0)
    norm = np.linalg.norm(centroid)
    out[:, 3] = pool.vectors @ (centroid / norm) if norm else 0.0
    lengths = np.array([sum(len(syllables(s)) for s in d.sentences) for d in pool.docs], dtype=np.float32)
    article_vecs = np.stack([pool.vectors[pool.owner == k].sum(axis=0) for k in range(n_docs)])
    norms = np.linalg.norm(article_vecs, axis=1, keepdims=True)
    article_vecs = np.divide(article_vecs, norms, out=np.zeros_like(article_vecs), where=norms > 0)
    article_sim = article_vecs @ article_vecs.T
    story_sim = (article_sim.sum(axis=1) - 1) / (n_docs - 1) if n_docs > 1 else np.ones(n_docs)
    positions = np.zeros(n, dtype=np.float32)
    for k in range(n_docs):
        idx = np.flatnonzero(pool.owner == k)
        positions[idx] = np.arange(len(idx)) / max(len(idx), 1)
    out[:, 4] = pool.owner / n_docs
    out[:, 5] = n_docs
    out[:, 6] = lengths[pool.owner] / max(float(lengths.sum()), 1.0)
    out[:, 7] = story_sim[pool.owner]
    out[:, 8] = positions
    return out


def features(pool: Story) -> np.ndarray:
    """The digest scorer's input: `DIGEST_FEATURE_NAMES`, one row per candidate."""
    return np.hstack([pool.unit_rows, cross_features(pool)]).astype(np.float32)


@dataclass(frozen=True)
class DigestScorer:
    """The trained digest scorer of a model folder and its selection settings."""

    booster: TreeEnsemble
    settings: dict

    @property
    def target_scale(self) -> float:
        return float(self.settings.get("target_scale", 1.0))


@cache
def load_scorer(folder: str) -> DigestScorer | None:
    """The digest scorer of an ext-vi folder, or None when it has none or it was trained on
    other features (logged: retrain it with `tomtat train-digest`)."""
    path = Path(folder) / DIGEST_FILE
    if not path.is_file():
        return None
    try:
        config = json.loads((Path(folder) / "model.json").read_text(encoding="utf-8")).get("digest", {})
        if (
            config.get("feature_version") != DIGEST_FEATURE_VERSION
            or config.get("keypoint_feature_version") != KEYPOINT_FEATURE_VERSION
            or config.get("features") != list(DIGEST_FEATURE_NAMES)
        ):
            logger.warning("%s was trained with other features; retrain it with `tomtat train-digest`", path)
            return None
        selection = dict(config.get("selection", {}))
        if (
            selection.get("granularity", "unit") not in GRANULARITIES
            or selection.get("compression", "units") not in COMPRESSION
        ):
            logger.warning("%s: unknown candidate settings %s; retrain it with `tomtat train-digest`", path, selection)
            return None
        return DigestScorer(TreeEnsemble.load(path), selection)
    except (OSError, ValueError) as exc:
        logger.warning("%s cannot be read (%s); digests use the key-point scores", path, exc)
        return None


def scores(pool: Story, model: ExtractiveModel, scorer: DigestScorer | None) -> np.ndarray:
    """One score per candidate: the digest scorer's, else key-point scores plus support."""
    if not len(pool.excerpts):
        return np.zeros(0)
    if scorer is not None:
        return scorer.booster.predict(features(pool))
    if model.keypoint_booster is not None:
        base = model.keypoint_booster.predict(pool.unit_rows)
    else:
        base = -pool.unit_rows[:, 0]  # position first, as a lead would
    return base + SUPPORT_BONUS * cross_features(pool)[:, 2]


def choose(
    values: np.ndarray,
    pool: Story,
    *,
    target: float,
    allowed: np.ndarray,
    taken: Sequence[int] = (),
    diversity: float = DEFAULT_DIVERSITY,
    max_lines: int | None = None,
    unit: str = "syllables",
    hard: bool = False,
    same_point: float = DEFAULT_SAME_POINT,
) -> list[int]:
    """Candidates by MMR across articles until `target` syllables (or words, `unit="words"`).

    A candidate at `same_point` similarity or more to a chosen one (or one in `taken`), or
    telling the same fact as one (`repeats`), is never taken; one that would move the total
    further from the target than it is (with `hard`: past the target) is passed over for a
    shorter one. Returned in the order chosen.
    """
    sim = pool.similarity()
    span = float(values.max() - values.min()) if len(values) else 0.0
    relevance = (values - values.min()) / (span or 1.0) if len(values) else values
    size = np.array([e.syllables if unit == "syllables" else words(e.text) for e in pool.excerpts], dtype=float)
    chosen: list[int] = []
    blocked = list(taken)
    pool_idx = [
        i for i in range(len(pool.excerpts)) if allowed[i] and i not in blocked and not repeats(i, blocked, pool)
    ]
    total = 0.0
    while pool_idx and (max_lines is None or len(chosen) < max_lines):
        against = [*chosen, *blocked]
        redundancy = sim[np.ix_(pool_idx, against)].max(axis=1) if against else np.zeros(len(pool_idx))
        value = (1 - diversity) * relevance[pool_idx] - diversity * redundancy
        picked = None
        for j in np.argsort(-value, kind="stable"):
            i = pool_idx[int(j)]
            if redundancy[int(j)] >= same_point:
                continue
            fits = total + size[i] <= target if hard else abs(total + size[i] - target) < abs(total - target)
            if fits or (not chosen and not hard):
                picked = i
                break
        if picked is None:
            break
        chosen.append(picked)
        total += size[picked]
        pool_idx = [i for i in pool_idx if i != picked and not repeats(i, [picked], pool)]
        if total >= target:
            break
    return chosen


def repeats(i: int, lines: Sequence[int], pool: Story) -> bool:
    """True when candidate `i` tells the same fact as one of `lines`: TF-IDF cosine at least
    `DUPLICATE_SIMILARITY` and Dice of syllable bigrams at least `DUPLICATE_BIGRAMS`."""
    sim = pool.similarity()
    return any(
        sim[i, j] >= DUPLICATE_SIMILARITY and dice(pool.bigrams[i], pool.bigrams[j]) >= DUPLICATE_BIGRAMS for j in lines
    )


def in_story_order(chosen: Sequence[int], pool: Story) -> list[int]:
    """`chosen` in reading order: by relative position in its article, then by article."""
    positions = cross_features_positions(pool)
    return sorted(chosen, key=lambda i: (round(float(positions[i]), 1), int(pool.owner[i]), i))


def cross_features_positions(pool: Story) -> np.ndarray:
    """Each candidate's position in its article, 0 (first) to 1."""
    positions = np.zeros(len(pool.excerpts), dtype=np.float32)
    for k in range(len(pool.docs)):
        idx = np.flatnonzero(pool.owner == k)
        positions[idx] = np.arange(len(idx)) / max(len(idx), 1)
    return positions


def dice(a: set[tuple[str, str]], b: set[tuple[str, str]]) -> float:
    """Dice coefficient of two sets of syllable bigrams."""
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 0.0


def same_fact(i: int, pool: Story, sim: np.ndarray) -> dict[int, int]:
    """For each other article, its candidate telling the same fact as candidate `i`, if any:
    the one sharing most syllable bigrams with `i`, when they share at least `DUPLICATE_BIGRAMS`
    (Dice) and their TF-IDF cosine reaches `DUPLICATE_SIMILARITY`."""
    mine = pool.bigrams[i]
    out: dict[int, int] = {}
    for k in range(len(pool.docs)):
        theirs = np.flatnonzero(pool.owner == k)
        if k == pool.owner[i] or not len(theirs):
            continue
        overlaps = [dice(mine, pool.bigrams[j]) for j in theirs]
        best = int(np.argmax(overlaps))
        j = int(theirs[best])
        if overlaps[best] >= DUPLICATE_BIGRAMS and sim[i, j] >= DUPLICATE_SIMILARITY:
            out[k] = j
    return out


def line_of(i: int, pool: Story, sim: np.ndarray) -> Line:
    """Candidate `i` as a line; its sources are its own pieces and those of each other
    article's candidate telling the same fact (`same_fact`)."""
    line = excerpt_line(pool.excerpts[i])
    sources = [replace(s, document=int(pool.owner[i])) for s in line.sources]
    for k, j in same_fact(i, pool, sim).items():
        sources.extend(replace(s, document=k) for s in excerpt_line(pool.excerpts[j]).sources)
    return Line(line.text, line.origin, tuple(sources))


def headline_line(pool: Story, values: np.ndarray, idf: dict[str, float]) -> Line:
    """The title closest to the whole story (given or read from the text), else the best
    candidate's sentence in headline form; its source names its article."""
    titled = [k for k, d in enumerate(pool.docs) if d.title]
    if titled:
        story_tokens = [t for e in pool.excerpts for t in syllables(e.text)]
        matrix = tfidf_matrix([*(syllables(pool.docs[k].title) for k in titled), story_tokens], idf)
        scores_ = matrix[:-1] @ matrix[-1]
        k = titled[int(np.argmax(scores_))]
        doc = pool.docs[k]
        if doc.title_span is not None:
            start, end = doc.title_span
            return Line(as_headline(doc.title), "extracted", (SourceSpan(start, end, None, k),))
        return Line(as_headline(doc.title), "title", (SourceSpan(0, 0, None, k),))
    best = int(np.argmax(np.where(pool.allowed, values, -np.inf))) if len(values) else 0
    k = int(pool.owner[best])
    sentence = pool.excerpts[best].sentence
    doc = pool.docs[k]
    text = headline_form(doc.sentences[sentence])
    span = doc.spans[sentence]
    at = doc.sentences[sentence].lower().find(text.lower())
    source = (
        SourceSpan(span.start + at, span.start + at + len(text), sentence, k)
        if at >= 0
        else SourceSpan(span.start, span.end, sentence, k)
    )
    return Line(text, "extracted", (source,))


@dataclass(frozen=True)
class Figure:
    value: str
    quantity: str
    candidate: int
    article: int


def figures_of(text: str) -> list[tuple[str, str]]:
    """(number, quantity) pairs of a line: "186 hành khách" → ("186", "hành khách"); dates,
    years, times and ages are not quantities."""
    out = []
    for match in _FIGURE.finditer(text):
        value, quantity = match.group(1), match.group(2).lower()
        if _YEAR.match(value) or quantity.split()[0] in _NOT_QUANTITY:
            continue
        out.append((value, quantity))
    return out


def figure_warnings(lines: Sequence[int], pool: Story, sim: np.ndarray, ids: Sequence[str]) -> list[str]:
    """Warnings for figures of the chosen `lines` that another article gives otherwise, for the
    same quantity, in a line on the same point (`FIGURE_CONTEXT_SIMILARITY`)."""
    found: dict[str, list[Figure]] = {}
    for i, exc in enumerate(pool.excerpts):
        for value, quantity in figures_of(exc.text):
            found.setdefault(quantity, []).append(Figure(value, quantity, i, int(pool.owner[i])))
    warnings: list[str] = []
    seen: set[tuple[str, frozenset[str]]] = set()
    for i in lines:
        for value, quantity in figures_of(pool.excerpts[i].text):
            mine = int(pool.owner[i])
            others = [
                f
                for f in found.get(quantity, [])
                if f.article != mine and f.value != value and sim[i, f.candidate] >= FIGURE_CONTEXT_SIMILARITY
            ]
            if not others:
                continue
            key = (quantity, frozenset({value, *(f.value for f in others)}))
            if key in seen:
                continue
            seen.add(key)
            told = "; ".join(
                f"{f.value} {quantity} (article {ids[f.article]})" for f in {f.value: f for f in others}.values()
            )
            warnings.append(f"figures differ across articles: {value} {quantity} (article {ids[mine]}) vs {told}")
            if len(warnings) >= MAX_FIGURE_WARNINGS:
                return warnings
    return warnings


@dataclass(frozen=True)
class DigestLines:
    """The lines of a digest and what a reader should know."""

    headline: Line
    abstract: list[Line]
    bullets: list[Line]
    warnings: list[str]


def digest_lines(
    docs: Sequence[Document],
    ids: Sequence[str],
    model: ExtractiveModel,
    scorer: DigestScorer | None,
    options: SummarizeOptions,
) -> DigestLines:
    """Headline, abstract and bullets of a story (see the module docstring)."""
    settings = scorer.settings if scorer is not None else {}
    pool = story(
        docs,
        model.idf,
        granularity=settings.get("granularity", "unit"),
        rules=COMPRESSION[settings.get("compression", "units")],
    )
    values = scores(pool, model, scorer)
    sim = pool.similarity()
    diversity = float(settings.get("diversity", DEFAULT_DIVERSITY))
    same_point = float(settings.get("same_point", DEFAULT_SAME_POINT))
    target = options.digest_syllables * (scorer.target_scale if scorer is not None else 1.0)
    headline = headline_line(pool, values, model.idf)
    # very short articles may have no candidate of a line's length: then any candidate may be one
    allowed = pool.allowed.copy() if pool.allowed.any() else np.ones(len(pool.excerpts), dtype=bool)
    abstract = choose(values, pool, target=target, allowed=allowed, diversity=diversity, same_point=same_point)
    if settings.get("order", "story") == "story":
        abstract = in_story_order(abstract, pool)
    budget = options.word_budget - words(headline.text)
    bullets = choose(
        values,
        pool,
        target=budget,
        allowed=allowed,
        taken=abstract,
        diversity=diversity,
        same_point=min(same_point, SAME_POINT_SIMILARITY),  # bullets: each a point the abstract does not make
        max_lines=options.max_bullets,
        unit="words",
        hard=True,
    )
    bullets = in_story_order(bullets, pool)
    warnings = figure_warnings([*abstract, *bullets], pool, sim, ids)
    if scorer is None:
        warnings.append("no trained digest scorer in the model folder: lines chosen by key-point scores")
    return DigestLines(
        headline=headline,
        abstract=[line_of(i, pool, sim) for i in abstract],
        bullets=[line_of(i, pool, sim) for i in bullets],
        warnings=warnings,
    )
