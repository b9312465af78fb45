"""A segment: a saved, named customer query of a workspace, whose customers are found anew each time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from contacthub import _wire
from contacthub.models._sync import sync_only

if TYPE_CHECKING:
    from contacthub._wire import SortSpec
    from contacthub.lib.paginated_list import PaginatedList
    from contacthub.models.customer import Customer
    from contacthub.node import Node

#: The customer properties a segment's customers are read with unless ``fields`` says otherwise:
#: every top-level key, so that each element is the whole customer.
CUSTOMER_FIELDS = (
    "id",
    "nodeId",
    "externalId",
    "extra",
    "base",
    "extended",
    "consents",
    "tags",
    "enabled",
    "registeredAt",
    "updatedAt",
)


def inner_query(query: Any) -> dict[str, Any]:
    """The simple or combined query a segment stores, from a builder ``Query``, a query
    document (``{"name", "query"}``) or the inner query itself."""
    if not isinstance(query, Mapping) and not callable(getattr(query, "to_dict", None)):
        raise TypeError(f"a segment's query must be a Query or a dict, not {query!r}")
    document = _wire.query_document(query)
    if document is None:
        raise ValueError("a segment needs a query with at least one filter")
    inner = document.get("query")
    if not isinstance(inner, Mapping):
        raise TypeError(f"a segment's query must be a simple or combined query, not {query!r}")
    return dict(inner)


class Segment:
    """A saved customer query: ``id``, ``name``, ``query``, ``enabled``, ``created_at``,
    ``updated_at``; :meth:`customers` runs its query now."""

    def __init__(self, node: Node, document: Mapping[str, Any]) -> None:
        self.node = node
        self._document = dict(document)

    @classmethod
    def from_dict(cls, node: Node, document: Mapping[str, Any]) -> Segment:
        """A segment of ``node``'s workspace from the API's document."""
        return cls(node, document)

    def to_dict(self) -> dict[str, Any]:
        """The segment as the API answered it."""
        return dict(self._document)

    @property
    def id(self) -> str:
        """The segment's id."""
        return str(self._document["id"])

    @property
    def name(self) -> str:
        """The segment's name."""
        return str(self._document["name"])

    @property
    def query(self) -> dict[str, Any]:
        """The segment's simple or combined query."""
        query: dict[str, Any] = self._document["query"]
        return query

    @property
    def enabled(self) -> bool:
        """Whether the segment is enabled."""
        return bool(self._document.get("enabled", True))

    @property
    def created_at(self) -> str | None:
        """When the segment was created (the API's text)."""
        return self._document.get("createdAt")

    @property
    def updated_at(self) -> str | None:
        """When the segment was last changed (the API's text)."""
        return self._document.get("updatedAt")

    def customers(
        self,
        page: int | None = None,
        size: int | None = None,
        fields: str | list[str] | tuple[str, ...] | None = None,
        sort: SortSpec | None = None,
    ) -> PaginatedList[Customer]:
        """A page of the node's customers the segment's query finds now."""
        sync_only(self.node, "segment.customers()", "await node.get_segment_customers(segment.id)")
        return self.node.get_segment_customers(
            self.id, page=page, size=size, fields=fields, sort=sort
        )

    def update(
        self, *, name: str | None = None, query: Any = None, enabled: bool | None = None
    ) -> Segment:
        """Replace the segment, keeping what is not given; the segment as stored."""
        sync_only(self.node, "segment.update()", "await node.update_segment(segment.id, ...)")
        return self.node.update_segment(
            self.id,
            name=self.name if name is None else name,
            query=self.query if query is None else query,
            enabled=self.enabled if enabled is None else enabled,
        )

    def delete(self) -> Segment:
        """Delete the segment; what it was."""
        sync_only(self.node, "segment.delete()", "await node.delete_segment(segment.id)")
        return self.node.delete_segment(self.id)

    def __repr__(self) -> str:
        return f"Segment(id={self.id!r}, name={self.name!r})"
