"""Micro-batching: concurrent single requests are gathered into one model call.

Requests that queue up while the model is busy go into the next call together (up to
`max_size`); under concurrent load a batch also lingers up to `wait_s` for more. The
queue is bounded: past it, callers get 429 with Retry-After at once instead of piling
up. A caller that waits longer than its timeout gets 504 with Retry-After; its document
leaves the queue at once (its slot is free for the next caller), and a document whose
caller gave up (timed out, or the client left) is never sent to the model. A model call
already running cannot be stopped: its result for such a caller is dropped.

Each document gets its own outcome: a document the model cannot summarize fails its own
request only (`run_batch` returns a `Summary` or an exception per document).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from api.errors import RETRY_AFTER_OVERLOADED, RETRY_AFTER_TIMEOUT, ApiError
from api.metrics import Metrics
from summarizer.document import Document
from summarizer.types import Summary

logger = logging.getLogger("api.batcher")

RunBatch = Callable[[list[Document], Any], Sequence[Summary | Exception]]
"""(documents, options) → one Summary or exception per document, in order. `options` is what the
requests of one model call share (the service passes `SummarizeOptions`); requests are grouped by it."""


@dataclass
class _Item:
    document: Document
    options: Hashable
    future: asyncio.Future[Summary]
    enqueued: float = field(default_factory=time.perf_counter)


class MicroBatcher:
    """Gathers `submit` calls into `run_batch` calls on a single model thread."""

    def __init__(
        self,
        run_batch: RunBatch,
        executor: Executor,
        metrics: Metrics,
        *,
        max_size: int,
        wait_s: float,
        queue_size: int,
    ) -> None:
        self._run_batch = run_batch
        self._executor = executor
        self._metrics = metrics
        self._max_size = max_size
        self._wait_s = wait_s
        self._queue_size = queue_size
        self._waiting: deque[_Item] = deque()
        self._arrived = asyncio.Event()
        self._running = 0
        self._in_hand = 0  # taken from the queue, lingering or waiting for an earlier group

    @property
    def queued(self) -> int:
        """Requests waiting for the model (not counting those it is working on)."""
        return len(self._waiting)

    @property
    def busy(self) -> bool:
        """Interactive work is waiting or running (background jobs give way to it)."""
        return self._running > 0 or self._in_hand > 0 or bool(self._waiting)

    async def submit(self, document: Document, options: Hashable, timeout_s: float) -> Summary:
        """The summary of `document`, or its own error; 429 when the queue is full, 504 past `timeout_s`."""
        if len(self._waiting) >= self._queue_size:
            raise ApiError(
                429,
                "overloaded",
                "too many requests are waiting for the model; retry shortly",
                {"Retry-After": RETRY_AFTER_OVERLOADED},
            )
        item = _Item(document, options, asyncio.get_running_loop().create_future())
        self._waiting.append(item)
        self._arrived.set()
        self._metrics.queue_depth.set(len(self._waiting))
        try:
            # on timeout or cancellation (the client left) wait_for cancels the item's future
            return await asyncio.wait_for(item.future, timeout_s)
        except TimeoutError:
            raise ApiError(
                504,
                "timeout",
                "the summary took longer than the request time limit (TOMTAT_REQUEST_TIMEOUT_S); "
                "the service is overloaded: retry later",
                {"Retry-After": RETRY_AFTER_TIMEOUT},
            ) from None
        finally:
            self._drop(item)

    def _drop(self, item: _Item) -> None:
        """Take a finished or abandoned item out of the queue (if it is still there)."""
        if not item.future.done():
            item.future.cancel()
        with contextlib.suppress(ValueError):
            self._waiting.remove(item)
            self._metrics.queue_depth.set(len(self._waiting))

    async def run(self) -> None:
        """The batching loop (one task per app).

        Requests that arrived while the model was busy are taken together at once. The
        first request of a quiet period does not wait; a batch lingers up to `wait_s` for
        more only when the previous one was shared (clients are sending concurrently).
        """
        loop = asyncio.get_running_loop()
        last_size = 1
        while True:
            batch = await self._next_batch(loop, self._wait_s if last_size > 1 else 0.0)
            last_size = len(batch)
            try:
                groups: dict[Hashable, list[_Item]] = {}
                for item in batch:
                    groups.setdefault(item.options, []).append(item)
                for options, items in groups.items():
                    live = [item for item in items if not item.future.done()]  # gone while an earlier group ran
                    if live:
                        await self._run_group(loop, live, options)
            except Exception as exc:  # a bug must not end the loop: its requests get a 500, the rest go on
                logger.exception("the micro-batcher failed on a batch")
                for item in batch:
                    if not item.future.done():
                        item.future.set_exception(exc)
            finally:
                self._in_hand = 0

    async def _next_batch(self, loop: asyncio.AbstractEventLoop, linger_s: float) -> list[_Item]:
        """Up to `max_size` live items: those waiting now, then any arriving within `linger_s`."""
        batch: list[_Item] = []
        while not batch:
            while not self._waiting:
                self._arrived.clear()
                await self._arrived.wait()
            batch = self._take(self._max_size)
        self._in_hand = len(batch)
        deadline = loop.time() + linger_s
        while len(batch) < self._max_size:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            if not self._waiting:
                self._arrived.clear()
                try:
                    await asyncio.wait_for(self._arrived.wait(), remaining)
                except TimeoutError:
                    break
            batch += self._take(self._max_size - len(batch))
            self._in_hand = len(batch)
        self._metrics.queue_depth.set(len(self._waiting))
        return [item for item in batch if not item.future.done()]

    def _take(self, count: int) -> list[_Item]:
        taken: list[_Item] = []
        while self._waiting and len(taken) < count:
            item = self._waiting.popleft()
            if not item.future.done():
                taken.append(item)
        return taken

    async def _run_group(self, loop: asyncio.AbstractEventLoop, items: list[_Item], options: Hashable) -> None:
        self._metrics.batch_size.observe(len(items))
        self._running += 1
        try:
            outcomes: Sequence[Summary | Exception] = await loop.run_in_executor(
                self._executor, self._run_batch, [item.document for item in items], options
            )
        except Exception as exc:  # the call itself failed: each waiting request gets the error
            outcomes = [exc] * len(items)
        finally:
            self._running -= 1
        for item, outcome in zip(items, outcomes, strict=True):
            if item.future.done():  # its caller gave up while the model worked
                continue
            if isinstance(outcome, Exception):
                item.future.set_exception(outcome)
            else:
                self._metrics.tokens.inc(outcome.info.generated_tokens)
                item.future.set_result(outcome)
