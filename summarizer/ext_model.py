"""`ext-vi`: the learned extractive model. Scores sentences and units with LightGBM models and selects.

A model folder (written by `tomtat train-extractor`, then `tomtat train-keypoints`) holds
`model.json` (feature versions, length model, bullet settings), `abstract.lgb.txt` and
`headline.lgb.txt` (sentence scorers trained on VietNews), `keypoints.lgb.txt` (the unit
scorer trained on AbMuSu cluster summaries; optional) — LightGBM's text format, read by
`summarizer.trees` without pickle (numpy for a few documents, LightGBM's compiled predictor once
a process has many to score) — and `idf.json`.

Selection for one document:
- headline: the title when the document has one; otherwise the sentence with the best
  headline score, shortened by deletion (`compress.headline_excerpt`);
- abstract: in a news article, the best abstract-scored sentences up to a target length
  predicted from the body's length (`selection.target_syllables`), in document order; in a
  long report (`LONG_REPORT_SYLLABLES`), within `LONG_ABSTRACT_WORDS`: those sentences when
  they fit (without the last ones if need be), else the opening statement of its best
  sentence, compressed;
- bullets: key points (`summarizer.keypoints`): units compressed by deletion, chosen by MMR
  over the key-point scores, one distinct point each, never from the headline's sentence or
  repeating the abstract, within the word budget (`SummarizeOptions.word_budget`), in
  document order. A news article gets 3–5 (by its length), a long report `max_bullets`,
  with a note when it has fewer distinct points.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from summarizer.compose import repeats
from summarizer.compress import RULES, SPEECH_VERBS, UNIT_RULES, Excerpt, excerpt, headline_form, is_photo_caption
from summarizer.document import Document, is_heading
from summarizer.errors import ModelLoadError
from summarizer.features import FEATURE_NAMES, FEATURE_VERSION, sentence_features
from summarizer.keypoints import (
    KEYPOINT_FEATURE_NAMES,
    KEYPOINT_FEATURE_VERSION,
    SALIENCE,
    Candidates,
    candidates,
    choose,
    eligible,
    praise_share,
    unit_features,
    words,
)
from summarizer.options import SummarizeOptions
from summarizer.selection import (
    Selection,
    bullet_count,
    pick_by_length,
    sentence_excerpts,
    target_syllables,
)
from summarizer.tokens import syllables
from summarizer.trees import TreeEnsemble

MODEL_FILES = ("model.json", "abstract.lgb.txt", "headline.lgb.txt", "idf.json")
KEYPOINTS_FILE = "keypoints.lgb.txt"  # optional: the key-point scorer (models/train_keypoints.py)
# a body this long is a report (about twice a news article): its abstract and bullets are key points;
# on VietNews validation, 700 cost the news abstract 0.38 R1, 850 0.21, 1,000 0.09 (see the model card)
LONG_REPORT_SYLLABLES = 850
# a report's abstract, in words: AbMuSu docs-validation abstract R1 at 50 / 53 / 54 / 55 / 57 / 60
# words was 28.53 / 28.63 / 28.66 / 28.69 / 28.47 / 28.53, key facts 50 / 49 / 49 / 49 / 47 / 47
LONG_ABSTRACT_WORDS = 54
# a report's abstract is read apart from the text: a connective opening it ("Trong đó, ") goes
REPORT_ABSTRACT_RULES = (*RULES, "connective")
HEADLINE_PRAISE_PENALTY = 1.0
SHORT_TEXT_SENTENCES = 3
MIN_BULLET_SYLLABLES = 6
# a sentence that only announces who speaks ("…, ông A, Phó Cục trưởng …, cho biết."): what was
# said follows in the next one. Not when its last clause says something itself ("… là yêu cầu
# mà Thủ tướng đã nhiều lần nhấn mạnh.", "…, như ông An chia sẻ.")
_SPEECH_INTRO = re.compile(rf"\s{SPEECH_VERBS}(?:\s+thêm)?\s*[.:]['\"”’»)\]]*$")
_STATEMENT_WORDS = frozenset(("là", "mà", "như", "đã", "từng", "được", "sẽ", "vẫn", "luôn"))


def _speech_intro(sentence: str) -> bool:
    """True for a sentence that only introduces a speaker (`_SPEECH_INTRO`)."""
    match = _SPEECH_INTRO.search(sentence.rstrip())
    if not match:
        return False
    last_clause = sentence[: match.start()].rsplit(",", 1)[-1]
    return not _STATEMENT_WORDS.intersection(last_clause.lower().split())


# When the best headline sentence, kept whole, would also open the abstract: keep it as the
# headline (and open the abstract with another sentence) if its headline score beats the
# runner-up's by this much, else take the runner-up as the headline. Chosen on 1,500 random
# VietNews validation articles: 0 helps the headline most, a large margin the abstract.
DEFAULT_HEADLINE_MARGIN = 0.15


class ExtractiveModel:
    """Sentence scorers and the selection settings of one trained model folder."""

    def __init__(
        self,
        abstract: TreeEnsemble,
        headline: TreeEnsemble,
        idf: dict[str, float],
        config: dict[str, Any],
        keypoints: TreeEnsemble | None = None,
    ) -> None:
        self.abstract_booster = abstract
        self.headline_booster = headline
        self.keypoint_booster = keypoints
        self.idf = idf
        self.config = config

    @classmethod
    def load(cls, folder: str | Path) -> ExtractiveModel:
        """Load a model folder.

        Raises:
            ModelLoadError: a file is missing, or the model was trained with other features.
        """
        folder = Path(folder)
        missing = [f for f in MODEL_FILES if not (folder / f).is_file()]
        if missing:
            raise ModelLoadError(
                f"{folder} is not an extractive model folder (missing {', '.join(missing)}); "
                "train one with `tomtat train-extractor`"
            )
        try:
            config = json.loads((folder / "model.json").read_text(encoding="utf-8"))
            idf = json.loads((folder / "idf.json").read_text(encoding="utf-8"))
            boosters = [TreeEnsemble.load(folder / name) for name in ("abstract.lgb.txt", "headline.lgb.txt")]
        except (OSError, ValueError, ModelLoadError) as exc:
            raise ModelLoadError(f"{folder}: a model file cannot be read ({exc}); retrain or copy it again") from exc
        if config.get("feature_version") != FEATURE_VERSION or config.get("features") != list(FEATURE_NAMES):
            raise ModelLoadError(
                f"{folder} was trained with feature version {config.get('feature_version')}; this tomtat computes "
                f"version {FEATURE_VERSION}: retrain it with `tomtat train-extractor`"
            )
        keypoints = None
        if (folder / KEYPOINTS_FILE).is_file():
            trained = config.get("keypoints", {})
            if trained.get("feature_version") != KEYPOINT_FEATURE_VERSION or trained.get("features") != list(
                KEYPOINT_FEATURE_NAMES
            ):
                raise ModelLoadError(
                    f"{folder}/{KEYPOINTS_FILE} was trained with other key-point features; retrain it with "
                    "`tomtat train-keypoints`"
                )
            try:
                keypoints = TreeEnsemble.load(folder / KEYPOINTS_FILE)
            except (OSError, ValueError, ModelLoadError) as exc:
                raise ModelLoadError(f"{folder}/{KEYPOINTS_FILE} cannot be read ({exc}); retrain or copy it") from exc
        return cls(boosters[0], boosters[1], idf, config, keypoints)

    def warm_up(self) -> bool:
        """Score with LightGBM's compiled predictor from now on (`TreeEnsemble.compile`): for a
        process about to select for many documents. Returns whether every scorer switched."""
        boosters = [self.abstract_booster, self.headline_booster, self.keypoint_booster]
        return all([b.compile() for b in boosters if b is not None])

    def score(self, docs: Sequence[Document]) -> list[tuple[np.ndarray, np.ndarray]]:
        """(abstract scores, headline scores) per document, one model call for all of them."""
        features = [sentence_features(doc, self.idf) for doc in docs]
        if not features:
            return []
        stacked = np.concatenate(features)
        abstract = self.abstract_booster.predict(stacked)
        headline = self.headline_booster.predict(stacked)
        bounds = np.cumsum([0] + [len(f) for f in features])
        return [(abstract[a:b], headline[a:b]) for a, b in itertools.pairwise(bounds)]

    def select(self, docs: Sequence[Document], options: SummarizeOptions | None = None) -> list[Selection]:
        """The headline, abstract and bullets of each document (see the module docstring)."""
        options = options or SummarizeOptions()
        scored = self.score(docs)
        cands = [candidates(doc, self.idf) for doc in docs]
        points = self.keypoint_scores(docs, cands, [abstract for abstract, _ in scored])
        return [
            self._select_one(doc, abstract, headline, c, p, options)
            for doc, (abstract, headline), c, p in zip(docs, scored, cands, points, strict=True)
        ]

    def _select_one(
        self,
        doc: Document,
        abstract: np.ndarray,
        headline: np.ndarray,
        cands: Candidates,
        points: np.ndarray,
        options: SummarizeOptions,
    ) -> Selection:
        lengths = [len(tokens) for tokens in doc.tokens]
        head, chosen = self._headline_and_sentences(doc, abstract, headline, lengths)
        allowed = eligible(doc, cands)
        headline_text = doc.title if head is None else headline_form(doc.sentences[head])
        budget = options.word_budget - words(headline_text)
        long_report = sum(lengths) >= LONG_REPORT_SYLLABLES
        if long_report:
            # a report's abstract, within LONG_ABSTRACT_WORDS: the sentences a sapo would take when
            # they fit, else the opening statement of its best sentence, compressed
            chosen = _first_within(doc, chosen, min(LONG_ABSTRACT_WORDS, budget), rules=REPORT_ABSTRACT_RULES)
            if chosen:
                # read apart from the text, it opens without "Trong đó, " / "Chính vì vậy, "
                abstract_lines = sentence_excerpts(doc, chosen, rules=REPORT_ABSTRACT_RULES)
                taken = [i for i, u in enumerate(doc.units) if u.sentence in chosen]
            else:
                taken, abstract_lines = _report_abstract(doc, cands, abstract, allowed, headline_text, budget)
            k = options.max_bullets
        else:
            chosen = _first_within(doc, chosen, budget) or chosen[:1]  # a tight max_words: one sentence
            abstract_lines = sentence_excerpts(doc, chosen)
            taken = [i for i, u in enumerate(doc.units) if u.sentence in chosen]
            settings = self.config["bullets"]
            k = bullet_count(
                len(doc.sentences),
                options.max_bullets,
                low=settings["min"],
                high=settings["max"],
                per_bullet=settings["sentences_per_bullet"],
            )
        budget -= sum(words(e.text) for e in abstract_lines)
        # bullets: distinct points beyond the abstract and the headline, never repeating them
        in_bullets = [
            ok and i not in taken and u.sentence != head
            for i, (ok, u) in enumerate(zip(allowed, doc.units, strict=True))
        ]
        # a report (by its length or its many sentences) gets its figures, problems and directions
        cover = long_report or len(doc.sentences) >= self.config["bullets"].get("long_report_sentences", 12)
        diversity = 1 - self.config["bullets"].get("mmr_lambda", 0.7)
        bullets = choose(
            points, cands, k, allowed=in_bullets, budget=budget, taken=taken, cover=cover, diversity=diversity
        )
        notes: tuple[str, ...] = ()
        if len(bullets) < (options.max_bullets if long_report else k):
            # a report says why it has fewer bullets than asked; a news text only when words ran out
            note = self._fewer_bullets_note(cands, points, bullets, in_bullets, taken, options)
            notes = (note,) if long_report or "max_words" in note else ()
        return Selection(
            headline=head,
            abstract=abstract_lines,
            bullets=tuple(cands.excerpts[i] for i in bullets),
            notes=notes,
        )

    def _headline_and_sentences(
        self, doc: Document, abstract: np.ndarray, headline: np.ndarray, lengths: Sequence[int]
    ) -> tuple[int | None, list[int]]:
        """The headline's sentence (None: the title) and a news abstract's sentences."""
        length = self.config["length"]
        target = target_syllables(
            sum(lengths),
            intercept=length["intercept"],
            slope=length["slope"],
            scale=length["scale"],
            low=length["min"],
            high=length["max"],
        )
        in_abstract = _content(doc.sentences, doc.tokens)
        chosen = pick_by_length(abstract, lengths, target, allowed=in_abstract)
        if doc.title:
            return None, chosen
        # praise and ceremony make a poor headline; a text of a few sentences opens with its
        # lead, whose subject the headline keeps ("Hà Nội mưa lớn. Nhiều tuyến phố ngập sâu.")
        praise = [praise_share(x, t) for x, t in zip(doc.sentences, doc.tokens, strict=True)]
        headline = headline - HEADLINE_PRAISE_PENALTY * np.array(praise)
        if len(doc.sentences) <= SHORT_TEXT_SENTENCES:
            headline = np.where(np.arange(len(headline)) == 0, headline.max() + 1.0, headline)
        head = int(np.argmax(headline))
        whole = len(syllables(headline_form(doc.sentences[head]))) >= lengths[head] - 1
        if whole and chosen and chosen[0] == head:
            # the headline would repeat the abstract's opening sentence (the output contract):
            # keep the headline when it is clearly the best, else take the next best one
            order = np.argsort(-headline, kind="stable")
            margin = float(headline[order[0]] - headline[order[1]]) if len(order) > 1 else np.inf
            if margin >= self.config.get("headline_margin", DEFAULT_HEADLINE_MARGIN) and sum(in_abstract) > 1:
                in_abstract[head] = False
                chosen = pick_by_length(abstract, lengths, target, allowed=in_abstract)
            elif len(order) > 1:
                head = int(order[1])
            # a one-sentence document: headline and abstract are that sentence
        return head, chosen

    @staticmethod
    def _fewer_bullets_note(
        cands: Candidates,
        points: np.ndarray,
        bullets: Sequence[int],
        allowed: Sequence[bool],
        taken: Sequence[int],
        options: SummarizeOptions,
    ) -> str:
        """Why a report got fewer bullets than asked: the word budget, or no more distinct points."""
        rest = [ok and i not in bullets for i, ok in enumerate(allowed)]
        if choose(points, cands, 1, allowed=rest, budget=10**9, taken=[*taken, *bullets]):
            return (
                f"{len(bullets)} bullet(s) fit within max_words {options.word_budget} "
                f"(max_bullets {options.max_bullets}); raise max_words for more"
            )
        return f"the text has {len(bullets)} distinct point(s) for bullets (max_bullets {options.max_bullets})"

    def keypoint_scores(
        self, docs: Sequence[Document], cands: Sequence[Candidates], sentence_scores: Sequence[np.ndarray]
    ) -> list[np.ndarray]:
        """Each candidate's key-point score: the key-point scorer's (one model call for all the
        documents; without a scorer, its sentence's abstract score), mixed with its sentence's
        abstract score and plus the report-salience prior (`keypoints.report_salience`), as the
        model's `keypoints` settings say."""
        settings = self.config.get("keypoints", {})
        of_sentence = [
            np.array([scores[u.sentence] for u in doc.units], dtype=np.float64)
            for doc, scores in zip(docs, sentence_scores, strict=True)
        ]
        if self.keypoint_booster is None or not docs:
            learned = of_sentence
        else:
            rows = [unit_features(doc, c, self.idf) for doc, c in zip(docs, cands, strict=True)]
            predicted = self.keypoint_booster.predict(np.concatenate(rows))
            bounds = np.cumsum([0] + [len(r) for r in rows])
            mix = float(settings.get("sentence_weight", 0.0))
            learned = [
                (1 - mix) * predicted[a:b] + mix * s
                for (a, b), s in zip(itertools.pairwise(bounds), of_sentence, strict=True)
            ]
        prior = settings.get("prior", {})
        weights = np.array([float(prior.get(name, 0.0)) for name in SALIENCE])
        return [scores + c.salience @ weights for scores, c in zip(learned, cands, strict=True)]


def _first_within(doc: Document, chosen: Sequence[int], limit: int, *, rules: tuple[str, ...] = RULES) -> list[int]:
    """The abstract's sentences `chosen` without their last ones until their lines (compressed by
    `rules`) fit `limit` words; [] when even the first does not."""
    chosen = list(chosen)
    while chosen and sum(words(e.text) for e in sentence_excerpts(doc, chosen, rules=rules)) > limit:
        chosen = chosen[:-1]
    return chosen


def _report_abstract(
    doc: Document,
    cands: Candidates,
    sentence_scores: np.ndarray,
    allowed: Sequence[bool],
    headline: str,
    budget: int,
) -> tuple[list[int], tuple[Excerpt, ...]]:
    """A long report's abstract: the units of its best-scored sentence that may be a line and do
    not repeat the headline, from the sentence's first (never a list's tail or a clause read
    without its start), compressed but not cut at a clause (an abstract line may be longer
    than a bullet): the first if it fits within `LONG_ABSTRACT_WORDS` and the `budget` words left
    (else its candidate, cut at a clause, if that fits), the next ones while the
    abstract stays within `LONG_ABSTRACT_WORDS`.
    Returns the units and their lines."""
    rules = tuple(r for r in UNIT_RULES if r != "clause_cut")
    by_sentence: dict[int, list[int]] = {}
    for i, u in enumerate(doc.units):
        if allowed[i] and not repeats(headline, cands.excerpts[i].text):
            by_sentence.setdefault(u.sentence, []).append(i)
    limit = min(LONG_ABSTRACT_WORDS, budget)
    for sentence in np.argsort(-sentence_scores, kind="stable"):
        if not by_sentence.get(int(sentence)) or not doc.units[by_sentence[int(sentence)][0]].first:
            continue
        chosen: list[int] = []
        lines: list[Excerpt] = []
        for i in by_sentence[int(sentence)]:
            u = doc.units[i]
            line = excerpt(doc.text, u.start, u.end, u.sentence, rules=rules, capitalize=not u.first)
            if chosen and sum(words(e.text) for e in [*lines, line]) > limit:
                break
            if words(line.text) > limit:
                line = cands.excerpts[i]  # too long whole: its candidate, cut at a clause
                if words(line.text) > limit:
                    break
            chosen.append(i)
            lines.append(line)
        if chosen:
            return chosen, tuple(lines)
    return [], ()


def _content(sentences: Sequence[str], tokens: Sequence[Sequence[str]]) -> list[bool]:
    """Which sentences may go into the abstract.

    Not: very short ones, photo captions, list openers (ending in ":") and speakers' introductions
    ("… cho biết."), headings and links
    (short lines without final punctuation), and repeats of an earlier sentence (scraped pages
    repeat their link lines). If nothing is left, every first occurrence is allowed.
    """
    seen: set[tuple[str, ...]] = set()
    first = []
    for sentence_tokens in tokens:
        key = tuple(sentence_tokens)
        first.append(key not in seen)
        seen.add(key)
    content = [
        unique
        and len(words) >= MIN_BULLET_SYLLABLES
        and not sentence.rstrip().endswith(":")
        and not _speech_intro(sentence)
        and not is_heading(sentence, words)
        and not is_photo_caption(sentence)
        for sentence, words, unique in zip(sentences, tokens, first, strict=True)
    ]
    return content if any(content) else first
