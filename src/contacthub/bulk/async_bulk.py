"""Bulk import and export for the async client (``AsyncNode``): tasks instead of threads.

The work on each item is the sync bulk's own (``operations.customer_work`` and
``operations.event_work``: the rounds, the re-checks of an unknown outcome by asking the hub,
the 409s of a forced update), driven with ``await`` over the
:class:`~contacthub._async_http.AsyncTransport`. The in-flight window (fixed, or adaptive from
each item's latency and the 429/503 answers), the outcomes (:class:`BulkOutcome`), the summary,
``before_send`` batching and the give-up on a dead API are those of :class:`BulkRun`. Exports
fetch up to ``EXPORT_PREFETCH`` pages ahead as tasks.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections import deque
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from contacthub._async_http import arun
from contacthub._ops import Call
from contacthub.bulk import rounds
from contacthub.bulk.export import (
    EXPORT_PAGE_SIZE,
    EXPORT_PREFETCH,
    customers_export_params,
    events_export_params,
)
from contacthub.bulk.operations import customer_work, event_work
from contacthub.bulk.run import (
    BulkItem,
    BulkOutcome,
    BulkSummary,
    HopelessStreak,
    WorkResult,
    guarded_failure,
    overloaded,
)
from contacthub.bulk.window import INITIAL_WINDOW, AdaptiveWindow, FixedWindow

if TYPE_CHECKING:
    from contacthub._async_http import AsyncTransport
    from contacthub._wire import SortSpec

__all__ = [
    "AsyncBulkRun",
    "AsyncPagedExport",
    "bulk_add_customers",
    "bulk_add_events",
    "export_customers",
    "export_events",
]

Rows = Iterable[Mapping[str, Any] | BulkItem] | AsyncIterable[Mapping[str, Any] | BulkItem]


class AsyncBulkRun(AsyncIterator[BulkOutcome]):
    """A running async bulk import: ``async for outcome in run`` as items finish.

    The async twin of :class:`~contacthub.bulk.BulkRun`: items (an iterable or an async
    iterable) are read only as room frees up in the in-flight window; ``summary``, ``window``,
    ``abandoned`` and :meth:`stop` as there; :meth:`run` waits for the summary; :meth:`aclose`
    (or leaving ``async with``) stops at once, cancelling the requests in flight.
    ``before_send`` may be a plain function or a coroutine function.
    """

    def __init__(
        self,
        items: Rows,
        work: Callable[[BulkItem], Awaitable[WorkResult]],
        *,
        concurrency: int | None,
        before_send: Callable[[list[Any]], Any] | None = None,
        max_concurrency: int = 64,
    ) -> None:
        if concurrency is not None and concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {concurrency}")
        self.summary = BulkSummary()
        self._items = items
        self._work = work
        self.window: AdaptiveWindow | FixedWindow = (
            FixedWindow(concurrency)
            if concurrency is not None
            else AdaptiveWindow(min(INITIAL_WINDOW, max_concurrency), maximum=max_concurrency)
        )
        self._before_send = before_send
        self._stopping = False
        #: Why the run stopped reading its input early, or None (see ``BulkRun.abandoned``).
        self.abandoned: str | None = None
        self.give_up_after = max(8, 2 * (concurrency or INITIAL_WINDOW))
        self._outcomes = self._generate()

    def __aiter__(self) -> AsyncBulkRun:
        return self

    async def __anext__(self) -> BulkOutcome:
        return await self._outcomes.__anext__()

    async def __aenter__(self) -> AsyncBulkRun:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def stop(self) -> None:
        """Send no more items; iteration still yields the outcomes of the items in flight."""
        self._stopping = True

    async def aclose(self) -> None:
        """Stop now: no more items are sent, the requests in flight are cancelled."""
        self._stopping = True
        await self._outcomes.aclose()

    async def run(self) -> BulkSummary:
        """Wait until every item is done and return the summary."""
        async for _ in self:
            pass
        return self.summary

    async def _guarded(self, item: BulkItem) -> WorkResult:
        try:
            return await self._work(item)
        except Exception as exc:  # that item's failure, not the run's
            return guarded_failure(exc)

    async def _generate(self) -> AsyncGenerator[BulkOutcome, None]:
        window = self.window
        source = self._items
        sync_items: Iterator[Mapping[str, Any] | BulkItem] | None = None
        async_items: AsyncIterator[Mapping[str, Any] | BulkItem] | None = None
        if isinstance(source, AsyncIterable):
            async_items = aiter(source)
        else:
            sync_items = iter(source)
        position = 0
        exhausted = False
        streak = HopelessStreak()
        running: dict[asyncio.Task[WorkResult], tuple[int, BulkItem, float]] = {}
        finished: asyncio.Queue[asyncio.Task[WorkResult]] = asyncio.Queue()
        try:
            while True:
                free = window.limit - len(running)
                if (
                    not exhausted
                    and not self._stopping
                    and free > 0
                    and (not running or free >= max(1, window.limit // 4))
                ):
                    batch: list[tuple[int, BulkItem]] = []
                    while len(batch) < free:
                        try:
                            if async_items is not None:
                                raw = await anext(async_items)
                            else:
                                assert sync_items is not None
                                raw = next(sync_items)
                        except (StopIteration, StopAsyncIteration):
                            exhausted = True
                            break
                        item = raw if isinstance(raw, BulkItem) else BulkItem(raw, position)
                        batch.append((position, item))
                        position += 1
                    if batch and self._before_send is not None:
                        sent = self._before_send([item.key for _, item in batch])
                        if inspect.isawaitable(sent):
                            await sent
                    for index, item in batch:
                        task = asyncio.create_task(self._guarded(item))
                        running[task] = (index, item, time.monotonic())
                        task.add_done_callback(finished.put_nowait)
                if not running:
                    break
                # Finished tasks arrive on a queue: waiting costs the same whatever the window.
                done = [await finished.get()]
                while not finished.empty():
                    done.append(finished.get_nowait())
                for task in done:
                    index, item, began = running.pop(task)
                    status, item_id, error, resolved = task.result()
                    window.finished(time.monotonic() - began, overloaded=overloaded(error))
                    outcome = BulkOutcome(index, item.key, status, item_id, error, resolved)
                    self.summary.add(outcome)
                    why = streak.see(outcome, self.give_up_after)
                    if why is not None and self.abandoned is None:
                        self.abandoned = why
                        self._stopping = True
                    yield outcome
        finally:
            self.summary.finished = time.monotonic()
            for task in running:
                task.remove_done_callback(finished.put_nowait)
                task.cancel()
            if running:
                await asyncio.gather(*running, return_exceptions=True)


def bulk_add_customers(
    transport: AsyncTransport,
    node_id: str,
    customers: Rows,
    *,
    force_update: bool = False,
    concurrency: int | None = None,
    before_send: Callable[[list[Any]], Any] | None = None,
) -> AsyncBulkRun:
    """Add many customers concurrently (``AsyncNode.bulk_add_customers``)."""

    async def work(item: BulkItem) -> WorkResult:
        return await arun(transport, customer_work(node_id, item, force_update))

    return AsyncBulkRun(
        customers,
        work,
        concurrency=concurrency,
        before_send=before_send,
        max_concurrency=transport.pool_size,
    )


def bulk_add_events(
    transport: AsyncTransport,
    node_id: str,
    events: Rows,
    *,
    concurrency: int | None = None,
    before_send: Callable[[list[Any]], Any] | None = None,
) -> AsyncBulkRun:
    """Add many events concurrently (``AsyncNode.bulk_add_events``)."""

    async def work(item: BulkItem) -> WorkResult:
        return await arun(transport, event_work(node_id, item))

    return AsyncBulkRun(
        events,
        work,
        concurrency=concurrency,
        before_send=before_send,
        max_concurrency=transport.pool_size,
    )


# ------------------------------------------------------------------------------ export


class AsyncPagedExport(AsyncIterator[dict[str, Any]]):
    """Documents of a paged listing, fetched page by page: ``async for document in export``.

    ``total`` is the number of documents the listing announced (None until the first page is
    read, or when unknown). :meth:`aclose` stops it early, cancelling the pages fetched ahead.
    """

    def __init__(self, pages: Callable[[AsyncPagedExport], AsyncIterator[dict[str, Any]]]) -> None:
        self.total: int | None = None
        self._documents = pages(self)

    def __aiter__(self) -> AsyncPagedExport:
        return self

    async def __anext__(self) -> dict[str, Any]:
        return await self._documents.__anext__()

    async def aclose(self) -> None:
        """Stop the export (pages fetched ahead are cancelled)."""
        aclose = getattr(self._documents, "aclose", None)
        if aclose is not None:
            await aclose()


async def pages(
    transport: AsyncTransport,
    path: str,
    params: Mapping[str, Any],
    export: AsyncPagedExport | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Every element of a paged listing, in order; once the first page gives the page count,
    up to EXPORT_PREFETCH pages are fetched ahead (as ``bulk.export.pages`` does on threads)."""

    async def fetch(number: int) -> dict[str, Any]:
        call = Call("GET", path, params={**params, "page": number}, expect_body=False)
        page = await arun(transport, rounds.rounds_of(call))
        return page if isinstance(page, dict) else {}

    first = await fetch(0)
    info = first.get("page") or {}
    if export is not None and export.total is None:
        export.total = info.get("totalElements")
    elements = first.get("elements") or []
    for element in elements:
        yield element
    total_pages = int(info.get("totalPages", 0))
    if not elements or total_pages <= 1:
        return
    ahead: deque[asyncio.Task[dict[str, Any]]] = deque()
    number = 1
    try:
        while True:
            while number < total_pages and len(ahead) < EXPORT_PREFETCH:
                ahead.append(asyncio.create_task(fetch(number)))
                number += 1
            if not ahead:
                return
            page = await ahead.popleft()
            elements = page.get("elements") or []
            if not elements:
                return  # fewer than announced: the listing shrank meanwhile
            # Grown meanwhile: keep going to the pages the listing now announces.
            total_pages = max(total_pages, int((page.get("page") or {}).get("totalPages", 0)))
            for element in elements:
                yield element
    finally:
        for task in ahead:
            task.cancel()
        if ahead:
            await asyncio.gather(*ahead, return_exceptions=True)


def export_customers(
    transport: AsyncTransport,
    node_id: str,
    query: Any = None,
    *,
    external_id: str | None = None,
    sort: SortSpec | None = None,
    page_size: int = EXPORT_PAGE_SIZE,
) -> AsyncPagedExport:
    """Every customer of the node matching ``query`` (or all), as API documents."""
    params = customers_export_params(node_id, query, external_id, sort, page_size)
    return AsyncPagedExport(lambda export: pages(transport, "/customers", params, export))


def export_events(
    transport: AsyncTransport,
    node_id: str,
    customer_ids: Iterable[str] | None = None,
    *,
    query: Any = None,
    event_type: str | Sequence[str] | None = None,
    context: str | Sequence[str] | None = None,
    date_from: datetime | date | str | None = None,
    date_to: datetime | date | str | None = None,
    page_size: int = EXPORT_PAGE_SIZE,
) -> AsyncPagedExport:
    """Events as API documents: of ``customer_ids`` (or of the customers ``query`` finds), one
    customer after another, else every event of the node."""

    def params(customer_id: str | None) -> dict[str, Any]:
        return events_export_params(
            node_id,
            customer_id,
            event_type=event_type,
            context=context,
            date_from=date_from,
            date_to=date_to,
            page_size=page_size,
        )

    async def event_pages(export: AsyncPagedExport) -> AsyncIterator[dict[str, Any]]:
        if customer_ids is None and query is None:
            async for event in pages(transport, "/events", params(None), export):
                yield event
            return
        if customer_ids is not None:
            for customer_id in customer_ids:
                async for event in pages(transport, "/events", params(customer_id)):
                    yield event
            return
        async for customer in export_customers(transport, node_id, query):
            async for event in pages(transport, "/events", params(str(customer["id"]))):
                yield event

    return AsyncPagedExport(event_pages)
