"""The transport: retries, Retry-After, POST safety, timeouts, error mapping, headers, logs.

Faults are injected with a scripted requests adapter (exact and fast) and, where the reading of
real exceptions matters, with a raw socket server that really resets or never answers.
"""

from __future__ import annotations

import importlib.metadata
import logging
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
import requests
from _fault_injection import (
    Reply,
    free_port,
    raw_server,
    read_timeout,
    refused,
    reset_after_sending,
    scripted_session,
)

from contacthub import __version__
from contacthub._http import NO_RETRY, USER_AGENT, RetryPolicy, Timeouts, Transport
from contacthub.errors import APIConnectionError, APIError, OutcomeUnknownError

BASE = "https://hub.example/hub/v1/workspaces/ws1"
TOKEN = "s3cr3t-token-value"


class Sleeps(list[float]):
    """Records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make(
    *script: Reply | BaseException, retry: RetryPolicy | None = None
) -> tuple[Transport, object, Sleeps]:
    session, adapter = scripted_session(*script)
    sleeps = Sleeps()
    transport = Transport(BASE, TOKEN, session=session, retry=retry, sleep=sleeps, rand=lambda: 0.5)
    return transport, adapter, sleeps


def test_get_retried_after_503_succeeds_and_honours_retry_after() -> None:
    transport, adapter, sleeps = make(
        Reply(503, {"message": "busy"}, {"Retry-After": "2"}), Reply(200, {"id": "c1"})
    )
    assert transport.request("GET", "/customers/c1") == {"id": "c1"}
    assert len(adapter.sent) == 2  # type: ignore[attr-defined]
    assert sleeps == [2.0]


def test_post_retried_after_429_and_503_because_they_were_not_processed() -> None:
    transport, adapter, sleeps = make(
        Reply(429, {"message": "slow down"}, {"Retry-After": "1"}),
        Reply(503, {"message": "busy"}),
        Reply(201, {"id": "new"}),
    )
    assert transport.request("POST", "/customers", json={"nodeId": "n"}) == {"id": "new"}
    assert [s.method for s in adapter.sent] == ["POST"] * 3  # type: ignore[attr-defined]
    # the 503 had no Retry-After: full-jitter backoff, second retry ceiling 0.5 s * rand 0.5
    assert sleeps == [1.0, 0.25]


def test_retry_after_is_capped() -> None:
    transport, _, sleeps = make(
        Reply(503, None, {"Retry-After": "3600"}),
        Reply(200, {}),
        retry=RetryPolicy(retry_after_cap=7.5),
    )
    transport.request("GET", "/customers")
    assert sleeps == [7.5]


def test_retry_after_as_http_date() -> None:
    policy = RetryPolicy()
    now = datetime(2026, 11, 27, 12, 0, 0, tzinfo=timezone.utc)
    header = format_datetime(now + timedelta(seconds=12), usegmt=True)
    assert policy.retry_after_delay(header, now=now) == pytest.approx(12.0)
    assert (
        policy.retry_after_delay(format_datetime(now - timedelta(seconds=5), usegmt=True), now=now)
        == 0.0
    )
    assert policy.retry_after_delay("soon", now=now) is None
    assert policy.retry_after_delay(None) is None


def test_backoff_is_exponential_with_full_jitter_and_capped() -> None:
    policy = RetryPolicy(backoff=0.5, max_backoff=3.0)
    assert [policy.backoff_delay(n, lambda: 1.0) for n in (1, 2, 3, 4, 5)] == [
        0.5,
        1.0,
        2.0,
        3.0,
        3.0,
    ]
    assert policy.backoff_delay(3, lambda: 0.0) == 0.0
    assert policy.backoff_delay(2, lambda: 0.25) == 0.25


def test_connection_reset_on_get_is_retried() -> None:
    transport, adapter, _ = make(reset_after_sending(), read_timeout(), Reply(200, {"ok": True}))
    assert transport.request("GET", "/customers") == {"ok": True}
    assert len(adapter.sent) == 3  # type: ignore[attr-defined]


def test_patch_put_delete_are_retried_on_502_and_504() -> None:
    for method in ("PATCH", "PUT", "DELETE"):
        transport, adapter, _ = make(Reply(502), Reply(504), Reply(200, {"id": "c1"}))
        assert transport.request(method, "/customers/c1", json={"a": 1}) == {"id": "c1"}
        assert len(adapter.sent) == 3  # type: ignore[attr-defined]


def test_post_reset_after_sending_is_never_sent_twice() -> None:
    transport, adapter, sleeps = make(reset_after_sending(), Reply(201, {"id": "dup"}))
    with pytest.raises(OutcomeUnknownError) as caught:
        transport.request("POST", "/customers", json={"nodeId": "n"})
    assert len(adapter.sent) == 1  # type: ignore[attr-defined]
    assert sleeps == []
    assert "may or may not have been applied" in str(caught.value)
    assert caught.value.status_code is None
    assert isinstance(caught.value, APIError)


def test_post_read_timeout_is_an_unknown_outcome() -> None:
    transport, adapter, _ = make(read_timeout(), Reply(201, {"id": "dup"}))
    with pytest.raises(OutcomeUnknownError, match="timed out waiting for the answer"):
        transport.request("POST", "/events", json={"type": "x"})
    assert len(adapter.sent) == 1  # type: ignore[attr-defined]


def test_post_connection_refused_is_retried() -> None:
    transport, adapter, _ = make(refused(), Reply(201, {"id": "c1"}))
    assert transport.request("POST", "/customers", json={"nodeId": "n"}) == {"id": "c1"}
    assert len(adapter.sent) == 2  # type: ignore[attr-defined]


def test_post_gateway_502_is_an_unknown_outcome_and_not_resent() -> None:
    transport, adapter, _ = make(Reply(502, {"message": "bad gateway"}), Reply(201, {}))
    with pytest.raises(OutcomeUnknownError) as caught:
        transport.request("POST", "/customers", json={"nodeId": "n"})
    assert caught.value.status_code == 502
    assert len(adapter.sent) == 1  # type: ignore[attr-defined]


def test_exhausted_retries_raise_the_last_api_error() -> None:
    transport, adapter, sleeps = make(
        *[Reply(503, {"message": "busy", "logref": "L"})] * 3, retry=RetryPolicy(attempts=3)
    )
    with pytest.raises(APIError) as caught:
        transport.request("GET", "/customers")
    assert caught.value.status_code == 503
    assert caught.value.logref == "L"
    assert len(adapter.sent) == 3  # type: ignore[attr-defined]
    assert len(sleeps) == 2


def test_client_errors_are_not_retried() -> None:
    transport, adapter, _ = make(
        Reply(400, {"message": "bad", "errors": [], "data": None, "logref": "x"})
    )
    with pytest.raises(APIError):
        transport.request("GET", "/customers")
    assert len(adapter.sent) == 1  # type: ignore[attr-defined]


def test_connection_failure_after_every_retry_is_a_clear_error() -> None:
    transport, adapter, sleeps = make(*[read_timeout()] * 5)
    with pytest.raises(APIConnectionError) as caught:
        transport.request("GET", "/customers")
    message = str(caught.value)
    assert message == (
        f"GET {BASE}/customers: timed out waiting for the answer (gave up after 5 attempts)"
    )
    assert caught.value.status_code is None
    assert len(adapter.sent) == 5  # type: ignore[attr-defined]
    assert len(sleeps) == 4


def test_no_retry_policy_sends_once() -> None:
    transport, adapter, _ = make(Reply(503), retry=NO_RETRY)
    with pytest.raises(APIError):
        transport.request("GET", "/customers")
    assert len(adapter.sent) == 1  # type: ignore[attr-defined]


def test_error_envelope_is_mapped() -> None:
    envelope = {
        "message": "Conflict with exiting customer abc",
        "logref": "log-1",
        "data": {"customer": {"id": "abc", "href": "h"}},
        "errors": [{"path": "/base", "message": "m", "data": None, "code": None}],
    }
    transport, _, _ = make(Reply(409, envelope))
    with pytest.raises(APIError) as caught:
        transport.request("POST", "/customers", json={})
    error = caught.value
    assert error.status_code == 409
    assert error.message == "Conflict with exiting customer abc"
    assert error.data == {"customer": {"id": "abc", "href": "h"}}
    assert error.errors == envelope["errors"]
    assert error.logref == "log-1"
    assert error.body == envelope
    assert error.response is not None
    assert error.response.status_code == 409
    assert isinstance(error, requests.exceptions.HTTPError)
    assert str(error).startswith("Status code: 409. Message: Conflict with exiting customer abc.")


def test_spring_style_and_non_json_error_bodies_are_tolerated() -> None:
    transport, _, _ = make(
        Reply(404, {"timestamp": 1, "status": 404, "error": "Not Found", "path": "/x"}),
        Reply(500, raw=b"<html>Internal Server Error</html>"),
    )
    with pytest.raises(APIError) as spring:
        transport.request("GET", "/nowhere")
    assert spring.value.message == "Not Found"
    assert spring.value.status_code == 404
    with pytest.raises(APIError) as html:
        transport.request("DELETE", "/customers/x")
    assert html.value.status_code == 500
    assert "<html>Internal Server Error</html>" in html.value.message
    assert html.value.body == "<html>Internal Server Error</html>"


def test_empty_2xx_body_is_none_and_non_json_2xx_is_a_clear_error() -> None:
    transport, _, _ = make(Reply(200), Reply(202, raw=b"   "), Reply(200, raw=b"not json"))
    assert transport.request("DELETE", "/customers/c1") is None
    assert transport.request("POST", "/events", json={}) is None
    with pytest.raises(APIError, match="not JSON"):
        transport.request("GET", "/customers/c1")


def test_headers_user_agent_bearer_token_and_json_body() -> None:
    transport, adapter, _ = make(Reply(200, {}), Reply(200, {}))
    transport.request("POST", "/customers", json={"when": "x"}, params={"a": 1, "skip": None})
    transport.request("GET", "customers/a b")
    post, get = adapter.sent  # type: ignore[attr-defined]
    assert post.headers["User-Agent"] == USER_AGENT == f"contacthub-python/{__version__}"
    assert post.headers["Authorization"] == f"Bearer {TOKEN}"
    assert post.headers["Content-Type"] == "application/json"
    assert post.body == b'{"when": "x"}'
    assert post.url == f"{BASE}/customers?a=1"
    assert "Content-Type" not in get.headers
    assert get.url == f"{BASE}/customers/a%20b"


def test_token_never_appears_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="contacthub")
    transport, _, _ = make(
        Reply(503, None, {"Retry-After": "0"}),
        reset_after_sending(),
        Reply(200, {}),
        reset_after_sending(),
    )
    transport.request("GET", "/customers", params={"nodeId": "n"})
    with pytest.raises(OutcomeUnknownError):
        transport.request("POST", "/customers", json={"nodeId": "n"})
    text = caplog.text
    assert "retry 1 of 4" in text  # requests and retries are logged...
    assert "-> 200" in text
    assert TOKEN not in text  # ...without the token
    assert TOKEN not in repr(transport)


def test_invalid_settings_are_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="token"):
        Transport(BASE, "")
    with pytest.raises(ValueError, match="base_url"):
        Transport("hub.example", TOKEN)
    with pytest.raises(ValueError, match=r"Timeouts.read"):
        Timeouts(read=0)
    with pytest.raises(ValueError, match=r"RetryPolicy.attempts"):
        RetryPolicy(attempts=0)


def test_version_matches_the_distribution() -> None:
    assert __version__ == importlib.metadata.version("contacthub")


# --- real sockets: the exceptions requests raises for real faults are read correctly ---


def test_real_refused_connection_is_retried_then_reported() -> None:
    sleeps = Sleeps()
    transport = Transport(
        f"http://127.0.0.1:{free_port()}/hub/v1/workspaces/w",
        TOKEN,
        sleep=sleeps,
        retry=RetryPolicy(attempts=3),
    )
    with (
        transport,
        pytest.raises(
            APIConnectionError, match=r"could not connect \(\[Errno 111\] Connection refused\)"
        ) as caught,
    ):
        transport.request("POST", "/customers", json={"nodeId": "n"})
    assert not isinstance(caught.value, OutcomeUnknownError)  # nothing was sent: safe to retry
    assert len(sleeps) == 2


def test_real_reset_after_a_post_arrived_is_not_resent() -> None:
    with raw_server("reset", Reply(201, {"id": "dup"})) as server:
        transport = Transport(server.url, TOKEN, sleep=Sleeps())
        with transport, pytest.raises(OutcomeUnknownError):
            transport.request("POST", "/customers", json={"nodeId": "n"})
        assert len(server.requests) == 1
        assert server.requests[0].startswith(b"POST /customers")


def test_real_reset_on_a_get_is_retried() -> None:
    with raw_server("reset", Reply(200, {"ok": 1})) as server:
        transport = Transport(server.url, TOKEN, sleep=Sleeps())
        with transport:
            assert transport.request("GET", "/customers") == {"ok": 1}
        assert len(server.requests) == 2


def test_real_read_timeout_surfaces_as_a_clear_error() -> None:
    with raw_server("hang", "hang") as server:
        transport = Transport(
            server.url,
            TOKEN,
            timeouts=Timeouts(read=0.2),
            retry=RetryPolicy(attempts=2),
            sleep=Sleeps(),
        )
        with transport, pytest.raises(APIConnectionError, match="timed out waiting for the answer"):
            transport.request("GET", "/customers")
        assert len(server.requests) == 2


def test_proxy_is_taken_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    with raw_server(Reply(200, {"via": "proxy"})) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        transport = Transport("http://hub.invalid/hub/v1/workspaces/w", TOKEN, sleep=Sleeps())
        with transport:
            assert transport.request("GET", "/customers") == {"via": "proxy"}
        assert proxy.requests[0].startswith(b"GET http://hub.invalid/hub/v1/workspaces/w/customers")


def test_answer_cut_short_is_retried_for_get_and_unknown_for_post() -> None:
    cut = requests.exceptions.ChunkedEncodingError(
        "Connection broken: IncompleteRead(0 bytes read)"
    )
    transport, adapter, _ = make(cut, Reply(200, {"ok": 1}))
    assert transport.request("GET", "/customers") == {"ok": 1}
    transport, adapter, _ = make(
        requests.exceptions.ChunkedEncodingError("Connection broken"), Reply(201, {})
    )
    with pytest.raises(OutcomeUnknownError):
        transport.request("POST", "/customers", json={})
    assert len(adapter.sent) == 1  # type: ignore[attr-defined]


def test_tls_failure_is_not_retried() -> None:
    transport, adapter, sleeps = make(requests.exceptions.SSLError("certificate verify failed"))
    with pytest.raises(APIConnectionError, match="TLS failed"):
        transport.request("GET", "/customers")
    assert len(adapter.sent) == 1  # type: ignore[attr-defined]
    assert sleeps == []


def test_a_body_that_is_not_json_is_refused_before_sending() -> None:
    transport, adapter, _ = make()
    with pytest.raises(TypeError, match=r"POST /customers: the body cannot be sent as JSON"):
        transport.request("POST", "/customers", json={"when": object()})
    assert adapter.sent == []  # type: ignore[attr-defined]


def test_delete_retried_after_a_lost_answer_takes_404_as_done() -> None:
    # The first DELETE was applied but its answer was lost: the retry finds nothing to delete.
    transport, adapter, _ = make(
        reset_after_sending(), Reply(404, {"message": "customer not found"})
    )
    assert transport.request("DELETE", "/customers/c1") is None
    assert len(adapter.sent) == 2  # type: ignore[attr-defined]
    transport, _, _ = make(Reply(504), Reply(404, {"message": "customer not found"}))
    assert transport.request("DELETE", "/customers/c1") is None


def test_delete_of_a_missing_target_is_still_a_404() -> None:
    transport, _, _ = make(Reply(404, {"message": "customer not found"}))
    with pytest.raises(APIError) as first_try:
        transport.request("DELETE", "/customers/c1")
    assert first_try.value.status_code == 404
    # a refused connection sent nothing, so a 404 afterwards is a real one
    transport, _, _ = make(refused(), Reply(404, {"message": "customer not found"}))
    with pytest.raises(APIError) as after_refusal:
        transport.request("DELETE", "/customers/c1")
    assert after_refusal.value.status_code == 404
