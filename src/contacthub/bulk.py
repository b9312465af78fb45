"""Concurrent bulk import and export over the workspace's one transport.

`Node` inherits :class:`BulkOperations`, so the bulk methods are called on a node::

    run = node.bulk_add_customers(rows, force_update=True, concurrency=16)
    for outcome in run:                 # as each customer is done, in completion order
        if not outcome.ok:
            print(outcome.index, outcome.status_code, outcome.message)
    print(run.summary)                  # counts, elapsed time, rate

    for customer in node.export_customers(query=my_query):   # page by page (50 a page)
        ...

Import streams: at most a few times ``concurrency`` items are read ahead of the ones done, so
memory stays flat whatever the input's size. Every item read gets exactly one outcome:
``created``, ``updated`` or ``failed`` (with the :class:`~contacthub.errors.APIError`); none is
dropped. When items in a row get no answer at all (the API is unreachable), the run stops
reading its input and says why in ``run.abandoned``.

Each request is retried by the transport (connection failures, 429, 503 ...); an item whose
request still failed on such a transient error gets a few more rounds here. A ``POST`` the
transport could not safely resend (the connection broke after the request was sent:
:class:`~contacthub.errors.OutcomeUnknownError`) is resolved here, without creating duplicates:

- customers: the hub is asked whether the customer exists, by its ``externalId`` and then by its
  ``base.contacts.email``. If a customer there holds every value that was sent, the first attempt
  landed: the outcome is ``created``. If one exists with other values, it is a conflict (with
  ``force_update``: patched, ``updated``). If none exists, the customer is sent again. A customer
  with neither an external id nor an email cannot be looked up: it fails with the unknown outcome
  rather than risk a duplicate.
- events have no natural key. An event without a ``date`` gets the time it is first sent, so that
  every attempt carries the same date; after an unknown outcome the hub's events of that owner,
  type and date are searched for one with the same context and properties. Found: ``created``;
  not found: sent again. So an event is stored once, except that two *identical* input events
  (same owner, type, date, context and properties) are indistinguishable: when the first is in
  the hub, an ambiguous attempt of the second counts as done. (The hosted ContactHub indexes
  events with a delay of seconds; there, an event checked too soon after it landed is sent
  again, so the guarantee is at least once.)
"""

from __future__ import annotations

import json
import queue
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from contacthub.errors import APIConnectionError, APIError, OutcomeUnknownError

if TYPE_CHECKING:
    from contacthub.workspace import Workspace

OutcomeStatus = Literal["created", "updated", "failed"]
# What a worker returns for one item: status, id, error, resolved.
_WorkResult = tuple[OutcomeStatus, "str | None", "APIError | None", bool]

#: Page size of exports: the API's maximum.
EXPORT_PAGE_SIZE = 50
#: Pages of an export fetched ahead of the one being read.
EXPORT_PREFETCH = 4
#: Rounds (send, or check then send) one item gets before it is reported as failed. The
#: transport already retries each request; these rounds cover what it must not or could not:
#: a POST with an unknown outcome, and a check or resend that failed on a transient error.
MAX_ROUNDS = 6
DEFAULT_CONCURRENCY = 16


@dataclass(frozen=True)
class BulkItem:
    """An item of a bulk import with a caller's key (what an outcome reports back).

    Plain dicts can be passed instead; their key is their position. ``recheck=True`` says an
    earlier attempt may have reached the hub (an interrupted import): the hub is checked before
    the item is sent, as after an unknown outcome.
    """

    document: Mapping[str, Any]
    key: Any = None
    recheck: bool = False


@dataclass(frozen=True)
class BulkOutcome:
    """What happened to one item of a bulk import."""

    #: Position of the item in the input (0-based).
    index: int
    #: The item's :class:`BulkItem` key, or its position for a plain dict.
    key: Any
    #: ``created``, ``updated`` (force update of an existing customer) or ``failed``.
    status: OutcomeStatus
    #: The id of the customer or event, when known.
    id: str | None = None
    #: Why it failed (for ``failed``).
    error: APIError | None = None
    #: True when an unknown outcome (or a ``recheck``) was settled by asking the hub.
    resolved: bool = False

    @property
    def ok(self) -> bool:
        """True unless the item failed."""
        return self.status != "failed"

    @property
    def status_code(self) -> int | None:
        """The HTTP status of the failure (None for no answer or no failure)."""
        return self.error.status_code if self.error is not None else None

    @property
    def message(self) -> str | None:
        """The API's message for the failure."""
        return self.error.message if self.error is not None else None

    @property
    def errors(self) -> list[Any]:
        """The API's per-field errors (``path``, ``message``) for the failure."""
        return self.error.errors if self.error is not None else []


@dataclass
class BulkSummary:
    """Counts of a bulk run so far, its elapsed time and rate."""

    total: int = 0
    created: int = 0
    updated: int = 0
    failed: int = 0
    #: Unknown outcomes settled by asking the hub (counted in created/updated/failed too).
    resolved: int = 0
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    def add(self, outcome: BulkOutcome) -> None:
        """Count one outcome."""
        self.total += 1
        if outcome.status == "created":
            self.created += 1
        elif outcome.status == "updated":
            self.updated += 1
        else:
            self.failed += 1
        if outcome.resolved:
            self.resolved += 1

    @property
    def elapsed(self) -> float:
        """Seconds from the start to the end (or to now, while running)."""
        end = self.finished if self.finished is not None else time.monotonic()
        return end - self.started

    @property
    def rate(self) -> float:
        """Items done per second."""
        elapsed = self.elapsed
        return self.total / elapsed if elapsed > 0 else 0.0

    def __str__(self) -> str:
        return (
            f"{self.total} items: {self.created} created, {self.updated} updated, "
            f"{self.failed} failed in {self.elapsed:.1f} s ({self.rate:.0f}/s)"
        )


class BulkRun(Iterator[BulkOutcome]):
    """A running bulk import: iterate it for the outcomes as items finish.

    Items are read from the input only as room frees up in the in-flight window, so a generator
    over a huge file is never read ahead by more than a few times ``concurrency``. Stop early with
    :meth:`stop` (the items already sent still report their outcomes) or :meth:`close` (outcomes
    of items in flight are not reported). Use :meth:`run` to just wait for the summary.
    """

    def __init__(
        self,
        items: Iterable[Mapping[str, Any] | BulkItem],
        work: Callable[[BulkItem], _WorkResult],
        *,
        concurrency: int,
        before_send: Callable[[list[Any]], None] | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {concurrency}")
        self.summary = BulkSummary()
        self._items = iter(items)
        self._work = work
        self._concurrency = concurrency
        self._before_send = before_send
        self._stopping = threading.Event()
        #: Why the run stopped reading its input early, or None. Set when ``give_up_after``
        #: items in a row got no answer at all (the API is unreachable) or were refused with 401
        #: or 403 (the credentials stopped working): items not read yet get no outcome, so that
        #: a dead connection does not grind through the whole input.
        self.abandoned: str | None = None
        self.give_up_after = max(8, 2 * concurrency)
        self._outcomes = self._generate()

    def __next__(self) -> BulkOutcome:
        return next(self._outcomes)

    def __iter__(self) -> BulkRun:
        return self

    def __enter__(self) -> BulkRun:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def stop(self) -> None:
        """Send no more items; iteration still yields the outcomes of the items in flight."""
        self._stopping.set()

    def close(self) -> None:
        """Stop now: no more items are sent, outcomes not yet reported are dropped."""
        self._stopping.set()
        self._outcomes.close()

    def run(self) -> BulkSummary:
        """Wait until every item is done and return the summary."""
        for _ in self:
            pass
        return self.summary

    def _guarded(self, item: BulkItem) -> _WorkResult:
        """The work on one item; an error that is not the API's fails the item, not the run."""
        try:
            return self._work(item)
        except Exception as exc:  # e.g. a document json cannot encode: that item's failure
            return "failed", None, APIError(f"{type(exc).__name__}: {exc}"), False

    def _generate(self) -> Generator[BulkOutcome, None, None]:
        # Refill the window in batches (down to `low`, back up to `high`), so that the caller's
        # before_send (the journal's fsync) runs once per batch, not once per item.
        high = self._concurrency * 4
        low = self._concurrency * 2
        position = 0
        exhausted = False
        in_flight = 0
        # Items in a row failing in a way the next items will too (see _hopeless).
        hopeless_in_a_row = 0
        last_hopeless: str | None = None
        # Finished futures arrive on a queue: waiting costs the same whatever the window's size.
        finished: queue.SimpleQueue[tuple[int, BulkItem, Future[_WorkResult]]] = queue.SimpleQueue()
        pool = ThreadPoolExecutor(self._concurrency, thread_name_prefix="contacthub-bulk")

        def submit(index: int, item: BulkItem) -> None:
            future = pool.submit(self._guarded, item)
            future.add_done_callback(lambda done: finished.put((index, item, done)))

        try:
            while True:
                if not exhausted and not self._stopping.is_set() and in_flight <= low:
                    batch: list[tuple[int, BulkItem]] = []
                    while in_flight + len(batch) < high:
                        try:
                            raw = next(self._items)
                        except StopIteration:
                            exhausted = True
                            break
                        item = raw if isinstance(raw, BulkItem) else BulkItem(raw, position)
                        batch.append((position, item))
                        position += 1
                    if batch and self._before_send is not None:
                        self._before_send([item.key for _, item in batch])
                    for index, item in batch:
                        submit(index, item)
                    in_flight += len(batch)
                if not in_flight:
                    break
                try:
                    # A timeout, so that a signal handler (Ctrl-C) gets to run while waiting.
                    index, item, future = finished.get(timeout=0.5)
                except queue.Empty:
                    continue
                in_flight -= 1
                status, item_id, error, resolved = future.result()
                outcome = BulkOutcome(index, item.key, status, item_id, error, resolved)
                self.summary.add(outcome)
                hopeless = _hopeless(error)
                if hopeless is not None and hopeless == last_hopeless:
                    hopeless_in_a_row += 1
                else:
                    hopeless_in_a_row = 1 if hopeless is not None else 0
                last_hopeless = hopeless
                if hopeless_in_a_row >= self.give_up_after and self.abandoned is None:
                    self.abandoned = (
                        f"{hopeless_in_a_row} items in a row {hopeless} (last: {outcome.message})"
                    )
                    self._stopping.set()
                yield outcome
        finally:
            self.summary.finished = time.monotonic()
            pool.shutdown(wait=True, cancel_futures=True)


# The date-time forms the API and its clients write: `Z`, `+0000` or `+00:00`, any fraction.
_INSTANT = re.compile(
    r"(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?"
)


def _instant(value: Any) -> datetime | None:
    """The datetime a string names, in UTC; None when it is not a date-time.

    Parsed by hand: ``datetime.fromisoformat`` of Python 3.10 refuses ``Z`` and ``+0000``.
    """
    if not isinstance(value, str):
        return None
    match = _INSTANT.fullmatch(value.strip())
    if match is None:
        return None
    day, hour, minute, second, fraction, offset = match.groups()
    try:
        moment = datetime.fromisoformat(f"{day}T{hour}:{minute}:{second or '00'}")
    except ValueError:
        return None
    if fraction:
        moment = moment.replace(microsecond=int(fraction[:6].ljust(6, "0")))
    zone = timezone.utc
    if offset and offset != "Z":
        digits = offset[1:].replace(":", "")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        zone = timezone(delta if offset[0] == "+" else -delta)
    return moment.replace(tzinfo=zone).astimezone(timezone.utc)


def holds(stored: Any, sent: Any) -> bool:
    """True when the stored document carries every value that was sent.

    The hub normalises what it stores (every base key present, dates in one format), so this is
    "sent is contained in stored": missing keys of ``sent`` are fine, a null sent matches a
    missing or empty stored value, date-times compare as instants.
    """
    if isinstance(sent, Mapping):
        if not isinstance(stored, Mapping):
            return not sent and stored is None
        return all(holds(stored.get(key), value) for key, value in sent.items())
    if isinstance(sent, list):
        if not isinstance(stored, list):
            return not sent and stored is None
        return len(sent) == len(stored) and all(
            holds(a, b) for a, b in zip(stored, sent, strict=False)
        )
    if sent is None:
        return stored in (None, [], {})
    if stored == sent:
        return True
    sent_instant = _instant(sent)
    return sent_instant is not None and sent_instant == _instant(stored)


def _conflict(customer_id: str) -> APIError:
    return APIError(
        f"Conflict with existing customer {customer_id}",
        status_code=409,
        data={"customer": {"id": customer_id}},
    )


def _to_millis(moment: datetime | None) -> datetime | None:
    """``moment`` cut to whole milliseconds, the precision the API stores."""
    if moment is None:
        return None
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def format_instant(moment: datetime) -> str:
    """A date-time as the API writes it, in UTC with milliseconds: ``2024-05-01T10:00:00.123Z``."""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _query_param(query: Mapping[str, Any] | str | None) -> str | None:
    if query is None:
        return None
    if isinstance(query, str):
        return query
    inner = getattr(query, "inner_query", None)  # a models Query object
    return json.dumps(inner if isinstance(inner, Mapping) else query)


class PagedExport(Iterator[dict[str, Any]]):
    """Documents of a paged listing, fetched one page at a time as iteration needs them.

    ``total`` is the number of documents the listing announced (None until the first page is
    read, or when unknown).
    """

    def __init__(self, pages: Callable[[PagedExport], Iterator[dict[str, Any]]]) -> None:
        self.total: int | None = None
        self._documents = pages(self)

    def __next__(self) -> dict[str, Any]:
        return next(self._documents)

    def __iter__(self) -> PagedExport:
        return self


class BulkOperations:
    """Bulk methods mixed into :class:`contacthub.node.Node`."""

    workspace: Workspace
    node_id: str

    # ----------------------------------------------------------------------------- import

    def bulk_add_customers(
        self,
        customers: Iterable[Mapping[str, Any] | BulkItem],
        *,
        force_update: bool = False,
        concurrency: int = DEFAULT_CONCURRENCY,
        before_send: Callable[[list[Any]], None] | None = None,
    ) -> BulkRun:
        """Add many customers concurrently; iterate the result for each one's outcome.

        Args:
            customers: customer documents (as for ``add_customer``; ``nodeId`` is this node's),
                or :class:`BulkItem` objects carrying a key of yours. Read lazily.
            force_update: when a customer conflicts with an existing one (409), patch the
                existing customer with the document: outcome ``updated``.
            concurrency: how many requests are in flight at once. Above the workspace's
                ``pool_size`` (32 by default), raise that too, or the extra connections are
                opened and closed for every request.
            before_send: called with the keys of each batch of items just before they are sent
                (e.g. to journal them durably).

        Returns:
            A :class:`BulkRun`: outcomes in completion order, and its ``summary``.
        """
        transport = self.workspace.transport
        node_id = self.node_id

        def work(item: BulkItem) -> _WorkResult:
            body = {**item.document, "nodeId": node_id}
            # `unknown`: the first unknown outcome; `check`: ask the hub before (re)sending.
            unknown: APIError | None = None
            check = item.recheck
            last: APIError | None = None
            for round_number in range(MAX_ROUNDS):
                if check:
                    if not any(_customer_keys(body)):
                        return "failed", None, _unknown(unknown, _NO_KEY), True
                    try:
                        settled = self._settle_customer(body, force_update)
                    except APIError as exc:
                        if not _transient(exc):
                            return "failed", None, _unknown(unknown, exc), True
                        last = exc
                        _pause(round_number)
                        continue
                    if settled is not None:
                        return (*settled, True)
                    check = False
                landed = unknown is not None or item.recheck
                try:
                    created = transport.request("POST", "/customers", json=body)
                    return "created", (created or {}).get("id"), None, landed
                except OutcomeUnknownError as exc:
                    unknown = unknown or exc
                    check = True
                    continue
                except APIError as exc:
                    conflict_id = _conflict_id(exc)
                    if _transient(exc):
                        last = exc
                        _pause(round_number)
                        continue
                    if exc.status_code != 409 or conflict_id is None:
                        return "failed", None, exc, landed
                    try:
                        settled = self._on_conflict(
                            conflict_id, body, force_update, exc, landed=landed
                        )
                    except APIError as inner:
                        if not _transient(inner):
                            return "failed", conflict_id, inner, landed
                        last = inner
                        _pause(round_number)
                        continue
                    return (*settled, landed)
            if unknown is not None:
                return "failed", None, _unknown(unknown, last or _GAVE_UP), True
            return "failed", None, last, False

        return BulkRun(customers, work, concurrency=concurrency, before_send=before_send)

    def _on_conflict(
        self,
        customer_id: str,
        body: Mapping[str, Any],
        force_update: bool,
        error: APIError,
        *,
        landed: bool,
    ) -> tuple[OutcomeStatus, str | None, APIError | None]:
        """Settle a 409: our own earlier attempt (``landed``), a force update, or a failure."""
        transport = self.workspace.transport
        if landed:
            existing = transport.request("GET", f"/customers/{transport.quote(customer_id)}")
            if holds(existing, _without_node(body)):
                return "created", customer_id, None
        if force_update:
            transport.request(
                "PATCH", f"/customers/{transport.quote(customer_id)}", json=_without_node(body)
            )
            return "updated", customer_id, None
        return "failed", customer_id, error

    def _settle_customer(
        self, body: Mapping[str, Any], force_update: bool
    ) -> tuple[OutcomeStatus, str | None, APIError | None] | None:
        """After an unknown outcome: look the customer up; None when it is not in the hub."""
        candidates = self._find_customers(body)
        if not candidates:
            return None
        wanted = _without_node(body)
        for candidate in candidates:
            if holds(candidate, wanted):
                return "created", candidate.get("id"), None
        existing_id = str(candidates[0].get("id"))
        return self._on_conflict(
            existing_id, body, force_update, _conflict(existing_id), landed=False
        )

    def _find_customers(self, body: Mapping[str, Any]) -> list[dict[str, Any]]:
        transport = self.workspace.transport
        external_id, email = _customer_keys(body)
        if external_id:
            page = transport.request(
                "GET",
                "/customers",
                params={
                    "nodeId": self.node_id,
                    "externalId": external_id,
                    "size": EXPORT_PAGE_SIZE,
                },
            )
            found = list((page or {}).get("elements") or [])
            if found:
                return found
        if email:
            from contacthub.models.query.query import equals_query

            query = equals_query("base.contacts.email", email)
            page = transport.request(
                "GET",
                "/customers",
                params={
                    "nodeId": self.node_id,
                    "query": json.dumps(query),
                    "size": EXPORT_PAGE_SIZE,
                },
            )
            return list((page or {}).get("elements") or [])
        return []

    def bulk_add_events(
        self,
        events: Iterable[Mapping[str, Any] | BulkItem],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        before_send: Callable[[list[Any]], None] | None = None,
    ) -> BulkRun:
        """Add many events concurrently; iterate the result for each one's outcome.

        Args:
            events: event documents (as for ``add_event``; a ``bringBackProperties`` without
                ``nodeId`` gets this node's; an event without ``date`` gets the time it is first
                sent), or :class:`BulkItem` objects. Read lazily.
            concurrency: how many requests are in flight at once.
            before_send: called with the keys of each batch just before it is sent.

        Returns:
            A :class:`BulkRun`: outcomes in completion order (``created`` or ``failed``).
        """
        transport = self.workspace.transport
        node_id = self.node_id

        def work(item: BulkItem) -> _WorkResult:
            body = dict(item.document)
            if "date" not in body or body["date"] is None:
                body["date"] = format_instant(datetime.now(timezone.utc))
            bring_back = body.get("bringBackProperties")
            if isinstance(bring_back, Mapping) and not bring_back.get("nodeId"):
                body["bringBackProperties"] = {**bring_back, "nodeId": node_id}
            unknown: APIError | None = None
            check = item.recheck
            last: APIError | None = None
            for round_number in range(MAX_ROUNDS):
                if check:
                    try:
                        found = self._find_event(body)
                    except APIError as exc:
                        if not _transient(exc):
                            return "failed", None, _unknown(unknown, exc), True
                        last = exc
                        _pause(round_number)
                        continue
                    if found is not None:
                        return "created", found, None, True
                    check = False
                try:
                    answer = transport.request("POST", "/events", json=body)
                    event_id = answer.get("id") if isinstance(answer, Mapping) else None
                    return "created", event_id, None, unknown is not None or item.recheck
                except OutcomeUnknownError as exc:
                    unknown = unknown or exc
                    check = True
                except APIError as exc:
                    if not _transient(exc):
                        return "failed", None, exc, unknown is not None
                    last = exc
                    _pause(round_number)
            if unknown is not None:
                return "failed", None, _unknown(unknown, last or _GAVE_UP), True
            return "failed", None, last, False

        return BulkRun(events, work, concurrency=concurrency, before_send=before_send)

    def _find_event(self, body: Mapping[str, Any]) -> str | None:
        """The id of a stored event identical to ``body``, or None."""
        moment = _to_millis(_instant(body.get("date")))
        if moment is None or not body.get("type"):
            return None
        # The API keeps milliseconds: a window of exactly that millisecond (both ends inclusive).
        params: dict[str, Any] = {
            "type": body["type"],
            "dateFrom": format_instant(moment),
            "dateTo": format_instant(moment),
            "size": EXPORT_PAGE_SIZE,
        }
        if body.get("customerId"):
            params["customerId"] = body["customerId"]
        else:
            params["nodeId"] = self.node_id
        wanted = {key: body[key] for key in ("context", "properties") if key in body}
        bring_back = body.get("bringBackProperties")
        # Pages in order, none ahead: other workers keep adding events, and an insertion only
        # pushes later entries further down, so reading in order can see one twice but never skip
        # one; pages fetched out of order could skip the very event looked for, and resend it.
        for event in self._pages("/events", params, prefetch=False):
            if _to_millis(_instant(event.get("date"))) != moment or not holds(event, wanted):
                continue
            if isinstance(bring_back, Mapping) and not holds(
                event.get("bringBackProperties"),
                {k: bring_back.get(k) for k in ("type", "value")},
            ):
                continue
            return str(event.get("id"))
        return None

    # ----------------------------------------------------------------------------- export

    def _pages(
        self,
        path: str,
        params: Mapping[str, Any],
        export: PagedExport | None = None,
        *,
        prefetch: bool = True,
    ) -> Iterator[dict[str, Any]]:
        """Every element of a paged listing, in order.

        The first page says how many pages there are; the next ones are then fetched up to
        EXPORT_PREFETCH pages ahead on a few threads, so that the API's latency is paid once per
        window rather than once per page, while memory holds at most that many pages.
        """
        transport = self.workspace.transport

        def fetch(number: int) -> dict[str, Any]:
            query = {**params, "page": number}
            page = _with_rounds(partial(transport.request, "GET", path, params=query))
            return page if isinstance(page, dict) else {}

        first = fetch(0)
        info = first.get("page") or {}
        if export is not None and export.total is None:
            export.total = info.get("totalElements")
        elements = first.get("elements") or []
        yield from elements
        total_pages = int(info.get("totalPages", 0))
        if not elements or total_pages <= 1:
            return
        if not prefetch:
            number = 1
            while number < total_pages:
                page = fetch(number)
                elements = page.get("elements") or []
                if not elements:
                    return
                # Grown meanwhile: what was on the last page may have moved past it.
                total_pages = max(total_pages, int((page.get("page") or {}).get("totalPages", 0)))
                yield from elements
                number += 1
            return
        with ThreadPoolExecutor(EXPORT_PREFETCH, thread_name_prefix="contacthub-export") as pool:
            ahead: deque[Future[dict[str, Any]]] = deque()
            number = 1
            while True:
                while number < total_pages and len(ahead) < EXPORT_PREFETCH:
                    ahead.append(pool.submit(fetch, number))
                    number += 1
                if not ahead:
                    return
                page = ahead.popleft().result()
                elements = page.get("elements") or []
                if not elements:
                    return  # fewer than announced: the listing shrank meanwhile
                # Grown meanwhile: keep going to the pages the listing now announces.
                total_pages = max(total_pages, int((page.get("page") or {}).get("totalPages", 0)))
                yield from elements

    def export_customers(
        self,
        query: Mapping[str, Any] | str | None = None,
        *,
        external_id: str | None = None,
        sort: str | Sequence[str] | None = None,
        page_size: int = EXPORT_PAGE_SIZE,
    ) -> PagedExport:
        """Every customer of this node matching ``query`` (or all), as API documents.

        Pages of ``page_size`` (at most 50) are fetched as iteration reaches them, so memory
        does not grow with the number of customers. ``query`` is the query document (a dict,
        its JSON text, or a query built with ``node.query(Customer)``); the returned object's
        ``total`` says how many matched, once the first page is read.
        """
        params: dict[str, Any] = {"nodeId": self.node_id, "size": page_size}
        text = _query_param(query)
        if text is not None:
            params["query"] = text
        if external_id is not None:
            params["externalId"] = external_id
        if sort is not None:
            params["sort"] = [sort] if isinstance(sort, str) else list(sort)
        return PagedExport(lambda export: self._pages("/customers", params, export))

    def export_events(
        self,
        customer_ids: Iterable[str] | None = None,
        *,
        query: Mapping[str, Any] | str | None = None,
        event_type: str | Sequence[str] | None = None,
        context: str | Sequence[str] | None = None,
        date_from: datetime | str | None = None,
        date_to: datetime | str | None = None,
        page_size: int = EXPORT_PAGE_SIZE,
    ) -> PagedExport:
        """Events as API documents, page by page.

        With ``customer_ids`` (or a customer ``query``), the events of those customers, one
        customer after another; otherwise every event of this node. Filters: ``event_type`` and
        ``context`` (one or several), ``date_from``/``date_to``.
        """
        filters: dict[str, Any] = {"size": page_size}
        if event_type:
            filters["type"] = event_type if isinstance(event_type, str) else ",".join(event_type)
        if context:
            filters["context"] = context if isinstance(context, str) else ",".join(context)
        for name, value in (("dateFrom", date_from), ("dateTo", date_to)):
            if isinstance(value, datetime):
                filters[name] = format_instant(value)
            elif value is not None:
                filters[name] = value

        def pages(export: PagedExport) -> Iterator[dict[str, Any]]:
            if customer_ids is None and query is None:
                yield from self._pages("/events", {**filters, "nodeId": self.node_id}, export)
                return
            owners: Iterable[str] = (
                customer_ids
                if customer_ids is not None
                else (str(c["id"]) for c in self.export_customers(query))
            )
            for customer_id in owners:
                yield from self._pages("/events", {**filters, "customerId": customer_id})

        return PagedExport(pages)


def _transient(error: APIError) -> bool:
    """True for a failure that says the request was not processed: trying later may succeed."""
    if isinstance(error, OutcomeUnknownError):
        return False
    return isinstance(error, APIConnectionError) or error.status_code in (429, 503)


def _hopeless(error: APIError | None) -> str | None:
    """How a failure dooms the items after it too (None when it is the item's own problem).

    No answer at all (the API is unreachable), or a refusal of the credentials (401, 403):
    every following item would fail the same way.
    """
    if isinstance(error, APIConnectionError) and error.status_code is None:
        return "got no answer from the API"
    if error is not None and error.status_code in (401, 403):
        return f"were refused with {error.status_code} (the credentials no longer work)"
    return None


def _pause(round_number: int) -> None:
    """Wait before another round, growing with the rounds, jittered so threads spread out."""
    time.sleep(min(4.0, 0.25 * 2**round_number) * random.random())


def _with_rounds(call: Callable[[], Any]) -> Any:
    """``call()``, called again (up to MAX_ROUNDS) while it fails on a transient error."""
    for round_number in range(MAX_ROUNDS - 1):
        try:
            return call()
        except APIError as exc:
            if not _transient(exc):
                raise
            _pause(round_number)
    return call()


def _customer_keys(body: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The customer's external id and email: what it can be looked up by."""
    external_id = body.get("externalId")
    base = body.get("base")
    contacts = base.get("contacts") if isinstance(base, Mapping) else None
    email = contacts.get("email") if isinstance(contacts, Mapping) else None
    return (
        external_id if isinstance(external_id, str) and external_id else None,
        email if isinstance(email, str) and email else None,
    )


def _without_node(body: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != "nodeId"}


def _conflict_id(error: APIError) -> str | None:
    data = error.data
    if isinstance(data, Mapping):
        customer = data.get("customer")
        if isinstance(customer, Mapping) and customer.get("id"):
            return str(customer["id"])
    return None


def _unknown(unknown: APIError | None, why: str | APIError) -> APIError:
    """The error of an unknown outcome that could not be settled; ``why`` it could not."""
    if isinstance(why, APIError):
        why = f"checking the hub failed too ({why.message})"
    first = unknown.message if unknown is not None else "an earlier attempt may have been sent"
    return OutcomeUnknownError(
        f"{first}; the item may or may not have been stored: {why}",
        status_code=unknown.status_code if unknown is not None else None,
    )


_NO_KEY = (
    "it has neither externalId nor base.contacts.email to look it up by, so it was not sent "
    "again to avoid a duplicate"
)
_GAVE_UP = f"its outcome was still unknown after {MAX_ROUNDS} rounds"
