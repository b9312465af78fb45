"""Fault injection for transport tests: a scripted requests adapter and a raw socket server.

The adapter injects faults at the ``requests`` level (fast, exact); the socket server produces
real ones (a connection reset after the request arrived, an answer that never comes) so that the
transport's reading of real exceptions is proven too.
"""

from __future__ import annotations

import io
import json
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3.exceptions
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.response import HTTPResponse


def refused() -> requests.exceptions.ConnectionError:
    """What requests raises when nothing listens on the port."""
    reason = urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection")  # type: ignore[arg-type]
    return requests.exceptions.ConnectionError(
        urllib3.exceptions.MaxRetryError(None, "/", reason)  # type: ignore[arg-type]
    )


def reset_after_sending() -> requests.exceptions.ConnectionError:
    """What requests raises when the server drops the connection after reading the request."""
    return requests.exceptions.ConnectionError(
        urllib3.exceptions.ProtocolError(
            "Connection aborted.", ConnectionResetError(104, "Connection reset by peer")
        )
    )


def read_timeout() -> requests.exceptions.ReadTimeout:
    """What requests raises when the answer does not come within the read timeout."""
    return requests.exceptions.ReadTimeout("Read timed out. (read timeout=30)")


@dataclass
class Reply:
    """A scripted answer.

    ``raw`` is the body as bytes (instead of ``body`` as JSON). With ``declared_length``, the
    answer announces that many bytes in ``Content-Length`` whatever the body holds, so a shorter
    body arrives cut short. ``drip`` (raw server only) sends the body one byte every ``drip``
    seconds.
    """

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    declared_length: int | None = None
    drip: float | None = None

    def payload(self) -> bytes:
        """The body's bytes."""
        if self.raw is not None:
            return self.raw
        return b"" if self.body is None else json.dumps(self.body).encode()


@dataclass
class Sent:
    """A request the adapter saw."""

    method: str
    url: str
    headers: CaseInsensitiveDict[str]
    body: bytes | None
    timeout: Any = None


class ScriptedAdapter(BaseAdapter):
    """Answers each request with the next scripted item: a :class:`Reply` or an exception."""

    def __init__(self, *script: Reply | BaseException) -> None:
        super().__init__()
        self.script = list(script)
        self.sent: list[Sent] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        body = request.body
        if isinstance(body, str):
            body = body.encode()
        self.sent.append(
            Sent(
                str(request.method),
                str(request.url),
                CaseInsensitiveDict(request.headers),
                body,
                kwargs.get("timeout"),
            )
        )
        if not self.script:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        response = requests.Response()
        response.status_code = item.status
        response.reason = "Scripted"
        headers = dict(item.headers)
        if item.declared_length is not None:
            # A body to be read from a stream that ends before Content-Length says it should.
            headers["Content-Length"] = str(item.declared_length)
            response.raw = HTTPResponse(
                body=io.BytesIO(item.payload()),
                headers=headers,
                status=item.status,
                preload_content=False,
                enforce_content_length=True,
            )
        else:
            response._content = item.payload()
        response.headers = CaseInsensitiveDict(headers)
        response.url = str(request.url)
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        """Nothing to release."""


def scripted_session(*script: Reply | BaseException) -> tuple[requests.Session, ScriptedAdapter]:
    """A session whose every request goes to a new :class:`ScriptedAdapter`."""
    session = requests.Session()
    adapter = ScriptedAdapter(*script)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session, adapter


class RawServer:
    """A TCP server answering each connection with the next scripted behaviour.

    Behaviours: ``"reset"`` (read the request, then reset the connection), ``"hang"`` (read the
    request and never answer), or a :class:`Reply` (its ``declared_length`` and ``drip`` too).
    """

    def __init__(self, *script: str | Reply) -> None:
        self.script = list(script)
        self.requests: list[bytes] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.1)  # so that the accept loop notices close()
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self._open: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _read_request(self, conn: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            rest += chunk
        return head + b"\r\n\r\n" + rest

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.requests.append(self._read_request(conn))
            behaviour = self.script.pop(0) if self.script else "reset"
            if behaviour == "reset":
                # SO_LINGER 0: close() sends a RST instead of a FIN.
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
            elif behaviour == "hang":
                self._open.append(conn)
            else:
                assert isinstance(behaviour, Reply)
                self._reply(conn, behaviour)

    def _reply(self, conn: socket.socket, reply: Reply) -> None:
        payload = reply.payload()
        length = len(payload) if reply.declared_length is None else reply.declared_length
        extra = "".join(f"{name}: {value}\r\n" for name, value in reply.headers.items())
        head = (
            f"HTTP/1.1 {reply.status} X\r\nContent-Type: application/json\r\n{extra}"
            f"Content-Length: {length}\r\nConnection: close\r\n\r\n"
        )
        try:
            if reply.drip is None:
                conn.sendall(head.encode() + payload)
            else:
                conn.sendall(head.encode())
                for index in range(len(payload)):
                    if self._stop.is_set():
                        break
                    time.sleep(reply.drip)
                    conn.sendall(payload[index : index + 1])
        except OSError:
            pass  # the client gave up and closed the connection
        finally:
            conn.close()

    def close(self) -> None:
        """Stop accepting and drop every connection."""
        self._stop.set()
        self._listener.close()
        for conn in self._open:
            conn.close()
        self._thread.join(timeout=5)


@contextmanager
def raw_server(*script: str | Reply) -> Iterator[RawServer]:
    """A :class:`RawServer` for the duration of a ``with`` block."""
    server = RawServer(*script)
    try:
        yield server
    finally:
        server.close()


def free_port() -> int:
    """A local port on which nothing listens (bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port
