"""Resumable batch summarization of JSONL files (`tomtat batch`).

Guarantees, whatever happens to the process (SIGKILL included): every input line appears in
the output exactly once after the same command is run again, and no output line is partial.
How: each output line carries the input line number; on start the output is read back, a
partial last line (a write cut short) is cut off, and the lines already present are skipped.
Results are appended a batch at a time and flushed to disk before the next batch starts.
Bad records (not UTF-8, invalid JSON, nested too deeply, numbers too long, lone surrogates,
missing or empty text, non-string text or title, duplicate id, or a document the model fails
on) get an `error` line with their line number; they never stop the job. A damaged input file
(truncated or corrupt compression) stops it after every record before the damage is written.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from summarizer.batch_log import OutputLog
from summarizer.batching import sorted_batches
from summarizer.errors import InvalidInputError, SummarizerError
from summarizer.io import open_binary
from summarizer.jsonl import DAMAGE, read_jsonl
from summarizer.options import LoadOptions, SummarizeOptions
from summarizer.pipeline import Summarizer
from summarizer.types import Summary

logger = logging.getLogger(__name__)

EXIT_SOME_FAILED = 3
"""`tomtat batch` exit status when the run finished but some records got an error line."""


@dataclass(frozen=True)
class BatchConfig:
    """One batch run: files, fields, the model and how it is loaded, document options.

    Its `load` is always a batch job's (`LoadOptions.batch_job`: on a CPU with AMX a T5 model
    runs in PyTorch bfloat16 unless backend, dtype or compute type say otherwise), whatever
    `load` was given; each Ray actor decides on its own node's CPU."""

    input: str
    output: str
    model: str | None = None
    load: LoadOptions = field(default_factory=lambda: LoadOptions(batch_size=16))
    options: SummarizeOptions = field(default_factory=SummarizeOptions)
    text_field: str = "text"
    id_field: str = "id"
    max_tokens: int = 0  # > 0: cap a model call at this many padded input tokens as well
    window: int = 256  # records read ahead and sorted by length

    def __post_init__(self) -> None:
        if not self.load.batch_job:
            object.__setattr__(self, "load", self.load.updated(batch_job=True))

    @property
    def batch_size(self) -> int:
        return self.load.batch_size


@dataclass
class BatchStats:
    """What a run did. `skipped`: already in the output from an earlier run."""

    total: int = 0
    done: int = 0
    skipped: int = 0
    skipped_failed: int = 0  # of the skipped, error lines written by an earlier run
    failed: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    errors: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        rate = self.done / self.seconds if self.seconds else 0.0
        state = "interrupted" if self.interrupted else "finished"
        return (
            f"tomtat batch {state}: done {self.done}, skipped {self.skipped} (already present, "
            f"{self.skipped_failed} of them errors), failed {self.failed}, {self.seconds:.1f} s ({rate:.2f} docs/s)"
        )

    @property
    def any_failed(self) -> bool:
        """Whether the output holds error lines, from this run or an earlier one."""
        return bool(self.failed or self.skipped_failed)


@dataclass(frozen=True)
class InputRecord:
    line: int
    id: str
    text: str | None
    error: dict[str, str] | None = None
    title: str | None = None


def read_input(path: str, *, text_field: str = "text", id_field: str = "id") -> Iterator[InputRecord]:
    """Every non-blank input line as a record; bad ones carry an `error` (with the line number).

    The text itself is checked when it is summarized (`Summarizer.summarize_each`).

    Raises:
        InvalidInputError: the file is missing or damaged (after the records before the damage).
    """
    seen: set[str] = set()
    for parsed in read_jsonl(path):
        number, obj = parsed.number, parsed.value
        if parsed.error is not None:
            code = "invalid_json" if parsed.error.startswith("not valid JSON") else "invalid_record"
            yield InputRecord(number, f"line:{number}", None, _error(code, number, parsed.error))
            continue
        if not isinstance(obj, dict):
            yield InputRecord(number, f"line:{number}", None, _error("invalid_record", number, "not a JSON object"))
            continue
        rid = obj.get(id_field)
        rid = f"line:{number}" if rid is None or rid == "" else str(rid)
        if rid in seen:
            yield InputRecord(number, rid, None, _error("duplicate_id", number, f"duplicate id {rid!r}"))
            continue
        seen.add(rid)
        text, title = obj.get(text_field), obj.get("title") or None
        if text is None:
            yield InputRecord(number, rid, None, _error("invalid_text", number, f"missing field {text_field!r}"))
        elif not isinstance(text, str):
            message = f"{text_field!r} must be a string, not {type(text).__name__}"
            yield InputRecord(number, rid, None, _error("invalid_text", number, message))
        elif title is not None and not isinstance(title, str):
            message = f"title must be a string, not {type(title).__name__}"
            yield InputRecord(number, rid, None, _error("invalid_record", number, message))
        else:
            yield InputRecord(number, rid, text, title=title)


def _error(code: str, line: int, message: str) -> dict[str, str]:
    return {"code": code, "message": f"line {line}: {message}"}


def count_lines(path: str) -> int:
    """Non-blank lines of the input (for progress); counts up to any damage, which reading reports."""
    count = 0
    try:
        with open_binary(path) as fh:
            for line in fh:
                count += bool(line.strip())
    except DAMAGE:
        pass
    return count


def result_row(record: InputRecord, summary: Summary) -> dict[str, Any]:
    return {
        "id": record.id,
        "line": record.line,
        "headline": summary.headline,
        "abstract": summary.abstract,
        "bullets": list(summary.bullets),
        "evidence": summary.evidence_dicts(),
        "warnings": list(summary.info.warnings),
    }


def error_row(record: InputRecord) -> dict[str, Any]:
    return {"id": record.id, "line": record.line, "error": record.error}


def summarized(summarizer: Summarizer, records: list[InputRecord], cfg: BatchConfig) -> Iterator[list[dict[str, Any]]]:
    """Result or error rows of `records`, one list per model call of at most batch_size
    documents (and max_tokens padded tokens); a document that cannot be summarized gets an
    error row. Both engines summarize through this."""
    texts = [r.text or "" for r in records]
    if cfg.max_tokens and summarizer.generator is not None:
        lengths = summarizer.generator.count_tokens(texts)
    else:  # characters are enough to group similar lengths
        lengths = [len(t) for t in texts]
    for batch in sorted_batches(lengths, cfg.batch_size, cfg.max_tokens):
        group = sorted(batch)
        outcomes = summarizer.summarize_each(
            [records[i].text or "" for i in group],
            titles=[records[i].title for i in group],
            options=cfg.options,
            batch_size=len(group),
        )
        yield [_row(records[i], outcome) for i, outcome in zip(group, outcomes, strict=True)]


def _row(record: InputRecord, outcome: Summary | SummarizerError) -> dict[str, Any]:
    if isinstance(outcome, Summary):
        return result_row(record, outcome)
    code = "invalid_text" if isinstance(outcome, InvalidInputError) else "summarize_failed"
    return error_row(InputRecord(record.line, record.id, None, _error(code, record.line, str(outcome))))


class Progress:
    """A tqdm bar on a terminal; a log line every `every_s` seconds otherwise."""

    def __init__(self, total: int, initial: int, *, every_s: float = 10.0) -> None:
        self.total, self.count, self.every_s = total, initial, every_s
        self.started = self.last = time.perf_counter()
        self.new = 0
        self.bar = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=initial, unit="doc", dynamic_ncols=True)

    def update(self, n: int) -> None:
        self.count += n
        self.new += n
        if self.bar is not None:
            self.bar.update(n)
            return
        now = time.perf_counter()
        if now - self.last >= self.every_s:
            self.last = now
            rate = self.new / (now - self.started)
            eta = (self.total - self.count) / rate if rate else float("inf")
            logger.info("batch: %d/%d documents, %.2f docs/s, ETA %.0f s", self.count, self.total, rate, eta)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class BatchRun:
    """One run's output log, statistics and progress display, shared by both engines.

    Used as a context manager: Ctrl-C (or SIGTERM, which the CLI turns into it) ends the run
    cleanly, with everything written so far kept for the rerun.
    """

    def __init__(self, cfg: BatchConfig) -> None:
        self.cfg = cfg
        self.stats = BatchStats(total=count_lines(cfg.input))
        self.out = OutputLog(cfg.output, cfg.input)
        self.stats.skipped = len(self.out.done_lines)
        self.stats.skipped_failed = self.out.failed_lines
        self.progress = Progress(self.stats.total, self.stats.skipped)
        self.started = time.perf_counter()
        self.damage: InvalidInputError | None = None

    def pending(self) -> Iterator[InputRecord]:
        """Input records not yet in the output (bad ones included, with their error).

        Stops at damage in the input file; `finish()` then raises it.
        """
        try:
            for record in read_input(self.cfg.input, text_field=self.cfg.text_field, id_field=self.cfg.id_field):
                if record.line not in self.out.done_lines:
                    yield record
        except InvalidInputError as exc:
            self.damage = exc

    def finish(self) -> BatchStats:
        """The run's statistics, or the input's damage (after everything before it was written).

        Raises:
            InvalidInputError: the input file is damaged.
        """
        if self.damage is not None:
            raise self.damage
        return self.stats

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        self.out.append(rows)
        for row in rows:
            _count(self.stats, row)
        self.progress.update(len(rows))

    def __enter__(self) -> BatchRun:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: Any) -> bool:
        self.stats.interrupted = kind is KeyboardInterrupt
        self.stats.seconds = time.perf_counter() - self.started
        self.progress.close()
        self.out.close()
        return self.stats.interrupted  # swallow Ctrl-C only


def log_model(summarizer: Summarizer) -> None:
    """Log what runs (model, backend, arithmetic, device): on a batch's CPU it may be PyTorch
    bfloat16 (`LoadOptions.batch_job`), so each process says which."""
    info = summarizer.info
    logger.info("model %s: %s, %s on %s", info.name, info.backend, info.compute_type, info.device)


def run_batch(summarizer: Summarizer, cfg: BatchConfig) -> BatchStats:
    """Summarize every record of cfg.input into cfg.output, resuming what an earlier run left.

    Raises:
        InvalidInputError: the input is damaged (raised after every record before the damage
            is written) or the output cannot be written.
    """
    window: list[InputRecord] = []
    log_model(summarizer)
    summarizer.warm_up()  # a batch is a long run: its one-off costs up front

    def flush() -> None:
        for rows in summarized(summarizer, window, cfg):
            run.write(rows)
        window.clear()

    with BatchRun(cfg) as run:
        for record in run.pending():
            if record.error is not None:
                run.write([error_row(record)])
                continue
            window.append(record)
            if len(window) >= cfg.window:
                flush()
        flush()
    return run.finish()


def _count(stats: BatchStats, row: dict[str, Any]) -> None:
    if "error" in row:
        stats.failed += 1
        code = row["error"]["code"]
        stats.errors[code] = stats.errors.get(code, 0) + 1
    else:
        stats.done += 1
