"""Injected latency and faults, so that clients can prove their timeouts and retries work.

``--latency-ms N`` delays every answer of the ContactHub API (``/hub/v1/…``) by N milliseconds.
``--fault-rate F`` makes that fraction of its requests fail, each with one of four faults drawn
at random (``--fault-seed`` makes the draw repeatable):

- ``503``: a 503 answer with ``Retry-After``, the request not processed;
- ``429``: a 429 answer with ``Retry-After``, the request not processed;
- ``drop-before``: the connection is closed before the request is processed;
- ``drop-after``: the request is processed and committed, then the connection is closed
  without an answer (the client cannot know whether its write happened).

A workspace given settings of its own at run time (``PUT /_hub/workspaces/{ws}/faults``:
:class:`contacthub_server.service.faults.RuntimeFaults`) gets those instead, for the requests
under ``/hub/v1/workspaces/{ws}/``. The admin API and the console never get faults or latency.

This wraps the whole application, outside every other middleware, because closing the
connection needs uvicorn's own ``send`` (it exposes the connection's transport). It leaves the
fault it injected in the scope (``scope["contacthub.fault"]``) for the request log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson

from contacthub_server.api.responses import error_body
from contacthub_server.service.faults import FAULT_KINDS, FaultPlan, FaultSettings, RuntimeFaults
from contacthub_server.settings import FAULT_RETRY_AFTER_SECONDS

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

API_PREFIX = "/hub/v1"
_WORKSPACES = API_PREFIX + "/workspaces/"
#: Where the injected fault is left in the scope.
FAULT_SCOPE_KEY = "contacthub.fault"
#: Where a middleware outside this one (the request log) leaves the server's own ``send``, which
#: holds the connection to close.
RAW_SEND_SCOPE_KEY = "contacthub.raw_send"

__all__ = ["FAULT_KINDS", "FaultInjector", "workspace_of_path"]


def workspace_of_path(path: str) -> str | None:
    """The workspace id of a ContactHub API path (``/hub/v1/workspaces/{ws}/…``), or None."""
    if not path.startswith(_WORKSPACES):
        return None
    ws = path[len(_WORKSPACES) :].split("/", 1)[0]
    return ws or None


log = logging.getLogger("contacthub_server.faults")


class FaultInjector:
    """ASGI middleware adding latency and random faults to the ContactHub API's requests."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        latency_ms: int = 0,
        fault_rate: float = 0.0,
        seed: int | None = None,
        workspaces: RuntimeFaults | None = None,
    ) -> None:
        if not 0.0 <= fault_rate <= 1.0:
            raise ValueError(f"fault rate must be between 0 and 1, got {fault_rate}")
        if latency_ms < 0:
            raise ValueError(f"latency must be 0 or more milliseconds, got {latency_ms}")
        self.app = app
        # One generator per plan, drawn from the event loop's thread only, so a seed repeats.
        self.default = FaultPlan(FaultSettings(fault_rate, latency_ms, seed))
        self.workspaces = workspaces

    def draw(self) -> int | str | None:
        """The hub-wide fault for the next request, or None for a normal answer."""
        return self.default.draw()

    async def _plan(self, path: str) -> FaultPlan:
        runtime = self.workspaces
        ws = workspace_of_path(path)
        if runtime is None or ws is None:
            return self.default
        if runtime.stale() and not runtime.refreshing:
            runtime.refreshing = True
            try:
                await asyncio.to_thread(runtime.refresh)
            except Exception:  # the database is away: keep the settings last read
                log.warning("cannot read the workspaces' fault settings", exc_info=True)
            finally:
                runtime.refreshing = False
        return runtime.plan(ws) or self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection or request, with the configured latency and faults."""
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        plan = await self._plan(scope["path"])
        if plan.latency:
            await asyncio.sleep(plan.latency)
        fault = plan.draw()
        if fault is None:
            await self.app(scope, receive, send)
            return
        scope[FAULT_SCOPE_KEY] = fault
        log.info("injecting fault %s into %s %s", fault, scope["method"], scope["path"])
        if fault in (503, 429):
            await self._refuse(int(fault), send)
        elif fault == "drop-before":
            await _drop_connection(scope.get(RAW_SEND_SCOPE_KEY, send))
        else:
            await self.app(scope, receive, _discard)
            await _drop_connection(scope.get(RAW_SEND_SCOPE_KEY, send))

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
