"""The `tomtat` command line.

`summarize` and `models` live here; other packages add sub-commands through the
"tomtat.commands" entry-point group (evaluation: eval/compare/bench, models: train/export,
api: serve), so the library never imports them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from summarizer.errors import InputTooLongError, InvalidInputError, SummarizerError
from summarizer.formats.base import ExtractedDocument
from summarizer.generation.allocator import share_malloc_arena
from summarizer.options import (
    COMPUTE_TYPES,
    DEFAULT_BULLETS,
    DEFAULT_WORDS,
    MAX_BULLETS,
    MAX_WORDS,
    MIN_WORDS,
    WORDS_PER_EXTRA_BULLET,
    LoadOptions,
    SummarizeOptions,
)
from summarizer.registry import default_model_name, known_models

logger = logging.getLogger("tomtat")


DEFAULT_MAX_INPUT_MB = 50.0


def read_document_input(source: str, max_bytes: int = int(DEFAULT_MAX_INPUT_MB * 1e6)) -> ExtractedDocument:
    """Read a document from a path or "-" (stdin): text (UTF-8), .docx, .pdf or .html.

    The format is told from the content. The input is read in chunks and refused as soon as it
    shows to be binary (of no known format), invalid UTF-8 text, or larger than `max_bytes`, so an
    endless input (`/dev/zero`, `/dev/urandom`, a pipe) ends at once or at the limit.

    Raises:
        InvalidInputError: missing file, a folder, an unreadable or too large input, binary
            content, text that is not UTF-8, a damaged/encrypted/scanned file
            (`summarizer.formats`' errors).
    """
    from summarizer.formats import ReadLimits, StreamCheck, read_document
    from summarizer.io import read_limited

    name = "standard input" if source == "-" else source
    hint = f"; raise --max-input-mb (now {max_bytes / 1e6:g}) to read it"
    filename = None if source == "-" else source
    try:
        with contextlib.ExitStack() as stack:
            stream = sys.stdin.buffer if source == "-" else stack.enter_context(Path(source).open("rb"))
            size = os.fstat(stream.fileno()).st_size if source != "-" else 0
            if size > max_bytes:  # a regular file: refused before it is read
                raise InputTooLongError(f"{name} has {size:,} bytes; the limit is {max_bytes:,}{hint}")
            data = read_limited(stream, max_bytes, check=StreamCheck(filename, name=name), name=name, hint=hint)
    except FileNotFoundError:
        raise InvalidInputError(f"no such file: {source}") from None
    except IsADirectoryError:
        raise InvalidInputError(f"{source} is a folder; give a file (text, .docx, .pdf or .html)") from None
    except PermissionError:
        raise InvalidInputError(f"{source} cannot be read: permission denied") from None
    except OSError as exc:
        raise InvalidInputError(f"{name} cannot be read: {exc.strerror or exc}") from None
    return read_document(data, filename, limits=ReadLimits(), name=name)


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that choose and place a model (shared by every model-running command)."""
    parser.add_argument(
        "--model",
        default=None,
        help=f"registry name, folder or hub id (default: {default_model_name()})",
    )
    parser.add_argument("--device", default="auto", help="cpu, cuda or auto (default)")
    parser.add_argument(
        "--dtype",
        default="auto",
        help="auto (bf16 on GPU, fp32 on CPU; `tomtat batch` on a CPU with AMX: PyTorch bf16), float32 or bfloat16",
    )
    parser.add_argument("--backend", default=None, choices=["transformers", "ct2"], help="generation backend")
    parser.add_argument(
        "--compute-type",
        default="auto",
        choices=COMPUTE_TYPES,
        metavar="TYPE",
        help="CTranslate2 arithmetic: auto (default: float32 on CPU, the same outputs as PyTorch; `tomtat batch` on a "
        "CPU with AMX runs PyTorch bf16 instead, and float32 here keeps CTranslate2 float32) or int8 (faster, "
        "slightly different outputs: its measured cost is in the model card); also float32, int8_float32, ...",
    )
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (0: library default)")


def add_words_argument(parser: argparse.ArgumentParser) -> None:
    """`--max-words`: the word budget of headline + abstract + bullets (`SummarizeOptions.max_words`)."""
    parser.add_argument(
        "--max-words",
        type=int,
        default=None,
        help=f"at most this many words in headline + abstract + bullets ({MIN_WORDS}-{MAX_WORDS}; default "
        f"{DEFAULT_WORDS}, plus {WORDS_PER_EXTRA_BULLET} for each bullet asked beyond {DEFAULT_BULLETS})",
    )


def load_options(args: argparse.Namespace, **overrides: Any) -> LoadOptions:
    """The `LoadOptions` of the model arguments (see `add_model_arguments`)."""
    return LoadOptions.from_attributes(args, **overrides)


def load_summarizer(args: argparse.Namespace, **overrides: Any) -> Any:
    from summarizer.pipeline import Summarizer

    return Summarizer.from_pretrained(args.model, load_options(args, **overrides))


def generation_overrides(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    shared = {
        "num_beams": args.num_beams,
        "no_repeat_ngram_size": args.no_repeat_ngram_size,
        "length_penalty": args.length_penalty,
    }
    shared = {k: v for k, v in shared.items() if v is not None}
    summary = dict(shared)
    if args.max_new_tokens is not None:
        summary["max_new_tokens"] = args.max_new_tokens
    return {"headline": shared, "summary": summary}


def _format_text(summary: Any) -> str:
    from summarizer.faithfulness import ALL_DROPPED

    lines = [summary.headline, "", summary.abstract, ""]
    lines += [f"- {b}" for b in summary.bullets]
    if not summary.bullets and ALL_DROPPED in summary.info.warnings:
        lines.append(f"({ALL_DROPPED}: each named what the source does not contain; see the notes on stderr)")
    return "\n".join(lines).rstrip() + "\n"


def _cmd_summarize(args: argparse.Namespace) -> int:
    if args.max_input_mb <= 0:
        raise InvalidInputError(f"--max-input-mb must be positive, not {args.max_input_mb:g}")
    document = read_document_input(args.input, int(args.max_input_mb * 1e6))
    summarizer = load_summarizer(args)
    summary = summarizer.summarize(
        document.text,
        title=args.title or document.title,
        options=SummarizeOptions().updated(max_bullets=args.max_bullets, max_words=args.max_words),
        generation=generation_overrides(args),
    )
    if args.format == "text":
        # JSON output records the warnings in info.warnings; text output says them on stderr
        for warning in summary.info.warnings:
            print(f"tomtat: note: {warning}", file=sys.stderr)
    if args.format == "json":
        json.dump(summary.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(_format_text(summary))
    return 0


def _cmd_batch(args: argparse.Namespace) -> int:
    import signal

    from summarizer.batch import EXIT_SOME_FAILED, BatchConfig

    _check_batch_input(args.input)
    cfg = BatchConfig(
        input=args.input,
        output=args.output,
        model=args.model,
        load=load_options(args, batch_size=args.batch_size),  # a batch job's: BatchConfig
        options=SummarizeOptions(max_bullets=args.max_bullets, max_words=args.max_words),
        text_field=args.text_field,
        id_field=args.id_field,
        max_tokens=args.max_tokens,
    )
    logging.getLogger("summarizer.batch").setLevel(logging.INFO)
    # SIGTERM stops like Ctrl-C: what is written stays, the rerun resumes
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    if args.engine == "ray":
        from summarizer.batch_ray import run_batch_ray

        stats = run_batch_ray(
            cfg,
            concurrency=args.concurrency,
            num_gpus_per_worker=args.num_gpus_per_worker,
            address=args.ray_address,
        )
    else:
        from summarizer.batch import run_batch
        from summarizer.pipeline import Summarizer

        stats = run_batch(Summarizer.from_pretrained(cfg.model, cfg.load), cfg)
    print(stats.line(), file=sys.stderr)
    if stats.errors:
        print(f"tomtat batch: failed records by reason: {stats.errors}", file=sys.stderr)
    if stats.interrupted:
        return 130
    return EXIT_SOME_FAILED if stats.any_failed else 0


def _check_batch_input(source: str) -> None:
    """A batch input must be a regular file: it is read again to resume (a pipe or device cannot be).

    Raises:
        InvalidInputError: saying what the path is instead (missing, a folder, a device...).
    """
    path = Path(source)
    if path.is_file():
        return
    if not path.exists():
        raise InvalidInputError(f"no such file: {source}")
    if path.is_dir():
        raise InvalidInputError(f"{source} is a folder; give a JSONL file (plain, .xz or .gz)")
    raise InvalidInputError(
        f"{source} is not a regular file (a device, pipe or socket); give a JSONL file: "
        "batch reads its input again to resume"
    )


def _cmd_models(args: argparse.Namespace) -> int:
    models = known_models()
    if args.format == "json":
        json.dump([m.card() for m in models.values()], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    default = default_model_name()
    for name, spec in models.items():
        mark = "*" if name == default else " "
        where = spec.source or "(no weights)"
        preview = "  PREVIEW: not fit for use" if spec.preview else ""
        print(f"{mark} {name:<22} {spec.kind:<10} {where}{preview}")
        print(f"  {'':<22} {spec.description}")
        for compute_type, cost in spec.compute_types.items():  # measured: `--compute-type` in the README
            print(f"  {'':<22} --compute-type {compute_type}: {cost}")
    print(
        "\n* default. PREVIEW: an experiment, not fit for use. Any local model folder or hub id also works as --model."
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tomtat", description="Vietnamese summarization.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("summarize", help="headline, abstract and bullets of one document")
    p.add_argument(
        "input",
        help="the document: a UTF-8 text, .docx, .pdf or .html file (told by its content), or - for standard input",
    )
    p.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="text: headline, abstract, bullets (warnings on stderr); json: also evidence and info",
    )
    p.add_argument(
        "--title",
        default=None,
        help="the document's title, if it is not the text's first line (or the file's own title)",
    )
    p.add_argument(
        "--max-input-mb",
        type=float,
        default=DEFAULT_MAX_INPUT_MB,
        help=f"refuse an input larger than this many megabytes (default {DEFAULT_MAX_INPUT_MB:g})",
    )
    p.add_argument(
        "--max-bullets",
        type=int,
        default=None,
        help=f"at most this many bullets (1-{MAX_BULLETS}, default {DEFAULT_BULLETS})",
    )
    add_words_argument(p)
    p.add_argument("--num-beams", type=int, default=None, help="beam size for generating models (default: registry)")
    p.add_argument(
        "--length-penalty",
        type=float,
        default=None,
        help="beam length penalty for generating models (default: registry)",
    )
    p.add_argument("--no-repeat-ngram-size", type=int, default=None, help="generating models: block repeated n-grams")
    p.add_argument(
        "--max-new-tokens",
        type=int,
        default=None,
        help="generating models: longest abstract in tokens (default: registry)",
    )
    add_model_arguments(p)
    p.set_defaults(func=_cmd_summarize)

    p = sub.add_parser(
        "batch",
        help="summarize a JSONL file, resumably (rerun the same command to resume)",
        description="Summarize every line of a JSONL file into an output JSONL file; rerun the same command "
        "to resume. Exit status: 0 all summarized, 2 the input or output file cannot be used (records "
        "before damage in the input are kept), 3 some records have an error line in the output "
        "(from this run or an earlier one), 130 interrupted. On a CPU with AMX a T5 model runs in PyTorch "
        "bfloat16, the fastest batched path there (slightly different outputs; the log's `model` line says what "
        "ran); --compute-type float32 keeps CTranslate2 float32.",
    )
    p.add_argument("input", help="JSONL, optionally .xz/.gz, one document per line")
    p.add_argument("-o", "--output", required=True, help="output JSONL (appended to; resumed on rerun)")
    p.add_argument("--text-field", default="text", help="field holding the document (default: text)")
    p.add_argument("--id-field", default="id", help="field holding the document id (default: id; else line:N)")
    p.add_argument("--batch-size", type=int, default=16, help="documents per model call (default 16)")
    p.add_argument(
        "--max-tokens", type=int, default=0, help="also cap a model call at this many padded input tokens (0: off)"
    )
    p.add_argument(
        "--max-bullets",
        type=int,
        default=DEFAULT_BULLETS,
        help=f"at most this many bullets (1-{MAX_BULLETS}, default {DEFAULT_BULLETS})",
    )
    add_words_argument(p)
    p.add_argument("--engine", choices=["local", "ray"], default="local")
    p.add_argument("--concurrency", type=int, default=2, help="ray: model actors")
    p.add_argument("--num-gpus-per-worker", type=float, default=0, help="ray: GPUs per actor")
    p.add_argument("--ray-address", default=None, help="ray: cluster address (default: start a local instance)")
    add_model_arguments(p)
    p.set_defaults(func=_cmd_batch)

    p = sub.add_parser("models", help="list the model registry")
    p.add_argument("--format", choices=["text", "json"], default="text", help="text: a table; json: the model cards")
    p.set_defaults(func=_cmd_models)

    for ep in sorted(entry_points(group="tomtat.commands"), key=lambda e: e.name):
        try:
            register: Callable[[Any], None] = ep.load()
        except ImportError as exc:  # an optional part that is not installed
            logger.debug("command %s unavailable: %s", ep.name, exc)
            continue
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `tomtat` console script."""
    share_malloc_arena()  # before any thread exists (CTranslate2 int8 speed; see the module)
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args) or 0)
    except SummarizerError as exc:
        print(f"tomtat: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tomtat: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
