"""Deadlines on reading requests: idle and half-sent connections are closed, not held forever.

uvicorn closes a keep-alive connection that stays idle after a response (`timeout_keep_alive`),
but it waits without limit for the first request of a new connection and for the rest of a
request's headers and body: 500 silent sockets hold 500 descriptors, and a body trickled a byte
at a time keeps a request open for days. `DeadlineProtocol` (uvicorn's httptools protocol with
two timers) closes a connection that has not sent a request's complete headers within
`HEADER_TIMEOUT_S` of connecting or of its previous response, or the rest of the body within
`BODY_TIMEOUT_S` of its headers. The timers are class attributes so that tests can shorten them.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol  # uvicorn[standard]

log = logging.getLogger("contacthub_server")

HEADER_TIMEOUT_S = 10.0
BODY_TIMEOUT_S = 30.0
KEEP_ALIVE_TIMEOUT_S = 5  # uvicorn's own default, set explicitly: idle after a response


class DeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing connections that are too slow to send."""

    header_timeout: float = HEADER_TIMEOUT_S
    body_timeout: float = BODY_TIMEOUT_S

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None

    def _arm(self, seconds: float, what: str) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._expired, what)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self, what: str) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            log.info("closing a connection from %s: %s", self.client, what)
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.header_timeout, "no complete request headers in time")

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._arm(self.body_timeout, "the request body did not arrive in time")

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Waiting for the next request, unless a pipelined one has just been started.
        idle = self.cycle is None or self.cycle.response_complete
        if idle and not self.transport.is_closing():
            self._arm(self.header_timeout, "no complete request headers in time")

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def uvicorn_options() -> dict[str, Any]:
    """The connection settings every uvicorn.Config of the hub takes (serve, workers, runner)."""
    return {"http": DeadlineProtocol, "timeout_keep_alive": KEEP_ALIVE_TIMEOUT_S}
