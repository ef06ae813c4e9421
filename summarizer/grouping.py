"""Grouping articles into stories: which of a day's articles tell the same story.

`group(documents)` represents each article by TF-IDF weights of its syllable unigrams and
bigrams (fitted on the articles given: smoothed IDF, sublinear term frequency, rows
L2-normalised, as scikit-learn's `TfidfVectorizer` computes them; the title, when there is one,
counts twice), leaving out what cannot tell one story from another: the commonest syllables of
Vietnamese news (`STOP_SYLLABLES`, and bigrams of two of them) and terms found in more than
`MAX_STORY_DF` of the articles (a story has a handful of articles; this matters only for
larger sets). Articles are then joined by agglomerative clustering with complete linkage
(SciPy) on cosine similarity: two groups merge only when every pair of their articles is at
least `threshold` similar. (scikit-learn's own vectorizer and clustering give the same
stories but take seconds to import; SciPy's sparse matrices and hierarchy take a fraction.)

The settings were chosen on AbMuSu clusters-train, its 621 articles pooled and shuffled
(seed 0), for the best adjusted Rand index against the true clusters: linkage (average,
complete) and `MAX_STORY_DF` (6–20, or none) compared first, then the threshold on a grid of
0.02 steps with small sets (1–3 train clusters) checked to be grouped exactly
(`python -m evaluation.grouping_eval --choose ../shared/data/abmusu/clusters-train.jsonl.xz`;
figures in evaluation/RESULTS.md, "Grouping"). The result depends only on the articles and
their order: the same input always gives the same stories.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from summarizer.document import Document, prepare_document
from summarizer.errors import ConfigurationError, InvalidInputError
from summarizer.stop_syllables import STOP_SYLLABLES
from summarizer.tokens import syllables

DEFAULT_THRESHOLD = 0.04
MAX_STORY_DF = 6


def _text(document: str | Document, index: int) -> str:
    if not isinstance(document, Document):
        if not isinstance(document, str):
            raise InvalidInputError(f"document {index} must be a string or a Document, not {type(document).__name__}")
        try:
            document = prepare_document(document)
        except InvalidInputError as exc:
            raise InvalidInputError(f"document {index}: {exc}") from exc
    title = document.title
    body = " ".join(document.sentences)
    return f"{title} {title} {body}" if title else body


def group(documents: Sequence[str | Document], *, threshold: float | None = None) -> list[list[int]]:
    """Stories of `documents`: lists of input indices, each in input order, stories ordered by
    their first article; an article like no other is a story of its own.

    Args:
        documents: texts (a title-like first line is read as the title) or prepared `Document`s.
        threshold: cosine similarity (0 to 1) at which groups join; `DEFAULT_THRESHOLD` if None.
            Higher: smaller, tighter stories.

    Raises:
        InvalidInputError: a document is not text or is empty (its index named).
        ConfigurationError: a threshold outside [0, 1].
    """
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0.0 <= threshold <= 1.0:
        raise ConfigurationError(f"threshold must be a number from 0 to 1, not {threshold!r}")
    texts = [_text(d, i) for i, d in enumerate(documents)]
    if len(texts) < 2:
        return [[0]] if texts else []
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    vectors = tfidf_rows([_grams(t) for t in texts])
    similarity = (vectors @ vectors.T).toarray()
    distance = (1.0 - similarity).clip(0.0, 1.0)
    np.fill_diagonal(distance, 0.0)
    labels = fcluster(
        linkage(squareform(distance, checks=False), method="complete"), 1.0 - threshold + 1e-9, "distance"
    )
    stories: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        stories.setdefault(int(label), []).append(index)
    return sorted(stories.values(), key=lambda story: story[0])


def tfidf_rows(documents: Sequence[Sequence[str]], *, max_df: int = MAX_STORY_DF) -> Any:
    """L2-normalised TF-IDF rows (a SciPy CSR matrix) of token lists: sublinear term frequency
    (1 + ln tf), smoothed IDF (ln((1 + n) / (1 + df)) + 1); terms in more than `max_df` of the
    documents left out. An empty row stays zero."""
    from scipy.sparse import csr_matrix

    counts = [Counter(tokens) for tokens in documents]
    df: Counter[str] = Counter(term for c in counts for term in c)
    vocabulary = {term: i for i, term in enumerate(sorted(t for t, n in df.items() if n <= max_df))}
    n = len(documents)
    idf = np.array([math.log((1 + n) / (1 + df[t])) + 1 for t in sorted(vocabulary)]) if vocabulary else np.zeros(0)
    rows, cols, values = [], [], []
    for row, c in enumerate(counts):
        for term, tf in c.items():
            col = vocabulary.get(term)
            if col is not None:
                rows.append(row)
                cols.append(col)
                values.append((1 + math.log(tf)) * idf[col])
    matrix = csr_matrix((values, (rows, cols)), shape=(n, max(len(vocabulary), 1)), dtype=np.float64)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return csr_matrix(matrix.multiply(scale[:, None]))


def _grams(text: str) -> list[str]:
    """Syllable unigrams and bigrams of a text (the vectorizer's analyzer)."""
    tokens = syllables(text)
    return [t for t in tokens if t not in STOP_SYLLABLES] + [
        f"{a} {b}" for a, b in itertools.pairwise(tokens) if a not in STOP_SYLLABLES or b not in STOP_SYLLABLES
    ]
