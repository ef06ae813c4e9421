"""Reading and writing JSON Lines files, plain or compressed (.xz, .gz)."""

from __future__ import annotations

import gzip
import lzma
from pathlib import Path
from typing import IO


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
