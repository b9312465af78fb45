"""Rounds of a bulk item beyond the transport's retries: what is transient, how long to wait."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from contacthub._ops import Call, Op, Pause
from contacthub._retry import RetryPolicy
from contacthub.errors import APIConnectionError, APIError, OutcomeUnknownError

#: Rounds (send, or check then send) one item gets before it is reported as failed. The
#: transport already retries each request; these rounds cover what it must not or could not:
#: a POST with an unknown outcome, and a check or resend that failed on a transient error.
MAX_ROUNDS = 6

#: The rules of the rounds: which failures are transient (those the transport's policy says were
#: not processed: no answer, 429, 503) and the pause between rounds (full jitter, 0.25 s
#: doubling up to 4 s).
ROUNDS_POLICY = RetryPolicy(attempts=MAX_ROUNDS, backoff=0.25, max_backoff=4.0)


def transient(error: APIError, policy: RetryPolicy = ROUNDS_POLICY) -> bool:
    """True for a failure that says the request was not processed: trying later may succeed.

    The transport's own classification (:meth:`RetryPolicy.transient`): no answer after every
    retry, or an answer among ``post_statuses`` (429, 503); never an unknown outcome.
    """
    return policy.transient(error)


def hopeless(error: APIError | None) -> str | None:
    """How a failure dooms the items after it too (None when it is the item's own problem).

    No answer at all (the API is unreachable), or a refusal of the credentials (401, 403):
    every following item would fail the same way.
    """
    if isinstance(error, APIConnectionError) and error.status_code is None:
        return "got no answer from the API"
    if error is not None and error.status_code in (401, 403):
        return f"were refused with {error.status_code} (the credentials no longer work)"
    return None


def pause_delay(round_number: int, policy: RetryPolicy = ROUNDS_POLICY) -> float:
    """The wait before another round, growing with the rounds, jittered so workers spread out."""
    return policy.backoff_delay(round_number + 1, random.random)


def pause(round_number: int) -> None:
    """Wait before another round (see :func:`pause_delay`)."""
    time.sleep(pause_delay(round_number))


def pause_step(round_number: int) -> Pause:
    """The step of an operation (:mod:`contacthub._ops`) that waits before another round."""
    return Pause(pause_delay(round_number))


def rounds_of(call: Call) -> Op[Any]:
    """The answer to ``call``, asked again (up to MAX_ROUNDS) while it fails on a transient
    error: the operation behind :func:`with_rounds`, for the sync and async drivers."""
    for round_number in range(MAX_ROUNDS - 1):
        try:
            return (yield call)
        except APIError as exc:
            if not transient(exc):
                raise
            yield pause_step(round_number)
    return (yield call)


def with_rounds(call: Callable[[], Any]) -> Any:
    """``call()``, called again (up to MAX_ROUNDS) while it fails on a transient error."""
    for round_number in range(MAX_ROUNDS - 1):
        try:
            return call()
        except APIError as exc:
            if not transient(exc):
                raise
            pause(round_number)
    return call()


def unknown_outcome(unknown: APIError | None, why: str | APIError) -> APIError:
    """The error of an unknown outcome that could not be settled; ``why`` it could not."""
    if isinstance(why, APIError):
        why = f"checking the hub failed too ({why.message})"
    first = unknown.message if unknown is not None else "an earlier attempt may have been sent"
    return OutcomeUnknownError(
        f"{first}; the item may or may not have been stored: {why}",
        status_code=unknown.status_code if unknown is not None else None,
    )


NO_KEY = (
    "it has neither externalId nor base.contacts.email to look it up by, so it was not sent "
    "again to avoid a duplicate"
)
GAVE_UP = f"its outcome was still unknown after {MAX_ROUNDS} rounds"
