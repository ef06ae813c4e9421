"""Digests of several documents, for requests (POST /v1/digests) and background jobs.

Blocking code, run on the model thread: documents are prepared once, grouped into stories
when asked (`summarizer.grouping.group`), and each story is digested (`Summarizer.digest`).
A digest's body names its articles by `ids`, and each evidence source by `document` (an
index into `ids`) and `id`.

A digest job (`{"task": "digest", ...}` in POST /v1/jobs) is claimed whole: the job store
hands all its pending documents to one worker (`is_digest_job`), and its results are one
line per story, stored at the position of the story's first document (its other documents
are marked done with no line of their own), beside the error lines of refused documents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from summarizer.document import Document
from summarizer.errors import InvalidInputError, SummarizerError
from summarizer.options import DEFAULT_BULLETS, SummarizeOptions
from summarizer.pipeline import Summarizer
from summarizer.types import Summary

DIGEST_TASK = "digest"


@dataclass(frozen=True)
class StoryOutcome:
    """One story of a digest call: its members (indices into the call's documents) and its
    digest, or the error that stopped it."""

    members: list[int]
    outcome: Summary | SummarizerError


def is_digest_job(options: Mapping[str, Any]) -> bool:
    """Whether a job's stored options make it a digest job (claimed whole, one line per story)."""
    return options.get("task") == DIGEST_TASK


def digest_options(options: Mapping[str, Any]) -> SummarizeOptions:
    """The library options of a digest request's or job's fields."""
    return SummarizeOptions(
        max_bullets=int(options.get("max_bullets") or DEFAULT_BULLETS), max_words=options.get("max_words")
    )


def digest_stories(
    summarizer: Summarizer,
    documents: Sequence[Document],
    ids: Sequence[str],
    *,
    group: bool,
    options: SummarizeOptions,
) -> list[StoryOutcome]:
    """One digest of all `documents`, or one per story (`group`), in the order of their first document.

    A story's failure is its outcome (the other stories still run). Raises only what grouping raises.
    """
    stories = [list(range(len(documents)))]
    if group:
        from summarizer.grouping import group as group_stories

        stories = group_stories(list(documents))
    outcomes = []
    for members in stories:
        try:
            summary = summarizer.digest([documents[i] for i in members], ids=[ids[i] for i in members], options=options)
        except SummarizerError as exc:
            outcomes.append(StoryOutcome(members, exc))
        else:
            outcomes.append(StoryOutcome(members, summary))
    return outcomes


def digest_body(summary: Summary, ids: Sequence[str]) -> dict[str, Any]:
    """A digest as the API returns it: its articles' `ids`, the summary, the evidence (each source
    with `document`, an index into `ids`, and that `id`), warnings, model and timings."""
    evidence = summary.evidence_dicts()
    for entry in evidence:
        for source in entry["sources"]:
            index = source.get("document")
            source["id"] = ids[index] if isinstance(index, int) and 0 <= index < len(ids) else None
    return {
        "ids": list(ids),
        "headline": summary.headline,
        "abstract": summary.abstract,
        "bullets": list(summary.bullets),
        "model": summary.info.model,
        "evidence": evidence,
        "warnings": list(summary.info.warnings),
        "timings": summary.info.timings,
    }


def run_digest_job(
    summarizer: Summarizer, documents: Sequence[Any], options: Mapping[str, Any]
) -> list[tuple[int, str, dict[str, Any] | None]]:
    """A claimed digest job's results (model thread): (position, "done" | "error", payload) for
    every claimed document. A story's line is at its first document's position; its other
    documents get a None payload (done, no line). A document that cannot be prepared gets an
    error line; so does every document of a story whose digest was refused as invalid.

    Raises:
        SummarizerError: a digest failed otherwise (the attempt fails; the job store retries it).
    """
    ordered = sorted(documents, key=lambda d: d.position)
    results: list[tuple[int, str, dict[str, Any] | None]] = []
    prepared: list[Document] = []
    kept: list[Any] = []
    for doc in ordered:
        try:
            prepared.append(summarizer.prepare(doc.text, title=doc.title))
            kept.append(doc)
        except InvalidInputError as exc:
            results.append((doc.position, "error", _error_line(doc.doc_id, exc)))
    if kept:
        ids = [d.doc_id for d in kept]
        stories = digest_stories(
            summarizer, prepared, ids, group=bool(options.get("group")), options=digest_options(options)
        )
        for story in stories:
            first, *rest = (kept[i] for i in story.members)
            if isinstance(story.outcome, InvalidInputError):
                results += [(d.position, "error", _error_line(d.doc_id, story.outcome)) for d in (first, *rest)]
                continue
            if isinstance(story.outcome, SummarizerError):
                raise story.outcome
            results.append((first.position, "done", digest_body(story.outcome, [ids[i] for i in story.members])))
            results += [(d.position, "done", None) for d in rest]
    return sorted(results, key=lambda r: r[0])


def _error_line(doc_id: str, exc: SummarizerError) -> dict[str, Any]:
    return {"id": doc_id, "error": {"code": "invalid_text", "message": str(exc)}}
