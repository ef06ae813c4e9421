"""Micro-batching: concurrent single requests are gathered into one model call.

Requests that queue up while the model is busy go into the next call together (up to
`max_size`); under concurrent load a batch also lingers up to `wait_s` for more. The
queue is bounded: past it, callers get 429 with Retry-After at once instead of piling
up; a caller that waits longer than its timeout gets 504 (and its document is skipped if it has not started).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field

from api.errors import ApiError
from api.metrics import Metrics
from summarizer.document import Document
from summarizer.errors import InvalidInputError
from summarizer.types import Summary

logger = logging.getLogger("api.batcher")

SummarizeMany = Callable[[list[str | Document], int], list[Summary]]


@dataclass
class _Item:
    text: str | Document
    max_bullets: int
    future: asyncio.Future[Summary]
    abandoned: bool = False
    enqueued: float = field(default_factory=time.perf_counter)


class MicroBatcher:
    """Gathers `submit` calls into `summarize_many` calls on a single model thread."""

    def __init__(
        self,
        summarize_many: SummarizeMany,
        executor: Executor,
        metrics: Metrics,
        *,
        max_size: int,
        wait_s: float,
        queue_size: int,
    ) -> None:
        self._summarize_many = summarize_many
        self._executor = executor
        self._metrics = metrics
        self._max_size = max_size
        self._wait_s = wait_s
        self._queue: asyncio.Queue[_Item] = asyncio.Queue(maxsize=queue_size)
        self._running = 0

    @property
    def busy(self) -> bool:
        """Interactive work is waiting or running (background jobs give way to it)."""
        return self._running > 0 or not self._queue.empty()

    async def submit(self, text: str | Document, max_bullets: int, timeout_s: float) -> Summary:
        loop = asyncio.get_running_loop()
        item = _Item(text, max_bullets, loop.create_future())
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            raise ApiError(
                429, "overloaded", "too many requests are waiting for the model; retry shortly", {"Retry-After": "1"}
            ) from None
        self._metrics.queue_depth.set(self._queue.qsize())
        try:
            return await asyncio.wait_for(asyncio.shield(item.future), timeout_s)
        except TimeoutError:
            item.abandoned = True
            raise ApiError(504, "timeout", f"the summary took longer than {timeout_s:g} s; retry later") from None

    async def run(self) -> None:
        """The batching loop (one task per app).

        Requests that arrived while the model was busy are taken together at once. The
        first request of a quiet period does not wait; a batch lingers up to `wait_s` for
        more only when the previous one was shared (clients are sending concurrently).
        """
        loop = asyncio.get_running_loop()
        last_size = 1
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_size and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            deadline = loop.time() + (self._wait_s if last_size > 1 else 0.0)
            while len(batch) < self._max_size:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), remaining))
                except TimeoutError:
                    break
            last_size = len(batch)
            self._metrics.queue_depth.set(self._queue.qsize())
            live = [item for item in batch if not item.abandoned and not item.future.done()]
            groups: dict[int, list[_Item]] = {}
            for item in live:
                groups.setdefault(item.max_bullets, []).append(item)
            for max_bullets, items in groups.items():
                self._running += 1
                try:
                    await self._run_group(loop, items, max_bullets)
                finally:
                    self._running -= 1

    async def _run_group(self, loop: asyncio.AbstractEventLoop, items: list[_Item], max_bullets: int) -> None:
        self._metrics.batch_size.observe(len(items))
        try:
            summaries = await loop.run_in_executor(
                self._executor, self._summarize_many, [i.text for i in items], max_bullets
            )
        except InvalidInputError as exc:
            if len(items) > 1:  # one bad document must not fail the others: run them one by one
                for item in items:
                    await self._run_group(loop, [item], max_bullets)
            else:
                _fail(items, exc)
            return
        except Exception as exc:  # delivered to each waiting request; the error handler logs it
            _fail(items, exc)
            return
        for item, summary in zip(items, summaries, strict=True):
            self._metrics.tokens.inc(summary.info.generated_tokens)
            if not item.future.done():
                item.future.set_result(summary)


def _fail(items: list[_Item], exc: BaseException) -> None:
    for item in items:
        if not item.future.done():
            item.future.set_exception(exc)
