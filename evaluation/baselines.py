"""Classic reference points for evaluation tables: Lead-k, first sentence, TextRank.

These are defined here, by their textbook definitions, and not by the product's registry
models of similar names: a registry model obeys the output contract (its abstract never
opens with its headline, a title-like first line becomes the headline), which changes
what "Lead-2" would mean. A baseline reads the cleaned body without title detection and
takes its sentences as they are:
- `lead-k`: headline = the first sentence; abstract = bullets = the first k sentences;
- `textrank`: headline = the most central sentence; abstract = bullets = the three most
  central sentences, in document order.

A baseline has the `summarize_many` interface the evaluation runner uses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from summarizer import extractive
from summarizer.document import prepare_document
from summarizer.errors import ModelNotFoundError
from summarizer.postprocess import as_headline
from summarizer.registry import ModelSpec
from summarizer.segment import plain_full_stop
from summarizer.types import ModelInfo, Summary, SummaryInfo

BASELINES: dict[str, tuple[str, int, str]] = {
    "lead-1": ("lead", 1, "Lead-1: the first sentence of the body"),
    "lead-2": ("lead", 2, "Lead-2: the first two sentences of the body"),
    "lead-3": ("lead", 3, "Lead-3: the first three sentences of the body"),
    "textrank": ("textrank", 3, "TextRank: the three most central sentences, in document order"),
}


class Baseline:
    """One baseline of `BASELINES`, summarizing as the evaluation runner expects."""

    generator = None

    def __init__(self, name: str) -> None:
        if name not in BASELINES:
            raise ModelNotFoundError(f"unknown baseline {name!r}; choose one of {', '.join(BASELINES)}")
        self.name = name
        self.method, self.k, description = BASELINES[name]
        self.spec = ModelSpec(
            name=f"baseline:{name}",
            kind="extractive",
            description=description,
            extractive={"method": self.method, "sentences": self.k},
        )
        self.info = ModelInfo(self.spec.name, "", "extractive", "extractive", "cpu")

    def warm_up(self) -> None:
        """Nothing to prepare: a baseline has no model (`Summarizer.warm_up`'s counterpart)."""

    def summarize(self, text: str, *, title: str | None = None, **_: Any) -> Summary:
        return self.summarize_many([text], titles=[title])[0]

    def summarize_many(
        self,
        texts: Sequence[str],
        *,
        titles: Sequence[str | None] | None = None,
        batch_size: int | None = None,
        generation: Mapping[str, Any] | None = None,
    ) -> list[Summary]:
        """Summaries by the baseline's definition (`batch_size` and `generation` are ignored)."""
        out = []
        for i, text in enumerate(texts):
            doc = prepare_document(text, title=titles[i] if titles else None, detect_title=False)
            ranked = extractive.METHODS[self.method](doc.sentences, self.k)
            chosen = [plain_full_stop(doc.sentences[j]) for j in sorted(ranked)]  # "./." as "."
            info = SummaryInfo(
                model=self.spec.name,
                revision="",
                kind="extractive",
                backend="extractive",
                device="cpu",
                options=dict(self.spec.extractive),
                chunks=1,
                input_chars=len(doc.text),
            )
            headline = doc.title or as_headline(doc.sentences[ranked[0]])
            out.append(Summary(headline=headline, abstract=" ".join(chosen), bullets=tuple(chosen), info=info))
        return out
