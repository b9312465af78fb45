"""The request log: the last N requests of the ContactHub API that this hub process answered.

Each entry has the method, path, query string, status (None when an injected fault closed the
connection), latency (as the client saw it, injected latency included), the workspace of the
path, the request's headers (never ``Authorization`` or ``Cookie``: only their scheme is kept,
``Bearer ***``), and both bodies, each cut at ``body_bytes`` (16 KB by default) with their full
size noted.

Kept in memory, in a bounded deque per process (a list appended by the event loop's thread,
read by copying): recording costs a few microseconds per request and no database write. Under
``contacthub serve --workers N`` each process has its own log, and the admin API answers from
the process that took the admin request.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from typing import Any

from contacthub_server.api.faults import (
    API_PREFIX,
    FAULT_SCOPE_KEY,
    RAW_SEND_SCOPE_KEY,
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    workspace_of_path,
)
from contacthub_server.schemas.dates import format_datetime

#: Request headers never kept as sent (their value is masked).
_SECRET_HEADERS = frozenset({b"authorization", b"cookie", b"proxy-authorization"})


class RecordedRequest:
    """One logged request; :meth:`to_json` gives the admin API's form."""

    __slots__ = (
        "at",
        "fault",
        "headers",
        "id",
        "latency_ms",
        "method",
        "path",
        "query",
        "request_body",
        "request_size",
        "response_body",
        "response_size",
        "response_type",
        "status",
        "workspace_id",
    )

    def __init__(
        self, ident: int, at: float, method: str, path: str, query: bytes, headers: bytes
    ) -> None:
        self.id = ident
        self.at = at
        self.method = method
        self.path = path
        self.query = query
        self.workspace_id = workspace_of_path(path)
        self.headers = headers
        self.status: int | None = None
        self.latency_ms = 0.0
        self.fault: int | str | None = None
        self.request_body = b""
        self.request_size = 0
        self.response_body = b""
        self.response_size = 0
        self.response_type = b""

    def row(self) -> tuple[Any, ...]:
        """The entry as a tuple of plain values: what the log keeps (a tuple holding only
        numbers, strings and bytes is left alone by the garbage collector, an object is not)."""
        return tuple(getattr(self, name) for name in self.__slots__)

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> RecordedRequest:
        """The entry back from :meth:`row`."""
        entry = cls.__new__(cls)
        for name, value in zip(cls.__slots__, row, strict=True):
            setattr(entry, name, value)
        return entry

    def to_json(self) -> dict[str, Any]:
        """The entry as JSON: bodies as text (invalid UTF-8 replaced), headers masked."""
        return {
            "id": self.id,
            "date": format_datetime(datetime.fromtimestamp(self.at, timezone.utc)),
            "method": self.method,
            "path": self.path,
            "query": self.query.decode("latin-1"),
            "workspaceId": self.workspace_id,
            "status": self.status,
            "latencyMs": round(self.latency_ms, 2),
            "fault": self.fault,
            "requestHeaders": dict(
                line.split(": ", 1) for line in self.headers.decode("latin-1").split("\n") if line
            ),
            "requestBody": self.request_body.decode("utf-8", "replace"),
            "requestBodyBytes": self.request_size,
            "requestBodyTruncated": self.request_size > len(self.request_body),
            "responseContentType": self.response_type.decode("latin-1"),
            "responseBody": self.response_body.decode("utf-8", "replace"),
            "responseBodyBytes": self.response_size,
            "responseBodyTruncated": self.response_size > len(self.response_body),
        }


def _masked(name: bytes, value: bytes) -> bytes:
    if name.lower() not in _SECRET_HEADERS:
        return value
    scheme = value.split(b" ", 1)[0] if b" " in value else b""
    return (scheme + b" ***") if scheme else b"***"


class RequestLog:
    """The last ``size`` requests (oldest dropped first); ``size`` 0 records nothing."""

    def __init__(self, size: int = 1000, body_bytes: int = 16_384) -> None:
        if size < 0 or body_bytes < 0:
            raise ValueError("the request log's size and body limit must be 0 or more")
        self.size = size
        self.body_bytes = body_bytes
        self._entries: deque[tuple[Any, ...]] = deque(maxlen=size or 1)
        self._ids = itertools.count(1)
        #: Requests recorded since the start (or the last clear), dropped ones included.
        self.recorded = 0

    @property
    def enabled(self) -> bool:
        """Whether requests are recorded at all."""
        return self.size > 0

    def start(self, scope: Scope) -> RecordedRequest:
        """A new entry for the request of ``scope`` (added to the log when it is answered)."""
        # One bytes object ("name: value" lines, secrets masked): an entry kept for a thousand
        # requests must hold as few objects as it can (each one costs the garbage collector).
        headers = b"\n".join([n + b": " + _masked(n, v) for n, v in scope["headers"]])
        return RecordedRequest(
            next(self._ids),
            time.time(),
            scope["method"],
            scope["path"],
            scope.get("query_string", b""),
            headers,
        )

    def add(self, entry: RecordedRequest) -> None:
        """Keep ``entry`` (the oldest entry goes when the log is full)."""
        self._entries.append(entry.row())
        self.recorded += 1

    def entries(self) -> list[RecordedRequest]:
        """Every kept entry, oldest first (a copy)."""
        return [RecordedRequest.from_row(row) for row in list(self._entries)]

    def get(self, ident: int) -> RecordedRequest | None:
        """The entry with this id, if still kept."""
        return next((e for e in self.entries() if e.id == ident), None)

    def search(
        self,
        *,
        workspace: str | None = None,
        method: str | None = None,
        status: str | None = None,
        path: str | None = None,
        limit: int | None = None,
        newest_first: bool = True,
    ) -> list[RecordedRequest]:
        """Entries matching every filter given: the workspace, the method (any case), the status
        (``404``, or a class such as ``4xx``), a part of the path; at most ``limit``."""
        wanted_method = method.upper() if method else None
        matches = _status_matcher(status)
        found: list[RecordedRequest] = []
        ordered: Iterable[RecordedRequest] = (
            reversed(self.entries()) if newest_first else self.entries()
        )
        for entry in ordered:
            if workspace is not None and entry.workspace_id != workspace:
                continue
            if wanted_method and entry.method != wanted_method:
                continue
            if matches is not None and not matches(entry.status):
                continue
            if path and path not in entry.path:
                continue
            found.append(entry)
            if limit is not None and len(found) >= limit:
                break
        return found

    def clear(self, workspace: str | None = None) -> int:
        """Forget every entry (or those of one workspace); how many were forgotten."""
        before = len(self._entries)
        if workspace is None:
            self._entries.clear()
            self.recorded = 0
            return before
        kept = [
            row for row in self._entries if RecordedRequest.from_row(row).workspace_id != workspace
        ]
        self._entries.clear()
        self._entries.extend(kept)
        return before - len(kept)


def _status_matcher(status: str | None) -> Any:
    """A test of a status from a filter (``"404"`` or ``"4xx"``); ValueError when malformed."""
    if not status:
        return None
    text = status.strip().lower()
    if len(text) == 3 and text[0] in "12345" and text[1:] == "xx":
        low = int(text[0]) * 100
        return lambda s: s is not None and low <= s < low + 100
    if text == "none":  # the connection was closed without an answer (an injected fault)
        return lambda s: s is None
    if text.isdigit() and len(text) == 3:
        wanted = int(text)
        return lambda s: s == wanted
    raise ValueError(f"status must be a status such as 404, a class such as 4xx, or none: {status}")


class RequestRecorder:
    """ASGI middleware: records each ContactHub API request (``/hub/v1/…``) in a :class:`RequestLog`.

    It sits outside the fault injection, so that injected faults and latency are logged as the
    client saw them. Only the ContactHub API is logged: not the admin API, nor the console.
    """

    def __init__(self, app: ASGIApp, log: RequestLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request, keeping what went in and out."""
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        log = self.log
        cap = log.body_bytes
        entry = log.start(scope)
        started = time.perf_counter()
        request_chunks: list[bytes] = []
        response_chunks: list[bytes] = []

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                body = message.get("body", b"")
                if body:
                    kept = entry.request_size
                    entry.request_size += len(body)
                    if kept < cap:
                        request_chunks.append(body[: cap - kept])
            return message

        done = False

        def finish() -> None:
            # Kept before the answer's last bytes go out: a client that reads the log right
            # after its answer finds its request there.
            nonlocal done
            if done:
                return
            done = True
            entry.latency_ms = (time.perf_counter() - started) * 1000.0
            entry.fault = scope.get(FAULT_SCOPE_KEY)
            if entry.fault in ("drop-before", "drop-after"):
                entry.status = None  # the client got no answer
            entry.request_body = b"".join(request_chunks)
            entry.response_body = b"".join(response_chunks)
            log.add(entry)

        async def recording_send(message: Message) -> None:
            kind = message["type"]
            if kind == "http.response.start":
                entry.status = message["status"]
                for name, value in message.get("headers", ()):
                    if name.lower() == b"content-type":
                        entry.response_type = value
                        break
            elif kind == "http.response.body":
                body = message.get("body", b"")
                if body:
                    kept = entry.response_size
                    entry.response_size += len(body)
                    if kept < cap:
                        response_chunks.append(body[: cap - kept])
                if not message.get("more_body", False):
                    finish()
            await send(message)

        scope[RAW_SEND_SCOPE_KEY] = send
        try:
            await self.app(scope, recording_receive, recording_send)
        finally:
            # The server's send holds the scope: leaving it there would make a reference cycle,
            # and every request's objects would wait for the garbage collector (10% of a create).
            del scope[RAW_SEND_SCOPE_KEY]
            finish()


def iter_json(entries: Iterable[RecordedRequest]) -> Iterator[dict[str, Any]]:
    """The entries in their JSON form."""
    return (entry.to_json() for entry in entries)
