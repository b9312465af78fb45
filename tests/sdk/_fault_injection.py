"""Fault injection for transport tests: a scripted requests adapter and a raw socket server.

The adapter injects faults at the ``requests`` level (fast, exact); the socket server produces
real ones (a connection reset after the request arrived, an answer that never comes) so that the
transport's reading of real exceptions is proven too.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3.exceptions
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict


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
    """A scripted answer."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None


@dataclass
class Sent:
    """A request the adapter saw."""

    method: str
    url: str
    headers: CaseInsensitiveDict[str]
    body: bytes | None


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
            Sent(str(request.method), str(request.url), CaseInsensitiveDict(request.headers), body)
        )
        if not self.script:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        response = requests.Response()
        response.status_code = item.status
        response.reason = "Scripted"
        if item.raw is not None:
            response._content = item.raw
        elif item.body is None:
            response._content = b""
        else:
            response._content = json.dumps(item.body).encode()
        response.headers = CaseInsensitiveDict(item.headers)
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
    request and never answer), or a :class:`Reply`.
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
                payload = b"" if behaviour.body is None else json.dumps(behaviour.body).encode()
                head = (
                    f"HTTP/1.1 {behaviour.status} X\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
                )
                conn.sendall(head.encode() + payload)
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
