"""`Summarizer`: text → normalize → split → chunk → generate → post-process → `Summary`.

This module composes the stages; text rules live in normalize/segment/postprocess/
faithfulness, model code in generation, model defaults in the registry.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from summarizer import extractive
from summarizer.chunking import Chunk, chunk_sentences
from summarizer.compose import Line, aligned, apply_contract, extracted, extracted_headline
from summarizer.compress import RULES
from summarizer.document import Document, prepare_document
from summarizer.errors import InvalidInputError
from summarizer.faithfulness import number_keys, unsupported
from summarizer.generation import Generator, load_generator
from summarizer.options import GenerationOptions, SummarizeOptions
from summarizer.postprocess import as_headline, as_sentence, clean_generated, dedupe
from summarizer.registry import ModelSpec, resolve_model
from summarizer.rewrite import FALLBACK_NOTE, rewrite_documents
from summarizer.segment import split_sentences
from summarizer.selection import Selection
from summarizer.types import Summary, SummaryInfo

if TYPE_CHECKING:
    from summarizer.ext_model import ExtractiveModel

logger = logging.getLogger(__name__)

EXTRACTIVE_NOTE = "extractive model: sentences are copied from the input, not generated"


@dataclass
class _Doc:
    """Working state of one document inside a `summarize_many` call."""

    document: Document
    chunks: list[Chunk]
    truncated: bool = False
    seconds: float = 0.0

    @property
    def text(self) -> str:
        return self.document.text

    @property
    def sentences(self) -> tuple[str, ...]:
        return self.document.sentences


class Summarizer:
    """Headline, abstract and bullets for Vietnamese documents.

    Example:
        >>> s = Summarizer.from_pretrained("lead")
        >>> s.summarize("Hà Nội mưa lớn. Nhiều tuyến phố ngập.").headline
        'Hà Nội mưa lớn'
    """

    def __init__(
        self,
        spec: ModelSpec,
        generator: Generator | None = None,
        *,
        selector: ExtractiveModel | None = None,
        batch_size: int = 8,
    ):
        if spec.kind == "seq2seq" and generator is None:
            raise ValueError("a seq2seq model needs a generator; use Summarizer.from_pretrained")
        if (spec.extractive.get("method") == "learned" or spec.rewrite) and selector is None:
            raise ValueError("this model needs its extractive selector; use Summarizer.from_pretrained")
        self.spec = spec
        self.generator = generator
        self.selector = selector
        self.batch_size = batch_size

    @classmethod
    def from_pretrained(
        cls,
        name_or_path: str | None = None,
        *,
        device: str = "auto",
        dtype: str = "auto",
        backend: str | None = None,
        compute_type: str = "auto",
        threads: int = 0,
        batch_size: int = 8,
    ) -> Summarizer:
        """Load a registry model, a local folder or a hub id (None: the default model).

        Raises:
            ModelNotFoundError: the name is unknown (the message lists known names).
            ModelLoadError: the weights cannot be loaded (the message says how to get them).
        """
        spec = resolve_model(name_or_path)
        generator = None
        selector = None
        if spec.kind == "seq2seq":
            generator = load_generator(
                spec,
                device=device,
                dtype=dtype,
                backend=backend,
                compute_type=compute_type,
                threads=threads,
            )
        if spec.extractive.get("method") == "learned" or spec.rewrite:
            from summarizer.ext_model import ExtractiveModel

            source = resolve_model(spec.rewrite["selector"]).source if spec.rewrite else spec.source
            selector = ExtractiveModel.load(source)
        return cls(spec, generator, selector=selector, batch_size=batch_size)

    # -- public API ---------------------------------------------------------------------

    def prepare(self, text: str, *, title: str | None = None) -> Document:
        """Validate and clean one document (see `summarizer.document.prepare_document`).

        Raises:
            InvalidInputError: not a string, NUL bytes, or nothing left after cleaning.
        """
        return prepare_document(text, title=title)

    def summarize(
        self,
        text: str | Document,
        *,
        title: str | None = None,
        max_bullets: int | None = None,
        generation: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Summary:
        """Summarize one document. See `summarize_many` for the arguments.

        Args:
            text: the document, or a `Document` from `prepare`.
            title: the document's title, if the caller has it apart from the text: it becomes
                the headline and guides the choice of abstract and bullets.
        """
        titles = None if title is None else [title]
        return self.summarize_many([text], titles=titles, max_bullets=max_bullets, generation=generation)[0]

    def summarize_many(
        self,
        texts: Sequence[str | Document],
        *,
        titles: Sequence[str | None] | None = None,
        max_bullets: int | None = None,
        max_chunks: int | None = None,
        batch_size: int | None = None,
        generation: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> list[Summary]:
        """Summarize several documents; model calls are batched across them.

        Args:
            texts: documents (plain text or HTML remnants; any Unicode form), or `Document`s
                from `prepare`.
            titles: the title of each text (None where it has none); a text's title-like
                first line is read as its title otherwise.
            max_bullets: at most this many bullets (default 5).
            max_chunks: at most this many model-sized chunks per document (default 32);
                beyond it the rest is not read and `info.truncated` is set.
            batch_size: documents/chunks per model call (default: the summarizer's).
            generation: per-task overrides of the registry's decoding settings, e.g.
                ``{"summary": {"num_beams": 4}}``; tasks are "headline" and "summary".

        Returns:
            One `Summary` per input, in input order.

        Raises:
            InvalidInputError: a document is not a string or is empty (its index is named).
        """
        defaults = SummarizeOptions()
        options = SummarizeOptions(
            max_bullets=defaults.max_bullets if max_bullets is None else max_bullets,
            max_chunks=defaults.max_chunks if max_chunks is None else max_chunks,
        )
        if titles is not None and len(titles) != len(texts):
            raise InvalidInputError(f"{len(texts)} texts but {len(titles)} titles")
        task_options = self._task_options(generation or {})
        started = time.perf_counter()
        docs = [
            self._prepare(i if len(texts) > 1 else None, t, None if titles is None else titles[i], options)
            for i, t in enumerate(texts)
        ]
        if self.spec.kind == "extractive":
            return self._extractive_summaries(docs, options)
        if self.spec.rewrite:
            return self._rewritten_summaries(docs, options, task_options, batch_size or self.batch_size)
        generated, seconds = self._generate(docs, task_options, batch_size or self.batch_size)
        total = time.perf_counter() - started
        return [
            self._abstractive_summary(doc, generated[i], options, task_options, seconds, total)
            for i, doc in enumerate(docs)
        ]

    # -- stages ---------------------------------------------------------------------------

    def _task_options(self, overrides: Mapping[str, Mapping[str, Any]]) -> dict[str, GenerationOptions]:
        unknown = set(overrides) - {"headline", "summary"}
        if unknown:
            raise InvalidInputError(f"unknown generation task(s) {sorted(unknown)}; use headline, summary")
        return {
            task: self.spec.options_for(task).updated(**overrides.get(task, {})) for task in ("headline", "summary")
        }

    @functools.cached_property
    def _chunk_budget(self) -> int:
        """Input tokens left for document text: the limit minus the longest prefix and </s>."""
        assert self.generator is not None
        prefixes = [p for p in self.spec.prefixes.values() if p]
        longest = max(self.generator.count_tokens(prefixes), default=0)
        return self.spec.max_input_tokens - longest - 1

    def _prepare(self, index: int | None, text: str | Document, title: str | None, options: SummarizeOptions) -> _Doc:
        started = time.perf_counter()
        try:
            document = text if isinstance(text, Document) else prepare_document(text, title=title)
        except InvalidInputError as exc:
            if index is None:
                raise
            raise InvalidInputError(f"document {index}: {exc}") from exc
        chunks: list[Chunk] = []
        truncated = False
        if self.generator is not None and not self.spec.rewrite:  # a rewriter reads sentences
            chunks = chunk_sentences(
                document.sentences, max_tokens=self._chunk_budget, count_tokens=self.generator.count_tokens
            )
            if len(chunks) > options.max_chunks:
                chunks, truncated = chunks[: options.max_chunks], True
        return _Doc(document, chunks, truncated, time.perf_counter() - started)

    def _generate(
        self, docs: list[_Doc], task_options: dict[str, GenerationOptions], batch_size: int
    ) -> tuple[list[dict[str, Any]], dict[str, float]]:
        """Run the model: a summary of every chunk, a headline of every first chunk."""
        assert self.generator is not None
        out: list[dict[str, Any]] = [{"summary": [], "headline": [], "tokens": 0} for _ in docs]
        seconds: dict[str, float] = {}
        tasks = ["summary"] + (["headline"] if self.spec.has_headline_task else [])
        for task in tasks:
            prefix = self.spec.prefixes.get(task, "")
            owners = [
                (d, c)
                for d, doc in enumerate(docs)
                for c, _ in enumerate(doc.chunks if task == "summary" else doc.chunks[:1])
            ]
            inputs = [prefix + self._task_input(docs[d], c, task_options[task]) for d, c in owners]
            started = time.perf_counter()
            results = self.generator.generate(
                inputs,
                task_options[task],
                max_input_tokens=self.spec.max_input_tokens,
                batch_size=batch_size,
            )
            seconds[f"generate_{task}"] = time.perf_counter() - started
            for (d, _), result in zip(owners, results, strict=True):
                out[d][task].append(clean_generated(result.text))
                out[d]["tokens"] += result.n_tokens
        return out, seconds

    def _task_input(self, doc: _Doc, index: int, options: GenerationOptions) -> str:
        """Chunk `index` of `doc`, cut to its leading whole sentences if the task reads fewer tokens."""
        assert self.generator is not None
        chunk = doc.chunks[index]
        if not options.max_source_tokens or chunk.n_tokens <= options.max_source_tokens:
            return chunk.text
        sentences = [chunk.text] if chunk.split else doc.sentences[chunk.first : chunk.last + 1]
        lead = chunk_sentences(
            sentences, max_tokens=options.max_source_tokens, count_tokens=self.generator.count_tokens
        )
        return lead[0].text

    def _info(
        self,
        doc: _Doc,
        options: dict[str, Any],
        timings: dict[str, float],
        warnings: list[str],
        generated_tokens: int = 0,
    ) -> SummaryInfo:
        generator = self.generator
        return SummaryInfo(
            model=self.spec.name,
            revision=self.spec.revision,
            kind=self.spec.kind,
            backend=generator.backend if generator else "extractive",
            device=generator.device if generator else "cpu",
            options=options,
            chunks=len(doc.chunks) or 1,
            truncated=doc.truncated,
            trailer_lines_removed=doc.document.trailer_lines,
            input_chars=len(doc.text),
            generated_tokens=generated_tokens,
            timings={k: round(v, 4) for k, v in timings.items()},
            warnings=tuple(warnings),
        )

    def _extractive_summaries(self, docs: list[_Doc], options: SummarizeOptions) -> list[Summary]:
        started = time.perf_counter()
        settings = self.spec.extractive
        if self.selector is not None:
            selections = self.selector.select([d.document for d in docs], max_bullets=options.max_bullets)
        else:
            method, k = settings.get("method", "lead"), int(settings.get("sentences", 3))
            selections = [extractive.select(method, d.document, k) for d in docs]
        select_seconds = (time.perf_counter() - started) / max(len(docs), 1)
        return [self._extractive_summary(d, s, options, select_seconds) for d, s in zip(docs, selections, strict=True)]

    def _extractive_summary(
        self, doc: _Doc, selection: Selection, options: SummarizeOptions, select_seconds: float
    ) -> Summary:
        rules = tuple(self.spec.extractive.get("compression", RULES))
        document = doc.document
        headline = extracted_headline(document, selection.headline, style=self.spec.extractive.get("headline", "short"))
        abstract = [extracted(document, i, rules=rules) for i in selection.abstract]
        bullets = [extracted(document, i, rules=rules) for i in selection.bullets]
        abstract, bullets = apply_contract(headline, abstract, bullets)
        warnings = [EXTRACTIVE_NOTE]
        if len(bullets) > options.max_bullets:
            warnings.append(f"{len(bullets) - options.max_bullets} bullet(s) left out by max_bullets")
            bullets = bullets[: options.max_bullets]
        timings = {"preprocess": doc.seconds, "select": select_seconds}
        info = self._info(doc, {**options.as_dict(), **self.spec.extractive}, timings, warnings)
        return _summary(headline, abstract, bullets, info)

    def _rewritten_summaries(
        self,
        docs: list[_Doc],
        options: SummarizeOptions,
        task_options: dict[str, GenerationOptions],
        batch_size: int,
    ) -> list[Summary]:
        assert self.generator is not None and self.selector is not None
        started = time.perf_counter()
        documents = [d.document for d in docs]
        selections = self.selector.select(documents, max_bullets=options.max_bullets)
        rewritten = rewrite_documents(
            documents,
            selections,
            self.generator,
            prefixes=self.spec.prefixes,
            options=task_options,
            max_input_tokens=self.spec.max_input_tokens,
            batch_size=batch_size,
        )
        seconds = (time.perf_counter() - started) / max(len(docs), 1)
        used = {
            **options.as_dict(),
            "rewrite": dict(self.spec.rewrite),
            **{t: o.as_dict() for t, o in task_options.items()},
        }
        summaries = []
        for doc, lines in zip(docs, rewritten, strict=True):
            abstract, bullets = apply_contract(lines.headline, lines.abstract, lines.bullets)
            warnings = [f"{FALLBACK_NOTE}: {', '.join(lines.fallbacks)}"] if lines.fallbacks else []
            timings = {"preprocess": doc.seconds, "select_and_rewrite": seconds}
            info = self._info(doc, used, timings, warnings, lines.tokens)
            summaries.append(_summary(lines.headline, abstract, bullets[: options.max_bullets], info))
        return summaries

    def _abstractive_summary(
        self,
        doc: _Doc,
        generated: dict[str, Any],
        options: SummarizeOptions,
        task_options: dict[str, GenerationOptions],
        generate_seconds: dict[str, float],
        batch_seconds: float,
    ) -> Summary:
        warnings: list[str] = []
        source_keys = number_keys(doc.text)
        chunk_summaries = [as_sentence_list(s) for s in generated["summary"]]
        abstract_sentences = chunk_summaries[0] if chunk_summaries else []
        if doc.document.title:
            headline_line = extracted_headline(doc.document, None)
        else:
            headline = generated["headline"][0] if generated["headline"] else ""
            if not headline and abstract_sentences:
                headline = abstract_sentences[0]
            headline_line = aligned(doc.document, as_headline(headline))
        if len(chunk_summaries) > 1:
            candidates = [sents[0] for sents in chunk_summaries if sents]
        else:
            candidates = list(abstract_sentences)
        bullets: list[str] = []
        for bullet in dedupe(candidates):
            invented = unsupported(bullet, source_keys, doc.text)
            if invented and options.faithfulness == "drop":
                warnings.append(f"bullet dropped: not in the source: {', '.join(invented)}")
                continue
            if invented:
                warnings.append(f"bullet has what is not in the source: {', '.join(invented)}")
            bullets.append(bullet)
        abstract_lines = [aligned(doc.document, s) for s in abstract_sentences]
        bullet_lines = [aligned(doc.document, b) for b in bullets]
        abstract_lines, bullet_lines = apply_contract(headline_line, abstract_lines, bullet_lines)
        if len(bullet_lines) > options.max_bullets:
            warnings.append(f"{len(bullet_lines) - options.max_bullets} bullet(s) left out by max_bullets")
            bullet_lines = bullet_lines[: options.max_bullets]
        abstract = " ".join(line.text for line in abstract_lines)
        for name, value in (("headline", headline_line.text), ("abstract", abstract)):
            invented = unsupported(value, source_keys, doc.text)
            if invented:
                warnings.append(f"{name} has what is not in the source: {', '.join(invented)}")
        if doc.truncated:
            warnings.append(f"document longer than {options.max_chunks} chunks: the rest was not summarized")
        if len(doc.chunks) > 1:
            warnings.append("headline and abstract are written from the first chunk; bullets cover all chunks")
        used = {**options.as_dict(), **{t: o.as_dict() for t, o in task_options.items()}}
        timings = {"preprocess": doc.seconds, **generate_seconds, "batch_total": batch_seconds}
        info = self._info(doc, used, timings, warnings, generated["tokens"])
        return _summary(headline_line, abstract_lines, bullet_lines, info)


def _summary(headline: Line, abstract: list[Line], bullets: list[Line], info: SummaryInfo) -> Summary:
    evidence = (
        headline.evidence("headline", 0),
        *(line.evidence("abstract", i) for i, line in enumerate(abstract)),
        *(line.evidence("bullet", i) for i, line in enumerate(bullets)),
    )
    return Summary(
        headline=headline.text,
        abstract=" ".join(line.text for line in abstract),
        bullets=tuple(line.text for line in bullets),
        info=info,
        evidence=evidence,
    )


def as_sentence_list(generated: str) -> list[str]:
    """Generated text as a list of complete sentences."""
    return [as_sentence(s) for s in split_sentences(generated) if s.strip(" .")]
