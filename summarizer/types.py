"""Result types: frozen, JSON-friendly records of what was produced and how."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


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
class Summary:
    """A headline, a sapo-style abstract and bullet points for one document."""

    headline: str
    abstract: str
    bullets: tuple[str, ...]
    info: SummaryInfo

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serializable form (tuples become lists)."""
        data = asdict(self)
        data["bullets"] = list(self.bullets)
        data["info"]["warnings"] = list(self.info.warnings)
        return data
