"""`ext-vi`: the learned extractive model. Scores sentences with two LightGBM models and selects.

A model folder (written by `tomtat train-extractor`) holds `model.json` (feature version,
length model, bullet settings), `abstract.lgb.txt` and `headline.lgb.txt` (LightGBM's text
format, read by `summarizer.trees` without pickle and without importing LightGBM) and
`idf.json` (syllable IDF).

Selection for one document:
- headline: the title when the document has one; otherwise the sentence with the best
  headline score (shortened later by `compress.headline_form`);
- abstract: the best abstract-scored sentences up to a target length predicted from the
  body's length (`selection.target_syllables`), in document order;
- bullets: 3–5 sentences by MMR over the abstract scores (so a long report gets bullets from
  its different parts), never the headline's sentence, photo captions or list openers; in a
  long report they add to the abstract (none of its sentences) and cover the report's
  figures, problems and decisions (`selection.cover_facets`).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from summarizer.compress import headline_form, is_photo_caption
from summarizer.document import Document
from summarizer.errors import ModelLoadError
from summarizer.features import FEATURE_NAMES, FEATURE_VERSION, facets, sentence_features, tfidf_matrix
from summarizer.options import DEFAULT_BULLETS
from summarizer.selection import (
    Selection,
    bullet_count,
    cover_facets,
    pick_by_length,
    pick_mmr,
    target_syllables,
)
from summarizer.tokens import syllables
from summarizer.trees import TreeEnsemble

MODEL_FILES = ("model.json", "abstract.lgb.txt", "headline.lgb.txt", "idf.json")
MIN_BULLET_SYLLABLES = 6
# a line without final punctuation up to this long is a heading or a link, not a statement
MAX_HEADING_SYLLABLES = 15
_ENDS_LIKE_SENTENCE = re.compile(r"[.!?…;]['\"”’»)\]]*$")
# When the best headline sentence, kept whole, would also open the abstract: keep it as the
# headline (and open the abstract with another sentence) if its headline score beats the
# runner-up's by this much, else take the runner-up as the headline. Chosen on 1,500 random
# VietNews validation articles: 0 helps the headline most, a large margin the abstract.
DEFAULT_HEADLINE_MARGIN = 0.15


class ExtractiveModel:
    """Sentence scorers and the selection settings of one trained model folder."""

    def __init__(
        self, abstract: TreeEnsemble, headline: TreeEnsemble, idf: dict[str, float], config: dict[str, Any]
    ) -> None:
        self.abstract_booster = abstract
        self.headline_booster = headline
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
        return cls(boosters[0], boosters[1], idf, config)

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

    def select(self, docs: Sequence[Document], *, max_bullets: int = DEFAULT_BULLETS) -> list[Selection]:
        """The headline, abstract and bullet sentences of each document."""
        return [
            self._select_one(doc, abstract, headline, max_bullets)
            for doc, (abstract, headline) in zip(docs, self.score(docs), strict=True)
        ]

    def _select_one(self, doc: Document, abstract: np.ndarray, headline: np.ndarray, max_bullets: int) -> Selection:
        tokens = [syllables(s) for s in doc.sentences]
        lengths = [len(t) for t in tokens]
        content = _content(doc.sentences, tokens)
        length = self.config["length"]
        target = target_syllables(
            sum(lengths),
            intercept=length["intercept"],
            slope=length["slope"],
            scale=length["scale"],
            low=length["min"],
            high=length["max"],
        )
        in_abstract = list(content)
        chosen = pick_by_length(abstract, lengths, target, allowed=in_abstract)
        head = None
        if not doc.title:
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
        settings = self.config["bullets"]
        vectors = tfidf_matrix(tokens, self.idf)
        # a long report's bullets add to its abstract, and cover its figures, problems and decisions
        long_report = len(doc.sentences) >= settings.get("long_report_sentences", 12)
        allowed = [ok and i != head and not (long_report and i in chosen) for i, ok in enumerate(content)]
        if not any(allowed):
            allowed = [ok and i != head for i, ok in enumerate(content)]
        k = bullet_count(
            len(doc.sentences),
            max_bullets,
            low=settings["min"],
            high=settings["max"],
            per_bullet=settings["sentences_per_bullet"],
        )
        bullets = pick_mmr(abstract, vectors @ vectors.T, k, diversity=1 - settings["mmr_lambda"], allowed=allowed)
        if long_report:
            bullets = cover_facets(bullets, abstract, facets(doc.sentences), allowed=allowed)
        return Selection(headline=head, abstract=tuple(chosen), bullets=tuple(bullets))


def _content(sentences: Sequence[str], tokens: Sequence[Sequence[str]]) -> list[bool]:
    """Which sentences may go into the abstract and the bullets.

    Not: very short ones, photo captions, list openers (ending in ":"), headings and links
    (short lines without final punctuation), and repeats of an earlier sentence (scraped pages
    repeat their link lines). If nothing is left, every first occurrence is allowed.
    """
    seen: set[tuple[str, ...]] = set()
    first = []
    for words in tokens:
        key = tuple(words)
        first.append(key not in seen)
        seen.add(key)
    content = [
        unique
        and len(words) >= MIN_BULLET_SYLLABLES
        and not is_photo_caption(sentence)
        and not sentence.rstrip().endswith(":")
        and (len(words) > MAX_HEADING_SYLLABLES or bool(_ENDS_LIKE_SENTENCE.search(sentence)))
        for sentence, words, unique in zip(sentences, tokens, first, strict=True)
    ]
    return content if any(content) else first
