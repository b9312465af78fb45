"""The retry policy's decisions, as plain logic: no server, no HTTP library.

The transport's behaviour over HTTP is proven in test_transport*.py; these pin the rules
themselves, which the sync transport, the bulk rounds (and any other transport) share.
"""

from __future__ import annotations

import pytest

from contacthub._retry import (
    Answer,
    Attempt,
    Decision,
    Done,
    Fail,
    NoAnswer,
    Retry,
    RetryPolicy,
)
from contacthub.bulk import rounds
from contacthub.errors import APIConnectionError, APIError, OutcomeUnknownError

URL = "https://hub.example/hub/v1/workspaces/w/customers"
POLICY = RetryPolicy()


def half() -> float:
    return 0.5


def decide(
    method: str, outcome: Answer | NoAnswer, number: int = 1, uncertain: bool = False
) -> Decision:
    return POLICY.decide(Attempt(method, URL, number, uncertain), outcome, rand=half)


def answer(status: int, retry_after: str | None = None) -> Answer:
    error = None if status < 300 else APIError(f"status {status}", status_code=status)
    return Answer(status, error=error, retry_after=retry_after)


REFUSED = NoAnswer("could not connect ([Errno 111] Connection refused)", sent=False)
RESET = NoAnswer("the connection broke ([Errno 104] Connection reset by peer)", sent=True)


def test_a_2xx_is_done() -> None:
    for method in ("GET", "POST", "DELETE"):
        assert decide(method, answer(200)) == Done()


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_idempotent_methods_retry_every_status_of_statuses(status: int) -> None:
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        decision = decide(method, answer(status))
        assert isinstance(decision, Retry)
        assert decision.delay == 0.125  # first ceiling 0.25 s, jitter 0.5
        assert decision.reason == f"answered {status}"
        assert decision.next.number == 2


def test_a_post_is_retried_only_on_answers_that_say_it_was_not_processed() -> None:
    assert isinstance(decide("POST", answer(429)), Retry)
    assert isinstance(decide("POST", answer(503)), Retry)
    for status in (502, 504):
        decision = decide("POST", answer(status))
        assert isinstance(decision, Fail)
        assert isinstance(decision.error, OutcomeUnknownError)
        assert decision.error.status_code == status
        assert "may or may not have been applied" in decision.error.message


def test_a_post_is_resent_after_a_failure_to_connect_never_after_sending() -> None:
    retry = decide("POST", REFUSED)
    assert isinstance(retry, Retry)
    assert retry.next.uncertain is False
    fail = decide("POST", RESET)
    assert isinstance(fail, Fail)
    assert isinstance(fail.error, OutcomeUnknownError)
    assert fail.error.message == (
        f"POST {URL}: the connection broke ([Errno 104] Connection reset by peer) after the "
        "request was sent, so it may or may not have been applied; it was not resent to avoid a "
        "duplicate"
    )


def test_retry_after_wins_over_the_backoff_and_is_capped() -> None:
    decision = decide("GET", answer(503, retry_after="2"))
    assert isinstance(decision, Retry)
    assert decision.delay == 2.0
    decision = decide("GET", answer(429, retry_after="3600"))
    assert isinstance(decision, Retry)
    assert decision.delay == 30.0


def test_the_last_attempt_fails_with_the_answer_or_a_connection_error() -> None:
    busy = answer(503)
    decision = decide("GET", busy, number=5)
    assert decision == Fail(busy.error)  # type: ignore[arg-type]
    decision = decide("GET", REFUSED, number=5)
    assert isinstance(decision, Fail)
    assert type(decision.error) is APIConnectionError
    assert decision.error.message == (
        f"GET {URL}: could not connect ([Errno 111] Connection refused) (gave up after 5 attempts)"
    )


def test_an_attempt_that_may_have_been_applied_makes_the_next_uncertain() -> None:
    after_reset = decide("DELETE", RESET)
    after_gateway = decide("DELETE", answer(504))
    after_busy = decide("DELETE", answer(503))
    assert isinstance(after_reset, Retry)
    assert after_reset.next.uncertain
    assert isinstance(after_gateway, Retry)
    assert after_gateway.next.uncertain
    assert isinstance(after_busy, Retry)
    assert not after_busy.next.uncertain


def test_a_delete_takes_a_404_as_done_only_after_an_uncertain_attempt() -> None:
    assert decide("DELETE", answer(404), number=2, uncertain=True) == Done(gone=True)
    certain = decide("DELETE", answer(404), number=2, uncertain=False)
    assert isinstance(certain, Fail)
    assert certain.error.status_code == 404
    get = decide("GET", answer(404), number=2, uncertain=True)
    assert isinstance(get, Fail)  # only a DELETE's target can be gone because of us


def test_a_final_failure_is_never_retried() -> None:
    tls = NoAnswer("TLS failed (certificate verify failed)", sent=False, final=True)
    decision = decide("GET", tls)
    assert isinstance(decision, Fail)
    assert decision.error.message == f"GET {URL}: TLS failed (certificate verify failed)"


def test_a_redirect_fails_and_after_a_post_is_an_unknown_outcome() -> None:
    moved = Answer(301, error=APIError("Moved", status_code=301), location="https://x.example/")
    get = decide("GET", moved)
    assert isinstance(get, Fail)
    assert type(get.error) is APIError
    assert get.error.message == (
        f"GET {URL}: the API answered 301 redirecting to https://x.example/; redirects are not "
        "followed: check the base_url"
    )
    post = decide("POST", moved)
    assert isinstance(post, Fail)
    assert isinstance(post.error, OutcomeUnknownError)


def test_transient_failures_are_those_not_processed() -> None:
    assert POLICY.transient(APIConnectionError("no answer"))
    assert POLICY.transient(APIError("busy", status_code=503))
    assert POLICY.transient(APIError("slow down", status_code=429))
    assert not POLICY.transient(OutcomeUnknownError("maybe applied"))
    assert not POLICY.transient(APIError("gateway", status_code=502))
    assert not POLICY.transient(APIError("bad", status_code=400))
    assert (
        RetryPolicy(post_statuses=frozenset({429})).transient(APIError("busy", status_code=503))
        is False
    )


def test_bulk_rounds_use_the_policys_classification_and_backoff() -> None:
    for error in (
        APIConnectionError("no answer"),
        APIError("busy", status_code=503),
        OutcomeUnknownError("maybe"),
        APIError("gateway", status_code=504),
    ):
        assert rounds.transient(error) == POLICY.transient(error)
    assert rounds.ROUNDS_POLICY.attempts == rounds.MAX_ROUNDS
    ceilings = [rounds.ROUNDS_POLICY.backoff_delay(n, lambda: 1.0) for n in range(1, 7)]
    assert ceilings == [0.25, 0.5, 1.0, 2.0, 4.0, 4.0]
