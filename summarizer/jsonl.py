"""JSON Lines: the one reader for files and uploaded bodies, tolerant line by line.

Every non-blank line becomes a `JsonLine` with its number and either its value or why it
has none: not UTF-8, not JSON, nested too deeply, a number too long for Python, or a string
with a lone surrogate (valid JSON, but not text that can be written back out). A bad line
never stops the reading; a damaged file (truncated or corrupt compression) stops it with an
`InvalidInputError` after every line before the damage.
"""

from __future__ import annotations

import json
import lzma
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.errors import InvalidInputError
from summarizer.io import open_binary

DAMAGE = (EOFError, lzma.LZMAError, zlib.error, OSError)
"""What reading a truncated or corrupt compressed file raises (after the lines before it)."""

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


@dataclass(frozen=True)
class JsonLine:
    """Line `number` (1-based) of a JSON Lines input: its `value`, or the `error` that explains why not."""

    number: int
    value: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def parse_line(raw: bytes | str, number: int) -> JsonLine | None:
    """One line parsed (None when blank). Never raises for bad content."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return JsonLine(number, error=f"not UTF-8 text (byte {exc.start}); convert the file to UTF-8")
    raw = raw.lstrip("\ufeff")
    if not raw.strip():
        return None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        return JsonLine(number, error=f"not valid JSON ({exc.msg} at column {exc.colno})")
    except RecursionError:
        return JsonLine(number, error="nested too deeply to read")
    except ValueError as exc:  # e.g. an integer past Python's digit limit
        return JsonLine(number, error=f"a value cannot be read ({str(exc).split(';')[0]})")
    if _SURROGATE_ESCAPE.search(raw) and not _encodable(value):
        return JsonLine(number, error="a string holds a lone surrogate (\\ud800-\\udfff): not valid Unicode text")
    return JsonLine(number, value)


def _encodable(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError):
        return False
    return True


def parse_lines(lines: Iterable[bytes | str]) -> Iterator[JsonLine]:
    """The non-blank lines of an in-memory JSON Lines text (e.g. an uploaded body)."""
    for number, raw in enumerate(lines, start=1):
        parsed = parse_line(raw, number)
        if parsed is not None:
            yield parsed


def read_jsonl(path: str | Path) -> Iterator[JsonLine]:
    """The non-blank lines of a .jsonl file (plain, .xz or .gz).

    Raises:
        InvalidInputError: the file is missing, a folder, or damaged (truncated or corrupt
            compression: raised after the lines that could be read).
    """
    path = Path(path)
    if path.is_dir():
        raise InvalidInputError(f"{path} is a folder; give a .jsonl file")
    number = 0
    try:
        with open_binary(path) as fh:
            for number, raw in enumerate(fh, start=1):
                parsed = parse_line(raw, number)
                if parsed is not None:
                    yield parsed
    except FileNotFoundError:
        raise InvalidInputError(f"no such file: {path}") from None
    except DAMAGE as exc:
        raise InvalidInputError(
            f"{path} is damaged after line {number} ({exc}); the lines before it were read"
        ) from None


def read_objects(path: str | Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a file the project wrote itself (strict: the first bad line raises).

    Raises:
        InvalidInputError: a line is not a JSON object (its number is named), or the file is
            missing or damaged.
    """
    for line in read_jsonl(path):
        if not isinstance(line.value, dict):
            raise InvalidInputError(f"{path}:{line.number}: not a JSON object ({line.error or 'another value'})")
        yield line.value
