"""Request and response bodies (with Vietnamese examples for /docs)."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, model_validator

from summarizer.options import (
    DEFAULT_BULLETS,
    DEFAULT_WORDS,
    MAX_BULLETS,
    MAX_WORDS,
    MIN_WORDS,
    WORDS_PER_EXTRA_BULLET,
    SummarizeOptions,
)

EXAMPLE_TEXT = (
    "Sáng 5/7, Sở Nông nghiệp tỉnh Lâm Hà tổ chức hội nghị sơ kết công tác phòng, chống hạn mặn. "
    "Toàn tỉnh có 12.400 ha lúa bị ảnh hưởng. Các địa phương đã vận hành 86 cống ngăn mặn."
)


def _whole_number(value: Any) -> Any:
    """3.0 as the integer 3: JSON has one number type, and JSON Schema's `integer` accepts 3.0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


WholeInt = Annotated[StrictInt, BeforeValidator(_whole_number)]
"""An integer, strictly ("3", true and 3.5 are refused), that may be written 3.0."""


class Output(StrEnum):
    headline = "headline"
    abstract = "abstract"
    bullets = "bullets"


ALL_OUTPUTS = [Output.headline, Output.abstract, Output.bullets]
MAX_WORDS_HELP = (
    f"at most this many words in headline + abstract + bullets (default {DEFAULT_WORDS}, plus "
    f"{WORDS_PER_EXTRA_BULLET} for each bullet asked beyond {DEFAULT_BULLETS}); a note in `warnings` "
    "says when fewer bullets than max_bullets fit"
)


class SummaryRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"text": EXAMPLE_TEXT, "max_bullets": 3, "outputs": ["headline", "bullets"]}]}
    )

    text: str = Field(description="the article or report (plain text; HTML remnants are cleaned)")
    title: str | None = Field(
        None, description="the article's own title, if any: it becomes the headline and guides the selection"
    )
    max_bullets: WholeInt = Field(DEFAULT_BULLETS, ge=1, le=MAX_BULLETS)
    max_words: WholeInt | None = Field(None, ge=MIN_WORDS, le=MAX_WORDS, description=MAX_WORDS_HELP)
    outputs: list[Output] = Field(default_factory=lambda: list(ALL_OUTPUTS), min_length=1)
    include_source: StrictBool = Field(
        False, description="also return the cleaned text that the evidence spans index (`source`)"
    )

    def options(self) -> SummarizeOptions:
        """The library's options of this request."""
        return SummarizeOptions(max_bullets=self.max_bullets, max_words=self.max_words)


class SourceSpanBody(BaseModel):
    start: int = Field(description="character offset in the cleaned text")
    end: int
    sentence: int | None = Field(description="index of the body sentence; null for a title line")


class EvidenceBody(BaseModel):
    part: str = Field(description="headline, abstract (one of its sentences) or bullet")
    index: int
    text: str
    origin: str = Field(description="extracted (source text), aligned (generated) or title (given title)")
    sources: list[SourceSpanBody]


class SummaryResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "3f2b9c1e0a8d4f6b9e2c7d1a5b4e3f20",
                    "headline": "Lâm Hà sơ kết công tác phòng, chống hạn mặn",
                    "abstract": "Sở Nông nghiệp tỉnh Lâm Hà sơ kết công tác phòng, chống hạn mặn.",
                    "bullets": ["Toàn tỉnh có 12.400 ha lúa bị ảnh hưởng.", "86 cống ngăn mặn đã được vận hành."],
                    "model": "lead",
                    "warnings": [],
                    "timings": {"total": 0.012},
                }
            ]
        }
    )

    id: str
    headline: str | None
    abstract: str | None
    bullets: list[str] | None
    model: str
    evidence: list[EvidenceBody] = Field(
        default_factory=list, description="where each output line comes from: spans of the cleaned text"
    )
    warnings: list[str]
    timings: dict[str, float]
    source: str | None = Field(None, description="the cleaned text, when include_source was asked for")


class BatchDocument(BaseModel):
    id: str = Field(min_length=1, max_length=200)
    text: Any = Field(description="validated per document: a bad one gives an error entry, not a failed batch")
    title: str | None = None


class BatchRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"documents": [{"id": "bai-1", "text": EXAMPLE_TEXT}, {"id": "bai-2", "text": "Hà Nội mưa lớn."}]}
            ]
        }
    )

    documents: list[BatchDocument] = Field(min_length=1)
    max_bullets: WholeInt = Field(DEFAULT_BULLETS, ge=1, le=MAX_BULLETS)
    max_words: WholeInt | None = Field(None, ge=MIN_WORDS, le=MAX_WORDS, description=MAX_WORDS_HELP)
    outputs: list[Output] = Field(default_factory=lambda: list(ALL_OUTPUTS), min_length=1)

    def options(self) -> SummarizeOptions:
        """The library's options of this request."""
        return SummarizeOptions(max_bullets=self.max_bullets, max_words=self.max_words)


class JobDocumentBody(BatchDocument):
    """One document of a job (POST /v1/jobs): a batch document whose id may be left out.

    Without an id, a document is named by its position (1-based). Strings must be valid
    Unicode: a lone surrogate (JSON "\\ud800") can be neither stored nor returned.
    """

    id: str | None = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]

    @model_validator(mode="after")
    def _valid_unicode(self) -> JobDocumentBody:
        for name in ("id", "title", "text"):
            value = getattr(self, name)
            where = unpaired_surrogate(value) if isinstance(value, str) else None
            if where is not None:
                raise ValueError(
                    f"{name} has an unpaired surrogate (U+{ord(value[where]):04X}) at character {where}: "
                    "it is not valid Unicode; send the text as UTF-8"
                )
        return self


class JobOptions(BaseModel):
    """Options of a job given as {"documents": [...], "max_bullets"?, "outputs"?, "task"?, "group"?}
    (a summarize job's are a batch's; a digest job's are POST /v1/digests')."""

    max_bullets: WholeInt = Field(DEFAULT_BULLETS, ge=1, le=MAX_BULLETS)
    max_words: WholeInt | None = Field(None, ge=MIN_WORDS, le=MAX_WORDS, description=MAX_WORDS_HELP)
    outputs: list[Output] = Field(default_factory=lambda: list(ALL_OUTPUTS), min_length=1)
    task: Literal["summarize", "digest"] = Field(
        "summarize",
        description="summarize: a result line per document; digest: one digest of all the documents "
        "(a line with their `ids`), or one per story with `group`",
    )
    group: StrictBool = Field(False, description="digest jobs: group the documents into stories, a digest each")

    @model_validator(mode="after")
    def _group_needs_digest(self) -> JobOptions:
        if self.group and self.task != "digest":
            raise ValueError('group is for digest jobs: add "task": "digest"')
        return self


def unpaired_surrogate(value: str) -> int | None:
    """Index of the first lone surrogate code point in `value` (not encodable as UTF-8), or None."""
    match = _SURROGATE.search(value)
    return match.start() if match else None


_SURROGATE = re.compile("[\ud800-\udfff]")


class ErrorDetail(BaseModel):
    code: str
    message: str


class BatchItem(BaseModel):
    id: str
    result: SummaryResponse | None = None
    error: ErrorDetail | None = None


class BatchResponse(BaseModel):
    results: list[BatchItem]


class JobAccepted(BaseModel):
    id: str
    status: str
    total: int
    rejected: int = Field(description="documents refused at submission (kept as error entries in the results)")


class JobProgress(BaseModel):
    done: int = Field(description="documents with a result line: a summary or an error entry")
    failed: int = Field(description="how many of the `done` documents are error entries")
    total: int = Field(description="documents in the job")


class JobStatusResponse(BaseModel):
    id: str
    status: str = Field(description="queued, running, completed or cancelled (deleted: the answer to DELETE)")
    progress: JobProgress
    created: datetime = Field(description="when the job was accepted (ISO 8601, UTC)")
    updated: datetime = Field(description="its last change (ISO 8601, UTC)")


class JobListResponse(BaseModel):
    jobs: list[JobStatusResponse] = Field(description="the caller's jobs, newest first")
    next_cursor: str | None = Field(
        description="pass as `cursor` for the next page; null on the last page", examples=[None]
    )
