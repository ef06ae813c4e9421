"""Reference points for digests of several articles (AbMuSu clusters), by their definitions.

Each baseline reads the articles' sentences (sapo and body, as `prepare_document` splits them,
the title apart) and writes an abstract, cut at `CUT_SYLLABLES` syllables (references
average ≈ 200 syllables) unless said otherwise:
- `lead-round-robin`: each article's first sentence in turn, then each one's second, …, cut
  at the reference's length in syllables;
- `first-last`: the first and the last sentence of each article (a VLSP 2022 baseline);
- `lexrank-mmr`: LexRank centrality (cosine of TF-IDF sentence vectors, threshold 0.1, power
  iteration) over all the sentences of the cluster, then maximal marginal relevance
  (λ = 0.7) (the other VLSP 2022 baseline);
- `oracle`: the greedy R1+R2 oracle over all sentences against the reference (an upper
  bound: it reads the reference); not cut: it stops when no sentence raises R1+R2.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from evaluation.oracle import greedy_oracle
from summarizer.document import Document
from summarizer.features import tfidf_matrix
from summarizer.normalize import normalize_text
from summarizer.segment import plain_full_stop
from summarizer.tokens import syllables

CUT_SYLLABLES = 190
LEXRANK_THRESHOLD = 0.1
LEXRANK_DAMPING = 0.85
MMR_LAMBDA = 0.7
ORACLE_MAX_SENTENCES = 30

DIGEST_BASELINES: dict[str, str] = {
    "lead-round-robin": "each article's first sentence in turn, then the second…, cut at the reference's length",
    "first-last": "first and last sentence of each article (VLSP 2022 baseline), cut at 190 syllables",
    "lexrank-mmr": "LexRank over the cluster's sentences + MMR (VLSP 2022 baseline), cut at 190 syllables",
    "oracle": "greedy R1+R2 oracle over the cluster's sentences (reads the reference), not cut",
}


def cut(text: str, limit: int = CUT_SYLLABLES) -> str:
    """`text`'s first whitespace-separated words holding at most `limit` syllables."""
    kept: list[str] = []
    count = 0
    for word in text.split():
        n = len(syllables(word))
        if count + n > limit:
            break
        kept.append(word)
        count += n
    return " ".join(kept)


def _sentences(docs: Sequence[Document]) -> list[list[str]]:
    return [[plain_full_stop(s) for s in d.sentences] for d in docs]


def lead_round_robin(docs: Sequence[Document], reference: str = "") -> list[str]:
    per_doc = _sentences(docs)
    out = []
    for rank in range(max(len(s) for s in per_doc)):
        out.extend(s[rank] for s in per_doc if rank < len(s))
    return out


def first_last(docs: Sequence[Document], reference: str = "") -> list[str]:
    out = []
    for sentences in _sentences(docs):
        out.extend(sentences[:1] + (sentences[-1:] if len(sentences) > 1 else []))
    return out


def lexrank_scores(vectors: np.ndarray, *, threshold: float = LEXRANK_THRESHOLD) -> np.ndarray:
    """LexRank (Erkan & Radev 2004), thresholded graph: stationary scores of the random walk."""
    n = len(vectors)
    adjacency = (vectors @ vectors.T >= threshold).astype(float)
    degree = adjacency.sum(axis=1, keepdims=True)
    transition = np.divide(adjacency, degree, out=np.full_like(adjacency, 1 / max(n, 1)), where=degree > 0)
    scores = np.full(n, 1 / max(n, 1))
    for _ in range(100):
        updated = (1 - LEXRANK_DAMPING) / n + LEXRANK_DAMPING * transition.T @ scores
        if np.abs(updated - scores).sum() < 1e-8:
            return updated
        scores = updated
    return scores


def lexrank_mmr(docs: Sequence[Document], reference: str = "", *, idf: dict[str, float] | None = None) -> list[str]:
    sentences = [s for d in _sentences(docs) for s in d]
    vectors = tfidf_matrix([syllables(s) for s in sentences], idf or {})
    relevance = lexrank_scores(vectors)
    relevance = relevance / (relevance.max() or 1.0)
    sim = vectors @ vectors.T
    chosen: list[int] = []
    total = 0
    pool = list(range(len(sentences)))
    while pool and total < CUT_SYLLABLES:
        redundancy = sim[np.ix_(pool, chosen)].max(axis=1) if chosen else np.zeros(len(pool))
        value = MMR_LAMBDA * relevance[pool] - (1 - MMR_LAMBDA) * redundancy
        best = pool[int(np.argmax(value))]
        chosen.append(best)
        pool.remove(best)
        total += len(syllables(sentences[best]))
    return [sentences[i] for i in chosen]


def oracle(docs: Sequence[Document], reference: str) -> list[str]:
    sentences = [s for d in _sentences(docs) for s in d]
    return [sentences[i] for i in greedy_oracle(sentences, reference, max_sentences=ORACLE_MAX_SENTENCES)]


METHODS: dict[str, Callable[..., list[str]]] = {
    "lead-round-robin": lead_round_robin,
    "first-last": first_last,
    "lexrank-mmr": lexrank_mmr,
    "oracle": oracle,
}


def baseline_abstract(name: str, docs: Sequence[Document], reference: str) -> str:
    """The abstract of baseline `name` for one cluster, cut as the module docstring says."""
    text = " ".join(METHODS[name](docs, reference))
    if name == "oracle":
        return text
    if name == "lead-round-robin":
        return cut(text, len(syllables(normalize_text(reference))))
    return cut(text)
