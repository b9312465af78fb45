"""The SDK's retry policy: what to do after each try of a call, with no I/O and no HTTP library.

The transport sends a request and describes what came back as an :class:`Answer` (a status
line) or a :class:`NoAnswer` (the connection failed, or broke before the whole answer came).
:meth:`RetryPolicy.decide` turns that into one of three decisions:

- :class:`Retry`: wait ``delay`` seconds, then send it again as ``next``;
- :class:`Fail`: raise ``error``;
- :class:`Done`: the call is over: read the answer (or, with ``gone``, there is nothing to read).

The rules, in one place: a request that may safely be repeated (GET, PUT, PATCH, DELETE) is
retried on a failed connection and on ``statuses``; a POST only when it cannot have been
processed (it never left this machine, or the answer is one of ``post_statuses``); a DELETE
retried after a try that may have been applied takes a 404 as done. Bulk operations use
:meth:`RetryPolicy.transient` to tell which failures deserve another round.
"""

from __future__ import annotations

import email.utils
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from contacthub.errors.api_error import APIError
from contacthub.errors.connection_error import APIConnectionError, OutcomeUnknownError

# Methods whose repetition has the same effect as one call on the ContactHub API (PATCH is a
# deep merge of the same document, so sending it twice leaves the same state).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})

# Answers from a gateway whose upstream failed or did not answer in time: the API behind it
# may have processed the request.
GATEWAY_STATUSES = frozenset({502, 504})


@dataclass(frozen=True)
class Attempt:
    """One try of a call, as the policy sees it.

    Attributes:
        method: the HTTP method, upper case.
        url: the URL, for the messages of the errors.
        number: 1 for the first try.
        uncertain: whether an earlier try of this call may have been applied (it was sent and
            its answer was lost, or a gateway answered 502/504).
    """

    method: str
    url: str
    number: int = 1
    uncertain: bool = False

    @property
    def idempotent(self) -> bool:
        """Whether sending the request twice has the effect of sending it once."""
        return self.method in IDEMPOTENT_METHODS


@dataclass(frozen=True)
class Answer:
    """The status line of an answer (its body, when needed, was read by the transport).

    Attributes:
        status: the HTTP status code.
        error: the :class:`APIError` the answer means when it is not 2xx (None for a 2xx).
        retry_after: the ``Retry-After`` header, if any.
        location: the ``Location`` header of a redirect, if any.
    """

    status: int
    error: APIError | None = None
    retry_after: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class NoAnswer:
    """A try that got no (whole) answer.

    Attributes:
        reason: what happened, readable: ``"could not connect ([Errno 111] Connection refused)"``.
        sent: whether the request may have reached the API (False only when it surely did not:
            the connection was never made).
        final: True when another try would fail the same way (a TLS failure, an invalid URL, the
            call's deadline passed).
        status: the status of an answer whose body was cut short, else None.
        cause: the exception that says so, chained to the error raised.
    """

    reason: str
    sent: bool
    final: bool = False
    status: int | None = None
    cause: BaseException | None = None


Outcome = Answer | NoAnswer
"""What one try of a call gave."""


@dataclass(frozen=True)
class Retry:
    """Send the request again, as ``next``, after ``delay`` seconds; ``reason`` is for the log."""

    delay: float
    reason: str
    next: Attempt


@dataclass(frozen=True)
class Fail:
    """Give up: raise ``error`` (chained to ``cause``)."""

    error: APIError
    cause: BaseException | None = None


@dataclass(frozen=True)
class Done:
    """The call is over: read the answer; ``gone`` when a retried DELETE found its target gone."""

    gone: bool = False


Decision = Retry | Fail | Done
"""What the policy decided after a try."""


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before sending a failed request again.

    Attributes:
        attempts: tries in all, the first one included (1 = never retry).
        backoff: the ceiling, in seconds, of the first retry's delay; it doubles on each retry
            up to ``max_backoff``. The actual delay is drawn uniformly between 0 and the ceiling
            ("full jitter"), so that many clients retrying together spread out.
        max_backoff: the largest ceiling of a backoff delay.
        retry_after_cap: the longest wait honoured from a ``Retry-After`` header; a longer
            value is cut down to it.
        statuses: the answers retried for GET, PUT, PATCH and DELETE.
        post_statuses: the answers retried for POST: only those that say the request was not
            processed.
    """

    attempts: int = 5
    backoff: float = 0.25
    max_backoff: float = 8.0
    retry_after_cap: float = 30.0
    statuses: frozenset[int] = frozenset({429, 502, 503, 504})
    post_statuses: frozenset[int] = frozenset({429, 503})

    def __post_init__(self) -> None:
        if not isinstance(self.attempts, int) or self.attempts < 1:
            raise ValueError(f"RetryPolicy.attempts must be an integer >= 1, not {self.attempts!r}")
        for name in ("backoff", "max_backoff", "retry_after_cap"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"RetryPolicy.{name} must be a number >= 0, not {value!r}")

    # ------------------------------------------------------------------ the decision

    def decide(
        self,
        attempt: Attempt,
        outcome: Outcome,
        *,
        rand: Callable[[], float] = random.random,
        now: datetime | None = None,
    ) -> Decision:
        """What to do after ``attempt`` gave ``outcome``: retry, fail, or done.

        ``rand`` draws the backoff jitter and ``now`` is the time a ``Retry-After`` date is
        measured from (both injectable for tests).
        """
        if isinstance(outcome, NoAnswer):
            return self._after_no_answer(attempt, outcome, rand)
        status = outcome.status
        if 200 <= status < 300:
            return Done()
        if attempt.method == "DELETE" and status == 404 and attempt.uncertain:
            return Done(gone=True)
        error = outcome.error or APIError(f"HTTP {status}", status_code=status)
        if 300 <= status < 400:
            return Fail(self._redirect_error(attempt, outcome, error))
        retried = self.statuses if attempt.idempotent else self.post_statuses
        if status in retried and attempt.number < self.attempts:
            asked = self.retry_after_delay(outcome.retry_after, now)
            delay = asked if asked is not None else self.backoff_delay(attempt.number, rand)
            uncertain = attempt.uncertain or status in GATEWAY_STATUSES
            return Retry(delay, f"answered {status}", self._next(attempt, uncertain))
        if not attempt.idempotent and status in GATEWAY_STATUSES:
            return Fail(
                _unknown(
                    f"{attempt.method} {attempt.url}: the gateway answered {status} "
                    f"({error.message}), so the request may or may not have been applied; it "
                    "was not resent to avoid a duplicate",
                    error,
                )
            )
        return Fail(error)

    def _after_no_answer(
        self, attempt: Attempt, outcome: NoAnswer, rand: Callable[[], float]
    ) -> Decision:
        where = f"{attempt.method} {attempt.url}"
        if outcome.sent and not attempt.idempotent:
            return Fail(
                OutcomeUnknownError(
                    f"{where}: {outcome.reason} after the request was sent, so it may or may "
                    "not have been applied; it was not resent to avoid a duplicate",
                    status_code=outcome.status,
                ),
                outcome.cause,
            )
        if outcome.final:
            return Fail(
                APIConnectionError(f"{where}: {outcome.reason}", status_code=outcome.status),
                outcome.cause,
            )
        if attempt.number >= self.attempts:
            tries = f"{attempt.number} attempt{'s' if attempt.number > 1 else ''}"
            return Fail(
                APIConnectionError(
                    f"{where}: {outcome.reason} (gave up after {tries})",
                    status_code=outcome.status,
                ),
                outcome.cause,
            )
        delay = self.backoff_delay(attempt.number, rand)
        return Retry(delay, outcome.reason, self._next(attempt, attempt.uncertain or outcome.sent))

    @staticmethod
    def _next(attempt: Attempt, uncertain: bool) -> Attempt:
        return replace(attempt, number=attempt.number + 1, uncertain=uncertain)

    @staticmethod
    def _redirect_error(attempt: Attempt, answer: Answer, error: APIError) -> APIError:
        where = f"{attempt.method} {attempt.url}"
        target = f" to {answer.location}" if answer.location else ""
        said = f"the API answered {answer.status} redirecting{target}"
        advice = "redirects are not followed: check the base_url"
        if attempt.idempotent:
            return _copy(APIError, f"{where}: {said}; {advice}", error, status_code=answer.status)
        return _unknown(
            f"{where}: {said}, so the request may or may not have been applied; it was not "
            f"resent to avoid a duplicate ({advice})",
            error,
        )

    # ------------------------------------------------------------------ classification

    def transient(self, error: APIError) -> bool:
        """True for a failure that says the request was not processed: trying later may succeed.

        No answer came (:class:`APIConnectionError`, after every retry), or the API answered
        one of ``post_statuses`` (busy: 429, 503). An :class:`OutcomeUnknownError` is not
        transient: the request may have been applied, so sending it again is not safe.
        """
        if isinstance(error, OutcomeUnknownError):
            return False
        return isinstance(error, APIConnectionError) or error.status_code in self.post_statuses

    # ------------------------------------------------------------------ delays

    def backoff_delay(self, retry: int, rand: Callable[[], float] = random.random) -> float:
        """The delay before retry number ``retry`` (1 for the first retry), with full jitter."""
        ceiling = min(self.max_backoff, self.backoff * 2.0 ** (retry - 1))
        return ceiling * rand()

    def retry_after_delay(self, header: str | None, now: datetime | None = None) -> float | None:
        """The wait a ``Retry-After`` header asks for, capped; ``None`` when absent or unreadable.

        The header holds either seconds (``"3"``) or an HTTP date
        (``"Wed, 21 Oct 2026 07:28:00 GMT"``).
        """
        if header is None or not header.strip():
            return None
        value = header.strip()
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                return None
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
        if seconds != seconds:  # NaN
            return None
        return min(max(seconds, 0.0), self.retry_after_cap)


NO_RETRY = RetryPolicy(attempts=1)
"""A policy that sends every request once."""


def _copy(
    kind: type[APIError], message: str, error: APIError, *, status_code: int | None
) -> APIError:
    """An error of ``kind`` with ``message`` and everything else ``error`` carries."""
    return kind(
        message,
        status_code=status_code,
        errors=error.errors,
        data=error.data,
        logref=error.logref,
        body=error.body,
        response=error.response,
        request=error.request,
    )


def _unknown(message: str, error: APIError) -> APIError:
    return _copy(OutcomeUnknownError, message, error, status_code=error.status_code)
