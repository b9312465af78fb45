"""One page of a list of entities from the API, with navigation to the other pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import Any, TypeVar

from contacthub.errors.operation_not_permitted import OperationNotPermitted
from contacthub.lib.read_only_list import ReadOnlyList

T = TypeVar("T")


class PageBase(ReadOnlyList[T]):
    """A page of entities and its paging numbers: what the sync and async pages share.

    Built from the API's page envelope (``{"elements": [...], "page": {...}}``) by
    :meth:`_fill`; its subclasses fetch the neighbouring pages.
    """

    node: Any
    entity_class: Any
    _function: Callable[..., Any]
    _kwargs: dict[str, Any]
    _page_number: int
    _size: int
    _total_elements: int
    _total_pages: int
    _total_unfiltered_elements: int

    def _fill(
        self,
        node: Any,
        function: Callable[..., Any],
        entity_class: Any,
        kwargs: Mapping[str, Any],
        envelope: Any,
    ) -> None:
        """Become the page ``envelope`` holds: its entities and its paging numbers."""
        if envelope is None:
            envelope = {}
        if not isinstance(envelope, Mapping):
            raise TypeError(f"expected the API's page envelope, got {type(envelope).__name__}")
        elements = envelope.get("elements") or []
        page = envelope.get("page") or {}
        list.__init__(self, (entity_class.from_dict(node, element) for element in elements))
        self.node = node
        self.entity_class = entity_class
        self._function = function
        self._kwargs = dict(kwargs)
        requested = kwargs.get("page")
        self._page_number = int(page.get("number", requested if requested is not None else 0))
        self._size = int(page.get("size", kwargs.get("size") or len(elements)))
        self._total_elements = int(page.get("totalElements", len(elements)))
        self._total_pages = int(page.get("totalPages", 1 if elements else 0))
        self._total_unfiltered_elements = int(page.get("totalUnfilteredElements", 0))

    @property
    def size(self) -> int:
        """The number of elements per page (the requested page size)."""
        return self._size

    @property
    def total_elements(self) -> int:
        """The number of elements matching the request, over all pages."""
        return self._total_elements

    @property
    def total_pages(self) -> int:
        """The number of pages the matching elements fill."""
        return self._total_pages

    @property
    def total_unfiltered_elements(self) -> int:
        """The API's count of elements before filtering (the API reports 0)."""
        return self._total_unfiltered_elements

    @property
    def page_number(self) -> int:
        """This page's number, counted from 0."""
        return self._page_number

    @property
    def has_next_page(self) -> bool:
        """Whether a page follows this one."""
        return self._page_number + 1 < self._total_pages

    @property
    def has_previous_page(self) -> bool:
        """Whether a page comes before this one."""
        return self._page_number > 0

    def _no_next(self) -> OperationNotPermitted:
        return OperationNotPermitted(
            f"no next page: this is page {self._page_number} and there are "
            f"{self._total_pages} pages (numbered from 0)"
        )

    @staticmethod
    def _no_previous() -> OperationNotPermitted:
        return OperationNotPermitted("no previous page: this is the first page (page 0)")

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} page {self._page_number} of {self._total_pages}: "
            f"{len(self)} of {self._total_elements} elements>"
        )


class PaginatedList(PageBase[T]):
    """One page of entities (customers, events), as returned by ``node.get_customers()``.

    It is a read-only list of the page's entities: iterate it, index it, take its ``len``.
    Its attributes describe the paging:

    - ``size``: the number of elements per page (the requested page size);
    - ``total_elements``: the number of elements matching the request, over all pages;
    - ``total_pages``: the number of pages;
    - ``total_unfiltered_elements``: the API's count of elements before filtering;
    - ``page_number``: this page's number, counted from 0.

    :meth:`next_page` and :meth:`previous_page` fetch the neighbouring pages as new lists (this
    one never changes); past either end they raise :class:`OperationNotPermitted`.
    :meth:`all_pages` walks every element of this page and the following ones, fetching each
    page only when the previous one has been consumed::

        for customer in node.get_customers(size=50).all_pages():
            print(customer.base.contacts.email)

    Args:
        node: the node the entities belong to.
        function: called as ``function(**kwargs)``, returns the API's page envelope
            (``{"elements": [...], "page": {...}}``).
        entity_class: builds each entity with ``entity_class.from_dict(node, element)``.
        kwargs: the request's parameters; ``page`` selects the page (0 = the first).
    """

    def __init__(
        self,
        node: Any,
        function: Callable[..., Any],
        entity_class: Any,
        **kwargs: Any,
    ) -> None:
        self._fill(node, function, entity_class, kwargs, function(**kwargs))

    def _page(self, number: int) -> PaginatedList[T]:
        return PaginatedList(
            self.node, self._function, self.entity_class, **{**self._kwargs, "page": number}
        )

    def next_page(self) -> PaginatedList[T]:
        """The next page, as a new list.

        Raises:
            OperationNotPermitted: this is the last page.
        """
        if not self.has_next_page:
            raise self._no_next()
        return self._page(self._page_number + 1)

    def previous_page(self) -> PaginatedList[T]:
        """The previous page, as a new list.

        Raises:
            OperationNotPermitted: this is the first page.
        """
        if not self.has_previous_page:
            raise self._no_previous()
        return self._page(self._page_number - 1)

    def all_pages(self) -> Iterator[T]:
        """Every element of this page and of the pages after it, fetched lazily page by page.

        Only one page is held at a time. Paging is by position: customers added or removed
        while walking may shift the pages, so sort by a stable key (the default order is
        ``registeredAt`` then ``id``) when the data changes meanwhile.
        """
        page: PaginatedList[T] = self
        while True:
            yield from list.__iter__(page)
            if not page.has_next_page or len(page) == 0:
                return
            page = page._page(page._page_number + 1)


class AsyncPaginatedList(PageBase[T]):
    """One page of entities from the async client (``await anode.get_customers()``).

    The same read-only list and paging attributes as :class:`PaginatedList`; the neighbouring
    pages are coroutines (``await page.next_page()``), and :meth:`all_pages` is an async
    iterator::

        page = await anode.get_customers(size=50)
        async for customer in page.all_pages():
            print(customer.base.contacts.email)

    Build one with :meth:`fetch` (``function`` is a coroutine function returning the envelope).
    """

    @classmethod
    async def fetch(
        cls,
        node: Any,
        function: Callable[..., Awaitable[Any]],
        entity_class: Any,
        **kwargs: Any,
    ) -> AsyncPaginatedList[T]:
        """The page ``await function(**kwargs)`` answers."""
        envelope = await function(**kwargs)
        page: AsyncPaginatedList[T] = cls()
        page._fill(node, function, entity_class, kwargs, envelope)
        return page

    async def _page(self, number: int) -> AsyncPaginatedList[T]:
        return await AsyncPaginatedList.fetch(
            self.node, self._function, self.entity_class, **{**self._kwargs, "page": number}
        )

    async def next_page(self) -> AsyncPaginatedList[T]:
        """The next page, as a new list (:class:`OperationNotPermitted` after the last)."""
        if not self.has_next_page:
            raise self._no_next()
        return await self._page(self._page_number + 1)

    async def previous_page(self) -> AsyncPaginatedList[T]:
        """The previous page, as a new list (:class:`OperationNotPermitted` before the first)."""
        if not self.has_previous_page:
            raise self._no_previous()
        return await self._page(self._page_number - 1)

    async def all_pages(self) -> AsyncIterator[T]:
        """Every element of this page and of the pages after it, each page fetched when the
        previous one has been consumed (only one page is held at a time)."""
        page: AsyncPaginatedList[T] = self
        while True:
            for element in list.__iter__(page):
                yield element
            if not page.has_next_page or len(page) == 0:
                return
            page = await page._page(page._page_number + 1)
