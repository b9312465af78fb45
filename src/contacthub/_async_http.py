"""The async transport: the SDK's transport rules on ``httpx.AsyncClient`` (``contacthub[async]``).

:class:`AsyncTransport` is :class:`contacthub._http.Transport` for asyncio. Everything but the
sending is shared with it (:class:`contacthub._http.TransportCore`): the request's encoding,
the retry policy's decisions (:class:`contacthub._retry.RetryPolicy`: the same rules, delays and
``Retry-After``), the errors (:class:`~contacthub.errors.APIError`,
:class:`~contacthub.errors.APIConnectionError`, :class:`~contacthub.errors.OutcomeUnknownError`),
the checks of a 2xx body and the logging (every request at DEBUG, every retry at INFO on the
``contacthub`` logger; never the token). This module only sends a try, reads its answer whole
and describes what happened as an :class:`~contacthub._retry.Answer` or a
:class:`~contacthub._retry.NoAnswer`:

- a connection that could not be made (refused, DNS, connect timeout, no free connection in the
  pool) was *not sent*: the policy may resend even a POST;
- a read or write timeout, or a connection broken after it was made, *may have been sent*: a
  POST is then an :class:`~contacthub.errors.OutcomeUnknownError`, never resent;
- redirects are never followed (``follow_redirects=False``): the policy reports a 3xx;
- the call's deadline (``Timeouts.total``) bounds every try, its body included, with
  ``asyncio.timeout``.

The client it builds sends through :class:`contacthub._async_pool.ConnectionPool` (the SDK's
HTTP/1.1 connections, far cheaper in CPU than httpx's default pool), or through httpx's own
stack when the environment names a proxy for the API.
"""

from __future__ import annotations

import asyncio
import random
import ssl
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

try:
    import httpx
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError("the async client needs httpx: pip install 'contacthub[async]'") from exc

from contacthub._async_pool import ConnectionPool
from contacthub._http import (
    DEFAULT_POOL_SIZE,
    Timeouts,
    TransportCore,
    _Call,
    _deadline_text,
)
from contacthub._ops import Op, Pause
from contacthub._retry import Answer, Attempt, NoAnswer, Outcome, Retry, RetryPolicy
from contacthub.errors.api_error import APIError

__all__ = ["AsyncTransport", "arun"]

T = TypeVar("T")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions it was raised from, outermost first."""
    seen: set[int] = set()
    item: BaseException | None = exc
    while item is not None and id(item) not in seen:
        seen.add(id(item))
        yield item
        # As tracebacks do: the cause, else the context unless `raise ... from None` hid it.
        item = item.__cause__ or (None if item.__suppress_context__ else item.__context__)


def _reason(exc: BaseException) -> str:
    """The innermost readable reason, e.g. ``[Errno 111] Connection refused``."""
    for item in reversed(list(_chain(exc))):
        text = str(item)
        if text:
            return text
    return type(exc).__name__


def _no_answer(exc: httpx.HTTPError, deadline_text: str | None) -> NoAnswer:
    """The outcome of a try that raised ``exc`` before any answer; ``deadline_text`` is set
    when the call's deadline has passed."""
    passed = f": {deadline_text} passed" if deadline_text is not None else ""
    if any(isinstance(item, ssl.SSLError) for item in _chain(exc)):
        # A certificate or TLS failure does not go away by trying again.
        return NoAnswer(f"TLS failed ({_reason(exc)})", sent=False, final=True, cause=exc)
    if isinstance(exc, httpx.ConnectTimeout):
        final = deadline_text is not None
        return NoAnswer(f"timed out while connecting{passed}", False, final=final, cause=exc)
    if isinstance(exc, httpx.PoolTimeout):
        return NoAnswer(
            f"timed out waiting for a free connection{passed}", False, final=True, cause=exc
        )
    if isinstance(exc, httpx.ConnectError):
        return NoAnswer(f"could not connect ({_reason(exc)})", sent=False, cause=exc)
    if isinstance(exc, (httpx.ReadTimeout, httpx.WriteTimeout)):
        final = deadline_text is not None
        return NoAnswer(f"timed out waiting for the answer{passed}", True, final=final, cause=exc)
    if isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)):
        return NoAnswer(f"the connection broke ({_reason(exc)})", sent=True, cause=exc)
    # An invalid URL, header or similar: sending again would fail the same way.
    return NoAnswer(
        f"the request could not be sent ({_reason(exc)})", sent=False, final=True, cause=exc
    )


class _BodyFailed(Exception):
    def __init__(self, what: str, received: bytes, *, undecodable: bool = False) -> None:
        super().__init__(what)
        self.what = what
        self.received = received
        self.undecodable = undecodable


async def _read_body(response: httpx.Response) -> bytes:
    """The whole (decoded) body of a streamed ``response``; :class:`_BodyFailed` with what
    arrived when it breaks off."""
    chunks: list[bytes] = []
    received = 0
    try:
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            received += len(chunk)
    except httpx.DecodingError as exc:
        raise _BodyFailed(
            f"a body that could not be decoded ({_reason(exc)})",
            b"".join(chunks),
            undecodable=True,
        ) from exc
    except httpx.TimeoutException as exc:
        raise _BodyFailed("timed out waiting for the rest of the body", b"".join(chunks)) from exc
    except httpx.TransportError as exc:
        raise _BodyFailed(
            f"the connection broke after {received} bytes of the body ({_reason(exc)})",
            b"".join(chunks),
        ) from exc
    return b"".join(chunks)


class _Read:
    """An answer read whole: what the shared core needs of it."""

    __slots__ = ("content", "response", "status")

    def __init__(self, response: httpx.Response, content: bytes) -> None:
        self.response = response
        self.status = response.status_code
        self.content = content

    def text(self) -> str:
        return self.content.decode(self.response.encoding or "utf-8", "replace")


def _proxied(url: str) -> bool:
    """Whether the environment names a proxy for ``url`` (as ``requests`` and httpx read it:
    ``<scheme>_proxy`` or ``all_proxy``, unless ``no_proxy`` excludes the host)."""
    proxies = urllib.request.getproxies()
    parts = urlsplit(url)
    if not (proxies.get(parts.scheme) or proxies.get("all")):
        return False
    return not urllib.request.proxy_bypass(parts.hostname or "")


class _Cookies(httpx.Cookies):
    """The client's cookie jar, read only from answers that set a cookie: httpx otherwise
    wraps every answer in ``http.cookiejar``'s request and response shims to find none, about
    a sixth of a request's CPU."""

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)


class _Client(httpx.AsyncClient):
    """The ``httpx.AsyncClient`` an :class:`AsyncTransport` builds (with :class:`_Cookies`)."""

    def __init__(self, **kwargs: Any) -> None:
        self._sdk_cookies = _Cookies()
        super().__init__(**kwargs)

    @property
    def cookies(self) -> httpx.Cookies:
        return self._sdk_cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        self._sdk_cookies = _Cookies(cookies)


class AsyncTransport(TransportCore):
    """Sends requests to one ContactHub workspace from asyncio, as :class:`Transport` does.

    Args:
        base_url: the workspace's URL, e.g. ``https://api.contactlab.it/hub/v1/workspaces/W``.
        token: the API token, sent as ``Authorization: Bearer``.
        timeouts: connect, read and overall timeouts (:class:`~contacthub.Timeouts`).
        retry: the retry policy (:data:`~contacthub.NO_RETRY` to send every request once).
        client: an ``httpx.AsyncClient`` to use instead of a new pooled one (the caller keeps
            ownership: :meth:`aclose` leaves it open). It must not follow redirects.
        transport: an httpx transport for the client this object builds (e.g.
            ``httpx.MockTransport`` in tests, ``httpx.AsyncHTTPTransport()`` for httpx's own
            stack); default a :class:`~contacthub._async_pool.ConnectionPool` of ``pool_size``.
        pool_size: connections kept open (and at most opened at once) to the API.
        sleep: the coroutine function used to wait between attempts (injectable for tests).
        rand: a function returning a float in [0, 1), used for the backoff jitter.
        clock: a monotonic clock in seconds, used for the overall deadline.

    Safe to share between the tasks of one event loop: it keeps no per-request state.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        pool_size: int = DEFAULT_POOL_SIZE,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rand: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._setup(base_url, token, timeouts, retry, pool_size, rand, clock)
        self._sleep = sleep
        self._authorization = f"Bearer {token.strip()}"
        self._owns_client = client is None
        if client is None:
            if transport is None and _proxied(self.base_url):
                # A proxy from the environment (HTTPS_PROXY, ...): httpx's own stack knows
                # proxies, and httpx reads them only for a client built without a transport.
                client = _Client(
                    follow_redirects=False,
                    limits=httpx.Limits(
                        max_connections=pool_size, max_keepalive_connections=pool_size
                    ),
                )
            else:
                client = _Client(
                    # A redirect is reported, never followed: a POST must not become a GET.
                    follow_redirects=False,
                    transport=transport if transport is not None else ConnectionPool(pool_size),
                )
        elif client.follow_redirects:
            raise ValueError("the httpx.AsyncClient given must not follow redirects")
        self.client = client

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        expect_body: bool = False,
    ) -> Any:
        """Send one request, retrying as the policy decides; the parsed JSON answer.

        The same arguments, result and errors as :meth:`contacthub._http.Transport.request`.
        """
        call = self._prepare(method, path, params, json)
        deadline = self._deadline()
        attempt = Attempt(call.method, call.url)
        while True:
            read, outcome = await self._try(call, deadline)
            decision = self._decide(attempt, outcome)
            if isinstance(decision, Retry):
                await self._sleep(self._before_retry(attempt, decision, deadline, outcome))
                attempt = decision.next
                continue
            if self._settle(call, decision):
                return None
            assert read is not None  # a Done follows an answer
            return self._document(
                call, read.status, read.content, expect_body, read.response, read.response.request
            )

    async def _try(self, call: _Call, deadline: float | None) -> tuple[_Read | None, Outcome]:
        """Send ``call`` once and read the answer whole; the answer and what it means."""
        connect, read = self._limits(deadline)
        headers = {**call.headers, "Authorization": self._authorization}
        request = self.client.build_request(
            call.method,
            call.url,
            params=call.params,
            content=call.data,
            headers=headers,
            timeout=httpx.Timeout(
                connect=connect,
                read=read,
                write=read,
                # Waiting for a free connection of the pool counts against the deadline only.
                pool=None if deadline is None else max(deadline - self._clock(), 0.001),
            ),
        )
        left = None if deadline is None else max(deadline - self._clock(), 0.001)
        started = time.monotonic()
        response: httpx.Response | None = None
        try:
            async with asyncio.timeout(left):
                try:
                    response = await self.client.send(request, stream=True)
                except httpx.HTTPError as exc:
                    passed = deadline is not None and self._clock() >= deadline
                    text = _deadline_text(self.timeouts.total) if passed else None
                    return None, _no_answer(exc, text)
                try:
                    content = await _read_body(response)
                finally:
                    await response.aclose()
        except TimeoutError as exc:
            # The call's deadline passed in the middle of the try.
            passed_text = _deadline_text(self.timeouts.total)
            if response is None:
                return None, NoAnswer(
                    f"{passed_text} passed before the answer came", True, final=True, cause=exc
                )
            reason = self._body_failed(
                call, response.status_code, f"{passed_text} passed while the body was arriving", b""
            )
            status = response.status_code
            return None, NoAnswer(reason, sent=True, final=True, status=status, cause=exc)
        except _BodyFailed as failed:
            status = response.status_code if response is not None else 0
            assert response is not None
            if not failed.undecodable:
                reason = self._body_failed(call, status, failed.what, failed.received)
                return None, NoAnswer(reason, sent=True, status=status, cause=failed.__cause__)
            if 200 <= status < 300:
                raise self._bad_body(
                    call, status, failed.what, failed.received, response, response.request
                ) from failed.__cause__
            content = failed.received  # an error answer: its status says enough
        status = response.status_code
        self._log_answer(call, response.url, status, started)
        answer = _Read(response, content)
        if 200 <= status < 300:
            return answer, Answer(status)
        error = self._error_of(
            status, answer.text(), response.reason_phrase, response, response.request
        )
        return answer, Answer(
            status,
            error=error,
            retry_after=response.headers.get("Retry-After"),
            location=response.headers.get("Location"),
        )

    async def aclose(self) -> None:
        """Close the pooled connections (a client passed in by the caller is left open)."""
        if self._owns_client:
            await self.client.aclose()

    async def __aenter__(self) -> AsyncTransport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


async def arun(
    transport: AsyncTransport,
    op: Op[T],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Drive one of the operations of :mod:`contacthub._ops` over the async ``transport``
    (what :func:`contacthub._ops.run` does over the sync one)."""
    try:
        step = next(op)
        while True:
            if isinstance(step, Pause):
                await sleep(step.seconds)
                step = op.send(None)
                continue
            try:
                answer = await transport.request(
                    step.method,
                    step.path,
                    params=step.params,
                    json=step.json,
                    expect_body=step.expects_body,
                )
            except APIError as exc:
                step = op.throw(exc)
            else:
                step = op.send(answer)
    except StopIteration as stop:
        return cast(T, stop.value)
