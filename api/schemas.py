"""Request and response bodies (with Vietnamese examples for /docs)."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from summarizer.options import DEFAULT_BULLETS, MAX_BULLETS

EXAMPLE_TEXT = (
    "Sáng 5/7, Sở Nông nghiệp tỉnh Lâm Hà tổ chức hội nghị sơ kết công tác phòng, chống hạn mặn. "
    "Toàn tỉnh có 12.400 ha lúa bị ảnh hưởng. Các địa phương đã vận hành 86 cống ngăn mặn."
)


class Output(StrEnum):
    headline = "headline"
    abstract = "abstract"
    bullets = "bullets"


ALL_OUTPUTS = [Output.headline, Output.abstract, Output.bullets]


class SummaryRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"text": EXAMPLE_TEXT, "max_bullets": 3, "outputs": ["headline", "bullets"]}]}
    )

    text: str = Field(description="the article or report (plain text; HTML remnants are cleaned)")
    title: str | None = Field(
        None, description="the article's own title, if any: it becomes the headline and guides the selection"
    )
    max_bullets: StrictInt = Field(DEFAULT_BULLETS, ge=1, le=MAX_BULLETS)
    outputs: list[Output] = Field(default_factory=lambda: list(ALL_OUTPUTS), min_length=1)
    include_source: bool = Field(
        False, description="also return the cleaned text that the evidence spans index (`source`)"
    )


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
    max_bullets: StrictInt = Field(DEFAULT_BULLETS, ge=1, le=MAX_BULLETS)
    outputs: list[Output] = Field(default_factory=lambda: list(ALL_OUTPUTS), min_length=1)


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
    """Options of a job given as {"documents": [...], "max_bullets"?, "outputs"?} (same as a batch's)."""

    max_bullets: StrictInt = Field(DEFAULT_BULLETS, ge=1, le=MAX_BULLETS)
    outputs: list[Output] = Field(default_factory=lambda: list(ALL_OUTPUTS), min_length=1)


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


class JobStatusResponse(BaseModel):
    id: str
    status: str
    progress: dict[str, int]
    done: int
    failed: int
    created: float
    updated: float
