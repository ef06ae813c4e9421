"""Resumable batch summarization of JSONL files (`tomtat batch`).

Guarantees, whatever happens to the process (SIGKILL included): every input line appears in
the output exactly once after the same command is run again, and no output line is partial.
How: each output line carries the input line number; on start the output is read back, a
partial last line (a write cut short) is cut off, and the lines already present are skipped.
Results are appended a batch at a time and flushed to disk before the next batch starts.
Bad records (invalid JSON, missing or empty text, non-string text, duplicate id) get an
`error` line with their line number; they never stop the job.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from summarizer.document import prepare_document
from summarizer.errors import InvalidInputError, SummarizerError
from summarizer.io import open_text
from summarizer.pipeline import Summarizer
from summarizer.types import Summary

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchConfig:
    input: str
    output: str
    text_field: str = "text"
    id_field: str = "id"
    batch_size: int = 16
    max_tokens: int = 0  # > 0: cap a model call at this many input tokens instead of batch_size documents
    window: int = 256  # records read ahead and sorted by length
    max_bullets: int = 5


@dataclass
class BatchStats:
    """What a run did. `skipped`: already in the output from an earlier run."""

    total: int = 0
    done: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    errors: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        rate = self.done / self.seconds if self.seconds else 0.0
        state = "interrupted" if self.interrupted else "finished"
        return (
            f"tomtat batch {state}: done {self.done}, skipped {self.skipped} (already present), "
            f"failed {self.failed}, {self.seconds:.1f} s ({rate:.2f} docs/s)"
        )


@dataclass(frozen=True)
class InputRecord:
    line: int
    id: str
    text: str | None
    error: dict[str, str] | None = None
    title: str | None = None


def read_input(path: str, *, text_field: str = "text", id_field: str = "id") -> Iterator[InputRecord]:
    """Every non-blank input line as a record; bad ones carry an `error` (with the line number)."""
    seen: set[str] = set()
    with open_text(path) as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                yield InputRecord(
                    number, f"line:{number}", None, _error("invalid_json", number, f"not valid JSON ({exc.msg})")
                )
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
            text = obj.get(text_field)
            title = obj.get("title") or None
            try:
                if text is None:
                    raise InvalidInputError(f"missing field {text_field!r}")
                prepare_document(text, title=title)
            except InvalidInputError as exc:
                yield InputRecord(number, rid, None, _error("invalid_text", number, str(exc)))
                continue
            yield InputRecord(number, rid, text, title=title)


def _error(code: str, line: int, message: str) -> dict[str, str]:
    return {"code": code, "message": f"line {line}: {message}"}


def count_lines(path: str) -> int:
    with open_text(path) as fh:
        return sum(1 for line in fh if line.strip())


class OutputLog:
    """The output file: read back what is done, repair a cut-off last line, append batches."""

    def __init__(self, path: str, input_path: str) -> None:
        self.path = Path(path)
        if self.path.suffix in (".xz", ".gz"):
            raise InvalidInputError("the output is appended to as the job runs: name a plain .jsonl file")
        self._check_input(input_path)
        self.done_lines = self._recover()
        self._fh: IO[str] = self.path.open("a", encoding="utf-8")

    def _check_input(self, input_path: str) -> None:
        meta_path = self.path.with_name(self.path.name + ".meta.json")
        stat = Path(input_path).stat()
        with Path(input_path).open("rb") as fh:
            head = hashlib.sha256(fh.read(1 << 20)).hexdigest()
        meta = {"input": str(Path(input_path).resolve()), "size": stat.st_size, "head_sha256": head}
        if self.path.exists() and meta_path.exists():
            old = json.loads(meta_path.read_text(encoding="utf-8"))
            if (old["size"], old["head_sha256"]) != (meta["size"], meta["head_sha256"]):
                raise InvalidInputError(
                    f"{self.path} holds results of another input ({old['input']}); choose another --output"
                )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        meta_path.write_text(json.dumps(meta), encoding="utf-8")

    def _recover(self) -> set[int]:
        if not self.path.exists():
            return set()
        with self.path.open("rb+") as fh:
            data = fh.read()
            end = data.rfind(b"\n") + 1
            if end < len(data):  # a write cut short by a kill: drop the partial line
                logger.warning("%s: removing a partial last line (%d bytes)", self.path, len(data) - end)
                fh.truncate(end)
        done = set()
        for raw in data[:end].splitlines():
            if raw.strip():
                done.add(int(json.loads(raw)["line"]))
        return done

    def append(self, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        self._fh.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.done_lines.update(int(row["line"]) for row in rows)

    def close(self) -> None:
        self._fh.close()


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


def summarize_records(summarizer: Summarizer, records: list[InputRecord], max_bullets: int) -> list[dict[str, Any]]:
    """One model call for the batch; if it fails, one call per record so only the bad one fails."""
    try:
        summaries = summarizer.summarize_many(
            [r.text or "" for r in records],
            titles=[r.title for r in records],
            max_bullets=max_bullets,
            batch_size=len(records),
        )
        return [result_row(r, s) for r, s in zip(records, summaries, strict=True)]
    except SummarizerError:
        if len(records) == 1:
            raise
    rows = []
    for record in records:
        try:
            rows.append(summarize_records(summarizer, [record], max_bullets)[0])
        except SummarizerError as exc:
            rows.append(
                error_row(InputRecord(record.line, record.id, None, _error("summarize_failed", record.line, str(exc))))
            )
    return rows


def batches_of(
    records: list[InputRecord], cfg: BatchConfig, count: Callable[[list[str]], list[int]]
) -> Iterator[list[InputRecord]]:
    """Length-sorted batches of a window: at most batch_size documents or max_tokens tokens."""
    ordered = sorted(records, key=lambda r: len(r.text or ""))
    sizes = count([r.text or "" for r in ordered]) if cfg.max_tokens else [0] * len(ordered)
    batch: list[InputRecord] = []
    budget = 0
    for record, size in zip(ordered, sizes, strict=True):
        full = len(batch) >= cfg.batch_size if not cfg.max_tokens else batch and budget + size > cfg.max_tokens
        if full:
            yield batch
            batch, budget = [], 0
        batch.append(record)
        budget += size
    if batch:
        yield batch


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
        self.progress = Progress(self.stats.total, self.stats.skipped)
        self.started = time.perf_counter()

    def pending(self) -> Iterator[InputRecord]:
        """Input records not yet in the output (bad ones included, with their error)."""
        records = read_input(self.cfg.input, text_field=self.cfg.text_field, id_field=self.cfg.id_field)
        return (r for r in records if r.line not in self.out.done_lines)

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


def run_batch(summarizer: Summarizer, cfg: BatchConfig) -> BatchStats:
    """Summarize every record of cfg.input into cfg.output, resuming what an earlier run left."""
    count = summarizer.generator.count_tokens if summarizer.generator else (lambda ts: [len(t.split()) for t in ts])
    window: list[InputRecord] = []
    with BatchRun(cfg) as run:
        for record in run.pending():
            if record.error is not None:
                run.write([error_row(record)])
                continue
            window.append(record)
            if len(window) >= cfg.window:
                for batch in batches_of(window, cfg, count):
                    run.write(summarize_records(summarizer, batch, cfg.max_bullets))
                window.clear()
        for batch in batches_of(window, cfg, count):
            run.write(summarize_records(summarizer, batch, cfg.max_bullets))
    return run.stats


def _count(stats: BatchStats, row: dict[str, Any]) -> None:
    if "error" in row:
        stats.failed += 1
        code = row["error"]["code"]
        stats.errors[code] = stats.errors.get(code, 0) + 1
    else:
        stats.done += 1
