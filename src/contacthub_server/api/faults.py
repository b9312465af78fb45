"""Injected latency and faults, so that clients can prove their timeouts and retries work.

``--latency-ms N`` delays every answer by N milliseconds. ``--fault-rate F`` makes that fraction
of requests fail, each with one of four faults drawn at random (``--fault-seed`` makes the draw
repeatable):

- ``503``: a 503 answer with ``Retry-After``, the request not processed;
- ``429``: a 429 answer with ``Retry-After``, the request not processed;
- ``drop-before``: the connection is closed before the request is processed;
- ``drop-after``: the request is processed and committed, then the connection is closed
  without an answer (the client cannot know whether its write happened).

This wraps the whole application, outside every other middleware, because closing the
connection needs uvicorn's own ``send`` (it exposes the connection's transport).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson

from contacthub_server.api.responses import error_body
from contacthub_server.settings import FAULT_RETRY_AFTER_SECONDS

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

FAULT_KINDS: tuple[str, ...] = ("503", "429", "drop-before", "drop-after")

log = logging.getLogger("contacthub_server.faults")


class FaultInjector:
    """ASGI middleware adding latency and random faults to HTTP requests."""

    def __init__(
        self, app: ASGIApp, *, latency_ms: int = 0, fault_rate: float = 0.0, seed: int | None = None
    ) -> None:
        if not 0.0 <= fault_rate <= 1.0:
            raise ValueError(f"fault rate must be between 0 and 1, got {fault_rate}")
        if latency_ms < 0:
            raise ValueError(f"latency must be 0 or more milliseconds, got {latency_ms}")
        self.app = app
        self.latency = latency_ms / 1000.0
        self.fault_rate = fault_rate
        # One generator, drawn from the event loop's thread only, so a seed repeats exactly.
        self._random = random.Random(seed)

    def draw(self) -> str | None:
        """The fault for the next request, or None for a normal answer."""
        if self.fault_rate <= 0.0 or self._random.random() >= self.fault_rate:
            return None
        return self._random.choice(FAULT_KINDS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection or request, with the configured latency and faults."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.latency:
            await asyncio.sleep(self.latency)
        fault = self.draw()
        if fault is None:
            await self.app(scope, receive, send)
            return
        log.info("injecting fault %s into %s %s", fault, scope["method"], scope["path"])
        if fault in ("503", "429"):
            await self._refuse(int(fault), send)
        elif fault == "drop-before":
            await _drop_connection(send)
        else:
            await self.app(scope, receive, _discard)
            await _drop_connection(send)

    @staticmethod
    async def _refuse(status: int, send: Send) -> None:
        message = "service unavailable" if status == 503 else "too many requests"
        body = orjson.dumps(error_body(f"{message} (injected fault), retry later"))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(FAULT_RETRY_AFTER_SECONDS).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


async def _discard(message: Message) -> None:
    """A ``send`` that throws the answer away (the client never gets it)."""


async def _drop_connection(send: Send) -> None:
    """Close the client's connection at once, without an answer.

    uvicorn's ``send`` is a method of its request cycle, which holds the connection's transport.
    Under a server without one, fall back to an answer cut short, which clients also see as a
    broken connection.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", b"100")],
            }
        )
        raise ConnectionAbortedError("injected fault: connection dropped")
    transport.abort()
    # Let the server notice the loss, so that it does not try to answer on its own.
    for _ in range(10):
        if getattr(cycle, "disconnected", True):
            break
        await asyncio.sleep(0)
