"""Exports: every document of a paged listing, pages fetched ahead as iteration reaches them."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from contacthub import _wire
from contacthub.bulk.rounds import with_rounds

if TYPE_CHECKING:
    from contacthub._http import Transport
    from contacthub._wire import SortSpec

#: Page size of exports: the API's maximum.
EXPORT_PAGE_SIZE = 50
#: Pages of an export fetched ahead of the one being read.
EXPORT_PREFETCH = 4


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


def pages(
    transport: Transport,
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

    def fetch(number: int) -> dict[str, Any]:
        query = {**params, "page": number}
        page = with_rounds(partial(transport.request, "GET", path, params=query))
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
    transport: Transport,
    node_id: str,
    query: Any = None,
    *,
    external_id: str | None = None,
    sort: SortSpec | None = None,
    page_size: int = EXPORT_PAGE_SIZE,
) -> PagedExport:
    """Every customer of this node matching ``query`` (or all), as API documents.

    Pages of ``page_size`` (at most 50) are fetched as iteration reaches them, so memory
    does not grow with the number of customers. ``query``: anything
    :func:`contacthub._wire.query_param` takes (a built query, the query document or a bare
    query, as a dict or JSON text), always sent as the ``{"name", "query"}`` document; the
    returned object's ``total`` says how many matched, once the first page is read.
    """
    params = customers_export_params(node_id, query, external_id, sort, page_size)
    return PagedExport(lambda export: pages(transport, "/customers", params, export))


def customers_export_params(
    node_id: str, query: Any, external_id: str | None, sort: SortSpec | None, page_size: int
) -> dict[str, Any]:
    """The listing parameters of a customers export (the sync and async ones)."""
    return _wire.customers_params(
        node_id, external_id=external_id, query=query, sort=sort, size=page_size
    )


def events_export_params(
    node_id: str,
    customer_id: str | None,
    *,
    event_type: str | Sequence[str] | None,
    context: str | Sequence[str] | None,
    date_from: datetime | date | str | None,
    date_to: datetime | date | str | None,
    page_size: int,
) -> dict[str, Any]:
    """The listing parameters of an events export (the sync and async ones)."""
    return _wire.events_params(
        node_id,
        customer_id=customer_id,
        event_type=event_type or None,
        context=context or None,
        date_from=date_from,
        date_to=date_to,
        size=page_size,
    )


def export_events(
    transport: Transport,
    node_id: str,
    customer_ids: Iterable[str] | None = None,
    *,
    query: Any = None,
    event_type: str | Sequence[str] | None = None,
    context: str | Sequence[str] | None = None,
    date_from: datetime | date | str | None = None,
    date_to: datetime | date | str | None = None,
    page_size: int = EXPORT_PAGE_SIZE,
) -> PagedExport:
    """Events as API documents, page by page.

    With ``customer_ids`` (or a customer ``query``), the events of those customers, one
    customer after another; otherwise every event of this node. Filters: ``event_type`` and
    ``context`` (one or several), ``date_from``/``date_to``.
    """

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

    def event_pages(export: PagedExport) -> Iterator[dict[str, Any]]:
        if customer_ids is None and query is None:
            yield from pages(transport, "/events", params(None), export)
            return
        owners: Iterable[str] = (
            customer_ids
            if customer_ids is not None
            else (str(c["id"]) for c in export_customers(transport, node_id, query))
        )
        for customer_id in owners:
            yield from pages(transport, "/events", params(customer_id))

    return PagedExport(event_pages)
