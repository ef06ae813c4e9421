"""Grouping work into model calls: length-sorted batches and fixed-size chunks of a stream."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")


def sorted_batches(lengths: Sequence[int], batch_size: int, max_batch_tokens: int = 0) -> list[list[int]]:
    """Indices grouped into batches of similar length (longest first).

    A batch holds at most `batch_size` items and, when `max_batch_tokens` > 0, at most that
    many padded input tokens (longest item × batch size): this fills a GPU without
    overflowing it on long inputs.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        longest = lengths[current[0]] if current else lengths[index]
        full = len(current) >= batch_size or (
            max_batch_tokens > 0 and current and longest * (len(current) + 1) > max_batch_tokens
        )
        if full:
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of `size` items (the last may be shorter), read lazily."""
    if size < 1:
        raise ValueError("size must be at least 1")
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
