"""A misbehaving server gives clear errors: bad 2xx bodies, redirects, deadlines, a wrong base URL.

Faults are injected at the requests adapter (exact and fast) and, where the reading of a real
stream matters (a body cut short, a body that drips in, a redirect loop), by a raw socket server.
The same behaviours against a real hub are in ``test_transport_hub.py``.
"""

from __future__ import annotations

import ast
import time

import pytest
from _fault_injection import Reply, raw_server, read_timeout, scripted_session

from contacthub import Workspace
from contacthub._http import DEFAULT_TOTAL_TIMEOUT, RetryPolicy, Timeouts, Transport
from contacthub.errors import APIConnectionError, APIError, OutcomeUnknownError

BASE = "https://hub.example/hub/v1/workspaces/ws1"
PATH = "/hub/v1/workspaces/ws1/customers/c1"
TOKEN = "s3cr3t-token-value"


class FakeTime:
    """A monotonic clock that only moves when the transport sleeps (or a test says so)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make(
    *script: Reply | BaseException,
    base: str = BASE,
    retry: RetryPolicy | None = None,
    timeouts: Timeouts | None = None,
) -> tuple[Transport, object, FakeTime]:
    session, adapter = scripted_session(*script)
    fake = FakeTime()
    transport = Transport(
        base,
        TOKEN,
        session=session,
        retry=retry,
        timeouts=timeouts,
        sleep=fake.sleep,
        rand=lambda: 0.5,
        clock=fake.clock,
    )
    return transport, adapter, fake


def sent(adapter: object) -> list[str]:
    return [s.method for s in adapter.sent]  # type: ignore[attr-defined]


# --- 2xx bodies that are not the JSON they should be ---


def test_a_2xx_body_that_is_not_json_names_status_path_and_first_bytes() -> None:
    transport, adapter, _ = make(Reply(200, raw=b"<html><body>Welcome to nginx!</body></html>"))
    with pytest.raises(APIError) as caught:
        transport.request("GET", "/customers/c1")
    error = caught.value
    assert not isinstance(error, APIConnectionError)
    assert error.status_code == 200
    assert error.message == (
        f"GET {PATH}: the API answered 200 with a body that is not JSON (Expecting value at "
        "character 0): b'<html><body>Welcome to nginx!</body></html>'"
    )
    assert error.body == "<html><body>Welcome to nginx!</body></html>"
    assert sent(adapter) == ["GET"]  # a server bug is not retried


def test_a_post_answered_with_a_body_that_is_not_json_is_an_unknown_outcome() -> None:
    transport, adapter, _ = make(Reply(201, raw=b"Created"), Reply(201, {"id": "dup"}))
    with pytest.raises(OutcomeUnknownError) as caught:
        transport.request("POST", "/customers", json={"nodeId": "n"})
    assert caught.value.status_code == 201
    message = caught.value.message
    assert message.startswith(
        "POST /hub/v1/workspaces/ws1/customers: the API answered 201 with a body that is not JSON"
    )
    assert "b'Created'" in message
    assert "may or may not have been applied" in message
    assert sent(adapter) == ["POST"]  # never resent: the customer may exist now


def test_a_truncated_json_body_is_named_as_such() -> None:
    transport, _, _ = make(
        Reply(200, raw=b'{"id": "c1", "base": {"firstName": "Ad'),
        Reply(200, raw=b'{"id": "c1", "base": {'),
    )
    with pytest.raises(APIError) as unterminated:
        transport.request("GET", "/customers/c1")
    assert unterminated.value.message == (
        f"GET {PATH}: the API answered 200 with a truncated JSON body (Unterminated string "
        """starting at character 35): b'{"id": "c1", "base": {"firstName": "Ad'"""
    )
    with pytest.raises(APIError, match=r"truncated JSON body \(Expecting property name"):
        transport.request("GET", "/customers/c1")


def test_a_body_cut_short_by_the_connection_is_retried_for_a_get() -> None:
    transport, adapter, _ = make(
        Reply(200, raw=b'{"id": "c', declared_length=40), Reply(200, {"id": "c1"})
    )
    assert transport.request("GET", "/customers/c1") == {"id": "c1"}
    assert sent(adapter) == ["GET", "GET"]


def test_a_body_always_cut_short_gives_up_naming_what_arrived() -> None:
    transport, adapter, _ = make(
        *[Reply(200, raw=b'{"id": "c', declared_length=40)] * 2, retry=RetryPolicy(attempts=2)
    )
    with pytest.raises(APIConnectionError) as caught:
        transport.request("GET", "/customers/c1")
    assert caught.value.status_code == 200
    assert caught.value.message == (
        f"GET {BASE}/customers/c1: the API answered 200 to {PATH} but the connection broke "
        "after 9 bytes of the body (IncompleteRead(9 bytes read, 31 more expected)): "
        """b'{"id": "c' (gave up after 2 attempts)"""
    )
    assert sent(adapter) == ["GET", "GET"]


def test_a_post_whose_answer_is_cut_short_is_an_unknown_outcome() -> None:
    transport, adapter, _ = make(Reply(201, raw=b'{"id": "n', declared_length=30), Reply(201))
    with pytest.raises(OutcomeUnknownError) as caught:
        transport.request("POST", "/customers", json={"nodeId": "n"})
    assert caught.value.status_code == 201
    assert "the connection broke after 9 bytes of the body" in caught.value.message
    assert "after the request was sent, so it may or may not have been applied" in str(caught.value)
    assert sent(adapter) == ["POST"]


def test_an_empty_body_where_a_document_is_due_is_an_error() -> None:
    transport, adapter, _ = make(Reply(200), Reply(200, raw=b"  \n"), Reply(200), Reply(201))
    with pytest.raises(APIError) as caught:
        transport.request("GET", "/customers/c1", expect_body=True)
    assert caught.value.status_code == 200
    assert caught.value.message == (
        f"GET {PATH}: the API answered 200 with an empty body where a document was expected: b''"
    )
    with pytest.raises(APIError, match=r"empty body where a document was expected: b'  \\n'"):
        transport.request("PUT", "/customers/c1", json={}, expect_body=True)
    # Without expect_body an empty body is a valid answer (a DELETE's, an old event POST's).
    assert transport.request("DELETE", "/customers/c1") is None
    with pytest.raises(OutcomeUnknownError, match="empty body where a document was expected"):
        transport.request("POST", "/customers", json={"nodeId": "n"}, expect_body=True)
    assert sent(adapter) == ["GET", "PUT", "DELETE", "POST"]


def test_a_body_nested_100000_deep_is_an_api_error_not_a_recursion_error() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    transport, _, _ = make(Reply(200, raw=deep), Reply(201, raw=deep), Reply(400, raw=deep))
    with pytest.raises(APIError) as get:
        transport.request("GET", "/customers/c1")
    assert get.value.message.startswith(
        f"GET {PATH}: the API answered 200 with a JSON body nested too deeply to read: b'[[[["
    )
    assert get.value.message.endswith("[[[['...")
    with pytest.raises(OutcomeUnknownError, match="nested too deeply"):
        transport.request("POST", "/customers", json={"nodeId": "n"})
    with pytest.raises(APIError) as refused:  # an error answer with such a body, too
        transport.request("GET", "/customers/c1")
    assert refused.value.status_code == 400
    assert refused.value.message.startswith("Scripted: [[[[")


def test_a_body_that_is_not_utf8_is_named() -> None:
    transport, _, _ = make(Reply(200, raw=b'{"firstName": "\xe9"}'))
    with pytest.raises(APIError, match=r"a body that is not UTF-8 text \(invalid continuation"):
        transport.request("GET", "/customers/c1")


# --- redirects are reported, never followed ---


def test_a_redirect_is_not_followed() -> None:
    location = "https://elsewhere.example/hub/v1/workspaces/ws1/customers/c1"
    transport, adapter, _ = make(Reply(301, headers={"Location": location}))
    with pytest.raises(APIError) as caught:
        transport.request("GET", "/customers/c1")
    assert not isinstance(caught.value, APIConnectionError)
    assert caught.value.status_code == 301
    assert caught.value.message == (
        f"GET {BASE}/customers/c1: the API answered 301 redirecting to {location}; redirects "
        "are not followed: check the base_url"
    )
    assert sent(adapter) == ["GET"]  # the script holds one answer: a follow would fail the test


def test_a_redirect_after_a_post_is_an_unknown_outcome() -> None:
    transport, adapter, _ = make(Reply(303, headers={"Location": f"{BASE}/customers/c9"}))
    with pytest.raises(OutcomeUnknownError) as caught:
        transport.request("POST", "/customers", json={"nodeId": "n"})
    assert caught.value.status_code == 303
    assert caught.value.message == (
        f"POST {BASE}/customers: the API answered 303 redirecting to {BASE}/customers/c9, so the "
        "request may or may not have been applied; it was not resent to avoid a duplicate "
        "(redirects are not followed: check the base_url)"
    )
    assert sent(adapter) == ["POST"]


def test_a_real_redirect_loop_is_one_request() -> None:
    with raw_server(Reply(302, headers={"Location": "/customers"}), Reply(200, {})) as server:
        transport = Transport(server.url, TOKEN)
        with transport, pytest.raises(OutcomeUnknownError, match="answered 302 redirecting"):
            transport.request("POST", "/customers", json={"nodeId": "n"})
        assert len(server.requests) == 1
        assert server.requests[0].startswith(b"POST /customers")


# --- the overall deadline ---


def test_timeouts_total_defaults_and_validation() -> None:
    assert Timeouts().total == DEFAULT_TOTAL_TIMEOUT == 300.0
    assert Timeouts(total=None).total is None
    for bad in (0, -1, "5", True):
        with pytest.raises(ValueError, match=r"Timeouts.total must be a positive number"):
            Timeouts(total=bad)  # type: ignore[arg-type]


def test_retries_stop_when_the_deadline_would_pass_before_the_next_one() -> None:
    transport, adapter, fake = make(
        *[Reply(503, {"message": "busy"}, {"Retry-After": "4"})] * 5,
        timeouts=Timeouts(total=10),
    )
    with pytest.raises(APIConnectionError) as caught:
        transport.request("GET", "/customers/c1")
    assert caught.value.message == (
        f"GET {BASE}/customers/c1: answered 503, and the call's deadline of 10 s "
        "(Timeouts.total) would pass before another attempt (gave up after 3 attempts)"
    )
    assert caught.value.status_code == 503  # it did get answers: the API is not unreachable
    assert fake.sleeps == [4.0, 4.0]  # t=0, 4, 8; a third wait would end at 12 > 10
    assert sent(adapter) == ["GET"] * 3


def test_each_try_waits_no_longer_than_what_is_left_of_the_deadline() -> None:
    transport, adapter, _ = make(
        Reply(503, None, {"Retry-After": "7"}),
        Reply(200, {"id": "c1"}),
        timeouts=Timeouts(connect=5, read=30, total=10),
    )
    assert transport.request("GET", "/customers/c1") == {"id": "c1"}
    first, second = adapter.sent  # type: ignore[attr-defined]
    assert first.timeout == (5, 10)
    assert second.timeout == (3, 3)


def test_no_deadline_means_the_retry_policy_alone_decides() -> None:
    transport, adapter, fake = make(
        *[Reply(503, None, {"Retry-After": "30"})] * 4 + [Reply(200, {})],
        timeouts=Timeouts(total=None),
    )
    assert transport.request("GET", "/customers") == {}
    assert fake.sleeps == [30.0] * 4
    assert sent(adapter) == ["GET"] * 5


def test_a_timeout_after_the_deadline_says_so() -> None:
    transport, adapter, fake = make(read_timeout(), timeouts=Timeouts(total=2))
    session = transport.session
    real_request = session.request

    def slow(*args: object, **kwargs: object) -> object:
        fake.now += 2.5  # the read timeout took the rest of the deadline
        return real_request(*args, **kwargs)  # type: ignore[arg-type]

    session.request = slow  # type: ignore[method-assign]
    with pytest.raises(APIConnectionError) as caught:
        transport.request("GET", "/customers")
    assert caught.value.message == (
        f"GET {BASE}/customers: timed out waiting for the answer: the call's deadline of 2 s "
        "(Timeouts.total) passed"
    )
    assert sent(adapter) == ["GET"]


def test_a_real_body_dripping_in_is_ended_by_the_deadline() -> None:
    # 200 bytes, one every 50 ms: each read comes well within the read timeout, the whole
    # would take 10 s. The 0.5 s deadline ends it.
    drip = Reply(200, raw=b'{"padding": "' + b"x" * 186 + b'"}', drip=0.05)
    with raw_server(drip) as server:
        transport = Transport(
            f"{server.url}/hub/v1/workspaces/w", TOKEN, timeouts=Timeouts(read=5, total=0.5)
        )
        started = time.monotonic()
        with transport, pytest.raises(APIConnectionError) as caught:
            transport.request("GET", "/customers")
        assert time.monotonic() - started < 5  # far less than the 10 s the body would take
    message = caught.value.message
    head = (
        f"GET {server.url}/hub/v1/workspaces/w/customers: the API answered 200 to "
        "/hub/v1/workspaces/w/customers but the call's deadline of 0.5 s (Timeouts.total) "
        "passed while the body was arriving: "
    )
    assert message.startswith(head)
    arrived = ast.literal_eval(message.removeprefix(head))  # the bytes that came in time
    assert 0 < len(arrived) < len(drip.payload())
    assert drip.payload().startswith(arrived)
    assert caught.value.status_code == 200
    assert len(server.requests) == 1  # the deadline is final: no retry


def test_a_real_post_dripping_in_past_the_deadline_is_an_unknown_outcome() -> None:
    with raw_server(Reply(201, raw=b'{"id": "' + b"n" * 100 + b'"}', drip=0.05)) as server:
        transport = Transport(server.url, TOKEN, timeouts=Timeouts(total=0.3))
        with transport, pytest.raises(OutcomeUnknownError) as caught:
            transport.request("POST", "/customers", json={"nodeId": "n"})
    assert "deadline of 0.3 s (Timeouts.total) passed while the body was arriving" in str(
        caught.value
    )
    assert len(server.requests) == 1


# --- a base URL without /hub/v1 ---


def test_a_404_page_on_a_base_url_without_hub_v1_hints_at_it() -> None:
    page = b"<html><head><title>404 Not Found</title></head></html>"
    session, adapter = scripted_session(
        Reply(404, raw=page), Reply(404, {"timestamp": 1, "status": 404, "error": "Not Found"})
    )
    workspace = Workspace("ws1", TOKEN, base_url="https://api.contactlab.it", session=session)
    node = workspace.get_node("n1")
    with pytest.raises(APIError) as html:
        node.get_customer(id="c1")
    assert html.value.status_code == 404
    assert html.value.message == (
        "Scripted: <html><head><title>404 Not Found</title></head></html> (the base URL "
        "https://api.contactlab.it does not end with /hub/v1: did you mean "
        "https://api.contactlab.it/hub/v1?)"
    )
    with pytest.raises(APIError, match=r"did you mean https://api.contactlab.it/hub/v1\?"):
        workspace.me()
    assert adapter.sent[0].url == "https://api.contactlab.it/workspaces/ws1/customers/c1"


def test_the_hint_names_the_missing_part_only() -> None:
    transport, _, _ = make(Reply(404, raw=b"nope"), base="https://gw.example/hub/workspaces/w")
    with pytest.raises(APIError) as caught:
        transport.request("GET", "/customers/c1")
    assert caught.value.message == (
        "Scripted: nope (the base URL https://gw.example/hub does not end with /hub/v1: did you "
        "mean https://gw.example/hub/v1?)"
    )


def test_no_hint_for_the_apis_own_404_or_a_base_url_with_hub_v1() -> None:
    envelope = {"message": "customer not found", "errors": [], "data": None, "logref": "L"}
    transport, _, _ = make(Reply(404, envelope), base="https://proxy.example/ch/workspaces/w")
    with pytest.raises(APIError) as api:
        transport.request("GET", "/customers/c1")
    assert api.value.message == "customer not found"
    transport, _, _ = make(Reply(404, raw=b"<html>Not Found</html>"))
    with pytest.raises(APIError) as page:
        transport.request("GET", "/customers/c1")
    assert page.value.message == "Scripted: <html>Not Found</html>"


def test_a_body_its_content_encoding_does_not_decode_is_a_bad_body() -> None:
    def bad_gzip(status: int) -> Reply:
        return Reply(
            status, raw=b"not gzip", headers={"Content-Encoding": "gzip"}, declared_length=8
        )

    transport, adapter, _ = make(bad_gzip(200), bad_gzip(201), bad_gzip(503), Reply(200, {}))
    with pytest.raises(APIError) as get:
        transport.request("GET", "/customers/c1")
    assert type(get.value) is APIError
    assert get.value.message == (
        f"GET {PATH}: the API answered 200 with a body that could not be decoded (Error -3 while "
        "decompressing data: incorrect header check): b''"
    )
    with pytest.raises(OutcomeUnknownError, match="could not be decoded"):
        transport.request("POST", "/customers", json={"nodeId": "n"})
    # an error answer is still read by its status: a 503 is retried
    assert transport.request("GET", "/customers") == {}
    assert sent(adapter) == ["GET", "POST", "GET", "GET"]
