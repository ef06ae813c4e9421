"""Sentence features for the learned extractive model (`ext-vi`), shared by training and inference.

`sentence_features(doc, idf)` turns a `Document` into one row per body sentence. The columns
are `FEATURE_NAMES`; a model file records the version it was trained with, and loading a
model whose feature version differs from `FEATURE_VERSION` is refused.

Families: position (sentence, paragraph), length, centrality (TF-IDF cosine to the document,
to its opening and to the other sentences), similarity to the title when there is one,
numbers/dates/percentages/money, runs of capitalised names, quotes, cue phrases of news and
reports, and sentence shape (ends with ":", list item, very short).
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Mapping, Sequence

import numpy as np

from summarizer.document import Document
from summarizer.faithfulness import count_name_runs
from summarizer.tokens import Cues, syllables

FEATURE_VERSION = 2

# Cue phrases of news and official reports, matched on lower-cased syllables.
CUES = (
    "cho biết",
    "theo",
    "nhấn mạnh",
    "kết luận",
    "đề nghị",
    "yêu cầu",
    "khẳng định",
    "chỉ đạo",
    "phát biểu",
    "quyết định",
    "tuy nhiên",
    "trước đó",
    "hiện nay",
    "đã",
    "sẽ",
    "ngày",
    "tại",
    "bắt giữ",
    "khởi tố",
    "tăng trưởng",
)
_CUE_FINDER = Cues(CUES)

# What an editor looks for in a report's bullets: its figures, its problems, its decisions.
PROBLEM_CUES = (
    "khó khăn",
    "hạn chế",
    "tồn tại",
    "bất cập",
    "vướng mắc",
    "yếu kém",
    "thiếu",
    "chưa",
    "sợ sai",
    "thách thức",
    "áp lực",
    "rủi ro",
    "nguy cơ",
    "nguyên nhân",
    "vi phạm",
    "sai phạm",
    "lãng phí",
    "nghiêm trọng",
    "chậm",
)
DIRECTION_CUES = (
    "đề nghị",
    "yêu cầu",
    "chỉ đạo",
    "kết luận",
    "cần",
    "phải",
    "giao",
    "nhiệm vụ",
    "giải pháp",
    "kiến nghị",
    "đề xuất",
    "quyết định",
    "thống nhất",
    "mục tiêu",
)
_PROBLEMS = Cues(PROBLEM_CUES)
_DIRECTIONS = Cues(DIRECTION_CUES)
# a figure: a quantity ("14,14%", "5.703 vụ", "35 đường bay", "6,8 - 7,1%"), not a date, year or
# period ("26-6-2024", "năm 2024", "6 tháng"), or a document's number ("11-NQ/TW", "153/2020/NĐ-CP")
_FIGURE = re.compile(
    r"(?<![\w/.,-])(?!(?:19|20)\d\d\b)\d[\d.,]*"
    r"(?:\s?(?:%|‰)|\s*-\s*\d[\d.,]*\s?%|\s(?!(?:năm|tháng|ngày|quý|tuần|giờ|phút|lần|khóa|kỳ|đến|và)\b)[^\W\d_]+)"
    r"|\b\d+-[A-ZĐ]{1,5}/[A-ZĐ]{1,5}\b|\b\d+/\d{4}/[A-ZĐ-]+\b",
    re.IGNORECASE,
)

_NUMBER = re.compile(r"\d")
_PERCENT = re.compile(r"\d\s?%")
_DATE = re.compile(r"\b\d{1,2}[/-]\d{1,2}(?:[/-]\d{2,4})?\b|\bnăm \d{4}\b|\btháng \d{1,2}\b", re.IGNORECASE)
_MONEY = re.compile(r"\b(?:đồng|usd|tỷ|triệu|nghìn tỷ|euro)\b", re.IGNORECASE)
_QUOTE = re.compile(r"[\"“”]")
_LIST_ITEM = re.compile(r"^(?:[-•*+]|\d+[.)]|[a-zđ][.)])\s")
_DATELINE = re.compile(r"^[^\s].{0,40}?\s[-–—]\s")

OPENING_SENTENCES = 3
KEYWORDS = 10
_UNKNOWN_IDF = 8.0  # a syllable never seen in training: rarer than almost any known one

FEATURE_NAMES: tuple[str, ...] = (
    "position",
    "position_rel",
    "position_from_end",
    "is_first",
    "paragraph",
    "paragraph_rel",
    "position_in_paragraph",
    "is_paragraph_first",
    "sentences_in_doc",
    "paragraphs_in_doc",
    "doc_syllables_log",
    "syllables",
    "syllables_log",
    "chars",
    "length_rank_rel",
    "mean_idf",
    "sim_doc",
    "sim_doc_rank_rel",
    "sim_doc_z",
    "sim_opening",
    "sim_first",
    "sim_others_mean",
    "sim_others_max",
    "sim_opening_rank_rel",
    "bigram_repeat",
    "keyword_overlap",
    "prev_sim_doc",
    "next_sim_doc",
    "prev_syllables",
    "next_syllables",
    "sim_title",
    "title_recall",
    "title_bigram_recall",
    "sim_title_rank_rel",
    "has_title",
    "numbers",
    "has_percent",
    "has_date",
    "has_money",
    "name_runs",
    "capitalised_ratio",
    "quotes",
    "ends_with_colon",
    "ends_with_question",
    "ends_like_sentence",
    "list_item",
    "very_short",
    "has_parenthesis",
    "starts_with_quote",
    "has_dateline",
    *(f"cue_{c.replace(' ', '_')}" for c in CUES),
)


def _rank_rel(values: np.ndarray) -> np.ndarray:
    """Rank of each value among the document's, 0 = largest, divided by the count."""
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(len(values))
    return ranks / max(len(values), 1)


def _bigrams(tokens: Sequence[str]) -> set[tuple[str, str]]:
    return set(itertools.pairwise(tokens))


FACETS = ("figure", "problem", "direction")


def facets(sentences: Sequence[str], tokens: Sequence[Sequence[str]] | None = None) -> np.ndarray:
    """How strongly each sentence carries each of a report's facets (`FACETS`), one column each.

    Counts of figures (a quantity: "14,14%", "12.400 ha", "3.314 người"; or a document's number:
    "11-NQ/TW"; not dates, years or periods) and of the cue phrases of `PROBLEM_CUES` and
    `DIRECTION_CUES`. `tokens`: the sentences' syllables, when the caller has them.
    """
    out = np.zeros((len(sentences), len(FACETS)), dtype=np.float32)
    for i, sentence in enumerate(sentences):
        line = syllables(sentence) if tokens is None else tokens[i]
        out[i, 0] = len(_FIGURE.findall(sentence)) if _NUMBER.search(sentence) else 0  # a figure has a digit
        out[i, 1] = len(_PROBLEMS.found(line))
        out[i, 2] = len(_DIRECTIONS.found(line))
    return out


class Vocabulary:
    """The distinct syllables of some token lists, numbered by first occurrence, with their IDF.

    `ids[i]` holds list i's syllables as numbers; `idf[j]` is syllable j's IDF (`_UNKNOWN_IDF`
    for one never seen in training). Built once per document, it gives the TF-IDF vectors
    (`tfidf`), the keywords and the mean IDF without looking a syllable up twice.
    """

    def __init__(self, token_lists: Sequence[Sequence[str]], idf: Mapping[str, float]) -> None:
        index: dict[str, int] = {}
        self.ids = [
            np.array([index.setdefault(t, len(index)) for t in tokens], dtype=np.intp) for tokens in token_lists
        ]
        self.words = list(index)
        self.idf = np.array([idf.get(t, _UNKNOWN_IDF) for t in self.words], dtype=np.float64)

    @functools.cached_property
    def tfidf(self) -> np.ndarray:
        """L2-normalised TF-IDF rows, one per token list (float32; see `tfidf_matrix`)."""
        return _tfidf(self)


_LOG = np.array([0.0, *(math.log(c) for c in range(1, 64))])  # math.log of small counts


def _tfidf(vocab: Vocabulary) -> np.ndarray:
    """L2-normalised TF-IDF rows, one per token list of `vocab`, over its syllables: the weight
    of a syllable seen c times is (1 + log c) × its IDF (log of small counts looked up, the same
    floats as `math.log`). Only the float32 matrix is as large as rows × syllables."""
    width = max(len(vocab.words), 1)
    matrix = np.zeros((len(vocab.ids), width), dtype=np.float32)
    rows = np.repeat(np.arange(len(vocab.ids)), [len(ids) for ids in vocab.ids])
    if rows.size:
        cells, counts = np.unique(rows * width + np.concatenate(vocab.ids), return_counts=True)
        top = int(counts.max())
        logs = _LOG if top < len(_LOG) else np.array([0.0, *(math.log(c) for c in range(1, top + 1))])
        row, column = np.divmod(cells, width)
        matrix[row, column] = (1 + logs[counts]) * vocab.idf[column]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


def _bigram_repeat(vocab: Vocabulary, n: int) -> np.ndarray:
    """For each of the first `n` lists, the share of its distinct syllable bigrams that another
    list also has (0 for a list without bigrams)."""
    width = len(vocab.words)
    pairs = [ids[:-1] * width + ids[1:] for ids in vocab.ids[:n]]  # < width², far below 2**63
    lengths = [len(p) for p in pairs]
    if not sum(lengths):
        return np.zeros(n)
    # number the distinct bigrams, then keep each (list, bigram) once
    bigrams, number = np.unique(np.concatenate(pairs), return_inverse=True)
    cells = np.unique(np.repeat(np.arange(n), lengths) * len(bigrams) + number)
    rows, which = np.divmod(cells, len(bigrams))
    lists = np.bincount(which, minlength=len(bigrams))  # how many lists have each bigram
    repeated = np.bincount(rows, weights=lists[which] > 1, minlength=n)
    distinct = np.bincount(rows, minlength=n)
    return np.divide(repeated, distinct, out=np.zeros(n), where=distinct > 0)


def _keywords(vocab: Vocabulary, rows: int, k: int = KEYWORDS) -> set[str]:
    """The `k` syllables of highest total TF-IDF over the first `rows` token lists (stop-like
    syllables weigh little); of equal weights, the syllable seen first."""
    ids = np.concatenate(vocab.ids[:rows]) if rows else np.zeros(0, dtype=np.intp)
    if not ids.size:
        return set()
    seen = int(ids.max()) + 1  # the first lists' syllables are numbered before the others'
    weights = np.bincount(ids, weights=vocab.idf[ids], minlength=seen)
    return {vocab.words[j] for j in np.argsort(-weights, kind="stable")[:k].tolist()}


def tfidf_matrix(token_lists: Sequence[Sequence[str]], idf: Mapping[str, float]) -> np.ndarray:
    """L2-normalised TF-IDF rows (one per token list) over the lists' own vocabulary."""
    return Vocabulary(token_lists, idf).tfidf


SURFACE_FEATURES = FEATURE_NAMES[FEATURE_NAMES.index("numbers") :]


_SURFACE_CACHE: dict[str, np.ndarray] = {}
_SURFACE_CACHE_SIZE = 16384


def _surface(sentence: str, tokens: Sequence[str]) -> np.ndarray:
    """The `SURFACE_FEATURES` of one sentence (`tokens`: `syllables(sentence)`, which the caller
    has): what its text alone says (figures, names, quotes, shape, cue phrases). Cached by text
    (a sentence is at most `segment.MAX_SENTENCE_CHARS` long): a unit that is a whole sentence,
    or a sentence seen in an earlier document, is not read twice."""
    row = _SURFACE_CACHE.get(sentence)
    if row is None:
        if len(_SURFACE_CACHE) >= _SURFACE_CACHE_SIZE:
            _SURFACE_CACHE.clear()
        row = _SURFACE_CACHE[sentence] = _surface_row(sentence, tokens)
    return row


def _surface_row(sentence: str, tokens: Sequence[str]) -> np.ndarray:
    words = sentence.split()
    stripped = sentence.rstrip("\"”'») ")
    cues = [False] * len(CUES)
    for j in _CUE_FINDER.found(tokens):
        cues[j] = True
    digits = len(_NUMBER.findall(sentence))  # percentages and dates need one
    row = np.array(
        [
            digits,
            digits > 0 and bool(_PERCENT.search(sentence)),
            digits > 0 and bool(_DATE.search(sentence)),
            bool(_MONEY.search(sentence)),
            count_name_runs(sentence),
            sum([w[0].isupper() for w in words]) / max(len(words), 1),
            len(_QUOTE.findall(sentence)),
            stripped.endswith(":"),
            stripped.endswith("?"),
            stripped.endswith((".", "!", "?", "…")),
            bool(_LIST_ITEM.match(sentence)),
            len(tokens) < 6,
            "(" in sentence,
            sentence[:1] in "\"“'",
            bool(_DATELINE.match(sentence)),
            *cues,
        ],
        dtype=np.float32,
    )
    row.flags.writeable = False
    return row


def sentence_features(
    doc: Document,
    idf: Mapping[str, float],
    tokens: Sequence[Sequence[str]] | None = None,
    vocab: Vocabulary | None = None,
) -> np.ndarray:
    """One row of `FEATURE_NAMES` per body sentence of `doc` (float32). A caller that has them
    gives the sentences' syllables (`tokens`) and their `Vocabulary` with the title's syllables
    as its last list (`vocab`)."""
    sentences = doc.sentences
    n = len(sentences)
    tokens = doc.tokens if tokens is None else tokens
    title_tokens = syllables(doc.title) if doc.title else []
    vocab = Vocabulary([*tokens, title_tokens], idf) if vocab is None else vocab
    vectors = vocab.tfidf
    sent_vecs, title_vec = vectors[:n], vectors[n]
    centroid = sent_vecs.sum(axis=0)
    opening = sent_vecs[:OPENING_SENTENCES].sum(axis=0)

    def cosine_to(v: np.ndarray) -> np.ndarray:
        norm = float(np.linalg.norm(v))
        return sent_vecs @ v / norm if norm > 0 else np.zeros(n, dtype=np.float32)

    sim_doc = cosine_to(centroid)
    sim_opening = cosine_to(opening)
    pairwise = sent_vecs @ sent_vecs.T
    np.fill_diagonal(pairwise, 0.0)
    sim_others_mean = pairwise.sum(axis=1) / max(n - 1, 1)
    sim_others_max = pairwise.max(axis=1) if n > 1 else np.zeros(n)
    sim_title = sent_vecs @ title_vec
    lengths = np.array([len(t) for t in tokens], dtype=np.float32)
    paragraphs = np.array([s.paragraph for s in doc.spans])
    paragraphs -= paragraphs.min()
    n_paragraphs = int(paragraphs.max()) + 1
    first_of_paragraph = np.r_[True, paragraphs[1:] != paragraphs[:-1]]
    in_paragraph = np.zeros(n)
    for i in range(1, n):
        in_paragraph[i] = 0 if first_of_paragraph[i] else in_paragraph[i - 1] + 1
    title_set, title_bigrams = set(title_tokens), _bigrams(title_tokens)
    std = float(sim_doc.std())

    rows = np.zeros((n, len(FEATURE_NAMES)), dtype=np.float32)
    columns = {name: i for i, name in enumerate(FEATURE_NAMES)}

    def put(name: str, values: object) -> None:
        rows[:, columns[name]] = values  # type: ignore[assignment]

    position = np.arange(n, dtype=np.float32)
    put("position", position)
    put("position_rel", position / n)
    put("position_from_end", n - 1 - position)
    put("is_first", position == 0)
    put("paragraph", paragraphs)
    put("paragraph_rel", paragraphs / n_paragraphs)
    put("position_in_paragraph", in_paragraph)
    put("is_paragraph_first", first_of_paragraph)
    put("sentences_in_doc", n)
    put("paragraphs_in_doc", n_paragraphs)
    put("doc_syllables_log", math.log1p(float(lengths.sum())))
    put("syllables", lengths)
    put("syllables_log", np.log1p(lengths))
    put("chars", [len(s) for s in sentences])
    put("length_rank_rel", _rank_rel(lengths))
    put("mean_idf", [vocab.idf[ids].sum() / ids.size if ids.size else 0.0 for ids in vocab.ids[:n]])
    put("sim_doc", sim_doc)
    put("sim_doc_rank_rel", _rank_rel(sim_doc))
    put("sim_doc_z", (sim_doc - sim_doc.mean()) / std if std > 0 else 0.0)
    put("sim_opening", sim_opening)
    put("sim_first", sent_vecs @ sent_vecs[0])
    put("sim_others_mean", sim_others_mean)
    put("sim_others_max", sim_others_max)
    put("sim_opening_rank_rel", _rank_rel(sim_opening))
    put("bigram_repeat", _bigram_repeat(vocab, n))
    keywords = _keywords(vocab, n)
    put("keyword_overlap", [len(keywords & set(ts)) / len(keywords) if keywords else 0.0 for ts in tokens])
    put("prev_sim_doc", np.r_[0.0, sim_doc[:-1]])
    put("next_sim_doc", np.r_[sim_doc[1:], 0.0])
    put("prev_syllables", np.r_[0.0, lengths[:-1]])
    put("next_syllables", np.r_[lengths[1:], 0.0])
    put("sim_title", sim_title)
    put("has_title", bool(title_tokens))
    if title_tokens:
        put("title_recall", [len(title_set & set(ts)) / len(title_set) for ts in tokens])
        put(
            "title_bigram_recall",
            [len(title_bigrams & _bigrams(ts)) / len(title_bigrams) if title_bigrams else 0.0 for ts in tokens],
        )
        put("sim_title_rank_rel", _rank_rel(sim_title))
    surface = columns[SURFACE_FEATURES[0]]
    if n:
        rows[:, surface:] = np.stack([_surface(s, ts) for s, ts in zip(sentences, tokens, strict=True)])
    return rows
