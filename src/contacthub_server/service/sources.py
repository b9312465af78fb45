"""Customer sources (§2.1): the view of a customer as one source of data (node) recorded it.

Decision: in the hub a customer belongs to exactly one node and has no history per source, so it
has exactly one source, the node it belongs to. Its SourceCustomer is taken from the stored
customer: ``{id: <nodeId>, externalId, nodeId, base, extended, extra, consents, tags,
registeredAt, updatedAt}``. ``GET …/customers/{id}/sources`` lists that one source;
``GET …/customers/{id}/sources/{sourceId}`` answers it when ``sourceId`` is the customer's node
id. An unknown customer, or any other source id, is a 404.
"""

from __future__ import annotations

from typing import Any

from contacthub_server.schemas.normalise import SOURCE_KEYS
from contacthub_server.service.customers import customer_not_found
from contacthub_server.service.errors import NotFound
from contacthub_server.service.registry import Registry


def source_customer(customer: dict[str, Any]) -> dict[str, Any]:
    """The SourceCustomer of a stored customer: its node's view of it."""
    source: dict[str, Any] = {"id": customer["nodeId"]}
    source.update((key, customer.get(key)) for key in SOURCE_KEYS)
    return source


def _stored_customer(registry: Registry, ws: str, customer_id: str) -> dict[str, Any]:
    with registry.store.read() as tx:
        customer: dict[str, Any] | None = tx.get_customer(ws, customer_id)
    if customer is None:
        raise customer_not_found(customer_id)
    return customer


def list_sources(registry: Registry, ws: str, customer_id: str) -> list[dict[str, Any]]:
    """GET /customers/{id}/sources: the customer's one source."""
    return [source_customer(_stored_customer(registry, ws, customer_id))]


def get_source(registry: Registry, ws: str, customer_id: str, source_id: str) -> dict[str, Any]:
    """GET /customers/{id}/sources/{sourceId}: the source, if it is the customer's node."""
    customer = _stored_customer(registry, ws, customer_id)
    if customer["nodeId"] != source_id:
        raise NotFound(f"source not found: {source_id}")
    return source_customer(customer)
