"""Reading files: JSON Lines, plain or compressed (.xz, .gz), and whole inputs up to a size limit."""

from __future__ import annotations

import gzip
import lzma
from collections.abc import Callable
from pathlib import Path
from typing import IO

from summarizer.errors import InputTooLongError

CHUNK_BYTES = 1 << 16


def open_text(path: str | Path, mode: str = "rt") -> IO[str]:
    """Open a UTF-8 text file, transparently (de)compressing .xz and .gz."""
    path = Path(path)
    if path.suffix == ".xz":
        return lzma.open(path, mode, encoding="utf-8")  # type: ignore[return-value]
    if path.suffix == ".gz":
        return gzip.open(path, mode, encoding="utf-8")  # type: ignore[return-value]
    return path.open(mode.replace("t", ""), encoding="utf-8")


def open_binary(path: str | Path) -> IO[bytes]:
    """Open a file for reading bytes, transparently decompressing .xz and .gz."""
    path = Path(path)
    if path.suffix == ".xz":
        return lzma.open(path, "rb")
    if path.suffix == ".gz":
        return gzip.open(path, "rb")
    return path.open("rb")


def read_limited(
    stream: IO[bytes],
    max_bytes: int,
    *,
    check: Callable[[bytes], None] | None = None,
    name: str = "the input",
    hint: str = "",
) -> bytes:
    """All of `stream`, read in chunks, refusing more than `max_bytes`.

    An endless or huge input (`/dev/zero`, a pipe that never ends) stops at the limit, and
    `check` sees each chunk as it arrives (the first one holds at least `CHUNK_BYTES` unless the
    input is shorter), so that it can refuse a binary input after its first chunk.

    Raises:
        InputTooLongError: the input is larger than `max_bytes` (`hint` says how to allow more).
        Whatever `check` raises.
    """
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise InputTooLongError(f"{name} is larger than {max_bytes:,} bytes{hint}")
        if check is not None:
            check(chunk)
        chunks.append(chunk)
    return b"".join(chunks)
