"""The async client's connections: an httpx transport speaking HTTP/1.1 on asyncio directly.

:class:`~contacthub._async_http.AsyncTransport` sends through an ``httpx.AsyncClient``; by default
that client's transport is a :class:`ConnectionPool` of this module rather than httpx's own
(``httpcore`` on ``anyio``, parsing with ``h11``). For the SDK's traffic (small JSON requests and
answers over kept-alive connections to one host) those layers cost several times the rest of a
request in CPU: a bulk import through them used more client CPU than the threaded sync client.
This pool does what that traffic needs and nothing more, with the same contract as any httpx
transport (an ``httpx.Request`` in, an ``httpx.Response`` with a streamed body out, httpx's
exception classes), so everything above it (the client, its proxies from the environment,
decoding ``Content-Encoding``, the SDK's retry policy) is unchanged:

- at most ``size`` connections, reused most recently used first, with a wait for a free one
  bounded by the ``pool`` timeout (``httpx.PoolTimeout``); an idle connection the server closed,
  or idle for ``keepalive_expiry`` seconds, is not reused;
- a request is written in one piece (request line, headers and body), so that it leaves in one
  TCP segment when it fits;
- answers framed by ``Content-Length``, ``Transfer-Encoding: chunked`` or the end of the
  connection; 1xx interim answers skipped; ``Connection: close`` and HTTP/1.0 honoured;
- connect and read timeouts (``httpx.ConnectTimeout``, ``httpx.ReadTimeout``); a refused
  connection or a TLS failure is ``httpx.ConnectError`` (the TLS error as its cause); a
  connection that closes before the whole answer is ``httpx.RemoteProtocolError``;
- TLS with one context for all connections (``httpx.create_ssl_context()``, built on first use).

Pass ``transport=httpx.AsyncHTTPTransport()`` to the workspace to use httpx's own stack instead
(HTTP/2, Unix sockets, other options).
"""

from __future__ import annotations

import asyncio
import select
import ssl
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

import httpx

__all__ = ["ConnectionPool"]

_MAX_HEAD = 65536
_READ = 65536
_NO_BODY_STATUSES = frozenset({204, 304})


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection, with the bytes received and not yet read."""

    def __init__(self, origin: tuple[str, str, int]) -> None:
        self.origin = origin
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.closed = False
        self.error: BaseException | None = None
        self.idle_since = time.monotonic()
        self._waiter: asyncio.Future[None] | None = None

    # -- the protocol: called by the event loop
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._wake()

    def eof_received(self) -> bool:
        self.closed = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.error = exc
        self._wake()

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- reading
    async def _more(self, timeout: float | None) -> None:
        """Wait for more bytes (or the end of the connection)."""
        if self.closed:
            raise httpx.RemoteProtocolError(self._lost())
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiter = waiter
        try:
            async with asyncio.timeout(timeout):
                await waiter
        except TimeoutError:
            raise httpx.ReadTimeout("timed out waiting for the answer") from None
        finally:
            self._waiter = None

    def _lost(self) -> str:
        if self.error is not None:
            return f"the server closed the connection ({self.error})"
        return "the server closed the connection before the whole answer came"

    async def read_head(self, timeout: float | None) -> bytes:
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end >= 0:
                head = bytes(self.buffer[:end])
                del self.buffer[: end + 4]
                return head
            if len(self.buffer) > _MAX_HEAD:
                raise httpx.RemoteProtocolError("the answer's headers are too long")
            if self.closed and not self.buffer:
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
            await self._more(timeout)

    async def read_line(self, timeout: float | None) -> bytes:
        while True:
            end = self.buffer.find(b"\r\n")
            if end >= 0:
                line = bytes(self.buffer[:end])
                del self.buffer[: end + 2]
                return line
            if len(self.buffer) > _MAX_HEAD:
                raise httpx.RemoteProtocolError("a chunk size line is too long")
            await self._more(timeout)

    async def read_some(self, limit: int, timeout: float | None) -> bytes:
        """Up to ``limit`` bytes, at least one; b"" at the end of the connection."""
        while not self.buffer:
            if self.closed:
                if self.error is not None:
                    raise httpx.ReadError(self._lost())
                return b""
            await self._more(timeout)
        data = bytes(self.buffer[:limit])
        del self.buffer[:limit]
        return data

    def usable(self, expiry: float) -> bool:
        """Whether this idle connection can take another request.

        Besides what the event loop has already seen (the end of the connection, bytes nobody
        asked for), the socket itself is asked: a server closing an idle connection may have
        done so a moment ago, and a POST sent on it would have an unknown outcome.
        """
        if (
            self.closed
            or self.buffer
            or self.transport is None
            or self.transport.is_closing()
            or time.monotonic() - self.idle_since >= expiry
        ):
            return False
        sock = self.transport.get_extra_info("socket")
        if sock is None:
            return True
        try:
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


def _parse_head(head: bytes) -> tuple[bytes, int, bytes, list[tuple[bytes, bytes]]]:
    """The HTTP version, status, reason and headers of an answer's head."""
    lines = head.split(b"\r\n")
    try:
        version, status_text, *rest = lines[0].split(b" ", 2)
        status = int(status_text)
    except ValueError:
        raise httpx.RemoteProtocolError(f"not an HTTP answer: {lines[0][:80]!r}") from None
    if not version.startswith(b"HTTP/1."):
        raise httpx.RemoteProtocolError(f"not an HTTP/1 answer: {lines[0][:80]!r}")
    headers: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip():
            raise httpx.RemoteProtocolError(f"malformed header line: {line[:80]!r}")
        headers.append((name, value.strip()))
    return version, status, rest[0] if rest else b"", headers


class _Body(httpx.AsyncByteStream):
    """An answer's body as it arrives; gives the connection back to the pool once read."""

    def __init__(
        self,
        pool: ConnectionPool,
        connection: _Connection,
        length: int | None,
        chunked: bool,
        reusable: bool,
        timeout: float | None,
    ) -> None:
        self._pool = pool
        self._connection: _Connection | None = connection
        self._length = length
        self._chunked = chunked
        self._reusable = reusable
        self._timeout = timeout
        self._done = length == 0 and not chunked

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self._connection
        if connection is None:
            return
        timeout = self._timeout
        if self._chunked:
            while True:
                size_line = await connection.read_line(timeout)
                try:
                    size = int(size_line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise httpx.RemoteProtocolError(f"bad chunk size {size_line[:40]!r}") from None
                if size == 0:
                    while await connection.read_line(timeout):  # trailers, then the blank line
                        pass
                    break
                left = size
                while left:
                    data = await connection.read_some(min(left, _READ), timeout)
                    if not data:
                        raise httpx.RemoteProtocolError(connection._lost())
                    left -= len(data)
                    yield data
                if await connection.read_line(timeout):
                    raise httpx.RemoteProtocolError("a chunk does not end with CRLF")
        elif self._length is not None:
            left = self._length
            while left:
                data = await connection.read_some(min(left, _READ), timeout)
                if not data:
                    raise httpx.RemoteProtocolError(
                        f"{connection._lost()}: {self._length - left} of {self._length} bytes"
                    )
                left -= len(data)
                yield data
        else:  # delimited by the end of the connection
            while data := await connection.read_some(_READ, timeout):
                yield data
        self._done = True

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            self._pool._release(connection, reuse=self._done and self._reusable)


class ConnectionPool(httpx.AsyncBaseTransport):
    """An httpx transport: HTTP/1.1 over at most ``size`` kept-alive asyncio connections.

    ``keepalive_expiry``: seconds an idle connection is kept for reuse.
    """

    def __init__(self, size: int, *, keepalive_expiry: float = 4.0) -> None:
        if size < 1:
            raise ValueError(f"pool_size must be at least 1, not {size}")
        self._size = size
        self._expiry = keepalive_expiry
        self._count = 0
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._ssl: ssl.SSLContext | None = None
        self._closed = False

    # ------------------------------------------------------------------ the pool

    async def _acquire(self, origin: tuple[str, str, int], timeouts: dict[str, Any]) -> _Connection:
        while True:
            idle = self._idle.get(origin)
            while idle:
                connection = idle.pop()
                if connection.usable(self._expiry):
                    return connection
                connection.close()
                self._count -= 1
            if self._count < self._size:
                self._count += 1
                try:
                    return await self._connect(origin, timeouts.get("connect"))
                except BaseException:
                    self._count -= 1
                    self._wake_one()
                    raise
            if self._close_an_idle_one():
                continue
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                async with asyncio.timeout(timeouts.get("pool")):
                    await waiter
            except BaseException as exc:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
                elif waiter.done() and not waiter.cancelled():
                    self._wake_one()  # woken just as it gave up: pass the wake-up on
                if isinstance(exc, TimeoutError):
                    raise httpx.PoolTimeout("no free connection in time") from None
                raise

    def _close_an_idle_one(self) -> bool:
        """Make room by closing an idle connection to another origin."""
        for connections in self._idle.values():
            if connections:
                connections.pop(0).close()
                self._count -= 1
                return True
        return False

    def _wake_one(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def _release(self, connection: _Connection, *, reuse: bool) -> None:
        if reuse and not self._closed and connection.usable(self._expiry + 1):
            connection.idle_since = time.monotonic()
            self._idle.setdefault(connection.origin, []).append(connection)
        else:
            connection.close()
            self._count -= 1
        self._wake_one()

    async def _connect(self, origin: tuple[str, str, int], timeout: float | None) -> _Connection:
        scheme, host, port = origin
        context: ssl.SSLContext | None = None
        if scheme == "https":
            if self._ssl is None:
                self._ssl = httpx.create_ssl_context()
            context = self._ssl
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                _, connection = await loop.create_connection(
                    lambda: _Connection(origin),
                    host,
                    port,
                    ssl=context,
                    server_hostname=host if context is not None else None,
                )
        except TimeoutError:
            raise httpx.ConnectTimeout(f"timed out connecting to {host}:{port}") from None
        except OSError as exc:  # refused, unreachable, DNS, TLS (ssl.SSLError is an OSError)
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        return connection

    # ------------------------------------------------------------------ one request

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise httpx.UnsupportedProtocol("the connection pool is closed")
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {url.scheme!r}")
        origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        timeouts: dict[str, Any] = request.extensions.get("timeout") or {}
        body = await request.aread()
        connection = await self._acquire(origin, timeouts)
        try:
            return await self._exchange(connection, request, body, timeouts.get("read"))
        except BaseException:
            self._release(connection, reuse=False)
            raise

    async def _exchange(
        self, connection: _Connection, request: httpx.Request, body: bytes, timeout: float | None
    ) -> httpx.Response:
        head = [b"%s %s HTTP/1.1\r\n" % (request.method.encode("ascii"), request.url.raw_path)]
        has_length = False
        for name, value in request.headers.raw:
            lowered = name.lower()
            if lowered in (b"content-length", b"transfer-encoding"):
                has_length = has_length or lowered == b"content-length"
                if lowered == b"transfer-encoding":
                    continue  # the whole body is at hand: it is sent with a Content-Length
            head.append(b"%s: %s\r\n" % (name, value))
        if not has_length and (body or request.method in ("POST", "PUT", "PATCH")):
            head.append(b"Content-Length: %d\r\n" % len(body))
        head.append(b"\r\n")
        assert connection.transport is not None
        if connection.closed:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        connection.transport.write(b"".join(head) + body)
        while True:
            version, status, reason, headers = _parse_head(await connection.read_head(timeout))
            if status >= 200 or status == 101:
                break  # 1xx interim answers (100 Continue...) are skipped
        length: int | None = None
        chunked = False
        close = version == b"HTTP/1.0"
        for name, value in headers:
            lowered = name.lower()
            if lowered == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    raise httpx.RemoteProtocolError(f"bad Content-Length {value!r}") from None
            elif lowered == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif lowered == b"connection":
                tokens = value.lower()
                close = b"close" in tokens or (close and b"keep-alive" not in tokens)
        if request.method == "HEAD" or status in _NO_BODY_STATUSES or 100 <= status < 200:
            length, chunked = 0, False
        elif chunked:
            length = None
        framed = chunked or length is not None
        stream = _Body(
            self, connection, length, chunked, reusable=framed and not close, timeout=timeout
        )
        return httpx.Response(
            status,
            headers=headers,
            stream=stream,
            extensions={"http_version": version, "reason_phrase": reason},
            request=request,
        )

    async def aclose(self) -> None:
        self._closed = True
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()
