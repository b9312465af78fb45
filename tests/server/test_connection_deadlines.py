"""Idle and half-sent connections are closed by the hub, not held forever (issue 8).

The deadlines are shortened for these tests (they are class attributes of the protocol); the
hub's real ones are `connections.HEADER_TIMEOUT_S` and `BODY_TIMEOUT_S`.
"""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import pytest

from contacthub.testing import Hub
from contacthub_server import connections

SHORT = 0.5


@pytest.fixture
def short_deadlines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connections.DeadlineProtocol, "header_timeout", SHORT)
    monkeypatch.setattr(connections.DeadlineProtocol, "body_timeout", SHORT)


def connect(hub: Hub) -> socket.socket:
    address = urlsplit(hub.url)
    sock = socket.create_connection((address.hostname, address.port), timeout=10)
    return sock


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """True when the peer closes the connection within `seconds` (reads until EOF)."""
    sock.settimeout(seconds)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def request_head(hub: Hub, body_length: int) -> bytes:
    address = urlsplit(hub.url)
    return (
        f"POST /hub/v1/workspaces/{hub.workspace_id}/customers HTTP/1.1\r\n"
        f"Host: {address.netloc}\r\nAuthorization: Bearer {hub.token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {body_length}\r\n\r\n"
    ).encode()


def test_a_connection_that_sends_nothing_is_closed(hub: Hub, short_deadlines: None) -> None:
    with connect(hub) as sock:
        assert closed_within(sock, 5)


def test_headers_sent_too_slowly_close_the_connection(hub: Hub, short_deadlines: None) -> None:
    with connect(hub) as sock:
        head = request_head(hub, 2)
        sock.sendall(head[:20])
        time.sleep(SHORT / 2)
        sock.sendall(head[20:40])  # still within the deadline, which does not restart
        assert closed_within(sock, 5)


def test_a_trickled_body_is_cut_off_and_nothing_is_stored(hub: Hub, short_deadlines: None) -> None:
    body = b'{"nodeId": "%s", "externalId": "trickled"}' % hub.node_id.encode()
    with connect(hub) as sock:
        sock.sendall(request_head(hub, len(body)))
        cut = False
        for byte in body:
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                cut = True
                break
            time.sleep(0.1)
        assert cut or closed_within(sock, 5)
    found = hub.workspace().get_node(hub.node_id).get_customers(external_id="trickled")
    assert len(found) == 0


def test_a_prompt_client_keeps_its_connection_across_requests(
    hub: Hub, short_deadlines: None
) -> None:
    """The deadlines only bound slowness: a keep-alive client sending requests works as before."""
    body = b'{"nodeId": "%s", "externalId": "prompt-%d"}'
    with connect(hub) as sock:
        for n in range(3):
            payload = body % (hub.node_id.encode(), n)
            sock.sendall(request_head(hub, len(payload)) + payload)
            answer = sock.recv(65536)
            assert answer.startswith(b"HTTP/1.1 201"), answer[:200]
            time.sleep(SHORT / 3)  # idle, but less than the deadline
    node = hub.workspace().get_node(hub.node_id)
    assert sorted(c.externalId for c in node.get_customers()) == [
        "prompt-0",
        "prompt-1",
        "prompt-2",
    ]
