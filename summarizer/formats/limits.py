"""Counting the characters a reader has produced against `ReadLimits.max_chars`."""

from __future__ import annotations

from summarizer.errors import DocumentTooLargeError


class CharBudget:
    """Characters read so far; past the limit, `take` raises so the reader stops early."""

    def __init__(self, name: str, limit: int | None) -> None:
        self.name, self.limit, self.used = name, limit, 0

    def take(self, text: str) -> None:
        """Count `text`.

        Raises:
            DocumentTooLargeError: the text read so far is over the limit (code `text_too_long`).
        """
        self.used += len(text) + 1
        if self.limit is not None and self.used > self.limit:
            raise DocumentTooLargeError(
                f"{self.name} has more than {self.limit:,} characters of text; the limit is {self.limit:,}: "
                "split the document",
                "text_too_long",
            )
