"""`HeaderTimeoutProtocol`: uvicorn's HTTP/1.1 protocol (h11), closing connections slow to send headers.

uvicorn bounds only the idle time between requests (`timeout_keep_alive`): a client that
connects and sends a request's headers a byte at a time keeps its connection, and a slot of
the server, for as long as it likes. This protocol closes a connection whose request headers
are not complete `header_timeout_s` after the connection was made, or after the previous
answer on it was sent. (A body's pace is the ASGI guard's: `api.guard`.)

Pass it to uvicorn as `http=functools.partial(HeaderTimeoutProtocol, header_timeout_s=...)`
(a partial of a module-level class pickles, so `--workers N` works too).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

logger = logging.getLogger("api")


class HeaderTimeoutProtocol(H11Protocol):
    """H11Protocol with a deadline for each request's headers."""

    def __init__(self, *args: Any, header_timeout_s: float = 10.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout_s = header_timeout_s
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_timer()  # the next request on this connection gets its own deadline

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._header_timeout)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timeout(self) -> None:
        self._header_timer = None
        # IDLE: no complete request head since the timer was armed (a request being
        # answered, or whose body is read, is past its headers: the guard times the body)
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            logger.info("closed a connection whose request headers took over %g s", self.header_timeout_s)
            self.transport.close()
