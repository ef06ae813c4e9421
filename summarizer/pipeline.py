"""`Summarizer`: text → normalize → split → chunk → select or generate → post-process → `Summary`.

This module composes the stages; text rules live in document/segment/compose/postprocess/
faithfulness, the seq2seq path in abstractive, the rewrite path in rewrite, model code in
generation, model defaults in the registry, every option in options.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from summarizer import abstractive, extractive
from summarizer.abstractive import ChunkedDocument
from summarizer.compose import Lines
from summarizer.document import Document, prepare_document
from summarizer.errors import ConfigurationError, GenerationError, InvalidInputError, SummarizerError
from summarizer.generation import Generator, describe, load_generator
from summarizer.options import GenerationOptions, LoadOptions, SummarizeOptions
from summarizer.registry import ModelSpec, resolve_model
from summarizer.rewrite import rewrite_documents
from summarizer.types import Summary, SummaryInfo

if TYPE_CHECKING:
    from summarizer.ext_model import ExtractiveModel

logger = logging.getLogger(__name__)

Outcome = Summary | SummarizerError
"""What `summarize_each` gives for one document: its summary, or why it has none."""


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
        load: LoadOptions | None = None,
    ):
        if spec.kind == "seq2seq" and generator is None:
            raise ValueError("a seq2seq model needs a generator; use Summarizer.from_pretrained")
        if spec.needs_selector and selector is None:
            raise ValueError("this model needs its extractive selector; use Summarizer.from_pretrained")
        self.spec = spec
        self.generator = generator
        self.selector = selector
        self.load_options = load or LoadOptions()
        self.info = describe(spec, generator)

    @classmethod
    def from_pretrained(
        cls, name_or_path: str | None = None, load: LoadOptions | None = None, **overrides: Any
    ) -> Summarizer:
        """Load a registry model, a local folder or a hub id (None: the default model).

        Args:
            name_or_path: what to load.
            load: how and where (`LoadOptions`); keyword `overrides` replace its fields,
                e.g. ``from_pretrained("compact-vi", device="cpu", threads=2)``.

        Raises:
            ModelNotFoundError: the name is unknown (the message lists known names).
            ModelLoadError: the weights cannot be loaded (the message says how to get them).
            ConfigurationError: an option is not valid.
        """
        options = (load or LoadOptions()).updated(**overrides)
        spec = resolve_model(name_or_path)
        generator = None
        selector = None
        if spec.kind == "seq2seq":
            generator = load_generator(
                spec,
                device=options.device,
                dtype=options.dtype,
                backend=options.backend,
                compute_type=options.compute_type,
                threads=options.threads,
                batch_job=options.batch_job,
            )
        if spec.needs_selector:
            from summarizer.ext_model import ExtractiveModel

            source = resolve_model(spec.rewrite["selector"]).source if spec.rewrite else spec.source
            selector = ExtractiveModel.load(source)
        return cls(spec, generator, selector=selector, load=options)

    def warm_up(self) -> None:
        """Pay a long run's one-off costs now rather than during its first documents: ext-vi's
        scorers (its digest scorer too) switch to LightGBM's compiled predictor (importing
        LightGBM takes about a second), which a process otherwise does only after a few hundred
        documents. For batch jobs, the service and evaluations; one `summarize` in a fresh
        process is faster without. Outputs are the same either way."""
        if self.selector is None:
            return
        from summarizer import digest  # deferred, as in `digest`

        switched = self.selector.warm_up()
        scorer = digest.load_scorer(self._digest_selector[1])
        if scorer is not None:
            switched = scorer.booster.compile() and switched
        if not switched:
            logger.info("warm-up: LightGBM is not installed; ext-vi's scorers stay on numpy")

    @property
    def batch_size(self) -> int:
        """Documents or chunks per model call (from the load options)."""
        return self.load_options.batch_size

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
        options: SummarizeOptions | None = None,
        max_bullets: int | None = None,
        max_words: int | None = None,
        max_chunks: int | None = None,
        batch_size: int | None = None,
        generation: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Summary:
        """Summarize one document. See `summarize_each` for the arguments.

        Args:
            text: the document, or a `Document` from `prepare`.
            title: the document's title, if the caller has it apart from the text: it becomes
                the headline and guides the choice of abstract and bullets.
            max_bullets, max_words, max_chunks: shortcuts that replace these fields of `options`.

        Raises:
            InvalidInputError: the document cannot be summarized (empty, binary...).
            SummarizerError: the model failed on it.
        """
        titles = None if title is None else [title]
        options = (options or SummarizeOptions()).updated(
            max_bullets=max_bullets, max_words=max_words, max_chunks=max_chunks
        )
        return self.summarize_many(
            [text], titles=titles, options=options, batch_size=batch_size, generation=generation
        )[0]

    def summarize_many(
        self,
        texts: Sequence[str | Document],
        *,
        titles: Sequence[str | None] | None = None,
        options: SummarizeOptions | None = None,
        max_bullets: int | None = None,
        max_words: int | None = None,
        max_chunks: int | None = None,
        batch_size: int | None = None,
        generation: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> list[Summary]:
        """Summarize several documents, all or nothing: the first bad document raises.

        Use `summarize_each` to keep going past bad documents.

        Raises:
            InvalidInputError: a document is not a string or is empty (its index is named).
        """
        options = (options or SummarizeOptions()).updated(
            max_bullets=max_bullets, max_words=max_words, max_chunks=max_chunks
        )
        outcomes = self.summarize_each(
            texts, titles=titles, options=options, batch_size=batch_size, generation=generation
        )
        for index, outcome in enumerate(outcomes):
            if isinstance(outcome, SummarizerError):
                if len(texts) > 1:  # the same error, its message naming the document
                    outcome.args = (f"document {index}: {outcome}", *outcome.args[1:])
                raise outcome
        return outcomes  # type: ignore[return-value]  # no errors left

    def summarize_each(
        self,
        documents: Sequence[str | Document],
        *,
        titles: Sequence[str | None] | None = None,
        options: SummarizeOptions | None = None,
        batch_size: int | None = None,
        generation: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> list[Outcome]:
        """Summarize each document on its own terms: the one per-document entry point.

        Model calls are batched across documents. A document that cannot be summarized
        (invalid text, or the model failed on it) gets its `SummarizerError` in its place;
        when a batched model call fails, its documents are retried one by one so that only
        the failing one carries the error.

        Args:
            documents: plain text (any Unicode form, HTML remnants allowed) or `Document`s
                from `prepare`.
            titles: the title of each text (None where it has none); a text's title-like
                first line is read as its title otherwise.
            options: document-level options (`SummarizeOptions`: bullets, chunks,
                faithfulness policy).
            batch_size: documents/chunks per model call (default: the load options').
            generation: per-task overrides of the registry's decoding settings, e.g.
                ``{"summary": {"num_beams": 4}}``; tasks are "headline" and "summary".

        Returns:
            One `Summary` or `SummarizerError` per document, in input order.

        Raises:
            ConfigurationError: the call itself is wrong (unknown generation task or option,
                titles not matching the documents).
        """
        options = options or SummarizeOptions()
        if titles is not None and len(titles) != len(documents):
            raise ConfigurationError(f"{len(documents)} documents but {len(titles)} titles")
        task_options = self._task_options(generation or {})
        batch_size = batch_size or self.batch_size
        outcomes: list[Outcome | None] = [None] * len(documents)
        ready: list[tuple[int, ChunkedDocument]] = []
        for index, text in enumerate(documents):
            try:
                ready.append((index, self._chunked(text, None if titles is None else titles[index], options)))
            except SummarizerError as exc:
                outcomes[index] = exc
        for index, outcome in self._run_isolated(ready, options, task_options, batch_size):
            outcomes[index] = outcome
        assert all(o is not None for o in outcomes), "every document has an outcome"
        return outcomes  # type: ignore[return-value]

    def digest(
        self,
        documents: Sequence[str | Document],
        *,
        titles: Sequence[str | None] | None = None,
        ids: Sequence[str] | None = None,
        options: SummarizeOptions | None = None,
    ) -> Summary:
        """One summary of several articles on the same story (`summarizer.digest`).

        Headline, an abstract of about `options.digest_syllables` syllables and bullets, made
        by ext-vi's selector whatever model this is (a digest is extractive: other models use
        the registry's ext-vi). Every evidence source names its article: `SourceSpan.document`
        indexes the input, and `Summary.ids` holds the ids (the given ones, else "0", "1"...).
        A fact several articles tell is one line with all their spans; figures that disagree
        across articles are named in `info.warnings`.

        Raises:
            InvalidInputError: no documents, or one cannot be prepared (its index and id named).
            ConfigurationError: titles or ids not matching the documents, ids not unique.
        """
        from summarizer import digest

        started = time.perf_counter()
        options = options or SummarizeOptions()
        if isinstance(documents, str | Document) or not isinstance(documents, Sequence):
            raise InvalidInputError("documents must be a list of texts (or prepared Documents)")
        if not documents:
            raise InvalidInputError("a digest needs at least one document; none were given")
        for name, given in (("titles", titles), ("ids", ids)):
            if given is not None and len(given) != len(documents):
                raise ConfigurationError(f"{len(documents)} documents but {len(given)} {name}")
        names = [str(i) for i in range(len(documents))] if ids is None else [str(i) for i in ids]
        repeated = sorted({i for i in names if names.count(i) > 1})
        if repeated:
            raise ConfigurationError(f"ids must be unique; repeated: {', '.join(repeated[:5])}")
        docs = []
        for index, text in enumerate(documents):
            try:
                title = None if titles is None else titles[index]
                docs.append(text if isinstance(text, Document) else prepare_document(text, title=title))
            except SummarizerError as exc:
                raise type(exc)(f"document {index} (id {names[index]}): {exc}") from exc
        prepared = time.perf_counter()
        model, folder = self._digest_selector
        lines = digest.digest_lines(docs, names, model, digest.load_scorer(folder), options)
        out = Lines.of(lines.headline, lines.abstract, lines.bullets, lines.warnings)
        info = SummaryInfo(
            model=self.info.name,
            revision=self.info.revision,
            kind="extractive",
            backend="extractive",
            device="cpu",
            options={**options.as_dict(), "digest_selector": folder, "articles": len(docs)},
            chunks=1,
            input_chars=sum(len(d.text) for d in docs),
            timings={"preprocess": round(prepared - started, 4), "select": round(time.perf_counter() - prepared, 4)},
            warnings=tuple(out.warnings),
        )
        return replace(out.summary(info), ids=tuple(names))

    @functools.cached_property
    def _digest_selector(self) -> tuple[ExtractiveModel, str]:
        """ext-vi's selector and its folder: this model's own, else the registry's ext-vi."""
        from summarizer.ext_model import ExtractiveModel

        if self.selector is not None:
            spec = resolve_model(self.spec.rewrite["selector"]) if self.spec.rewrite else self.spec
            return self.selector, str(spec.source)
        spec = resolve_model("ext-vi")
        return ExtractiveModel.load(spec.source), str(spec.source)

    # -- stages ---------------------------------------------------------------------------

    def _run_isolated(
        self,
        ready: list[tuple[int, ChunkedDocument]],
        options: SummarizeOptions,
        task_options: dict[str, GenerationOptions],
        batch_size: int,
    ) -> list[tuple[int, Outcome]]:
        """Summaries of the prepared documents; a failed batch is retried one document at a time.

        Any error of the model on a document (its backend raises RuntimeError, ValueError...)
        becomes that document's `GenerationError`; tomtat's own errors are kept as they are.
        """
        if not ready:
            return []
        try:
            summaries = self._run([doc for _, doc in ready], options, task_options, batch_size)
            return [(index, summary) for (index, _), summary in zip(ready, summaries, strict=True)]
        except Exception as exc:
            if len(ready) == 1:
                logger.error("document %d failed: %s", ready[0][0], type(exc).__name__, exc_info=True)
                if isinstance(exc, SummarizerError):
                    return [(ready[0][0], exc)]
                error = GenerationError(f"the model failed on this document: {type(exc).__name__}: {exc}")
                error.__cause__ = exc
                return [(ready[0][0], error)]
        return [pair for item in ready for pair in self._run_isolated([item], options, task_options, batch_size)]

    def _run(
        self,
        docs: list[ChunkedDocument],
        options: SummarizeOptions,
        task_options: dict[str, GenerationOptions],
        batch_size: int,
    ) -> list[Summary]:
        """The path of this model (extractive, rewrite or seq2seq), then one `Summary` per document.

        Timings: the selection (and rewriting) per document; for the seq2seq path, the seconds
        of each generation task and of the whole call, for the batch (as before).
        """
        started = time.perf_counter()
        used: dict[str, Any] = options.as_dict()
        batch_timings: dict[str, float] = {}
        if self.spec.kind == "extractive":
            lines = self._extract(docs, options)
            used.update(self.spec.extractive)
            stage = "select"
        elif self.spec.rewrite:
            assert self.generator is not None and self.selector is not None
            documents = [d.document for d in docs]
            lines = rewrite_documents(
                documents,
                self.selector.select(documents, options),
                self.generator,
                prefixes=self.spec.prefixes,
                options=task_options,
                max_input_tokens=self.spec.max_input_tokens,
                batch_size=batch_size,
            )
            used.update({"rewrite": dict(self.spec.rewrite), **{t: o.as_dict() for t, o in task_options.items()}})
            stage = "select_and_rewrite"
        else:
            assert self.generator is not None
            generated, batch_timings = abstractive.generate(self.generator, self.spec, docs, task_options, batch_size)
            lines = [abstractive.compose_lines(d, g, options) for d, g in zip(docs, generated, strict=True)]
            used.update({t: o.as_dict() for t, o in task_options.items()})
            stage = "batch_total"
        elapsed = time.perf_counter() - started
        stage_timings = {**batch_timings, stage: elapsed if batch_timings else elapsed / len(docs)}
        return [
            doc_lines.at_most(options.max_bullets).summary(
                self._info(doc, used, {"preprocess": doc.seconds, **stage_timings}, doc_lines)
            )
            for doc, doc_lines in zip(docs, lines, strict=True)
        ]

    def _extract(self, docs: list[ChunkedDocument], options: SummarizeOptions) -> list[Lines]:
        documents = [d.document for d in docs]
        if self.selector is not None:
            selections = self.selector.select(documents, options)
        else:
            selections = [extractive.select_by_settings(self.spec.extractive, d) for d in documents]
        return [extractive.lines_of(self.spec.extractive, d, s) for d, s in zip(documents, selections, strict=True)]

    def _task_options(self, overrides: Mapping[str, Mapping[str, Any]]) -> dict[str, GenerationOptions]:
        unknown = set(overrides) - {"headline", "summary"}
        if unknown:
            raise ConfigurationError(f"unknown generation task(s) {sorted(unknown)}; use headline, summary")
        return {
            task: self.spec.options_for(task).updated(**overrides.get(task, {})) for task in ("headline", "summary")
        }

    @functools.cached_property
    def _chunk_budget(self) -> int:
        assert self.generator is not None
        return abstractive.chunk_budget(self.generator, self.spec)

    def _chunked(self, text: str | Document, title: str | None, options: SummarizeOptions) -> ChunkedDocument:
        """The document prepared and, for the whole-document seq2seq path, cut into chunks."""
        started = time.perf_counter()
        document = text if isinstance(text, Document) else prepare_document(text, title=title)
        doc = ChunkedDocument(document)
        if self.generator is not None and not self.spec.rewrite:  # a rewriter reads sentences
            abstractive.chunk(doc, self.generator, self._chunk_budget, options.max_chunks)
        doc.seconds = time.perf_counter() - started
        return doc

    def _info(
        self, doc: ChunkedDocument, options: dict[str, Any], timings: dict[str, float], lines: Lines
    ) -> SummaryInfo:
        return SummaryInfo(
            model=self.info.name,
            revision=self.info.revision,
            kind=self.spec.kind,
            backend=self.info.backend,
            device=self.info.device,
            options=options,
            chunks=len(doc.chunks) or 1,
            truncated=doc.truncated,
            trailer_lines_removed=doc.document.trailer_lines,
            input_chars=len(doc.document.text),
            generated_tokens=lines.tokens,
            timings={k: round(v, 4) for k, v in timings.items()},
            warnings=tuple(lines.warnings),
        )
