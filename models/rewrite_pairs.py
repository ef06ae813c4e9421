"""Rewrite pairs for compact-vi v2 (extract, then rewrite), built on CPU from VietNews.

For each article of the (de-duplicated) train split:
- every sapo sentence is aligned with the body sentence, or the two body sentences, that
  rebuild it best (syllable ROUGE-1+2 F, `models.oracle.rouge12`); a second sentence is added
  only when it raises the score by `min_gain`. The pair is kept when the source covers at
  least `min_recall` of the sapo sentence's syllables, and every number and name of the sapo
  sentence occurs in its source (`summarizer.faithfulness`): otherwise the sapo says what the
  chosen sentences do not, and a rewriter trained on it would learn to invent;
- the title is aligned with the best of the opening sentences (`opening`), kept likewise.

Pairs are written in the training shard format of `models.data` ({"x", "s"} for a sapo
sentence, {"x", "t"} for a title), so `tomtat train` trains on them unchanged, with the
same task prefixes ("tóm tắt: ", "tiêu đề: ") as the whole-document model.
"""

from __future__ import annotations

import json
import logging
import lzma
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from evaluation.datasets import Record
from models.oracle import rouge12
from summarizer.document import prepare_document
from summarizer.errors import InvalidInputError
from summarizer.faithfulness import invented_names, invented_numbers, number_keys
from summarizer.normalize import normalize_text
from summarizer.segment import split_sentences
from summarizer.tokens import syllables

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PairSettings:
    min_recall: float = 0.5
    min_gain: float = 0.05
    opening: int = 3


@dataclass
class PairStats:
    """What the alignment kept and why it dropped the rest (written beside the shard)."""

    articles: int = 0
    sapo_sentences: int = 0
    summary_pairs: int = 0
    two_sentence_sources: int = 0
    headline_pairs: int = 0
    dropped_low_recall: int = 0
    dropped_unsupported: int = 0
    source_syllables: list[int] = field(default_factory=list, repr=False)
    target_syllables: list[int] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict[str, float | int]:
        data = {k: v for k, v in asdict(self).items() if not isinstance(v, list)}
        for name in ("source_syllables", "target_syllables"):
            values = getattr(self, name)
            data[f"mean_{name}"] = round(sum(values) / len(values), 1) if values else 0.0
        return data


def _recall(source: Sequence[str], target: Sequence[str]) -> float:
    have = set(source)
    return sum(t in have for t in target) / len(target) if target else 0.0


def align(sentences: Sequence[str], target: str, settings: PairSettings) -> tuple[list[int], float] | None:
    """Indices (document order) of the 1–2 sentences that rebuild `target`, and their recall."""
    goal = syllables(target)
    tokens = [syllables(s) for s in sentences]
    if not goal or not tokens:
        return None
    scores = [rouge12(t, goal) for t in tokens]
    best = max(range(len(tokens)), key=lambda i: (scores[i], -i))
    chosen = [best]
    unions = {i: rouge12(tokens[min(i, best)] + tokens[max(i, best)], goal) for i in range(len(tokens)) if i != best}
    if unions:
        second = max(unions, key=lambda i: (unions[i], -i))
        if unions[second] - scores[best] >= settings.min_gain:
            chosen = sorted([best, second])
    source = [w for j in chosen for w in tokens[j]]
    return chosen, _recall(source, goal)


def article_pairs(record: Record, settings: PairSettings, stats: PairStats) -> Iterator[dict[str, str]]:
    """The shard rows of one article (see the module docstring)."""
    try:
        doc = prepare_document(record.text, detect_title=False)
    except InvalidInputError:
        return
    stats.articles += 1
    for sentence in split_sentences(normalize_text(record.summary)):
        stats.sapo_sentences += 1
        found = align(doc.sentences, sentence, settings)
        if found is None or found[1] < settings.min_recall:
            stats.dropped_low_recall += 1
            continue
        source = " ".join(doc.sentences[i] for i in found[0])
        if invented_numbers(sentence, number_keys(source)) or invented_names(sentence, source):
            stats.dropped_unsupported += 1
            continue
        stats.summary_pairs += 1
        stats.two_sentence_sources += len(found[0]) == 2
        stats.source_syllables.append(len(syllables(source)))
        stats.target_syllables.append(len(syllables(sentence)))
        yield {"x": source, "s": sentence}
    title = " ".join(normalize_text(record.title).split())
    found = align(doc.sentences[: settings.opening], title, settings) if title else None
    if found is not None and found[1] >= settings.min_recall:
        source = " ".join(doc.sentences[i] for i in found[0])
        if invented_numbers(title, number_keys(source)) or invented_names(title, source):
            stats.dropped_unsupported += 1
            return
        stats.headline_pairs += 1
        yield {"x": source, "t": title}


def write_pairs(records: Iterable[Record], shard: Path, settings: PairSettings = PairSettings()) -> PairStats:
    """Write the pairs of `records` to `shard` (.jsonl.xz) and its statistics beside it."""
    stats = PairStats()
    shard.parent.mkdir(parents=True, exist_ok=True)
    with lzma.open(shard, "wt", encoding="utf-8", preset=9) as fh:
        for record in records:
            for row in article_pairs(record, settings, stats):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    summary = {"settings": asdict(settings), **stats.as_dict(), "bytes": shard.stat().st_size}
    shard.with_name(shard.name + ".stats.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    logger.info("pairs: %s", summary)
    return stats
