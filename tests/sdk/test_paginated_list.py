"""PaginatedList's paging logic over a page function (its end-to-end use is in test_node_*)."""

from __future__ import annotations

from typing import Any

import pytest

from contacthub import OperationNotPermitted, PaginatedList


class Item:
    """A minimal entity class: from_dict(node, element)."""

    def __init__(self, node: object, value: int) -> None:
        self.node = node
        self.value = value

    @classmethod
    def from_dict(cls, node: object, element: dict[str, Any]) -> Item:
        return cls(node, element["v"])


class Pages:
    """Serves ``total`` numbered elements in pages, like the API, and counts the calls."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.calls: list[dict[str, Any]] = []

    def __call__(
        self, page: int | None = None, size: int | None = None, **other: Any
    ) -> dict[str, Any]:
        self.calls.append({"page": page, "size": size, **other})
        number, per_page = page or 0, size or 10
        start = number * per_page
        elements = [{"v": v} for v in range(start, min(start + per_page, self.total))]
        return {
            "elements": elements,
            "page": {
                "size": per_page,
                "totalElements": self.total,
                "totalUnfilteredElements": 0,
                "totalPages": -(-self.total // per_page),
                "number": number,
            },
        }


def test_attributes_and_elements_of_a_page() -> None:
    pages = Pages(23)
    node = object()
    page = PaginatedList(node, pages, Item, size=5, page=2, query="q")
    assert [item.value for item in page] == [10, 11, 12, 13, 14]
    assert all(item.node is node for item in page)
    assert (page.size, page.total_elements, page.total_pages, page.page_number) == (5, 23, 5, 2)
    assert page.total_unfiltered_elements == 0
    assert pages.calls == [{"page": 2, "size": 5, "query": "q"}]


def test_next_and_previous_pages_keep_the_other_parameters() -> None:
    pages = Pages(12)
    first = PaginatedList(None, pages, Item, size=5, query="q")
    second = first.next_page()
    third = second.next_page()
    assert [i.value for i in third] == [10, 11]
    assert [i.value for i in third.previous_page()] == [5, 6, 7, 8, 9]
    assert [i.value for i in first] == [0, 1, 2, 3, 4]  # the first page did not change
    assert pages.calls[-1] == {"page": 1, "size": 5, "query": "q"}


def test_moving_past_either_end_is_refused_clearly() -> None:
    pages = Pages(3)
    only = PaginatedList(None, pages, Item)
    with pytest.raises(OperationNotPermitted, match="no next page"):
        only.next_page()
    with pytest.raises(OperationNotPermitted, match="no previous page"):
        only.previous_page()
    assert not only.has_next_page
    assert not only.has_previous_page


def test_all_pages_walks_lazily() -> None:
    pages = Pages(7)
    walk = PaginatedList(None, pages, Item, size=3).all_pages()
    assert len(pages.calls) == 1
    assert [next(walk).value for _ in range(4)] == [0, 1, 2, 3]
    assert len(pages.calls) == 2  # the second page was fetched only when reached
    assert [item.value for item in walk] == [4, 5, 6]
    assert len(pages.calls) == 3


def test_empty_result() -> None:
    empty = PaginatedList(None, Pages(0), Item)
    assert list(empty) == []
    assert list(empty.all_pages()) == []
    assert empty.total_pages == 0


def test_a_page_is_read_only() -> None:
    page = PaginatedList(None, Pages(3), Item)
    with pytest.raises(ValueError, match="read-only"):
        page.append(Item(None, 9))
    with pytest.raises(ValueError, match="read-only"):
        del page[0]
    with pytest.raises(AttributeError):
        page.page_number = 3  # type: ignore[misc]
