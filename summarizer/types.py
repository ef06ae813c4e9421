"""Result types: frozen, JSON-friendly records of what was produced and how."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class ModelInfo:
    """What a loaded `Summarizer` runs, as set at load time (not as requested).

    Attributes:
        name: registry name, hub id or folder of the model.
        revision: pinned revision of the weights (empty for local or extractive models).
        kind: "seq2seq" (generates; extract-then-rewrite models too) or "extractive"
            (copies sentences), as in the registry.
        backend: "transformers" or "ct2" for the generator that runs, "extractive" when
            nothing is generated.
        device: where the model runs ("cpu", "cuda"...).
        dtype: weights' dtype as loaded ("float32", "bfloat16"...; "n/a" for extractive).
        compute_type: CTranslate2 compute type in use (the dtype for transformers; "n/a").
    """

    name: str
    revision: str
    kind: str
    backend: str
    device: str
    dtype: str = "n/a"
    compute_type: str = "n/a"

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class SummaryInfo:
    """How a summary was made: enough to reproduce it and to judge it.

    Attributes:
        model: registry name, hub id or folder of the model.
        revision: pinned revision of the weights (empty for local or extractive models).
        kind: "seq2seq" (abstractive) or "extractive".
        backend: "transformers", "ct2" or "extractive".
        device: where generation ran ("cpu", "cuda"...).
        options: generation and document options actually used.
        chunks: number of model-sized chunks the document was split into.
        truncated: True when some of the document was not seen by the model.
        trailer_lines_removed: scraped page lines (bylines, related links, menus) dropped.
        input_chars: characters of the cleaned document.
        generated_tokens: tokens the model generated for this document.
        timings: seconds spent per stage.
        warnings: human-readable notes (extractive model, dropped bullets...).
    """

    model: str
    revision: str
    kind: str
    backend: str
    device: str
    options: dict[str, Any] = field(default_factory=dict)
    chunks: int = 0
    truncated: bool = False
    trailer_lines_removed: int = 0
    input_chars: int = 0
    generated_tokens: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceSpan:
    """A piece of the cleaned input text: `text[start:end]`.

    `sentence` is the index of the body sentence it lies in (`Document.sentences`), or None
    for the title line read from the text. `document` is the index of the article it comes
    from in a digest of several (None for a summary of one document).
    """

    start: int
    end: int
    sentence: int | None
    document: int | None = None


@dataclass(frozen=True)
class Evidence:
    """Where one output line comes from.

    Attributes:
        part: "headline", "abstract" (one of its sentences) or "bullet".
        index: which abstract sentence or bullet (0 for the headline).
        text: the output line itself.
        origin: "extracted" (the line is source text, maybe with a tag or credit removed),
            "aligned" (generated; `sources` is the best-matching source sentence) or
            "title" (the title given with the document: no span in the text).
        sources: the spans of the cleaned text the line rests on.
    """

    part: str
    index: int
    text: str
    origin: str
    sources: tuple[SourceSpan, ...] = ()


@dataclass(frozen=True)
class Summary:
    """A headline, a sapo-style abstract and bullet points for one document.

    `evidence` has one entry for the headline, one per abstract sentence and one per
    bullet, in that order. `ids` is set for a digest of several articles
    (`Summarizer.digest`): the articles' ids in input order, which each source's
    `SourceSpan.document` indexes (empty for a summary of one document).
    """

    headline: str
    abstract: str
    bullets: tuple[str, ...]
    info: SummaryInfo
    evidence: tuple[Evidence, ...] = ()
    ids: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serializable form (tuples become lists); `ids` only for a digest."""
        data = asdict(self)
        data["bullets"] = list(self.bullets)
        if self.ids:
            data["ids"] = list(self.ids)
        else:
            del data["ids"]
        data["info"]["warnings"] = list(self.info.warnings)
        data["evidence"] = self.evidence_dicts()
        return data

    def evidence_dicts(self) -> list[dict[str, Any]]:
        """The evidence as plain JSON-serializable dicts (for batch rows and API responses)."""
        return [{**asdict(e), "sources": [asdict(s) for s in e.sources]} for e in self.evidence]
