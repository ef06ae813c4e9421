"""`tomtat digest`: one digest of several articles, or a day's articles grouped into stories.

    tomtat digest a.txt b.docx c.html [--format text|json|markdown]
    tomtat digest --group articles.jsonl.xz -o digests.jsonl [--format jsonl|markdown]

Files are read like `tomtat summarize`'s input (text, .docx, .pdf, .html, size-bounded). The
`--group` input follows `tomtat batch`'s rules (plain, .xz or .gz JSONL; bad records become error
lines naming their line number, never a crash) and its exit statuses: 0 every record digested,
2 the input or output cannot be used, 3 the output holds error lines, 130 interrupted. The output
is written whole to a temporary file beside it and renamed over it at the end, so a rerun replaces
it (never duplicates a line) and a kill leaves the previous output, or none, never half of one.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from summarizer.errors import InvalidInputError, SummarizerError
from summarizer.options import DEFAULT_BULLETS, MAX_BULLETS, MAX_WORDS, MIN_WORDS, SummarizeOptions

logger = logging.getLogger("summarizer.digest")

EXIT_SOME_FAILED = 3  # as `tomtat batch`: the output holds error lines


def add_digest_command(sub: Any) -> None:
    """Register `tomtat digest` (entry point of the "tomtat.commands" group)."""
    from summarizer.cli import DEFAULT_MAX_INPUT_MB, add_model_arguments

    p = sub.add_parser(
        "digest",
        help="one digest of several articles on a story, or a JSONL file of articles grouped into stories",
        description="With files: one digest (headline, abstract, bullets; each line names its articles). "
        "With --group FILE.jsonl[.xz|.gz] -o OUT: the articles grouped into stories, one digest per story "
        "(one JSON line each, or a Markdown newsletter page). Exit status as tomtat batch: 0 all digested, "
        "2 the input or output cannot be used, 3 some records got an error line, 130 interrupted.",
    )
    p.add_argument("inputs", nargs="*", metavar="FILE", help="articles: UTF-8 text, .docx, .pdf or .html files")
    p.add_argument(
        "--group",
        metavar="JSONL",
        default=None,
        help="group the articles of this JSONL file (plain, .xz or .gz) into stories, one digest each",
    )
    p.add_argument("-o", "--output", default=None, help="--group: the output file (required there)")
    p.add_argument(
        "--format",
        choices=["text", "json", "markdown", "jsonl"],
        default=None,
        help="files: text (default), json or markdown; --group: jsonl (default) or markdown (a newsletter page)",
    )
    p.add_argument(
        "--title",
        action="append",
        default=None,
        help="an article's title, once per file in order (default: each file's own title or first line)",
    )
    p.add_argument(
        "--max-bullets",
        type=int,
        default=DEFAULT_BULLETS,
        help=f"at most this many bullets per digest (1-{MAX_BULLETS}, default {DEFAULT_BULLETS})",
    )
    p.add_argument(
        "--max-words",
        type=int,
        default=None,
        help=f"at most this many words per digest ({MIN_WORDS}-{MAX_WORDS}; default: the library's budget)",
    )
    p.add_argument("--text-field", default="text", help="--group: field holding the article (default: text)")
    p.add_argument("--id-field", default="id", help="--group: field holding the article id (default: id; else line:N)")
    p.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="--group: similarity above which two articles tell one story (default: the tuned one)",
    )
    p.add_argument(
        "--max-input-mb",
        type=float,
        default=DEFAULT_MAX_INPUT_MB,
        help=f"refuse an input file larger than this many megabytes (default {DEFAULT_MAX_INPUT_MB:g})",
    )
    add_model_arguments(p)
    p.set_defaults(func=run_digest_command)


def run_digest_command(args: argparse.Namespace) -> int:
    """`tomtat digest`: check the arguments, then digest the files or the grouped JSONL input.

    Raises:
        InvalidInputError: bad arguments or an input/output that cannot be used (exit 2).
    """
    options = SummarizeOptions(max_bullets=args.max_bullets, max_words=args.max_words)
    if args.group is not None:
        if args.inputs:
            raise InvalidInputError("give either article files or --group FILE.jsonl, not both")
        if args.output is None:
            raise InvalidInputError("--group needs -o/--output: the JSONL (or Markdown) file to write")
        if args.format in ("text", "json"):
            raise InvalidInputError(f"--group writes jsonl or markdown, not {args.format}")
        if args.title:
            raise InvalidInputError("--title is for article files; --group reads each record's 'title' field")
        if args.threshold is not None and not 0.0 <= args.threshold <= 1.0:
            raise InvalidInputError(f"--threshold is a similarity from 0 to 1, not {args.threshold:g}")
        return _run_group(args, options)
    if not args.inputs:
        raise InvalidInputError("give the article files to digest, or --group FILE.jsonl -o OUT.jsonl")
    if args.format == "jsonl":
        raise InvalidInputError("--format jsonl is for --group; a digest of files is text, json or markdown")
    if args.output is not None:
        raise InvalidInputError("-o/--output is for --group; a digest of files is written to standard output")
    return _run_files(args, options)


# -- a digest of files ---------------------------------------------------------------------


def _run_files(args: argparse.Namespace, options: SummarizeOptions) -> int:
    from summarizer.cli import load_summarizer, read_document_input

    if args.max_input_mb <= 0:
        raise InvalidInputError(f"--max-input-mb must be positive, not {args.max_input_mb:g}")
    titles = args.title or []
    if titles and len(titles) != len(args.inputs):
        raise InvalidInputError(
            f"{len(titles)} --title for {len(args.inputs)} files: give one --title per file, in order, or none"
        )
    if len(set(args.inputs)) != len(args.inputs):
        raise InvalidInputError("a file is given twice; give each article once")
    files = [read_document_input(source, int(args.max_input_mb * 1e6)) for source in args.inputs]
    summarizer = load_summarizer(args)
    documents = []
    for i, (source, file) in enumerate(zip(args.inputs, files, strict=True)):
        try:
            documents.append(summarizer.prepare(file.text, title=(titles[i] if titles else None) or file.title))
        except InvalidInputError as exc:
            raise type(exc)(f"{source}: {exc}") from None
    summary = summarizer.digest(documents, ids=list(args.inputs), options=options)
    story = Story(ids=list(args.inputs), titles=[d.title for d in documents])
    if args.format == "json":
        json.dump(summary.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    for warning in summary.info.warnings:  # json records them in info.warnings
        print(f"tomtat: note: {warning}", file=sys.stderr)
    if args.format == "markdown":
        sys.stdout.write(markdown_story(story_row(story, summary), level=1))
    else:
        sys.stdout.write(text_digest(story_row(story, summary)))
    return 0


# -- output rows and their renderings --------------------------------------------------------


@dataclass(frozen=True)
class Story:
    """The articles of one digest: their ids (and input line numbers, titles), in input order."""

    ids: list[str]
    lines: list[int] = field(default_factory=list)
    titles: list[str | None] = field(default_factory=list)


def story_row(story: Story, summary: Any) -> dict[str, Any]:
    """A digest as one output record: `ids` of its articles, the summary, its evidence (each
    source names its article by `document`, an index into `ids`, and by `id`) and warnings."""
    evidence = summary.evidence_dicts()
    for entry in evidence:
        for source in entry["sources"]:
            index = source.get("document")
            if isinstance(index, int) and 0 <= index < len(story.ids):
                source["id"] = story.ids[index]
    row: dict[str, Any] = {"ids": list(story.ids)}
    if story.lines:
        row["lines"] = list(story.lines)
    if story.titles:
        row["titles"] = list(story.titles)
    row.update(
        headline=summary.headline,
        abstract=summary.abstract,
        bullets=list(summary.bullets),
        evidence=evidence,
        warnings=list(summary.info.warnings),
    )
    return row


def _line_sources(row: dict[str, Any]) -> dict[tuple[str, int], list[int]]:
    """(part, index) -> the 1-based numbers of the articles each output line rests on."""
    found: dict[tuple[str, int], list[int]] = {}
    for entry in row.get("evidence", []):
        numbers = sorted({s["document"] + 1 for s in entry["sources"] if isinstance(s.get("document"), int)})
        found[(entry["part"], entry["index"])] = numbers
    return found


def _mark(numbers: list[int]) -> str:
    return f" [{', '.join(map(str, numbers))}]" if numbers else ""


def _abstract_lines(row: dict[str, Any], esc: Callable[[str], str] = str) -> list[str]:
    """The abstract's sentences, each marked with its articles (the abstract whole when it has no evidence)."""
    sources = _line_sources(row)
    sentences = [e for e in row.get("evidence", []) if e["part"] == "abstract"]
    if not sentences:
        return [esc(row["abstract"])] if row["abstract"] else []
    return [f"{esc(e['text'])}{_mark(sources.get(('abstract', e['index']), []))}" for e in sentences]


def _source_names(row: dict[str, Any], esc: Callable[[str], str] = str) -> list[str]:
    """Each article as "[n] title (id)", numbered as the lines' marks."""
    titles = row.get("titles") or [None] * len(row["ids"])
    pairs = enumerate(zip(row["ids"], titles, strict=True), start=1)
    return [f"[{n}] {esc(t)} ({esc(i)})" if t else f"[{n}] {esc(i)}" for n, (i, t) in pairs]


def text_digest(row: dict[str, Any]) -> str:
    """A digest as plain text: headline, abstract, bullets (each line with its articles' numbers), sources."""
    sources = _line_sources(row)
    lines = [row["headline"], "", " ".join(_abstract_lines(row)), ""]
    lines += [f"- {b}{_mark(sources.get(('bullet', i), []))}" for i, b in enumerate(row["bullets"])]
    lines += ["", "Nguồn:", *_source_names(row)]
    return "\n".join(line for i, line in enumerate(lines) if line or (i and lines[i - 1])).rstrip() + "\n"


def markdown_story(row: dict[str, Any], *, level: int = 2) -> str:
    """One story as Markdown: a heading, the abstract, bullets (each line marked with its articles), sources,
    and the digest's warnings as notes for the editor (figures that differ across articles...)."""
    sources = _line_sources(row)
    out = [f"{'#' * level} {_md(row['headline'])}", "", " ".join(_abstract_lines(row, _md)), ""]
    out += [f"- {_md(b)}{_mark(sources.get(('bullet', i), []))}" for i, b in enumerate(row["bullets"])]
    if row["bullets"]:
        out.append("")
    out += [f"*Nguồn ({len(row['ids'])} bài):* " + "; ".join(_source_names(row, _md)), ""]
    out += [f"> Lưu ý: {_md(warning)}\n" for warning in row.get("warnings", [])]  # for the editor to check
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    """Text safe inside Markdown: characters that would start markup are escaped."""
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in text.replace("\n", " "))


# -- --group: a JSONL file of articles, grouped into stories ----------------------------------


@dataclass
class GroupStats:
    """What a `--group` run did."""

    records: int = 0
    stories: int = 0
    failed: int = 0
    seconds: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        return (
            f"tomtat digest finished: {self.records} articles, {self.stories} stories, "
            f"{self.failed} error lines, {self.seconds:.1f} s"
        )


def _run_group(args: argparse.Namespace, options: SummarizeOptions) -> int:
    from summarizer.cli import _check_batch_input, load_summarizer

    _check_batch_input(args.group)
    output = Path(args.output)
    if output.is_dir():
        raise InvalidInputError(f"--output {output} is a folder; name a file")
    if output.suffix in (".xz", ".gz"):
        raise InvalidInputError("name a plain output file (.jsonl or .md), not a compressed one")
    # SIGTERM stops like Ctrl-C: the output is left as it was
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    started = time.perf_counter()
    summarizer = load_summarizer(args)
    rows, stats, damage = digest_jsonl(
        summarizer,
        args.group,
        options=options,
        text_field=args.text_field,
        id_field=args.id_field,
        threshold=args.threshold,
    )
    markdown = (args.format or "jsonl") == "markdown"
    with atomic_output(output) as fh:
        if markdown:
            fh.write(markdown_page(rows))
        else:
            fh.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    stats.seconds = time.perf_counter() - started
    if markdown:  # the page holds the stories only: bad records are told here
        for row in rows:
            if "error" in row:
                print(f"tomtat digest: {row['error']['message']}", file=sys.stderr)
    print(stats.line(), file=sys.stderr)
    if stats.errors:
        print(f"tomtat digest: error lines by reason: {stats.errors}", file=sys.stderr)
    if damage is not None:
        raise damage
    return EXIT_SOME_FAILED if stats.failed else 0


def digest_jsonl(
    summarizer: Any,
    path: str,
    *,
    options: SummarizeOptions,
    text_field: str = "text",
    id_field: str = "id",
    threshold: float | None = None,
) -> tuple[list[dict[str, Any]], GroupStats, InvalidInputError | None]:
    """Every record of a JSONL file as output rows: one per story, one per bad record.

    Records are read with `tomtat batch`'s rules (`summarizer.batch.read_input`). A text that
    cannot be prepared gets an error row; the rest are grouped into stories
    (`summarizer.grouping.group`) and digested one story at a time. Rows come in input order
    (a story at its first article's line). A damaged input stops the reading: the records
    before the damage are digested, and the damage is returned for the caller to report.
    """
    from summarizer.batch import read_input
    from summarizer.grouping import group

    stats = GroupStats()
    rows: list[tuple[int, dict[str, Any]]] = []
    articles: list[tuple[Any, Any]] = []  # (InputRecord, Document)
    damage: InvalidInputError | None = None
    try:
        for record in read_input(path, text_field=text_field, id_field=id_field):
            stats.records += 1
            if record.error is not None:
                rows.append((record.line, {"id": record.id, "line": record.line, "error": record.error}))
                continue
            try:
                articles.append((record, summarizer.prepare(record.text or "", title=record.title)))
            except InvalidInputError as exc:
                error = {"code": "invalid_text", "message": f"line {record.line}: {exc}"}
                rows.append((record.line, {"id": record.id, "line": record.line, "error": error}))
    except InvalidInputError as exc:
        damage = exc
    documents = [document for _, document in articles]
    for members in group(documents, threshold=threshold) if documents else []:
        records = [articles[i][0] for i in members]
        titles = [documents[i].title for i in members]  # given, or read from the text
        story = Story(ids=[r.id for r in records], lines=[r.line for r in records], titles=titles)
        try:
            summary = summarizer.digest([documents[i] for i in members], ids=story.ids, options=options)
        except SummarizerError as exc:
            code = "invalid_text" if isinstance(exc, InvalidInputError) else "digest_failed"
            row = {"ids": story.ids, "lines": story.lines, "error": {"code": code, "message": str(exc)}}
        else:
            row = story_row(story, summary)
            stats.stories += 1
        rows.append((story.lines[0], row))
    rows.sort(key=lambda item: item[0])
    for _, row in rows:
        if "error" in row:
            stats.failed += 1
            stats.errors[row["error"]["code"]] = stats.errors.get(row["error"]["code"], 0) + 1
    return [row for _, row in rows], stats, damage


def markdown_page(rows: Sequence[dict[str, Any]], *, title: str = "Bản tin") -> str:
    """The stories of a `--group` run as one newsletter-ready Markdown page (error rows left out)."""
    stories = [row for row in rows if "error" not in row]
    out = [f"# {title}", "", f"*{len(stories)} tin, tổng hợp từ {sum(len(r['ids']) for r in stories)} bài.*", ""]
    return "\n".join(out) + "\n" + "".join(markdown_story(row) for row in stories)


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[IO[str]]:
    """A text file written beside `path` and renamed over it when the block ends without error
    (fsynced first): a rerun replaces the output, a kill or an error leaves the old one.

    Raises:
        InvalidInputError: the output cannot be written (its folder, a full disk...).
    """
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with partial.open("w", encoding="utf-8") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, path)
    except OSError as exc:
        raise InvalidInputError(f"cannot write --output {path}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
