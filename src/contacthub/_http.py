"""The SDK's one transport: the only place that opens connections to the ContactHub API.

A :class:`Transport` belongs to a :class:`~contacthub.workspace.Workspace`; ``Node`` and the bulk
operations send every request through it. It owns:

- one pooled :class:`requests.Session` (sized for bulk concurrency, proxies and CA bundles from
  the environment as ``requests`` does, read once when the transport is built);
- connect and read timeouts (:class:`Timeouts`);
- retries with exponential backoff and full jitter, honouring ``Retry-After``
  (:class:`RetryPolicy`), with the rule that a ``POST`` is resent only when it cannot have been
  processed;
- the mapping of answers to Python: parsed JSON, ``None`` for an empty body, or an
  :class:`~contacthub.errors.APIError` (:class:`~contacthub.errors.APIConnectionError` when no
  answer came, :class:`~contacthub.errors.OutcomeUnknownError` when a ``POST`` may have been
  applied).

Every request is logged at DEBUG and every retry at INFO on the ``contacthub`` logger; the token
is never logged.
"""

from __future__ import annotations

import email.utils
import importlib
import json as jsonlib
import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from urllib3.exceptions import ConnectTimeoutError

from contacthub._version import __version__
from contacthub.errors.api_error import APIError
from contacthub.errors.connection_error import APIConnectionError, OutcomeUnknownError

logger = logging.getLogger("contacthub")
# A library leaves output to the application: without its own logging setup, nothing is printed.
logger.addHandler(logging.NullHandler())

DEFAULT_BASE_URL = "https://api.contactlab.it/hub/v1"
"""The ContactHub API's base URL (the part before ``/workspaces``)."""

DEFAULT_POOL_SIZE = 32
"""Connections kept per host: enough for the bulk operations' default concurrency."""

USER_AGENT = f"contacthub-python/{__version__}"
"""The ``User-Agent`` sent with every request."""

# Methods whose repetition has the same effect as one call on the ContactHub API (PATCH is a
# deep merge of the same document, so sending it twice leaves the same state).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Timeouts:
    """How long to wait, in seconds, for a connection and then for each read of an answer."""

    connect: float = 5.0
    read: float = 30.0

    def __post_init__(self) -> None:
        for name in ("connect", "read"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                raise ValueError(
                    f"Timeouts.{name} must be a positive number of seconds, not {value!r}"
                )


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


class _BearerAuth(AuthBase):
    """Adds ``Authorization: Bearer``. Being an auth object (rather than a plain header) keeps
    ``requests`` from replacing it with credentials found in ``~/.netrc``, and lets ``requests``
    drop it on a redirect to another host."""

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
    """The innermost readable reason, e.g. ``[Errno 111] Connection refused``."""
    for item in _chain(exc):
        # requests' own errors are OSErrors too, but only wrap the interesting one.
        if isinstance(item, OSError) and not isinstance(item, requests.exceptions.RequestException):
            return str(item) or type(item).__name__
    return str(exc)


def _describe(exc: BaseException) -> str:
    """A short, readable reason for a connection failure."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "timed out while connecting"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "timed out waiting for the answer"
    if _failed_before_sending(exc):
        return f"could not connect ({_root_cause(exc)})"
    return f"the connection broke ({_root_cause(exc)})"


def error_from_response(response: requests.Response) -> APIError:
    """Build the :class:`APIError` for a non-2xx answer.

    Understands the API's envelope (``message``, ``errors``, ``data``, ``logref``), the
    Spring-style ``{"status", "error"}`` bodies some gateways send, and bodies that are not
    JSON at all.
    """
    status = response.status_code
    text = response.text
    body: Any
    try:
        body = response.json()
    except ValueError:
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
            message = str(raw) if raw not in (None, "") else (response.reason or f"HTTP {status}")
        if isinstance(body.get("errors"), list):
            errors = body["errors"]
        data = body.get("data")
        raw_logref = body.get("logref")
        logref = str(raw_logref) if raw_logref is not None else None
    else:
        snippet = text.strip()[:200]
        reason = response.reason or f"HTTP {status}"
        message = f"{reason}: {snippet}" if snippet else reason
    return APIError(
        message,
        status_code=status,
        errors=errors,
        data=data,
        logref=logref,
        body=body,
        response=response,
        request=response.request,
    )


class Transport:
    """Sends requests to one ContactHub workspace and turns the answers into Python values.

    Args:
        base_url: the workspace's URL, e.g. ``https://api.contactlab.it/hub/v1/workspaces/W``;
            request paths are relative to it.
        token: the API token, sent as ``Authorization: Bearer``.
        timeouts: connect and read timeouts.
        retry: the retry policy (:data:`NO_RETRY` to send every request once).
        session: a ``requests.Session`` to use instead of a new pooled one (the caller then
            keeps ownership: :meth:`close` leaves it open).
        pool_size: connections kept open per host when the transport builds its own session.
        sleep: the function used to wait between attempts (injectable for tests).
        rand: a function returning a float in [0, 1), used for the backoff jitter.

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
    ) -> None:
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http:// or https:// URL, not {base_url!r}")
        if not isinstance(token, str) or not token.strip():
            raise ValueError("token must be a non-empty string")
        self.base_url = base_url.rstrip("/")
        self.timeouts = timeouts if timeouts is not None else Timeouts()
        self.retry = retry if retry is not None else RetryPolicy()
        self._sleep = sleep
        self._rand = rand
        self._auth = _BearerAuth(token)
        self._owns_session = session is None
        #: Connections kept open (bulk runs keep at most this many requests in flight).
        self.pool_size = pool_size
        if session is None:
            session = requests.Session()
            # Retries are ours (they know which POSTs are safe to resend), so urllib3 retries none.
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
        self.session = session
        self._headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        # requests reads the proxy and CA-bundle variables again on every call, about a fifth of
        # a request's client CPU. Every request of a transport goes to one host, so read them
        # once, here, for the transports that own their session.
        self._send_settings: dict[str, Any] = {}
        if self._owns_session and session.trust_env:
            self._send_settings = dict(
                session.merge_environment_settings(self.base_url, {}, None, None, None)
            )
            session.trust_env = False

    def __repr__(self) -> str:
        return f"Transport({self.base_url!r})"

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

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """Send one request, retrying as the policy allows, and return the parsed JSON answer.

        Args:
            method: the HTTP method.
            path: relative to the workspace URL, e.g. ``"/customers"``.
            params: query parameters; ``None`` values are left out.
            json: the request body, encoded with the SDK's ``DateEncoder``; ``None`` = no body.

        Returns:
            The parsed JSON body, or ``None`` when the answer has no body.

        Raises:
            APIError: the API answered with a status other than 2xx (after retries).
            OutcomeUnknownError: a POST may have been applied and was not resent.
            APIConnectionError: no answer came, even after every retry.
        """
        method = method.upper()
        url = self.url(path)
        query = {k: v for k, v in (params or {}).items() if v is not None} or None
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
        idempotent = method in IDEMPOTENT_METHODS
        retry_statuses = self.retry.statuses if idempotent else self.retry.post_statuses
        attempts = self.retry.attempts
        timeout = (self.timeouts.connect, self.timeouts.read)

        # Whether an earlier attempt may have been applied (sent, then no answer or a gateway
        # error). A DELETE retried after such an attempt may find its target already gone.
        maybe_applied = False
        for attempt in range(1, attempts + 1):
            started = time.monotonic()
            try:
                response = self.session.request(
                    method,
                    url,
                    params=query,
                    data=data,
                    headers=headers,
                    auth=self._auth,
                    timeout=timeout,
                    **self._send_settings,
                )
            except requests.exceptions.SSLError as exc:
                # A certificate or TLS failure does not go away by trying again.
                raise APIConnectionError(f"{method} {url}: TLS failed ({exc})") from exc
            except _TRANSIENT as exc:
                reason = _describe(exc)
                if not idempotent and not _failed_before_sending(exc):
                    # INFO, not WARNING: the exception raised next already tells the caller.
                    logger.info("%s %s: %s after sending; not resent", method, url, reason)
                    raise OutcomeUnknownError(
                        f"{method} {url}: {reason} after the request was sent, so it may or may "
                        "not have been applied; it was not resent to avoid a duplicate"
                    ) from exc
                maybe_applied = maybe_applied or not _failed_before_sending(exc)
                if attempt >= attempts:
                    raise APIConnectionError(
                        f"{method} {url}: {reason} (gave up after {attempt} attempt"
                        f"{'s' if attempt > 1 else ''})"
                    ) from exc
                delay = self.retry.backoff_delay(attempt, self._rand)
                logger.info(
                    "%s %s: %s; retry %d of %d in %.2f s",
                    method,
                    url,
                    reason,
                    attempt,
                    attempts - 1,
                    delay,
                )
                self._sleep(delay)
                continue
            except requests.exceptions.RequestException as exc:
                # An invalid URL, header or similar: sending again would fail the same way.
                raise APIConnectionError(
                    f"{method} {url}: the request could not be sent ({exc})"
                ) from exc

            status = response.status_code
            logger.debug(
                "%s %s -> %d in %.0f ms",
                method,
                response.url,
                status,
                (time.monotonic() - started) * 1000,
            )
            if 200 <= status < 300:
                return self._parse_success(response)
            if method == "DELETE" and status == 404 and maybe_applied:
                logger.info(
                    "%s %s -> 404 after an attempt that may have been applied: taken as done",
                    method,
                    url,
                )
                response.close()
                return None
            if status in (502, 504):
                maybe_applied = True
            if status in retry_statuses and attempt < attempts:
                asked = self.retry.retry_after_delay(response.headers.get("Retry-After"))
                delay = (
                    asked if asked is not None else self.retry.backoff_delay(attempt, self._rand)
                )
                logger.info(
                    "%s %s -> %d; retry %d of %d in %.2f s",
                    method,
                    url,
                    status,
                    attempt,
                    attempts - 1,
                    delay,
                )
                response.close()
                self._sleep(delay)
                continue
            error = error_from_response(response)
            if not idempotent and status in (502, 504):
                raise OutcomeUnknownError(
                    f"{method} {url}: the gateway answered {status} ({error.message}), so the "
                    "request may or may not have been applied; it was not resent to avoid a duplicate",
                    status_code=status,
                    errors=error.errors,
                    data=error.data,
                    logref=error.logref,
                    body=error.body,
                    response=response,
                    request=response.request,
                )
            raise error
        raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover

    @staticmethod
    def _parse_success(response: requests.Response) -> Any:
        content = response.content
        if not content or not content.strip():
            return None
        try:
            return response.json()
        except ValueError:
            raise APIError(
                f"the API answered {response.status_code} with a body that is not JSON: "
                f"{response.text.strip()[:200]!r}",
                status_code=response.status_code,
                body=response.text,
                response=response,
                request=response.request,
            ) from None

    def close(self) -> None:
        """Close the pooled connections (a session passed in by the caller is left open)."""
        if self._owns_session:
            self.session.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
