"""The async client's own HTTP/1.1 connection pool (contacthub._async_pool) on real sockets.

Faults are real: a raw socket server (tests/sdk/_fault_injection.py) that resets, hangs or cuts
an answer short, and a small asyncio server answering scripted bytes on kept-alive connections.
"""

from __future__ import annotations

import asyncio
import gzip
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from _fault_injection import Reply, free_port, raw_server

from contacthub import (
    NO_RETRY,
    APIConnectionError,
    APIError,
    OutcomeUnknownError,
    RetryPolicy,
    Timeouts,
)
from contacthub._async_http import AsyncTransport

pytestmark = pytest.mark.anyio


async def no_sleep(seconds: float) -> None:
    return None


def client(url: str, **kwargs: object) -> AsyncTransport:
    return AsyncTransport(f"{url}/hub/v1/workspaces/ws", "token", sleep=no_sleep, **kwargs)  # type: ignore[arg-type]


async def test_a_reset_after_sending_is_an_unknown_outcome_for_a_post_and_retried_for_a_get() -> (
    None
):
    with raw_server("reset") as server:
        transport = client(server.url)
        with pytest.raises(OutcomeUnknownError, match="connection"):
            await transport.request("POST", "/customers", json={"a": 1})
        await transport.aclose()
        assert len(server.requests) == 1
        assert server.requests[0].endswith(b'{"a": 1}')
    with raw_server("reset", Reply(body={"ok": True})) as server:
        transport = client(server.url)
        assert await transport.request("GET", "/customers") == {"ok": True}
        await transport.aclose()
        assert len(server.requests) == 2


async def test_an_answer_that_never_comes_times_out() -> None:
    with raw_server("hang") as server:
        transport = client(server.url, timeouts=Timeouts(read=0.3), retry=NO_RETRY)
        with pytest.raises(OutcomeUnknownError, match="timed out waiting for the answer"):
            await transport.request("POST", "/customers", json={})
        await transport.aclose()


async def test_a_body_cut_short_is_a_connection_error() -> None:
    with raw_server(Reply(raw=b'{"id": "c', declared_length=200)) as server:
        transport = client(server.url, retry=NO_RETRY)
        with pytest.raises(APIConnectionError, match=r"the connection broke after 9 bytes"):
            await transport.request("GET", "/customers/c")
        await transport.aclose()


async def test_a_refused_connection_is_retried_even_for_a_post() -> None:
    transport = client(f"http://127.0.0.1:{free_port()}", retry=RetryPolicy(attempts=3))
    with pytest.raises(APIConnectionError, match=r"could not connect.*gave up after 3 attempts"):
        await transport.request("POST", "/customers", json={})
    await transport.aclose()


Script = Callable[[bytes], bytes | None]


@asynccontextmanager
async def http_server(
    answer: Script, tls: ssl.SSLContext | None = None
) -> AsyncIterator[tuple[str, list[int], list[bytes]]]:
    """An asyncio server: ``answer(request_bytes)`` gives the bytes to send back (None: close
    the connection). Yields the URL, the connection numbers of the requests and the requests."""
    connections: list[int] = []
    requests: list[bytes] = []
    count = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal count
        count += 1
        number = count
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                request = head + await reader.readexactly(length)
                requests.append(request)
                connections.append(number)
                reply = answer(request)
                if reply is None:
                    break
                writer.write(reply)
                await writer.drain()
                closing = b"connection: close" in reply.lower() or reply.startswith(b"HTTP/1.0")
                if closing or b"/bye " in request:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"{'https://localhost' if tls else 'http://127.0.0.1'}:{port}", connections, requests
    finally:
        server.close()
        await server.wait_closed()


def ok(body: bytes = b'{"ok": true}', extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


async def test_connections_are_kept_alive_and_the_request_leaves_in_one_piece() -> None:
    async with http_server(lambda request: ok()) as (url, connections, requests):
        transport = client(url)
        for _ in range(3):
            assert await transport.request("POST", "/customers", json={"n": 1}) == {"ok": True}
        await transport.aclose()
    assert connections == [1, 1, 1]
    head, _, body = requests[0].partition(b"\r\n\r\n")
    assert head.startswith(b"POST /hub/v1/workspaces/ws/customers HTTP/1.1\r\n")
    assert b"\r\nContent-Length: 8" in head
    assert b"\r\nAuthorization: Bearer token" in head
    assert body == b'{"n": 1}'


async def test_chunked_gzip_interim_and_close_delimited_answers() -> None:
    compressed = gzip.compress(b'{"zipped": 1}')
    answers = [
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b'4\r\n{"a"\r\n5;x=y\r\n: 1}\n\r\n0\r\nTrailer: t\r\n\r\n',
        ok(compressed, b"Content-Encoding: gzip\r\n"),
        b"HTTP/1.1 100 Continue\r\n\r\n" + ok(b'{"after": "continue"}'),
        b'HTTP/1.0 200 OK\r\n\r\n{"until": "eof"}',
    ]
    async with http_server(lambda request: answers.pop(0) if answers else None) as (
        url,
        connections,
        _,
    ):
        transport = client(url)
        assert await transport.request("GET", "/a") == {"a": 1}
        assert await transport.request("GET", "/b") == {"zipped": 1}
        assert await transport.request("GET", "/c") == {"after": "continue"}
        assert await transport.request("GET", "/d") == {"until": "eof"}
        await transport.aclose()
    # One connection up to the answer delimited by its end.
    assert connections == [1, 1, 1, 1]


async def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    answers = [ok(extra=b"Connection: close\r\n"), ok(), ok()]
    async with http_server(lambda request: answers.pop(0)) as (url, connections, _):
        transport = client(url)
        await transport.request("GET", "/a")
        await transport.request("POST", "/b", json={})
        await transport.request("GET", "/c")
        await transport.aclose()
    assert connections == [1, 2, 2]


async def test_a_connection_the_server_closes_after_answering_is_not_reused() -> None:
    # No "Connection: close": the server just closes, as one ending idle connections does.
    async with http_server(lambda request: ok()) as (url, connections, _):
        transport = client(url, retry=NO_RETRY)
        await transport.request("GET", "/bye")
        await asyncio.sleep(0.05)
        assert await transport.request("POST", "/after", json={}) == {"ok": True}
        await transport.aclose()
    assert connections == [1, 2]


async def test_an_answer_that_is_not_http_is_a_connection_error() -> None:
    async with http_server(lambda request: b"hello there\r\n\r\n") as (url, _, requests):
        transport = client(url, retry=RetryPolicy(attempts=2))
        with pytest.raises(APIConnectionError, match="not an HTTP answer"):
            await transport.request("GET", "/a")
        with pytest.raises(OutcomeUnknownError):
            await transport.request("POST", "/a", json={})
        await transport.aclose()
    assert len(requests) == 3


async def test_an_error_answer_is_read_whole_and_the_connection_reused() -> None:
    body = b'{"message": "nope", "errors": [], "data": {}, "logref": "L"}'
    answers = [b"HTTP/1.1 400 Bad Request\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)]
    answers.append(ok())
    async with http_server(lambda request: answers.pop(0)) as (url, connections, _):
        transport = client(url)
        with pytest.raises(APIError) as raised:
            await transport.request("POST", "/a", json={})
        assert (raised.value.status_code, raised.value.message) == (400, "nope")
        assert await transport.request("GET", "/b") == {"ok": True}
        await transport.aclose()
    assert connections == [1, 1]


async def test_the_pool_holds_at_most_pool_size_connections() -> None:
    async with http_server(lambda request: ok()) as (url, connections, _):
        transport = client(url, pool_size=2)
        results = await asyncio.gather(*(transport.request("GET", f"/{i}") for i in range(10)))
        await transport.aclose()
    assert results == [{"ok": True}] * 10
    assert set(connections) <= {1, 2}


async def test_a_wait_for_a_free_connection_ends_with_the_deadline() -> None:
    with raw_server("hang", "hang") as server:
        transport = client(server.url, pool_size=1, timeouts=Timeouts(total=0.4))
        first = asyncio.ensure_future(transport.request("GET", "/slow"))
        await asyncio.sleep(0.1)
        with pytest.raises(APIConnectionError, match="deadline"):
            await transport.request("GET", "/waiting")
        with pytest.raises(APIConnectionError):
            await first
        await transport.aclose()


async def test_cookies_a_server_sets_are_sent_back() -> None:
    answers = [ok(extra=b"Set-Cookie: sticky=abc; Path=/\r\n"), ok(), ok()]
    async with http_server(lambda request: answers.pop(0)) as (url, _, requests):
        transport = client(url)
        await transport.request("GET", "/a")
        await transport.request("GET", "/b")
        await transport.aclose()
    assert b"\r\nCookie: sticky=abc" not in requests[0]
    assert b"\r\nCookie: sticky=abc" in requests[1]


async def test_a_proxy_from_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    async with http_server(lambda request: ok()) as (url, _, requests):
        monkeypatch.setenv("HTTP_PROXY", url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        transport = client("http://api.example.test")
        assert await transport.request("GET", "/customers") == {"ok": True}
        await transport.aclose()
        # NO_PROXY: straight to the host, on the SDK's own connections.
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        direct = client(url)
        assert await direct.request("GET", "/direct") == {"ok": True}
        await direct.aclose()
    assert requests[0].startswith(
        b"GET http://api.example.test/hub/v1/workspaces/ws/customers HTTP/1.1\r\n"
    )
    assert requests[1].startswith(b"GET /hub/v1/workspaces/ws/direct HTTP/1.1\r\n")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
async def test_tls_is_verified_against_the_trusted_certificates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    command += ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"]
    command += ["-addext", "subjectAltName=DNS:localhost"]
    subprocess.run(
        command,
        check=True,
        capture_output=True,
    )
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    async with http_server(lambda request: ok(), tls) as (url, connections, _):
        untrusted = client(url)
        with pytest.raises(APIConnectionError, match="TLS failed") as refused:
            await untrusted.request("GET", "/a")
        assert "gave up" not in str(refused.value)  # not retried: it would fail again
        await untrusted.aclose()
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        trusted = client(url)
        assert await trusted.request("GET", "/b") == {"ok": True}
        assert await trusted.request("GET", "/c") == {"ok": True}
        await trusted.aclose()
    assert connections[-2:] == [connections[-1]] * 2  # one kept-alive TLS connection
