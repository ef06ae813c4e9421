"""Token-aware chunking: pack whole sentences into chunks that fit the model's input."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

TokenCounter = Callable[[Sequence[str]], list[int]]
"""Counts the tokens of each text, special tokens excluded (batched for speed)."""


@dataclass(frozen=True)
class Chunk:
    """Consecutive sentences `first`..`last` (inclusive) of a document, joined by spaces.

    `split` is True when the chunk is a piece of a single sentence too long for the model.
    """

    text: str
    first: int
    last: int
    n_tokens: int
    split: bool = False


_SOFT_BREAK = re.compile(r"(?<=[,;:])\s+")


def _split_long_sentence(sentence: str, max_tokens: int, count: TokenCounter) -> list[str]:
    """Cut a sentence that alone exceeds the budget at commas/semicolons, else at words."""
    parts = _SOFT_BREAK.split(sentence)
    if len(parts) == 1:
        parts = sentence.split(" ")
    pieces: list[str] = []
    current: list[str] = []
    for part in parts:
        trial = " ".join([*current, part])
        if current and count([trial])[0] > max_tokens:
            pieces.append(" ".join(current))
            current = [part]
        else:
            current.append(part)
    if current:
        pieces.append(" ".join(current))
    # A single word longer than the budget (a URL, a hash) cannot be split further here;
    # fall back to characters so nothing is dropped.
    out: list[str] = []
    for piece in pieces:
        if count([piece])[0] <= max_tokens or " " in piece:
            out.append(piece)
        else:
            step = max(1, len(piece) * max_tokens // (2 * count([piece])[0]))
            out.extend(piece[i : i + step] for i in range(0, len(piece), step))
    return out


def chunk_sentences(sentences: Sequence[str], *, max_tokens: int, count_tokens: TokenCounter) -> list[Chunk]:
    """Greedily pack consecutive sentences into chunks of at most `max_tokens` tokens.

    Every sentence lands in exactly one chunk, in order. A sentence longer than the budget
    is cut into pieces (marked `split=True`) rather than dropped or silently truncated.
    Each chunk's size is checked by tokenizing the joined text, so the budget holds even
    where tokenization is not additive across the joining space.
    """
    if max_tokens < 1:
        raise ValueError("max_tokens must be positive")
    if not sentences:
        return []
    sizes = count_tokens(list(sentences))
    chunks: list[Chunk] = []
    start = 0
    while start < len(sentences):
        if sizes[start] > max_tokens:
            for piece in _split_long_sentence(sentences[start], max_tokens, count_tokens):
                n = count_tokens([piece])[0]
                chunks.append(Chunk(piece, start, start, n, split=True))
            start += 1
            continue
        end, total = start, sizes[start]
        while end + 1 < len(sentences) and total + sizes[end + 1] <= max_tokens:
            end += 1
            total += sizes[end]
        while True:
            text = " ".join(sentences[start : end + 1])
            n = count_tokens([text])[0]
            if n <= max_tokens or end == start:
                break
            end -= 1
        chunks.append(Chunk(text, start, end, n))
        start = end + 1
    return chunks
