"""Query: filters on customers, combined and run through a Node."""

from __future__ import annotations

import copy
from typing import Any

from contacthub.errors import OperationNotPermitted
from contacthub.models.query.criterion import Criterion
from contacthub.models.query.entity_field import EntityField

__all__ = ["Query", "equals_query"]

_NAME = "query"


class Query:
    """A query on an entity's data, run with :meth:`all`.

    Build one with ``node.query(Customer)``; every method returns a new Query, so a query can be
    reused as the base of others. ``filter(criterion)`` adds a condition (successive filters
    are AND-ed); ``q1 & q2`` and ``q1 | q2`` combine filtered queries (INTERSECT / UNION);
    a combined query cannot be filtered further. :meth:`to_dict` gives the JSON sent as the
    ``query`` parameter of ``GET /customers``.

    Args:
        node: the Node to run the query on.
        entity: the queried entity class (Customer).
        previous_query: the query to start from: another Query, or the API's JSON of a query
            (``{"type": "simple", ...}``, with or without the ``{"name", "query"}`` wrapper).

    Attributes:
        node: the Node the query runs on.
        entity: the queried entity class.
        inner_query: the simple or combined query (the API's JSON), or None before any filter.
    """

    def __init__(self, node: Any, entity: type, previous_query: Any = None) -> None:
        self.node = node
        self.entity = entity
        self._sort: tuple[str, ...] = ()
        inner: dict[str, Any] | None
        if isinstance(previous_query, Query):
            inner = previous_query.inner_query
            self._sort = previous_query._sort
        elif previous_query is None:
            inner = None
        elif isinstance(previous_query, dict):
            inner = previous_query.get("query", previous_query)
            if not isinstance(inner, dict) or inner.get("type") not in ("simple", "combined"):
                raise ValueError(
                    "previous_query must be a simple or combined query: "
                    f"{{'type': 'simple' | 'combined', ...}}, got {previous_query!r}"
                )
        else:
            raise TypeError(f"previous_query must be a Query or a dict, got {previous_query!r}")
        self.inner_query: dict[str, Any] | None = copy.deepcopy(inner)

    # -- building --------------------------------------------------------------------------

    def filter(self, criterion: Criterion) -> Query:
        """A new query with ``criterion`` AND-ed to the conditions already present.

        Raises:
            OperationNotPermitted: this query is combined (``q1 & q2``): filter the simple
                queries before combining them.
        """
        if not isinstance(criterion, Criterion):
            raise TypeError(
                "filter() takes a criterion such as Customer.base.firstName == 'Bruce', "
                f"got {criterion!r}"
            )
        condition = criterion.to_condition()
        inner = self.inner_query
        if inner is None:
            new_inner: dict[str, Any] = {
                "type": "simple",
                "name": _NAME,
                "are": {"condition": condition},
            }
        elif inner["type"] == "combined":
            raise OperationNotPermitted(
                "a combined query cannot be filtered: filter the simple queries, then combine them"
            )
        else:
            current = inner["are"]["condition"]
            conditions = []
            for part in (current, condition):
                if part.get("type") == "composite" and part.get("conjunction") == "and":
                    conditions.extend(part["conditions"])
                else:
                    conditions.append(part)
            new_inner = {
                **inner,
                "are": {
                    **inner["are"],
                    "condition": {
                        "type": "composite",
                        "conjunction": "and",
                        "conditions": conditions,
                    },
                },
            }
        return self._derive(new_inner)

    def sort(self, field: str | EntityField, direction: str = "asc") -> Query:
        """A new query whose results are ordered by ``field`` too (after earlier sort keys).

        Args:
            field: a dotted path (``'base.lastName'``) or a field (``Customer.base.lastName``).
            direction: ``'asc'`` or ``'desc'`` (any case).
        """
        path = field.field if isinstance(field, EntityField) else field
        if not isinstance(path, str) or not path:
            raise TypeError(f"sort() needs a field name or a query field, got {field!r}")
        lowered = direction.lower() if isinstance(direction, str) else direction
        if lowered not in ("asc", "desc"):
            raise ValueError(f"sort direction must be 'asc' or 'desc', got {direction!r}")
        result = self._derive(self.inner_query)
        result._sort = (*self._sort, f"{path},{lowered}")
        return result

    def __and__(self, other: Query) -> Query:
        return self._combine(other, "INTERSECT")

    def __or__(self, other: Query) -> Query:
        return self._combine(other, "UNION")

    def _combine(self, other: Query, conjunction: str) -> Query:
        if not isinstance(other, Query):
            raise TypeError(f"only queries can be combined with a query, got {other!r}")
        if other.entity is not self.entity:
            raise OperationNotPermitted("cannot combine queries on different entities")
        queries: list[dict[str, Any]] = []
        for query in (self, other):
            inner = query.inner_query
            if inner is None:
                raise OperationNotPermitted(
                    "cannot combine a query without filters: call filter() on it first"
                )
            if inner["type"] == "combined" and inner["conjunction"] == conjunction:
                queries.extend(inner["queries"])
            else:
                queries.append(inner)
        return self._derive(
            {"type": "combined", "name": _NAME, "conjunction": conjunction, "queries": queries}
        )

    def _derive(self, inner: dict[str, Any] | None) -> Query:
        result = Query(self.node, self.entity)
        result.inner_query = copy.deepcopy(inner)
        result._sort = self._sort
        return result

    # -- running ---------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any] | None:
        """The query as the API reads it (``{"name": "query", "query": ...}``), or None for no filter."""
        if self.inner_query is None:
            return None
        return {"name": _NAME, "query": copy.deepcopy(self.inner_query)}

    def all(
        self,
        page: int | None = None,
        size: int | None = None,
        fields: list[str] | None = None,
    ) -> Any:
        """Run the query: a PaginatedList of the matching customers (first page by default).

        Args:
            page: the 0-based page to get.
            size: customers per page (the API allows up to 50).
            fields: only these dotted properties in each customer.
        """
        kwargs: dict[str, Any] = {}
        query = self.to_dict()
        if query is not None:
            kwargs["query"] = query
        if self._sort:
            kwargs["sort"] = list(self._sort) if len(self._sort) > 1 else self._sort[0]
        if page is not None:
            kwargs["page"] = page
        if size is not None:
            kwargs["size"] = size
        if fields is not None:
            kwargs["fields"] = fields
        return self.node.get_customers(**kwargs)

    def __repr__(self) -> str:
        return f"Query({getattr(self.entity, '__name__', self.entity)}, {self.to_dict()!r})"


def equals_query(attribute: str, value: Any) -> dict[str, Any]:
    """The API's JSON of a query for customers whose ``attribute`` (a dotted path) EQUALS ``value``.

    For lookups that need no Query object, e.g. by ``base.contacts.email``.
    """
    criterion = Criterion(EntityField(object, attribute), Criterion.SIMPLE_OPERATORS.EQUALS, value)
    query = Query(None, object).filter(criterion).to_dict()
    assert query is not None  # a filtered query always has a body
    return query
