"""Training examples for compact-vi: the multi-task mixture built from VietNews.

Each article gives two examples, prompted with the registry's task prefixes:
"tiêu đề: <body>" → title and "tóm tắt: <body>" → sapo. The body goes through the same
cleaning and sentence splitting as inference input (summarizer.normalize/segment), joined
with spaces as a chunk is, and is cut after `max_words` words: the model sees at most its
input limit in tokens anyway, and the cut keeps the shard small enough to carry to a GPU.
"""

from __future__ import annotations

import json
import logging
import lzma
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from summarizer.io import open_text
from summarizer.jsonl import parse_line
from summarizer.normalize import clean_document, normalize_text
from summarizer.segment import split_sentences

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Article:
    """A training article reduced to what the model sees: body lead, title, sapo."""

    body: str
    title: str
    summary: str


def _lead_words(sentences: list[str], max_words: int) -> str:
    kept, words = [], 0
    for sentence in sentences:
        kept.append(sentence)
        words += len(sentence.split())
        if words >= max_words:
            break
    return " ".join(kept)


def _article_from_raw(args: tuple[str, int]) -> Article | None:
    line, max_words = args
    parsed = parse_line(line, 0)
    obj = parsed.value if parsed is not None else None
    if not isinstance(obj, dict):
        return None
    if "x" in obj:  # prepared shard: already cleaned
        return Article(obj["x"], obj.get("t", ""), obj.get("s", ""))
    sentences = split_sentences(clean_document(obj.get("text") or "").text)
    return Article(
        _lead_words(sentences, max_words),
        normalize_text(obj.get("title") or "").replace("\n", " "),
        normalize_text(obj.get("summary") or "").replace("\n", " "),
    )


def read_articles(
    path: str | Path,
    *,
    max_words: int = 400,
    limit: int | None = None,
    offset: int = 0,
    workers: int = 1,
) -> Iterator[Article]:
    """Articles from raw VietNews JSONL (text/title/summary) or a prepared shard (x/t/s).

    Invalid lines and articles without a body or any reference are skipped (and counted in
    the log). `offset` skips that many usable articles first, so consecutive shards can be
    cut from one file. `workers` > 1 cleans raw articles in parallel, keeping file order.
    """
    count = skipped = seen = 0
    with open_text(path) as fh:
        jobs = ((line, max_words) for line in fh if line.strip())
        if workers > 1:
            import multiprocessing

            pool = multiprocessing.get_context("spawn").Pool(workers)
            results = pool.imap(_article_from_raw, jobs, chunksize=64)
        else:
            pool, results = None, map(_article_from_raw, jobs)
        try:
            for article in results:
                if limit is not None and count >= limit:
                    break
                if article is None or not article.body or not (article.title or article.summary):
                    skipped += 1
                    continue
                seen += 1
                if seen <= offset:
                    continue
                count += 1
                yield article
        finally:
            if pool is not None:
                pool.terminate()
    if skipped:
        logger.warning("%s: %d line(s) skipped (invalid JSON or no body/reference)", path, skipped)


def write_shard(articles: Iterator[Article], out: Path) -> int:
    """Write articles as a compact .jsonl.xz shard (fields x/t/s); returns the count."""
    out.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with lzma.open(out, "wt", encoding="utf-8", preset=9) as fh:
        for article in articles:
            fh.write(
                json.dumps(
                    {"x": article.body, "t": article.title, "s": article.summary},
                    ensure_ascii=False,
                )
                + "\n"
            )
            n += 1
    return n
