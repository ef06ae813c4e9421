"""Output lines with their evidence, and the output contract every model obeys.

Contract (all models, extractive and generating):
- the title is never glued to the abstract or repeated as a bullet;
- no bullet equals, contains or is contained in the headline, and bullets do not repeat
  each other;
- the abstract does not open with the headline as a sentence of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from summarizer.compress import RULES, Excerpt, compress, headline_excerpt
from summarizer.document import Document
from summarizer.postprocess import as_headline, as_sentence, dedupe
from summarizer.selection import Selection, sentence_excerpts
from summarizer.tokens import syllables
from summarizer.types import Evidence, SourceSpan, Summary, SummaryInfo


@dataclass(frozen=True)
class Line:
    """One output line and the source spans it rests on."""

    text: str
    origin: str
    sources: tuple[SourceSpan, ...] = ()

    def evidence(self, part: str, index: int) -> Evidence:
        return Evidence(part=part, index=index, text=self.text, origin=self.origin, sources=self.sources)


def _locate(doc: Document, index: int, text: str) -> SourceSpan:
    """The span of `text` inside sentence `index` (case-insensitive), else the whole sentence."""
    span = doc.spans[index]
    sentence = doc.sentences[index]
    at = sentence.lower().find(text.lower()) if text else -1
    if at < 0:
        return SourceSpan(span.start, span.end, index)
    return SourceSpan(span.start + at, span.start + at + len(text), index)


def excerpt_line(excerpt: Excerpt) -> Line:
    """An excerpt as a line ending like a sentence; its evidence is every piece it keeps."""
    sources = tuple(SourceSpan(start, end, excerpt.sentence) for start, end in excerpt.pieces)
    return Line(as_sentence(excerpt.text), "extracted", sources)


def extracted(doc: Document, index: int, *, rules: tuple[str, ...] = RULES) -> Line:
    """Sentence `index`, compressed by `rules`, ending like a sentence, with its span(s)."""
    return excerpt_line(sentence_excerpts(doc, [index], rules=rules)[0])


def extracted_headline(doc: Document, index: int | None, *, style: str = "short") -> Line:
    """The headline: the title (index None), or sentence `index` in headline form.

    `style` "short" shortens the sentence (`compress.headline_excerpt`); "sentence" keeps it
    whole (the classic first-sentence baseline).
    """
    if index is None:
        if doc.title_span is not None:
            start, end = doc.title_span
            return Line(as_headline(doc.title), "extracted", (SourceSpan(start, end, None),))
        return Line(as_headline(doc.title), "title")
    if style == "short":
        span = doc.spans[index]
        short = headline_excerpt(doc.text, span.start, span.end, index)
        sources = tuple(SourceSpan(start, end, index) for start, end in short.pieces)
        return Line(short.text, "extracted", sources)
    text = as_headline(compress(doc.sentences[index]).text)
    return Line(text, "extracted", (_locate(doc, index, text),))


def aligned(doc: Document, text: str) -> Line:
    """A generated line with the source sentence that shares most of its syllables."""
    words = set(syllables(text))
    if not words:
        return Line(text, "aligned")
    overlaps = [len(words & set(syllables(s))) for s in doc.sentences]
    best = max(range(len(overlaps)), key=lambda i: (overlaps[i], -i))
    if overlaps[best] == 0:
        return Line(text, "aligned")
    span = doc.spans[best]
    return Line(text, "aligned", (SourceSpan(span.start, span.end, best),))


def _key(text: str) -> str:
    return " ".join(syllables(text))


def repeats(headline: str, line: str) -> bool:
    """True when `line` equals, contains or is contained in the headline (syllables, any case)."""
    h, t = _key(headline), _key(line)
    return bool(h) and bool(t) and (h in t or t in h)


def apply_contract(headline: Line, abstract: list[Line], bullets: list[Line]) -> tuple[list[Line], list[Line]]:
    """The abstract and bullets with the contract of the module docstring enforced."""
    if len(abstract) > 1 and _key(abstract[0].text) == _key(headline.text):
        abstract = abstract[1:]
    kept_texts = set(dedupe([b.text for b in bullets if not repeats(headline.text, b.text)]))
    seen: set[str] = set()
    kept: list[Line] = []
    for bullet in bullets:
        if bullet.text in kept_texts and bullet.text not in seen:
            kept.append(bullet)
            seen.add(bullet.text)
    return abstract, kept


@dataclass
class Lines:
    """One document's output lines (contract applied), the notes a reader should see and
    the tokens generated for them: what every path (extractive, seq2seq, rewrite) yields."""

    headline: Line
    abstract: list[Line]
    bullets: list[Line]
    warnings: list[str] = field(default_factory=list)
    tokens: int = 0

    @classmethod
    def of(
        cls, headline: Line, abstract: list[Line], bullets: list[Line], warnings: list[str], tokens: int = 0
    ) -> Lines:
        """The lines with the output contract enforced."""
        abstract, bullets = apply_contract(headline, abstract, bullets)
        return cls(headline, abstract, bullets, warnings, tokens)

    def at_most(self, max_bullets: int) -> Lines:
        """Keep the first `max_bullets` bullets, noting how many were left out."""
        if len(self.bullets) > max_bullets:
            self.warnings.append(f"{len(self.bullets) - max_bullets} bullet(s) left out by max_bullets")
            self.bullets = self.bullets[:max_bullets]
        return self

    def summary(self, info: SummaryInfo) -> Summary:
        """The `Summary`, with one evidence entry per line (headline, abstract, bullets)."""
        evidence = (
            self.headline.evidence("headline", 0),
            *(line.evidence("abstract", i) for i, line in enumerate(self.abstract)),
            *(line.evidence("bullet", i) for i, line in enumerate(self.bullets)),
        )
        return Summary(
            headline=self.headline.text,
            abstract=" ".join(line.text for line in self.abstract),
            bullets=tuple(line.text for line in self.bullets),
            info=info,
            evidence=evidence,
        )


def selected_lines(doc: Document, selection: Selection, *, headline_style: str = "short") -> Lines:
    """The lines of an extractive selection (its excerpts), with its notes as warnings."""
    headline = extracted_headline(doc, selection.headline, style=headline_style)
    abstract = [excerpt_line(e) for e in selection.abstract]
    bullets = [excerpt_line(e) for e in selection.bullets]
    return Lines.of(headline, abstract, bullets, list(selection.notes))
