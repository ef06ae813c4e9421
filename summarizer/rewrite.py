"""Extract, then rewrite: the extractive model chooses, a seq2seq rewriter rewrites each line.

For one document and its `Selection` (from `ext-vi`):
- each abstract sentence and each bullet is the rewrite of its selected sentence ("tóm tắt: "
  + the sentence, compressed); a sentence that is in both is rewritten once;
- the headline is the title when there is one, else the rewrite of the headline sentence
  ("tiêu đề: " + the sentence);
- decoding may copy names and numbers only from the input (`copy_names_numbers`, see
  generation/faithful.py), and a rewrite that still names a person or a number absent from
  its sentence, or comes out empty, falls back to the extracted sentence. So the output is
  never less faithful than the extract, and each line's evidence is its extracted sentence.
"""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.compose import Line, Lines, extracted, extracted_headline
from summarizer.compress import compress
from summarizer.document import Document
from summarizer.faithfulness import number_keys, unsupported
from summarizer.generation import Generator
from summarizer.options import GenerationOptions
from summarizer.postprocess import as_headline, as_sentence, clean_generated
from summarizer.selection import Selection
from summarizer.types import SourceSpan

FALLBACK_NOTE = "rewrite fell back to the extracted sentence"


def _checked(doc: Document, index: int, text: str, *, headline: bool) -> Line | None:
    """The rewrite as a line with its evidence, or None if it must fall back."""
    sentence = doc.sentences[index]
    text = as_headline(text) if headline else as_sentence(text)
    if not text or unsupported(text, number_keys(sentence), sentence):
        return None
    span = doc.spans[index]
    return Line(text, "rewritten", (SourceSpan(span.start, span.end, index),))


def rewrite_documents(
    docs: Sequence[Document],
    selections: Sequence[Selection],
    generator: Generator,
    *,
    prefixes: dict[str, str],
    options: dict[str, GenerationOptions],
    max_input_tokens: int,
    batch_size: int,
) -> list[Lines]:
    """Rewrite the selected sentences of every document, one batched model call per task.

    Each document's lines name the parts that fell back in a warning.
    """
    jobs: dict[str, list[tuple[int, int]]] = {"summary": [], "headline": []}
    for d, (doc, selection) in enumerate(zip(docs, selections, strict=True)):
        for index in selection.sentences:
            jobs["summary"].append((d, index))
        if selection.headline is not None and not doc.title:
            jobs["headline"].append((d, selection.headline))
    outputs: dict[tuple[str, int, int], str] = {}
    tokens = [0] * len(docs)
    for task, owners in jobs.items():
        if not owners:
            continue
        inputs = [prefixes.get(task, "") + compress(docs[d].sentences[i]).text for d, i in owners]
        results = generator.generate(inputs, options[task], max_input_tokens=max_input_tokens, batch_size=batch_size)
        for (d, i), result in zip(owners, results, strict=True):
            outputs[(task, d, i)] = clean_generated(result.text, prefixes=prefixes.values())
            tokens[d] += result.n_tokens
    out = []
    for d, (doc, selection) in enumerate(zip(docs, selections, strict=True)):
        fallbacks: list[str] = []

        def line(index: int, *, part: str, doc: Document = doc, d: int = d, fallbacks: list[str] = fallbacks) -> Line:
            task = "headline" if part == "headline" else "summary"
            checked = _checked(doc, index, outputs[(task, d, index)], headline=part == "headline")
            if checked is not None:
                return checked
            fallbacks.append(part)
            return extracted_headline(doc, index) if part == "headline" else extracted(doc, index)

        if doc.title or selection.headline is None:
            headline = extracted_headline(doc, None)
        else:
            headline = line(selection.headline, part="headline")
        abstract = [line(i, part="abstract") for i in dict.fromkeys(e.sentence for e in selection.abstract)]
        in_abstract = {e.sentence for e in selection.abstract}  # a rewrite reads whole sentences
        bullets = [
            line(i, part="bullet") for i in dict.fromkeys(e.sentence for e in selection.bullets) if i not in in_abstract
        ]
        warnings = [f"{FALLBACK_NOTE}: {', '.join(fallbacks)}"] if fallbacks else []
        out.append(Lines.of(headline, abstract, bullets, warnings, tokens[d]))
    return out
