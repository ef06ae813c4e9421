"""The output file of `tomtat batch`: what is done, repaired after a kill, appended to safely.

Each output line carries its input line number. On start the file is read back: a partial
last line (a write cut short by a kill) is cut off and the lines present are the done set.
Rows are appended a batch at a time and fsynced before the next batch starts. A meta file
beside it records which input the output belongs to (written atomically).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from summarizer.errors import InvalidInputError

logger = logging.getLogger("summarizer.batch")


def _input_identity(input_path: str) -> dict[str, Any]:
    """Path, size and a hash of the first MiB: enough to tell another input from this one."""
    try:
        size = Path(input_path).stat().st_size
        with Path(input_path).open("rb") as fh:
            head = hashlib.sha256(fh.read(1 << 20)).hexdigest()
    except OSError as exc:
        raise InvalidInputError(f"cannot read the input {input_path}: {exc.strerror or exc}") from None
    return {"input": str(Path(input_path).resolve()), "size": size, "head_sha256": head}


class OutputLog:
    """The output file: read back what is done, repair a cut-off last line, append batches."""

    def __init__(self, path: str, input_path: str) -> None:
        self.path = Path(path)
        self.failed_lines = 0  # error lines already in the output
        if self.path.suffix in (".xz", ".gz"):
            raise InvalidInputError("the output is appended to as the job runs: name a plain .jsonl file")
        if self.path.is_dir():
            raise InvalidInputError(f"--output {path} is a folder; name a .jsonl file")
        meta = _input_identity(input_path)
        try:
            self.done_lines = self._recover()
            self._check_meta(meta)
            self._fh: IO[str] = self.path.open("a", encoding="utf-8")
        except OSError as exc:
            raise InvalidInputError(f"cannot write --output {path}: {exc.strerror or exc}") from None

    def _check_meta(self, meta: dict[str, Any]) -> None:
        """Refuse an output made from another input; record this input (atomically) otherwise."""
        meta_path = self.path.with_name(self.path.name + ".meta.json")
        if self.path.exists() and meta_path.exists():
            try:
                old = json.loads(meta_path.read_text(encoding="utf-8"))
                same = (old["size"], old["head_sha256"]) == (meta["size"], meta["head_sha256"])
            except (ValueError, KeyError, TypeError):
                raise InvalidInputError(
                    f"{meta_path} is damaged; delete it if {self.path} was made from this input, "
                    "or choose another --output"
                ) from None
            if not same:
                raise InvalidInputError(
                    f"{self.path} holds results of another input ({old.get('input')}); choose another --output"
                )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = meta_path.with_name(f"{meta_path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(meta), encoding="utf-8")
        partial.replace(meta_path)  # a kill never leaves a half-written record

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
        self.failed_lines = 0
        for number, raw in enumerate(data[:end].splitlines(), start=1):
            if raw.strip():
                try:
                    row = json.loads(raw)
                    done.add(int(row["line"]))
                    self.failed_lines += "error" in row
                except (ValueError, KeyError, TypeError):
                    raise InvalidInputError(
                        f"{self.path} line {number} is not a result of tomtat batch; choose another --output"
                    ) from None
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
