"""Training examples for `ext-vi`: sentence features with oracle labels, built in parallel and cached.

For every article: the features of `summarizer.features` (computed exactly as at inference,
from `prepare_document`), the abstract label (the sentence is in the greedy oracle against the
sapo) and the headline target (ROUGE-1+2 F of the sentence's headline form against the
title). Half of the articles, chosen by a hash of their id, are given their title, so one
model serves documents with and without one.
"""

from __future__ import annotations

import hashlib
import logging
import math
import multiprocessing
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evaluation.datasets import Record, read_duplicates, read_records
from models.oracle import greedy_oracle, rouge12
from summarizer.compress import headline_form
from summarizer.document import prepare_document
from summarizer.errors import InvalidInputError
from summarizer.features import FEATURE_NAMES, FEATURE_VERSION, sentence_features
from summarizer.normalize import normalize_text
from summarizer.tokens import syllables

logger = logging.getLogger(__name__)

IDF_MIN_DF = 3


@dataclass
class Examples:
    """Rows of features and labels; `groups[i]` sentences belong to the i-th article."""

    features: np.ndarray
    abstract: np.ndarray
    abstract_gain: np.ndarray  # the sentence's own ROUGE-1+2 F against the sapo
    headline: np.ndarray
    groups: np.ndarray
    summary_syllables: np.ndarray  # the sapo's length, one per article
    body_syllables: np.ndarray  # the body's length, one per article

    def save(self, path: Path) -> None:
        np.savez_compressed(path, **self.__dict__)

    @classmethod
    def load(cls, path: Path) -> Examples:
        with np.load(path) as data:
            return cls(**{k: data[k] for k in data.files})


def gives_title(record_id: str) -> bool:
    """Whether an article is trained with its title (half of them, fixed by the id)."""
    return hashlib.sha1(record_id.encode("utf-8")).digest()[0] % 2 == 0


def build_idf(records: Iterable[Record], *, min_df: int = IDF_MIN_DF) -> dict[str, float]:
    """Smoothed IDF of syllables over documents: log((N + 1) / (df + 1)) + 1, df ≥ `min_df`."""
    df: Counter[str] = Counter()
    n = 0
    for record in records:
        df.update(set(syllables(normalize_text(record.text))))
        n += 1
    return {t: round(math.log((n + 1) / (c + 1)) + 1, 4) for t, c in df.items() if c >= min_df}


_IDF: dict[str, float] = {}


def _init_worker(idf: dict[str, float]) -> None:
    global _IDF
    _IDF = idf


def _article(record: Record) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, int] | None:
    try:
        doc = prepare_document(record.text, title=record.title if gives_title(record.id) else None)
    except InvalidInputError:
        return None
    features = sentence_features(doc, _IDF)
    abstract = np.zeros(len(doc.sentences), dtype=np.float32)
    abstract[greedy_oracle(doc.sentences, record.summary)] = 1.0
    summary = syllables(normalize_text(record.summary))
    gain = np.array([rouge12(syllables(s), summary) for s in doc.sentences], dtype=np.float32)
    title = syllables(normalize_text(record.title))
    headline = np.array(
        [rouge12(syllables(headline_form(s)), title) if title else 0.0 for s in doc.sentences], dtype=np.float32
    )
    body = sum(len(syllables(s)) for s in doc.sentences)
    return features, abstract, gain, headline, len(summary), body


def build_examples(records: Iterator[Record], idf: dict[str, float], *, workers: int = 2) -> Examples:
    """Features and labels of every record, computed in `workers` processes (file order kept)."""
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, int]] = []
    with multiprocessing.get_context("fork").Pool(workers, initializer=_init_worker, initargs=(idf,)) as pool:
        for i, item in enumerate(pool.imap(_article, records, chunksize=64), start=1):
            if item is not None:
                parts.append(item)
            if i % 10000 == 0:
                logger.info("examples: %d articles", i)
    if not parts:
        raise InvalidInputError("no usable article in the training data (each needs text and summary)")
    return Examples(
        features=np.concatenate([p[0] for p in parts]),
        abstract=np.concatenate([p[1] for p in parts]),
        abstract_gain=np.concatenate([p[2] for p in parts]),
        headline=np.concatenate([p[3] for p in parts]),
        groups=np.array([len(p[1]) for p in parts], dtype=np.int32),
        summary_syllables=np.array([p[4] for p in parts], dtype=np.int32),
        body_syllables=np.array([p[5] for p in parts], dtype=np.int32),
    )


def cached_examples(
    data: str,
    *,
    cache_dir: Path,
    idf: dict[str, float],
    dedup: str | None = None,
    limit: int | None = None,
    workers: int = 2,
) -> Examples:
    """`build_examples` for a data file, cached under `cache_dir` by the file's content and settings."""
    from evaluation.runner import sha256_file

    key = hashlib.sha256(
        f"{sha256_file(data)}|{dedup and sha256_file(dedup)}|{limit}|v{FEATURE_VERSION}|{len(FEATURE_NAMES)}".encode()
        + repr(sorted(idf.items())[:50]).encode()
    ).hexdigest()[:16]
    path = cache_dir / f"examples-{key}.npz"
    if path.is_file():
        logger.info("examples: cached %s", path)
        return Examples.load(path)
    excluded = read_duplicates(dedup) if dedup else frozenset()
    examples = build_examples(read_records(data, limit=limit, exclude_ids=excluded), idf, workers=workers)
    cache_dir.mkdir(parents=True, exist_ok=True)
    examples.save(path)
    return examples
