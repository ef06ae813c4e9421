"""The whole-document seq2seq path: chunks → generated text → headline, abstract, bullets.

`generate` runs the model over every chunk of a batch of documents (a summary of each chunk,
a headline of each first chunk); `compose_lines` turns one document's generated text into
lines with their evidence, applying the faithfulness policy to the bullets.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from summarizer.chunking import Chunk, chunk_sentences
from summarizer.compose import Lines, aligned, extracted_headline
from summarizer.document import Document
from summarizer.faithfulness import ALL_DROPPED, number_keys, select, unsupported
from summarizer.generation import Generator
from summarizer.options import GenerationOptions, SummarizeOptions
from summarizer.postprocess import as_headline, as_sentence_list, clean_generated, dedupe
from summarizer.registry import ModelSpec


@dataclass
class ChunkedDocument:
    """A prepared document with the model-sized chunks it is read in."""

    document: Document
    chunks: list[Chunk] = field(default_factory=list)
    truncated: bool = False
    seconds: float = 0.0


@dataclass
class GeneratedText:
    """What the model wrote for one document: one summary per chunk, maybe a headline."""

    summaries: list[str] = field(default_factory=list)
    headline: str = ""
    tokens: int = 0


def chunk_budget(generator: Generator, spec: ModelSpec) -> int:
    """Input tokens left for document text: the limit minus the longest prefix and </s>."""
    prefixes = [p for p in spec.prefixes.values() if p]
    return spec.max_input_tokens - max(generator.count_tokens(prefixes), default=0) - 1


def chunk(doc: ChunkedDocument, generator: Generator, budget: int, max_chunks: int) -> None:
    """Cut `doc` into chunks of at most `budget` tokens; beyond `max_chunks` mark it truncated."""
    doc.chunks = chunk_sentences(doc.document.sentences, max_tokens=budget, count_tokens=generator.count_tokens)
    if len(doc.chunks) > max_chunks:
        doc.chunks, doc.truncated = doc.chunks[:max_chunks], True


def generate(
    generator: Generator,
    spec: ModelSpec,
    docs: Sequence[ChunkedDocument],
    task_options: dict[str, GenerationOptions],
    batch_size: int,
) -> tuple[list[GeneratedText], dict[str, float]]:
    """A summary of every chunk and (if the model has the task) a headline of every first chunk.

    Returns the generated text per document and the seconds spent per task.
    """
    out = [GeneratedText() for _ in docs]
    seconds: dict[str, float] = {}
    tasks = ["summary"] + (["headline"] if spec.has_headline_task else [])
    for task in tasks:
        prefix = spec.prefixes.get(task, "")
        owners = [(d, c) for d, doc in enumerate(docs) for c in range(len(doc.chunks) if task == "summary" else 1)]
        inputs = [prefix + task_input(generator, docs[d], c, task_options[task]) for d, c in owners]
        started = time.perf_counter()
        results = generator.generate(
            inputs, task_options[task], max_input_tokens=spec.max_input_tokens, batch_size=batch_size
        )
        seconds[f"generate_{task}"] = time.perf_counter() - started
        for (d, _), result in zip(owners, results, strict=True):
            text = clean_generated(result.text, prefixes=spec.prefixes.values())
            if task == "summary":
                out[d].summaries.append(text)
            else:
                out[d].headline = text
            out[d].tokens += result.n_tokens
    return out, seconds


def task_input(generator: Generator, doc: ChunkedDocument, index: int, options: GenerationOptions) -> str:
    """Chunk `index` of `doc`, cut to its leading whole sentences if the task reads fewer tokens."""
    chunk = doc.chunks[index]
    if not options.max_source_tokens or chunk.n_tokens <= options.max_source_tokens:
        return chunk.text
    sentences = [chunk.text] if chunk.split else doc.document.sentences[chunk.first : chunk.last + 1]
    lead = chunk_sentences(sentences, max_tokens=options.max_source_tokens, count_tokens=generator.count_tokens)
    return lead[0].text


def compose_lines(doc: ChunkedDocument, generated: GeneratedText, options: SummarizeOptions) -> Lines:
    """Headline, abstract and bullets of one document from what the model wrote.

    The headline is the given title, else the generated headline (else the first abstract
    sentence); the abstract is the first chunk's summary; bullets are the summary sentences
    (one per chunk for long documents), de-duplicated and checked against the source.
    """
    document = doc.document
    source_keys = number_keys(document.text)
    chunk_summaries = [as_sentence_list(s) for s in generated.summaries]
    abstract_sentences = chunk_summaries[0] if chunk_summaries else []
    if document.title:
        headline = extracted_headline(document, None)
    else:
        text = generated.headline or (abstract_sentences[0] if abstract_sentences else "")
        headline = aligned(document, as_headline(text))
    if len(chunk_summaries) > 1:
        candidates = [sentences[0] for sentences in chunk_summaries if sentences]
    else:
        candidates = list(abstract_sentences)
    candidates = dedupe(candidates)
    kept, warnings = select(candidates, source_keys, document.text, policy=options.faithfulness)
    lines = Lines.of(
        headline,
        [aligned(document, s) for s in abstract_sentences],
        [aligned(document, b) for b in kept],
        warnings,
        generated.tokens,
    )
    if not lines.bullets and len(kept) < len(candidates):
        warnings.append(ALL_DROPPED)
    for name, value in (("headline", headline.text), ("abstract", " ".join(line.text for line in lines.abstract))):
        invented = unsupported(value, source_keys, document.text)
        if invented:
            warnings.append(f"{name} has what is not in the source: {', '.join(invented)}")
    if doc.truncated:
        warnings.append(f"document longer than {options.max_chunks} chunks: the rest was not summarized")
    if len(doc.chunks) > 1:
        warnings.append("headline and abstract are written from the first chunk; bullets cover all chunks")
    return lines
