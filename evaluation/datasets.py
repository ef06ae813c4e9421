"""Streaming readers for summarization data sets (JSONL, optionally .xz/.gz compressed).

Format (see ../shared/data/README.md): one JSON object per line with `id`, `text`,
`summary`, optionally `title` (and extra fields, kept in `Record.extra`). This covers
VietNews, AbMuSu clusters/docs and any plain JSONL with text/summary/title fields.
Records are read lazily, in file order, so `limit` is deterministic and the whole file is
never held in memory.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.io import open_text
from summarizer.jsonl import read_jsonl

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Record:
    """One document with its references."""

    id: str
    text: str
    summary: str
    title: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ReadStats:
    """What a reader saw: records yielded and lines skipped, by reason."""

    read: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def read_records(
    path: str | Path,
    *,
    limit: int | None = None,
    exclude_ids: frozenset[str] | set[str] = frozenset(),
    text_field: str = "text",
    summary_field: str = "summary",
    require_summary: bool = True,
    stats: ReadStats | None = None,
) -> Iterator[Record]:
    """Yield records in file order; malformed or empty ones are logged, counted and skipped.

    Args:
        path: JSONL file (.jsonl, .jsonl.xz, .jsonl.gz).
        limit: stop after this many records (counted after exclusions).
        exclude_ids: ids to skip (e.g. the VietNews duplicate list).
        require_summary: skip records with an empty reference summary (for evaluation).
        stats: filled with counts of what was read and skipped.
    """
    stats = stats if stats is not None else ReadStats()
    for line in read_jsonl(path):
        if limit is not None and stats.read >= limit:
            return
        line_no, obj = line.number, line.value
        if not line.ok:
            logger.warning("%s:%d: %s, skipped", path, line_no, line.error)
            stats.skip("invalid JSON")
            continue
        if not isinstance(obj, dict):
            stats.skip("not an object")
            continue
        rid = str(obj.get("id") or f"{Path(path).name}#{line_no}")
        if rid in exclude_ids:
            stats.skip("excluded id")
            continue
        text, summary = obj.get(text_field), obj.get(summary_field, "")
        if not isinstance(text, str) or not text.strip():
            logger.warning("%s:%d (%s): empty or missing %r, skipped", path, line_no, rid, text_field)
            stats.skip("empty text")
            continue
        if require_summary and (not isinstance(summary, str) or not summary.strip()):
            logger.warning("%s:%d (%s): empty or missing %r, skipped", path, line_no, rid, summary_field)
            stats.skip("empty summary")
            continue
        extra = {k: v for k, v in obj.items() if k not in ("id", text_field, summary_field, "title")}
        stats.read += 1
        yield Record(rid, text, summary or "", str(obj.get("title") or ""), extra)


def read_duplicates(path: str | Path) -> frozenset[str]:
    """Ids listed as duplicates in a VietNews `duplicates.tsv` (`id <TAB> duplicate_of`)."""
    ids = set()
    with open_text(path) as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if parts and parts[0] and parts[0] != "id":
                ids.add(parts[0])
    return frozenset(ids)
