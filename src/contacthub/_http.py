"""The SDK's one transport: the only place that opens connections to the ContactHub API.

A :class:`Transport` belongs to a :class:`~contacthub.workspace.Workspace`; ``Node`` and the bulk
operations send every request through it. It owns:

- one pooled :class:`requests.Session` (sized for bulk concurrency, proxies and CA bundles from
  the environment as ``requests`` does, read once when the transport is built);
- connect and read timeouts, and an overall deadline per call (:class:`Timeouts`);
- sending, and describing each try's outcome to the retry policy
  (:class:`~contacthub._retry.RetryPolicy`), which decides whether to retry, fail or stop;
- the mapping of answers to Python: parsed JSON, ``None`` for an empty body, or an
  :class:`~contacthub.errors.APIError` (:class:`~contacthub.errors.APIConnectionError` when no
  answer came, :class:`~contacthub.errors.OutcomeUnknownError` when a ``POST`` may have been
  applied). A 2xx whose body is not JSON, is cut short, is nested too deeply or is empty where
  a document is due is an ``APIError`` too; redirects are never followed.

Every request is logged at DEBUG and every retry at INFO on the ``contacthub`` logger; the token
is never logged.
"""

from __future__ import annotations

import importlib
import json as jsonlib
import logging
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from urllib3.exceptions import ConnectTimeoutError
from urllib3.response import BaseHTTPResponse

from contacthub._retry import (
    IDEMPOTENT_METHODS,
    NO_RETRY,
    Answer,
    Attempt,
    Decision,
    Done,
    Fail,
    NoAnswer,
    Outcome,
    Retry,
    RetryPolicy,
)
from contacthub._version import __version__
from contacthub.errors.api_error import APIError
from contacthub.errors.connection_error import APIConnectionError, OutcomeUnknownError

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_POOL_SIZE",
    "DEFAULT_TOTAL_TIMEOUT",
    "IDEMPOTENT_METHODS",
    "NO_RETRY",
    "USER_AGENT",
    "RetryPolicy",
    "Timeouts",
    "Transport",
    "TransportCore",
    "dumps",
    "error_from_parts",
    "error_from_response",
]

logger = logging.getLogger("contacthub")
# A library leaves output to the application: without its own logging setup, nothing is printed.
logger.addHandler(logging.NullHandler())

DEFAULT_BASE_URL = "https://api.contactlab.it/hub/v1"
"""The ContactHub API's base URL (the part before ``/workspaces``)."""

DEFAULT_POOL_SIZE = 32
"""Connections kept per host: enough for the bulk operations' default concurrency."""

DEFAULT_TOTAL_TIMEOUT = 300.0
"""The default overall deadline of a call, in seconds: longer than the default retries can take
(5 tries of 5 s connect + 30 s read, and four pauses of at most 30 s), so that it only ends a
call that a server keeps alive by answering very slowly."""

USER_AGENT = f"contacthub-python/{__version__}"
"""The ``User-Agent`` sent with every request."""

# How much of a bad body an error message quotes.
_SNIPPET_BYTES = 80


@dataclass(frozen=True)
class Timeouts:
    """How long to wait, in seconds: for a connection, for each read of an answer, and in all.

    Attributes:
        connect: the longest wait for a connection to open.
        read: the longest wait for the next bytes of an answer.
        total: the deadline of a whole call, retries and the pauses between them included;
            ``None`` for none. When the deadline would pass before another try, the call stops
            with an :class:`~contacthub.errors.APIConnectionError` saying so. Default 300 s.
    """

    connect: float = 5.0
    read: float = 30.0
    total: float | None = DEFAULT_TOTAL_TIMEOUT

    def __post_init__(self) -> None:
        for name in ("connect", "read", "total"):
            value = getattr(self, name)
            if name == "total" and value is None:
                continue
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                raise ValueError(
                    f"Timeouts.{name} must be a positive number of seconds, not {value!r}"
                )


class _BearerAuth(AuthBase):
    """Adds ``Authorization: Bearer``. Being an auth object (rather than a plain header) keeps
    ``requests`` from replacing it with credentials found in ``~/.netrc``."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "<BearerAuth ***>"


def dumps(value: Any) -> str:
    """JSON text of ``value``, with datetimes, dates and Properties through the SDK's DateEncoder."""
    return jsonlib.dumps(value, cls=_date_encoder())


def _encode_json(body: Any) -> bytes:
    return dumps(body).encode("utf-8")


def _date_encoder() -> type[jsonlib.JSONEncoder] | None:
    # Looked up on use, not imported at the top: the models' utilities import the SDK's
    # modules, and the transport must import without them.
    try:
        module = importlib.import_module("contacthub.lib.utils")
    except ImportError:
        return None
    encoder: type[jsonlib.JSONEncoder] | None = getattr(module, "DateEncoder", None)
    return encoder


# ---------------------------------------------------------------------- what requests raised

# Failures that may pass on a new attempt: no connection, a timeout, or an answer cut short
# (ChunkedEncodingError: the connection broke while the body was being read).
_TRANSIENT = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception it wraps (args, urllib3's ``reason``, causes), outermost first.

    requests wraps urllib3's errors, which wrap the socket's: the facts we need are inside.
    """
    seen: set[int] = set()
    queue: list[Any] = [exc]
    while queue:
        item = queue.pop(0)
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        queue.extend(item.args)
        queue.extend((getattr(item, "reason", None), item.__cause__, item.__context__))


def _failed_before_sending(exc: BaseException) -> bool:
    """Whether a connection error happened before any byte of the request left this machine.

    Only then is a POST safe to resend. urllib3 reports a refused connection, a DNS failure or a
    connect timeout as (subclasses of) ``ConnectTimeoutError``.
    """
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    return any(isinstance(item, ConnectTimeoutError) for item in _chain(exc))


def _root_cause(exc: BaseException) -> str:
    """The innermost readable reason, e.g. ``[Errno 111] Connection refused`` or
    ``IncompleteRead(9 bytes read, 31 more expected)``."""
    chain = list(_chain(exc))
    for item in chain:
        # requests' own errors are OSErrors too, but only wrap the interesting one.
        if isinstance(item, OSError) and not isinstance(item, requests.exceptions.RequestException):
            return str(item) or type(item).__name__
    if isinstance(exc, urllib3.exceptions.ProtocolError):
        return _innermost(exc)
    return str(exc)


def _innermost(exc: BaseException) -> str:
    """The text of the innermost exception ``exc`` wraps (``exc``'s own when it wraps none)."""
    inner = list(_chain(exc))[-1]
    return str(inner) or type(inner).__name__


def _describe(exc: BaseException) -> str:
    """A short, readable reason for a connection failure."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "timed out while connecting"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "timed out waiting for the answer"
    if _failed_before_sending(exc):
        return f"could not connect ({_root_cause(exc)})"
    return f"the connection broke ({_root_cause(exc)})"


def _deadline_text(total: float | None) -> str:
    return f"the call's deadline of {total:g} s (Timeouts.total)"


def _no_answer(exc: requests.exceptions.RequestException, deadline_text: str | None) -> NoAnswer:
    """The outcome of a try that raised ``exc`` before any answer; ``deadline_text`` is set when
    the call's deadline has passed."""
    if isinstance(exc, requests.exceptions.SSLError):
        # A certificate or TLS failure does not go away by trying again.
        return NoAnswer(f"TLS failed ({exc})", sent=False, final=True, cause=exc)
    if isinstance(exc, _TRANSIENT):
        sent = not _failed_before_sending(exc)
        reason = _describe(exc)
        if deadline_text is not None and isinstance(exc, requests.exceptions.Timeout):
            return NoAnswer(f"{reason}: {deadline_text} passed", sent, final=True, cause=exc)
        return NoAnswer(reason, sent, cause=exc)
    # An invalid URL, header or similar: sending again would fail the same way.
    return NoAnswer(f"the request could not be sent ({exc})", sent=False, final=True, cause=exc)


# ---------------------------------------------------------------------- reading an answer


class _BodyFailed(Exception):
    """The body of an answer could not be read whole."""

    def __init__(
        self, what: str, received: bytes, final: bool = False, undecodable: bool = False
    ) -> None:
        super().__init__(what)
        self.what = what
        self.received = received
        self.final = final
        # The whole body came, but its Content-Encoding (gzip...) does not decode it.
        self.undecodable = undecodable


def _snippet(content: bytes) -> str:
    """The first bytes of a body, for an error message."""
    head = content[:_SNIPPET_BYTES]
    return repr(head) + ("..." if len(content) > _SNIPPET_BYTES else "")


def _read_body(
    response: requests.Response,
    deadline: float | None,
    clock: Callable[[], float],
    total: float | None,
) -> bytes:
    """The whole body of ``response`` (sent with ``stream=True``), read as it arrives.

    Reading piece by piece, rather than in one blocking read, lets the call's deadline end an
    answer that drips in too slowly for the read timeout to notice. Raises :class:`_BodyFailed`
    with what arrived when the connection breaks, the read times out or the deadline passes.
    """
    raw = response.raw
    if not isinstance(raw, BaseHTTPResponse):
        # An adapter that already holds the body (tests, caches): nothing is left to arrive.
        try:
            return response.content
        except requests.exceptions.ContentDecodingError as exc:
            raise _BodyFailed(
                f"a body that could not be decoded ({_innermost(exc)})",
                b"",
                final=True,
                undecodable=True,
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise _BodyFailed(_describe(exc), b"") from exc
    chunks: list[bytes] = []
    received = 0
    try:
        while True:
            if deadline is not None and clock() >= deadline:
                raise _BodyFailed(
                    f"{_deadline_text(total)} passed while the body was arriving",
                    b"".join(chunks),
                    final=True,
                )
            chunk = raw.read1(65536, decode_content=True)
            if not chunk:
                break
            chunks.append(chunk)
            received += len(chunk)
    except urllib3.exceptions.DecodeError as exc:
        raise _BodyFailed(
            f"a body that could not be decoded ({_innermost(exc)})",
            b"".join(chunks),
            final=True,
            undecodable=True,
        ) from exc
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise _BodyFailed("timed out waiting for the rest of the body", b"".join(chunks)) from exc
    except urllib3.exceptions.HTTPError as exc:
        raise _BodyFailed(
            f"the connection broke after {received} bytes of the body ({_root_cause(exc)})",
            b"".join(chunks),
        ) from exc
    body = b"".join(chunks)
    # Kept on the response, as requests does, so that response.text and .json() work on it.
    response._content = body
    response._content_consumed = True  # type: ignore[attr-defined]
    return body


_ENVELOPE_KEYS = frozenset({"errors", "data", "logref"})


def _is_envelope(body: Any) -> bool:
    """Whether ``body`` is the API's error envelope (``message``, ``errors``, ``data``,
    ``logref``), as opposed to a gateway's or web server's page."""
    return isinstance(body, dict) and "message" in body and bool(_ENVELOPE_KEYS & body.keys())


def error_from_response(response: requests.Response) -> APIError:
    """Build the :class:`APIError` for a non-2xx answer.

    Understands the API's envelope (``message``, ``errors``, ``data``, ``logref``), the
    Spring-style ``{"status", "error"}`` bodies some gateways send, and bodies that are not
    JSON at all (or nested too deeply to read).
    """
    return error_from_parts(
        response.status_code,
        response.text,
        response.reason,
        response=response,
        request=response.request,
    )


def error_from_parts(
    status: int, text: str, reason: str | None, *, response: Any = None, request: Any = None
) -> APIError:
    """The :class:`APIError` of a non-2xx answer from its status, body text and reason phrase,
    whatever HTTP library read it (``response`` and ``request`` are kept on the error)."""
    body: Any
    try:
        body = jsonlib.loads(text) if text.strip() else text
    except (ValueError, RecursionError):
        body = text
    message: str
    errors: list[Any] = []
    data: Any = None
    logref: str | None = None
    if isinstance(body, dict):
        spring_style = "error" in body and "logref" not in body and "errors" not in body
        if spring_style:
            message = str(body["error"])
            detail = body.get("message")
            if (
                isinstance(detail, str)
                and detail
                and detail not in (message, "No message available")
            ):
                message = f"{message}: {detail}"
        else:
            raw = body.get("message")
            message = str(raw) if raw not in (None, "") else (reason or f"HTTP {status}")
        if isinstance(body.get("errors"), list):
            errors = body["errors"]
        data = body.get("data")
        raw_logref = body.get("logref")
        logref = str(raw_logref) if raw_logref is not None else None
    else:
        snippet = text.strip()[:200]
        reason = reason or f"HTTP {status}"
        message = f"{reason}: {snippet}" if snippet else reason
    return APIError(
        message,
        status_code=status,
        errors=errors,
        data=data,
        logref=logref,
        body=body,
        response=response,
        request=request,
    )


def _body_problem(content: bytes, expect_body: bool) -> tuple[Any, str | None]:
    """The parsed JSON of a 2xx body and None, or None and what is wrong with it."""
    if not content.strip():
        if expect_body:
            return None, "an empty body where a document was expected"
        return None, None
    try:
        return jsonlib.loads(content), None
    except RecursionError:
        return None, "a JSON body nested too deeply to read"
    except UnicodeDecodeError as exc:
        return None, f"a body that is not UTF-8 text ({exc.reason} at byte {exc.start})"
    except jsonlib.JSONDecodeError as exc:
        where = f"{exc.msg.removesuffix(' at')} at character {exc.pos}"
        if exc.pos >= len(exc.doc.rstrip()) or exc.msg.startswith("Unterminated string"):
            return None, f"a truncated JSON body ({where})"
        return None, f"a body that is not JSON ({where})"


# ---------------------------------------------------------------------- the transport


@dataclass(frozen=True)
class _Call:
    """A request ready to send (and send again)."""

    method: str
    url: str
    params: dict[str, Any] | None
    data: bytes | None
    headers: dict[str, str]


_WORKSPACE_SUFFIX = re.compile(r"/workspaces(/[^/]*)?$")


class TransportCore:
    """What every transport of the SDK shares, free of any HTTP library and of I/O.

    :class:`Transport` (``requests``, threads) and :class:`contacthub._async_http.AsyncTransport`
    (``httpx``, asyncio) are each a loop of *send once, describe the try, act on the policy's
    decision*; everything else lives here, once: the checks of the arguments, URLs and ids,
    encoding a request, the retry policy's decision turned into a wait, an error or a result,
    the errors of answers, and the logging. A transport only sends, reads and sleeps.
    """

    base_url: str
    timeouts: Timeouts
    retry: RetryPolicy
    pool_size: int

    def _setup(
        self,
        base_url: str,
        token: str,
        timeouts: Timeouts | None,
        retry: RetryPolicy | None,
        pool_size: int,
        rand: Callable[[], float],
        clock: Callable[[], float],
    ) -> None:
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http:// or https:// URL, not {base_url!r}")
        if not isinstance(token, str) or not token.strip():
            raise ValueError("token must be a non-empty string")
        self.base_url = base_url.rstrip("/")
        self.timeouts = timeouts if timeouts is not None else Timeouts()
        self.retry = retry if retry is not None else RetryPolicy()
        self._rand = rand
        self._clock = clock
        #: Connections kept open (bulk runs keep at most this many requests in flight).
        self.pool_size = pool_size
        self._headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        self._hint = _hub_v1_hint(self.base_url)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r})"

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` (relative to the workspace URL, e.g. ``/customers``;
        an absolute URL, such as that of ``/me`` outside every workspace, is kept as it is)."""
        if not path:
            return self.base_url
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    @staticmethod
    def quote(segment: str) -> str:
        """Percent-encode one path segment (an id), so that ``/`` or ``?`` in it stay inside it.

        ``.`` and ``..`` are encoded too (``%2E``): sent as they are, HTTP clients collapse them
        into the parent's URL, so ``remove_like(id, "..")`` would address the customer itself.
        """
        quoted = quote(str(segment), safe="")
        return quoted.replace(".", "%2E") if quoted in (".", "..") else quoted

    def _prepare(
        self, method: str, path: str, params: Mapping[str, Any] | None, json: Any
    ) -> _Call:
        method = method.upper()
        headers = dict(self._headers)
        data: bytes | None = None
        if json is not None:
            try:
                data = _encode_json(json)
            except (TypeError, ValueError) as exc:
                raise TypeError(
                    f"{method} {path}: the body cannot be sent as JSON: {exc}"
                ) from None
            headers["Content-Type"] = "application/json"
        query = {k: v for k, v in (params or {}).items() if v is not None} or None
        return _Call(method, self.url(path), query, data, headers)

    def _deadline(self) -> float | None:
        """When the call starting now must be over (None: never)."""
        total = self.timeouts.total
        return None if total is None else self._clock() + total

    def _limits(self, deadline: float | None) -> tuple[float, float]:
        """The connect and read timeouts of the next try, cut to what the deadline leaves."""
        connect, read = self.timeouts.connect, self.timeouts.read
        if deadline is not None:
            left = max(deadline - self._clock(), 0.001)
            connect, read = min(connect, left), min(read, left)
        return connect, read

    def _decide(self, attempt: Attempt, outcome: Outcome) -> Decision:
        return self.retry.decide(attempt, outcome, rand=self._rand)

    def _before_retry(
        self, attempt: Attempt, decision: Retry, deadline: float | None, outcome: Outcome
    ) -> float:
        """The wait before the retry ``decision`` asks for; raises when the deadline would
        pass first. Logs the retry (INFO)."""
        if deadline is not None and self._clock() + decision.delay >= deadline:
            tries = f"{attempt.number} attempt{'s' if attempt.number > 1 else ''}"
            raise APIConnectionError(
                f"{attempt.method} {attempt.url}: {decision.reason}, and "
                f"{_deadline_text(self.timeouts.total)} would pass before another attempt "
                f"(gave up after {tries})",
                status_code=outcome.status,
            ) from (outcome.cause if isinstance(outcome, NoAnswer) else None)
        logger.info(
            "%s %s: %s; retry %d of %d in %.2f s",
            attempt.method,
            attempt.url,
            decision.reason,
            attempt.number,
            self.retry.attempts - 1,
            decision.delay,
        )
        return decision.delay

    @staticmethod
    def _settle(call: _Call, decision: Fail | Done) -> bool:
        """Act on a final decision: raise a ``Fail``'s error; True for a ``Done(gone)`` (the
        call returns None), False for a ``Done`` whose answer is to be read."""
        if isinstance(decision, Fail):
            if isinstance(decision.error, OutcomeUnknownError):
                # INFO, not WARNING: the exception raised next already tells the caller.
                logger.info("%s %s: may have been applied; not resent", call.method, call.url)
            raise decision.error from decision.cause
        if decision.gone:
            logger.info(
                "%s %s -> 404 after an attempt that may have been applied: taken as done",
                call.method,
                call.url,
            )
            return True
        return False

    @staticmethod
    def _log_answer(call: _Call, url: Any, status: int, started: float) -> None:
        logger.debug(
            "%s %s -> %d in %.0f ms", call.method, url, status, (time.monotonic() - started) * 1000
        )

    def _error_of(
        self, status: int, text: str, reason: str | None, response: Any, request: Any
    ) -> APIError:
        """The error of a non-2xx answer, with a hint when the base URL misses ``/hub/v1``."""
        error = error_from_parts(status, text, reason, response=response, request=request)
        if status != 404 or self._hint is None:
            return error
        if _is_envelope(error.body) and not error.message.startswith(_UNKNOWN_ROUTE):
            return error  # the API's own 404 of a resource: the prefix was right
        return APIError(
            f"{error.message} ({self._hint})",
            status_code=error.status_code,
            errors=error.errors,
            data=error.data,
            logref=error.logref,
            body=error.body,
            response=response,
            request=request,
        )

    @staticmethod
    def _document(
        call: _Call, status: int, content: bytes, expect_body: bool, response: Any, request: Any
    ) -> Any:
        """The parsed body of a 2xx answer, or the error its body means."""
        document, problem = _body_problem(content, expect_body)
        if problem is None:
            return document
        raise TransportCore._bad_body(call, status, problem, content, response, request)

    @staticmethod
    def _bad_body(
        call: _Call, status: int, problem: str, content: bytes, response: Any, request: Any
    ) -> APIError:
        """The error of a 2xx answer whose body is ``problem``: an unknown outcome for a POST."""
        message = (
            f"{call.method} {urlsplit(call.url).path}: the API answered {status} with "
            f"{problem}: {_snippet(content)}"
        )
        kind: type[APIError] = APIError
        if call.method not in IDEMPOTENT_METHODS:
            kind = OutcomeUnknownError
            message += (
                "; the request may or may not have been applied, and was not resent to avoid "
                "a duplicate"
            )
        return kind(
            message,
            status_code=status,
            body=content.decode("utf-8", "replace"),
            response=response,
            request=request,
        )

    @staticmethod
    def _body_failed(call: _Call, status: int, what: str, received: bytes) -> str:
        """The reason of a try whose answer's body could not be read whole."""
        return (
            f"the API answered {status} to {urlsplit(call.url).path} but {what}: "
            f"{_snippet(received)}"
        )


class Transport(TransportCore):
    """Sends requests to one ContactHub workspace and turns the answers into Python values.

    Args:
        base_url: the workspace's URL, e.g. ``https://api.contactlab.it/hub/v1/workspaces/W``;
            request paths are relative to it.
        token: the API token, sent as ``Authorization: Bearer``.
        timeouts: connect, read and overall timeouts.
        retry: the retry policy (:data:`NO_RETRY` to send every request once).
        session: a ``requests.Session`` to use instead of a new pooled one (the caller then
            keeps ownership: :meth:`close` leaves it open).
        pool_size: connections kept open per host when the transport builds its own session.
        sleep: the function used to wait between attempts (injectable for tests).
        rand: a function returning a float in [0, 1), used for the backoff jitter.
        clock: a monotonic clock in seconds, used for the overall deadline (injectable for tests).

    It is safe to share between threads (the bulk operations do): it keeps no per-request state.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
        pool_size: int = DEFAULT_POOL_SIZE,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._setup(base_url, token, timeouts, retry, pool_size, rand, clock)
        self._sleep = sleep
        self._auth = _BearerAuth(token)
        self._owns_session = session is None
        if session is None:
            session = requests.Session()
            # Retries are ours (they know which POSTs are safe to resend), so urllib3 retries none.
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
        self.session = session
        # requests reads the proxy and CA-bundle variables again on every call, about a fifth of
        # a request's client CPU. Every request of a transport goes to one host, so read them
        # once, here, for the transports that own their session.
        self._send_settings: dict[str, Any] = {}
        if self._owns_session and session.trust_env:
            self._send_settings = dict(
                session.merge_environment_settings(self.base_url, {}, None, None, None)
            )
            session.trust_env = False
        # The body is read by _read_body, piece by piece under the call's deadline.
        self._send_settings["stream"] = True

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        expect_body: bool = False,
    ) -> Any:
        """Send one request, retrying as the policy decides, and return the parsed JSON answer.

        Args:
            method: the HTTP method.
            path: relative to the workspace URL, e.g. ``"/customers"``.
            params: query parameters; ``None`` values are left out.
            json: the request body, encoded with the SDK's ``DateEncoder``; ``None`` = no body.
            expect_body: the answer must hold a document: an empty 2xx body is an error.

        Returns:
            The parsed JSON body, or ``None`` when the answer has no body.

        Raises:
            APIError: the API answered with a status other than 2xx (after retries), a
                redirect, or a 2xx whose body is not the JSON it should be.
            OutcomeUnknownError: a POST may have been applied and was not resent.
            APIConnectionError: no answer came, even after every retry, or the call's deadline
                (``Timeouts.total``) passed.
        """
        call = self._prepare(method, path, params, json)
        deadline = self._deadline()
        attempt = Attempt(call.method, call.url)
        while True:
            response, outcome = self._try(call, deadline)
            decision = self._decide(attempt, outcome)
            if isinstance(decision, Retry):
                self._sleep(self._before_retry(attempt, decision, deadline, outcome))
                attempt = decision.next
                continue
            if self._settle(call, decision):
                return None
            assert response is not None  # a Done follows an answer
            return self._document(
                call,
                response.status_code,
                response.content,
                expect_body,
                response,
                response.request,
            )

    def _try(self, call: _Call, deadline: float | None) -> tuple[requests.Response | None, Outcome]:
        """Send ``call`` once and read the answer whole; the answer and what it means."""
        connect, read = self._limits(deadline)
        started = time.monotonic()
        try:
            response = self.session.request(
                call.method,
                call.url,
                params=call.params,
                data=call.data,
                headers=call.headers,
                auth=self._auth,
                timeout=(connect, read),
                # A redirect is reported, never followed: requests would turn a POST into a GET.
                allow_redirects=False,
                **self._send_settings,
            )
        except requests.exceptions.RequestException as exc:
            passed = deadline is not None and self._clock() >= deadline
            return None, _no_answer(exc, _deadline_text(self.timeouts.total) if passed else None)
        status = response.status_code
        try:
            _read_body(response, deadline, self._clock, self.timeouts.total)
        except _BodyFailed as failed:
            response.close()
            if not failed.undecodable:
                reason = self._body_failed(call, status, failed.what, failed.received)
                return response, NoAnswer(
                    reason, sent=True, final=failed.final, status=status, cause=failed.__cause__
                )
            if 200 <= status < 300:
                raise self._bad_body(
                    call, status, failed.what, failed.received, response, response.request
                ) from failed.__cause__
            response._content = failed.received  # an error answer: its status says enough
        self._log_answer(call, response.url, status, started)
        return response, Answer(
            status,
            error=None if 200 <= status < 300 else self._error(response),
            retry_after=response.headers.get("Retry-After"),
            location=response.headers.get("Location"),
        )

    def _error(self, response: requests.Response) -> APIError:
        """The error of a non-2xx answer, with a hint when the base URL misses ``/hub/v1``."""
        return self._error_of(
            response.status_code, response.text, response.reason, response, response.request
        )

    def close(self) -> None:
        """Close the pooled connections (a session passed in by the caller is left open)."""
        if self._owns_session:
            self.session.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


#: How the local hub's envelope begins for a path that is no route of the API at all.
_UNKNOWN_ROUTE = "Not Found: no such resource"


def _hub_v1_hint(base_url: str) -> str | None:
    """What to say on a 404 when the API's base URL (``base_url`` without ``/workspaces/W``)
    does not end with ``/hub/v1``, the API's prefix; None when it does."""
    root = _WORKSPACE_SUFFIX.sub("", base_url.rstrip("/"))
    if root.endswith("/hub/v1"):
        return None
    suggestion = f"{root}/v1" if root.endswith("/hub") else f"{root}/hub/v1"
    return f"the base URL {root} does not end with /hub/v1: did you mean {suggestion}?"
