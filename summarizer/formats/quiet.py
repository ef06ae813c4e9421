"""Keeping the parsers' own warnings out of a user's terminal."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator


@contextlib.contextmanager
def parser_warnings_quiet(name: str) -> Iterator[None]:
    """Raise the logger `name` (pypdf, trafilatura) to ERROR for the duration.

    They log what they repair or skip in a file ("EOF marker not found", "discarding data") at
    WARNING: not news to a user, who gets one error line when the file cannot be read. With
    debug logging on (`tomtat -v` is INFO; DEBUG via logging) they are left as they are.
    """
    target = logging.getLogger(name)
    level = target.level
    if not logging.getLogger("summarizer.formats").isEnabledFor(logging.DEBUG):
        target.setLevel(logging.ERROR)
    try:
        yield
    finally:
        target.setLevel(level)
