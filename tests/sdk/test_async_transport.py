"""AsyncTransport's faults, by mocking httpx's transport only (httpx.MockTransport).

The rules are the sync transport's (one RetryPolicy, one set of errors): these tests check that
the async one describes each fault to them the same way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from contacthub import (
    APIConnectionError,
    APIError,
    AsyncWorkspace,
    OutcomeUnknownError,
    RetryPolicy,
    Timeouts,
)
from contacthub._async_http import AsyncTransport

pytestmark = pytest.mark.anyio

URL = "https://api.example.test/hub/v1/workspaces/ws"
TOKEN = "secret-token-value"


class Recorder:
    """An httpx.MockTransport handler answering from a script, keeping the requests."""

    def __init__(self, *answers: httpx.Response | Exception | Callable[[httpx.Request], Any]):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            result: httpx.Response = answer(request)
            return result
        return answer


def transport(recorder: Recorder, **kwargs: Any) -> tuple[AsyncTransport, list[float]]:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    built = AsyncTransport(
        URL, TOKEN, transport=httpx.MockTransport(recorder), sleep=sleep, **kwargs
    )
    return built, waits


def busy(status: int, retry_after: str) -> httpx.Response:
    return httpx.Response(
        status,
        headers={"Retry-After": retry_after},
        json={"message": "busy", "errors": [], "data": {}, "logref": "r"},
    )


async def test_429_and_503_are_retried_after_retry_after_for_get_and_post() -> None:
    recorder = Recorder(busy(429, "2"), busy(503, "1"), httpx.Response(200, json={"id": "c1"}))
    client, waits = transport(recorder)
    assert await client.request("GET", "/customers") == {"id": "c1"}
    assert waits == [2.0, 1.0]
    assert len(recorder.requests) == 3
    # A POST answered 429 or 503 was not processed: it is resent too.
    recorder = Recorder(busy(503, "0.5"), httpx.Response(201, json={"id": "c2"}))
    client, waits = transport(recorder)
    assert await client.request("POST", "/customers", json={"a": 1}) == {"id": "c2"}
    assert waits == [0.5]
    assert [r.method for r in recorder.requests] == ["POST", "POST"]
    assert recorder.requests[1].content == b'{"a": 1}'


async def test_retries_stop_after_the_policys_attempts_with_the_last_error() -> None:
    recorder = Recorder(busy(503, "0"))
    client, waits = transport(recorder, retry=RetryPolicy(attempts=3))
    with pytest.raises(APIError) as raised:
        await client.request("GET", "/customers")
    assert raised.value.status_code == 503
    assert len(recorder.requests) == 3
    assert len(waits) == 2


async def test_a_post_is_not_resent_after_a_read_timeout() -> None:
    recorder = Recorder(httpx.ReadTimeout("slow"), httpx.Response(201, json={"id": "dup"}))
    client, _ = transport(recorder)
    with pytest.raises(OutcomeUnknownError, match="may or may not have been applied"):
        await client.request("POST", "/customers", json={"a": 1})
    assert len(recorder.requests) == 1
    # A GET after the same fault is resent.
    recorder = Recorder(httpx.ReadTimeout("slow"), httpx.Response(200, json={"ok": True}))
    client, waits = transport(recorder)
    assert await client.request("GET", "/customers") == {"ok": True}
    assert len(recorder.requests) == 2
    assert len(waits) == 1


async def test_a_post_that_could_not_connect_is_resent() -> None:
    recorder = Recorder(httpx.ConnectError("refused"), httpx.Response(201, json={"id": "c"}))
    client, _ = transport(recorder)
    assert await client.request("POST", "/customers", json={}) == {"id": "c"}
    assert len(recorder.requests) == 2


async def test_a_post_whose_connection_broke_is_an_unknown_outcome() -> None:
    recorder = Recorder(httpx.RemoteProtocolError("Server disconnected"))
    client, _ = transport(recorder)
    with pytest.raises(OutcomeUnknownError):
        await client.request("POST", "/events", json={})
    assert len(recorder.requests) == 1


async def test_no_answer_after_every_retry_is_a_connection_error() -> None:
    recorder = Recorder(httpx.ConnectError("[Errno 111] Connection refused"))
    client, _ = transport(recorder, retry=RetryPolicy(attempts=2))
    with pytest.raises(APIConnectionError, match=r"could not connect.*gave up after 2 attempts"):
        await client.request("GET", "/customers")


async def test_a_redirect_is_not_followed() -> None:
    moved = httpx.Response(302, headers={"Location": "https://elsewhere.test/login"})
    recorder = Recorder(moved)
    client, _ = transport(recorder)
    with pytest.raises(APIError, match="redirects are not followed") as raised:
        await client.request("GET", "/customers")
    assert type(raised.value) is APIError
    assert raised.value.status_code == 302
    assert [str(r.url) for r in recorder.requests] == [f"{URL}/customers"]
    # After a POST the redirect says the request may have been applied.
    recorder = Recorder(httpx.Response(307, headers={"Location": "https://elsewhere.test/"}))
    client, _ = transport(recorder)
    with pytest.raises(OutcomeUnknownError, match=r"elsewhere\.test"):
        await client.request("POST", "/customers", json={})
    assert len(recorder.requests) == 1


async def test_a_non_json_2xx_body_is_an_api_error() -> None:
    page = httpx.Response(200, content=b"<html>maintenance</html>")
    client, _ = transport(Recorder(page))
    with pytest.raises(APIError, match=r"200 with a body that is not JSON.*maintenance") as raised:
        await client.request("GET", "/customers/c1", expect_body=True)
    assert type(raised.value) is APIError
    client, _ = transport(Recorder(httpx.Response(201, content=b'{"id": "c1", "ba')))
    with pytest.raises(OutcomeUnknownError, match="truncated JSON body"):
        await client.request("POST", "/customers", json={})
    client, _ = transport(Recorder(httpx.Response(200, content=b"")))
    with pytest.raises(APIError, match="empty body where a document was expected"):
        await client.request("GET", "/customers/c1", expect_body=True)
    client, _ = transport(Recorder(httpx.Response(202, content=b"")))
    assert await client.request("POST", "/events", json={}) is None


async def test_an_error_answer_becomes_the_same_api_error_as_the_sync_client() -> None:
    envelope = {
        "message": "Conflict with exiting customer c9",
        "errors": [],
        "data": {"customer": {"id": "c9"}},
        "logref": "L1",
    }
    client, _ = transport(Recorder(httpx.Response(409, json=envelope)))
    with pytest.raises(APIError) as raised:
        await client.request("POST", "/customers", json={})
    error = raised.value
    assert (error.status_code, error.message, error.logref) == (409, envelope["message"], "L1")
    assert error.data == {"customer": {"id": "c9"}}
    assert isinstance(error.response, httpx.Response)


async def test_the_total_deadline_ends_a_call_that_keeps_being_retried() -> None:
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    client = AsyncTransport(
        URL,
        TOKEN,
        transport=httpx.MockTransport(Recorder(busy(503, "4"))),
        sleep=sleep,
        clock=lambda: now[0],
        timeouts=Timeouts(total=10),
    )
    with pytest.raises(APIConnectionError, match=r"deadline of 10 s \(Timeouts.total\)"):
        await client.request("GET", "/customers")
    assert now[0] == 8.0


async def test_the_total_deadline_interrupts_a_slow_answer() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200, json={})

    client = AsyncTransport(
        URL, TOKEN, transport=httpx.MockTransport(slow), timeouts=Timeouts(total=0.2)
    )
    with pytest.raises(OutcomeUnknownError, match=r"deadline of 0\.2 s"):
        await client.request("POST", "/customers", json={})
    with pytest.raises(APIConnectionError, match=r"deadline of 0\.2 s"):
        await client.request("GET", "/customers")


async def test_requests_are_logged_at_debug_and_retries_at_info_without_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, _ = transport(Recorder(busy(429, "0"), httpx.Response(200, json={})))
    with caplog.at_level(logging.DEBUG, logger="contacthub"):
        await client.request("GET", "/customers", params={"size": 5})
    records = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "contacthub"]
    assert ("DEBUG", f"GET {URL}/customers?size=5 -> 429 in 0 ms") in [
        (level, message.replace(message[message.rfind(" in ") :], " in 0 ms"))
        for level, message in records
    ]
    assert any(level == "INFO" and "retry 1 of 4" in message for level, message in records)
    assert all(TOKEN not in message for _, message in records)


async def test_the_token_is_sent_as_a_bearer_and_never_shown() -> None:
    recorder = Recorder(httpx.Response(200, json={}))
    client, _ = transport(recorder)
    await client.request("GET", "/customers")
    sent = recorder.requests[0]
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    assert sent.headers["User-Agent"].startswith("contacthub-python/")
    assert TOKEN not in repr(client)


async def test_a_client_that_follows_redirects_is_refused_and_a_given_one_is_left_open() -> None:
    with pytest.raises(ValueError, match="must not follow redirects"):
        AsyncTransport(URL, TOKEN, client=httpx.AsyncClient(follow_redirects=True))
    mine = httpx.AsyncClient(transport=httpx.MockTransport(Recorder(httpx.Response(200))))
    async with AsyncWorkspace("ws", TOKEN, "https://api.example.test/hub/v1", client=mine):
        pass
    assert not mine.is_closed
    await mine.aclose()


async def test_the_node_over_a_mock_transport_sends_the_wire_shapes() -> None:
    recorder = Recorder(
        httpx.Response(200, json={"elements": [], "page": {"totalElements": 0, "totalPages": 0}})
    )
    workspace = AsyncWorkspace(
        "ws", TOKEN, "https://api.example.test/hub/v1", transport=httpx.MockTransport(recorder)
    )
    node = workspace.get_node("n/1")
    from contacthub import Customer

    query = node.query(Customer).filter(Customer.base.firstName == "Ada")
    await node.get_customers(query=query, sort=["base.lastName", ("updatedAt", "desc")])
    await workspace.aclose()
    url = recorder.requests[0].url
    assert url.path == "/hub/v1/workspaces/ws/customers"
    assert url.params["nodeId"] == "n/1"
    assert url.params.get_list("sort") == ["base.lastName", "updatedAt,desc"]
    assert '"name":' in url.params["query"]
