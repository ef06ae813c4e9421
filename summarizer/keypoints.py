"""Key points: which units of a document an editor would keep, and how many fit.

A candidate line is a unit (`summarizer.units`) compressed by deletion (`compress.excerpt`).
`unit_features` describes each candidate for the learned scorer (trained on AbMuSu cluster
summaries, which are key points drawn from the articles: `models/train_keypoints.py`): the
sentence features of `summarizer.features` computed over the candidates, plus what makes a
report's point worth keeping (figures with what they measure, problems, decisions and
requests) or not (list openers, praise and ceremony, very long lines).

`choose` picks lines by maximal marginal relevance under a word budget, one distinct point
each (a line too similar to one already chosen, or to the abstract, is skipped), spread over
the report's sections (headings), and returns them in document order.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence

import numpy as np

from summarizer.compress import MAX_LINE_SYLLABLES, UNIT_RULES, Excerpt, excerpt, is_photo_caption
from summarizer.document import Document
from summarizer.features import (
    FEATURE_NAMES,
    Vocabulary,
    facets,
    sentence_features,
)
from summarizer.segment import SentenceSpan
from summarizer.tokens import Cues, syllables
from summarizer.units import ITEM, OPENER

KEYPOINT_FEATURE_VERSION = 1

# words of praise and ceremony: a line made of them says nothing an editor keeps
PRAISE_CUES = (
    "đoàn kết",
    "nỗ lực",
    "quyết tâm",
    "quyết liệt",
    "tích cực",
    "biểu dương",
    "ghi nhận",
    "đánh giá cao",
    "chúc mừng",
    "cảm ơn",
    "trân trọng",
    "tự hào",
    "nhiệt liệt",
    "hoan nghênh",
    "tốt đẹp",
    "vinh dự",
    "xuất sắc",
    "phấn khởi",
    "tin tưởng",
    "sâu sắc",
    "lãnh đạo",
    "chỉ đạo",
    "triển khai",
    "tổ chức thực hiện",
    "quan tâm",
)
_PRAISE = Cues(PRAISE_CUES)
_PRAISE_SIZES = tuple(len(c.split()) for c in PRAISE_CUES)

EXTRA_FEATURES = (
    "role_opener",
    "role_item",
    "unit_first",
    "units_in_sentence",
    "unit_in_sentence_rel",
    "sentence_rel",
    "figures",
    "problem_cues",
    "direction_cues",
    "praise_share",
    "excerpt_syllables",
    "kept_share",
    "pieces",
    "ends_with_ellipsis",
    "over_max",
)
KEYPOINT_FEATURE_NAMES: tuple[str, ...] = (*(f"u_{n}" for n in FEATURE_NAMES), *EXTRA_FEATURES)

MIN_LINE_SYLLABLES = 6
NAMES_ONLY_SHARE = 0.7
# two lines whose TF-IDF cosine reaches this say the same thing: only one is kept
SAME_POINT_SIMILARITY = 0.5
# what a line from a section (`Document.sections`) that already has a line loses in MMR's value
# (relevance in [0, 1]): a report's points spread over its sections. 0.1-0.5 gave the key-fact
# benchmark one fact more (50/80), 0 none.
SECTION_SPREAD = 0.2


class Candidates:
    """The candidate lines of one document: one compressed excerpt per unit, with what selection
    reads of them computed once (syllables, TF-IDF vectors, similarities, facets, salience)."""

    def __init__(
        self,
        excerpts: Sequence[Excerpt],
        vectors: np.ndarray,
        tokens: Sequence[list[str]] | None = None,
        vocab: Vocabulary | None = None,
        sections: Sequence[int] | None = None,
    ):
        self.excerpts = tuple(excerpts)
        self.vectors = vectors
        # the section of the document each candidate comes from (all 0 when not given)
        self.sections = np.zeros(len(self.excerpts), dtype=np.int64) if sections is None else np.asarray(sections)
        if len(self.sections) != len(self.excerpts):
            raise ValueError(f"{len(self.sections)} sections for {len(self.excerpts)} candidates")
        self.tokens = [syllables(e.text) for e in self.excerpts] if tokens is None else list(tokens)
        # the excerpts' syllables and an empty last list, a title's place (`features.Vocabulary`);
        # None when the caller did not build one (the unit features then build their own)
        self.vocab = vocab

    def similarity(self) -> np.ndarray:
        """Cosine similarity between every pair of candidates."""
        return self._similarity

    @functools.cached_property
    def _similarity(self) -> np.ndarray:
        return self.vectors @ self.vectors.T

    @functools.cached_property
    def facets(self) -> np.ndarray:
        """`features.facets` of each candidate (figures, problems, directions)."""
        return facets([e.text for e in self.excerpts], self.tokens)

    @functools.cached_property
    def salience(self) -> np.ndarray:
        """`report_salience` of each candidate."""
        return report_salience(self)


def candidates(doc: Document, idf: Mapping[str, float], *, rules: tuple[str, ...] = UNIT_RULES) -> Candidates:
    """Every unit of `doc` compressed by `rules`, with TF-IDF vectors of the compressed text."""
    excerpts = tuple(
        excerpt(doc.text, u.start, u.end, u.sentence, rules=rules, capitalize=not u.first) for u in doc.units
    )
    tokens = [syllables(e.text) for e in excerpts]
    vocab = Vocabulary([*tokens, []], idf)
    sections = [doc.sections[u.sentence] for u in doc.units]
    return Candidates(excerpts, vocab.tfidf[: len(tokens)], tokens, vocab, sections)


def unit_features(doc: Document, cands: Candidates, idf: Mapping[str, float]) -> np.ndarray:
    """One row of `KEYPOINT_FEATURE_NAMES` per candidate of `doc` (float32)."""
    units = doc.units
    view = Document(
        text=doc.text,
        sentences=tuple(e.text for e in cands.excerpts),
        spans=tuple(SentenceSpan(u.start, u.end, u.paragraph) for u in units),
        title=doc.title,
    )
    # without a title, the unit features' vocabulary is the candidates' (with one, it has the
    # title's syllables too, and TF-IDF rows as wide as that: built anew)
    base = sentence_features(view, idf, cands.tokens, None if doc.title else cands.vocab)
    extra = np.zeros((len(units), len(EXTRA_FEATURES)), dtype=np.float32)
    per_sentence = np.bincount([u.sentence for u in units], minlength=len(doc.sentences))
    figures, problems, directions = cands.facets.T
    index_in_sentence = 0
    for i, (unit, exc) in enumerate(zip(units, cands.excerpts, strict=True)):
        index_in_sentence = 0 if unit.first else index_in_sentence + 1
        tokens = cands.tokens[i]
        span = doc.spans[unit.sentence]
        whole = unit.start == span.start and unit.end == span.end
        unit_syllables = len(doc.tokens[unit.sentence]) if whole else len(syllables(doc.text[unit.start : unit.end]))
        extra[i] = (
            unit.role == OPENER,
            unit.role == ITEM,
            unit.first,
            per_sentence[unit.sentence],
            index_in_sentence / per_sentence[unit.sentence],
            unit.sentence / len(doc.sentences),
            figures[i],
            problems[i],
            directions[i],
            cands.salience[i, 3],
            len(tokens),
            len(tokens) / max(unit_syllables, 1),
            len(exc.pieces),
            exc.text.rstrip(".").endswith(("…", "..")),
            len(tokens) > MAX_LINE_SYLLABLES,
        )
    return np.hstack([base, extra])


def names_only(text: str) -> bool:
    """True for a line of titles and names only ("Chánh Văn phòng Trung ương Đảng Nguyễn Duy Ngọc"):
    most of its words capitalised and no figure; an attendance list, not a point."""
    tokens = text.split()
    capitalised = sum(1 for t in tokens if t[0].isupper())
    return bool(tokens) and capitalised / len(tokens) >= NAMES_ONLY_SHARE and not any(c.isdigit() for c in text)


SALIENCE = ("figure", "problem", "direction", "praise", "length", "measured", "vague")

# what a figure an editor keeps is said with: a change, a total, a rank, a share or a target
# ("tăng 14,14%", "đứng đầu cả nước", "chiếm 80%", "mục tiêu đến năm 2030"), not a breakdown or
# an anecdote's count; matched on syllables
MEASURE_CUES = (
    "so với",
    "tăng",
    "giảm",
    "đạt",
    "vượt",
    "đứng đầu",
    "đứng thứ",
    "cao nhất",
    "thấp nhất",
    "chiếm",
    "bình quân",
    "tổng cộng",
    "tổng số",
    "toàn quốc",
    "cả nước",
    "toàn tỉnh",
    "mục tiêu",
    "dự báo",
    "kế hoạch",
)
_MEASURES = Cues(MEASURE_CUES)

# a reference back to what the report said elsewhere, closing its clause ("khắc phục các hạn chế
# đã chỉ ra.", "những mục tiêu … đã đề ra;"): without a number (a figure, a date or a period: "các
# mục tiêu nhiệm kỳ 2020 - 2025 đã đề ra" is specific), such a line names no fact a reader can
# keep ("Tỉnh đã đề ra mục tiêu tăng trưởng cao." says what it set out: not one)
VAGUE_CUES = ("đã chỉ ra", "đã đề ra", "đã nêu", "nêu trên", "trên đây")
_VAGUE = re.compile(rf"\b(?:{'|'.join(VAGUE_CUES)})\s*(?:[.,;:!?…)\"”]|$)", re.IGNORECASE)


def report_salience(cands: Candidates) -> np.ndarray:
    """What makes a report's line worth keeping or not, one column per `SALIENCE` name: carries
    a figure, names a problem, states a decision/direction/request (0/1 each), the share of its
    syllables that are praise or ceremony, its length as a share of `MAX_LINE_SYLLABLES` (a
    short line leaves words for another point), carries a figure said as a measure (a
    change, total, rank, share or target: `MEASURE_CUES`; 0/1), and closes a clause by referring
    back to what was said elsewhere, without a number of any kind, a date or period included
    (`VAGUE_CUES`; 0/1)."""
    out = np.zeros((len(cands.excerpts), len(SALIENCE)), dtype=np.float32)
    out[:, :3] = cands.facets > 0
    out[:, 3] = [praise_share(e.text, tokens) for e, tokens in zip(cands.excerpts, cands.tokens, strict=True)]
    out[:, 4] = [len(tokens) / MAX_LINE_SYLLABLES for tokens in cands.tokens]
    for i in np.flatnonzero(out[:, 0]):  # a measure is read only where there is a figure
        out[i, 5] = bool(_MEASURES.found(cands.tokens[i]))
    for i, e in enumerate(cands.excerpts):  # rare: a digit is looked for only after a back-reference
        out[i, 6] = bool(_VAGUE.search(e.text)) and not any(c.isdigit() for c in e.text)
    return out


def praise_share(text: str, tokens: Sequence[str] | None = None) -> float:
    """The share of `text`'s syllables (`tokens`, when the caller has them) that belong to praise
    and ceremony words (`PRAISE_CUES`)."""
    tokens = syllables(text) if tokens is None else tokens
    praise = sum([_PRAISE_SIZES[j] for j in _PRAISE.found(tokens)])
    return praise / max(len(tokens), 1)


# a line that opens leaning on what came before it or on who is speaking cannot stand alone:
# a reference back ("Đây là 3 dự án luật …", "Con số này sẽ tăng lên …", "Như vậy tổng cộng …",
# "Hay vụ tai nạn …"; not "Hay tin, …", on hearing the news), a speaker's first person
# ("Chúng tôi có 700 trường học …") or an attendance line ("Tham dự hội nghị có …"). Each cue
# ends at a syllable's end: "Đó" never matches "Đóng", and "Đây" matches "Đây là" and "Đây
# cũng" alike. Neutral on the key-fact benchmark (83 of 130 facts before and after; in
# sample 446 → 448 of the 720 training facts, held out 404 → 405) and on news bullets (VietNews
# validation R1 +0.06), it removes such lines: 3.5% of news bullets had one.
_LEANS_ON_CONTEXT = re.compile(
    r"^[\"“‘(]?(?:Đây|Đó|Điều này|Điều đó|Việc này|Việc đó|Con số này|Con số đó|Con số trên|Số này|Như vậy"
    r"|Hay(?! tin\b)|Chúng ta|Chúng tôi|Tôi|Tham dự)\b"
)


# a line's first word, past opening quotes, brackets, dashes, an ellipsis and spaces
_FIRST_WORD = re.compile(r"[\"“‘(\[…–—\s-]*([^\W\d_]+)")


def stands_alone(text: str) -> bool:
    """False for a line that opens leaning on its context (`_LEANS_ON_CONTEXT`): a reference back
    to what the text said before, a speaker's first person, or an attendance list; and for the
    tail of a sentence broken off by a line break in the source, which opens with a word in
    small letters ("làm việc, nhưng …" after "… mời ông Tr." and a line break; not "iPhone …")."""
    first = _FIRST_WORD.match(text)
    if first and first.group(1).islower():
        return False
    return _LEANS_ON_CONTEXT.match(text) is None


def eligible(doc: Document, cands: Candidates) -> list[bool]:
    """Which candidates may be a line: not a list opener, a photo caption, a heading or a list
    of names; one that stands alone (`stands_alone`); of a line's length; not repeating an
    earlier candidate."""
    seen: set[str] = set()
    out = []
    for unit, exc, tokens in zip(doc.units, cands.excerpts, cands.tokens, strict=True):
        key = " ".join(tokens)
        n = len(tokens)
        ok = (
            unit.role != OPENER
            and MIN_LINE_SYLLABLES <= n <= MAX_LINE_SYLLABLES
            and key not in seen
            and not is_photo_caption(exc.text)
            and not names_only(exc.text)
            and stands_alone(exc.text)
            and (n > 15 or exc.text.rstrip()[-1:] in '.!?…;"”)')
        )
        seen.add(key)
        out.append(ok)
    return out


def words(text: str) -> int:
    """Words as a reader counts them: whitespace-separated tokens."""
    return len(text.split())


def choose(
    scores: np.ndarray,
    cands: Candidates,
    k: int,
    *,
    allowed: Sequence[bool],
    budget: int,
    taken: Sequence[int] = (),
    diversity: float = 0.3,
    cover: bool = False,
) -> list[int]:
    """Up to `k` candidates by MMR, one distinct point each, within `budget` words.

    A candidate whose similarity to one already chosen (or in `taken`, e.g. the abstract's)
    reaches `SAME_POINT_SIMILARITY` is never chosen; one from a section that already has a
    chosen line loses `SECTION_SPREAD`; a candidate that does not fit the words left is passed
    over for a shorter one. With `cover`, the choice then covers a report's
    figures, problems and directions (`cover_facets`). Returned in document order.
    """
    chosen = _mmr(scores, cands, k, allowed=allowed, budget=budget, taken=taken, diversity=diversity)
    if cover:
        chosen = cover_facets(chosen, scores, cands, allowed=allowed, budget=budget, taken=taken)
    return sorted(chosen)


def cover_facets(
    chosen: Sequence[int],
    scores: np.ndarray,
    cands: Candidates,
    *,
    allowed: Sequence[bool],
    budget: int,
    taken: Sequence[int] = (),
) -> list[int]:
    """`chosen` changed so that every facet (`features.FACETS`: figures, problems, directions)
    that some allowed candidate carries is carried by a chosen line (the bullets carry them
    even when the abstract, in `taken`, touches one).

    For a missing facet, its best-scored carrier that is a distinct point replaces the
    lowest-scored chosen line that no other facet needs, if the words still fit.
    """
    carried = cands.facets > 0
    similarity = cands.similarity()
    chosen = list(chosen)
    for facet in range(carried.shape[1]):
        if not chosen or carried[chosen, facet].any():
            continue
        needed = {j for j in chosen for f in range(carried.shape[1]) if carried[j, f] and carried[chosen, f].sum() == 1}
        spare = sorted((j for j in chosen if j not in needed), key=lambda j: scores[j])
        if not spare:
            continue
        out = spare[0]
        rest = [j for j in chosen if j != out]
        left = budget - sum(words(cands.excerpts[j].text) for j in rest)
        for i in np.argsort(-scores, kind="stable"):
            i = int(i)
            if not (carried[i, facet] and allowed[i] and i not in chosen and i not in taken):
                continue
            against = [*rest, *taken]
            if against and similarity[i, against].max() >= SAME_POINT_SIMILARITY:
                continue
            if words(cands.excerpts[i].text) <= left:
                chosen = [*rest, i]
                break
    return chosen


def _mmr(
    scores: np.ndarray,
    cands: Candidates,
    k: int,
    *,
    allowed: Sequence[bool],
    budget: int,
    taken: Sequence[int],
    diversity: float,
) -> list[int]:
    if not len(scores):
        return []
    similarity = cands.similarity()
    span = float(scores.max() - scores.min())
    relevance = (scores - scores.min()) / (span or 1.0)
    chosen: list[int] = []
    blocked = list(taken)
    pool = [i for i, ok in enumerate(allowed) if ok and i not in blocked]
    left = budget
    sectioned = len(set(cands.sections.tolist())) > 1
    while pool and len(chosen) < k:
        against = [*chosen, *blocked]
        redundancy = similarity[np.ix_(pool, against)].max(axis=1) if against else np.zeros(len(pool))
        value = (1 - diversity) * relevance[pool] - diversity * redundancy
        if sectioned and chosen:
            value = value - SECTION_SPREAD * np.isin(cands.sections[pool], cands.sections[chosen])
        order = np.argsort(-value, kind="stable")
        picked = None
        for j in order:
            i = pool[int(j)]
            if redundancy[int(j)] >= SAME_POINT_SIMILARITY:
                continue
            if words(cands.excerpts[i].text) <= left:
                picked = i
                break
        if picked is None:
            break
        chosen.append(picked)
        left -= words(cands.excerpts[picked].text)
        pool.remove(picked)
    return chosen
