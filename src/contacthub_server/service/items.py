"""Customer sub-resources: educations, likes, jobs and subscriptions, kept in ``base.<kind>``.

There is no list endpoint (§2.2): the items are read through the customer document. Decisions:
a POST without ``id`` gets a new one (a UUID), since the reference's item bodies do not require
it but every item of the list has one; a POST of an id the customer already has is a 409; PUT
takes the item id from the URL (an ``id`` in the body is ignored); ids may repeat in a list
written through the customer (the base schema allows it): GET and PUT reach the first item of
the id, DELETE removes every one; every item write moves the customer's ``updatedAt``.
"""

from __future__ import annotations

import uuid
from typing import Any

from contacthub_server.schemas.normalise import normalise_item
from contacthub_server.service.customers import (
    customer_not_found,
    invalid,
    locked_customer,
    require_object,
    save_customer,
)
from contacthub_server.service.errors import Conflict, NotFound
from contacthub_server.service.registry import Registry
from contacthub_server.service.validation import ValidationFailed, validate_item

#: URL segment -> the singular word used in messages.
ITEM_KINDS: dict[str, str] = {
    "educations": "education",
    "likes": "like",
    "jobs": "job",
    "subscriptions": "subscription",
}


def _validated(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    try:
        return normalise_item(kind, validate_item(kind, body))
    except ValidationFailed as exc:
        raise invalid(f"the {ITEM_KINDS[kind]}", exc) from None


def _not_found(kind: str, item_id: str) -> NotFound:
    return NotFound(f"{ITEM_KINDS[kind]} not found: {item_id}")


def _items(doc: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    base = doc.get("base")
    if not isinstance(base, dict):
        base = doc["base"] = {}
    items = base.get(kind)
    if not isinstance(items, list):
        items = base[kind] = []
    elif not all(isinstance(item, dict) for item in items):
        # Only an older hub stored such a list (nulls are refused now): an element that is not
        # an object has no id, so no endpoint can reach it; leave it out rather than fail.
        items = base[kind] = [item for item in items if isinstance(item, dict)]
    return items


def add_item(registry: Registry, ws: str, customer_id: str, kind: str, body: Any) -> dict[str, Any]:
    """POST /customers/{id}/{kind}: add the item (its id chosen by the client, or a new UUID
    when the body has none); the stored item."""
    item = _validated(kind, require_object(body, ITEM_KINDS[kind]))
    if item.get("id") is None:  # absent: the shaped item holds it as null
        item["id"] = str(uuid.uuid4())
    with registry.write() as tx:
        doc = locked_customer(tx, ws, customer_id)
        if doc is None:
            raise customer_not_found(customer_id)
        items = _items(doc, kind)
        if any(existing.get("id") == item["id"] for existing in items):
            raise Conflict(
                f"{ITEM_KINDS[kind]} {item['id']} already exists for customer {customer_id}"
            )
        items.append(item)
        save_customer(tx, registry, ws, doc)
    return item


def get_item(
    registry: Registry, ws: str, customer_id: str, kind: str, item_id: str
) -> dict[str, Any]:
    """GET /customers/{id}/{kind}/{itemId}: the item, or NotFound."""
    with registry.store.read() as tx:
        doc = tx.get_customer(ws, customer_id)
    if doc is None:
        raise customer_not_found(customer_id)
    for item in _items(doc, kind):
        if item.get("id") == item_id:
            return item
    raise _not_found(kind, item_id)


def replace_item(
    registry: Registry, ws: str, customer_id: str, kind: str, item_id: str, body: Any
) -> dict[str, Any]:
    """PUT /customers/{id}/{kind}/{itemId}: replace every property of the item; the result."""
    candidate = dict(require_object(body, ITEM_KINDS[kind]))
    candidate["id"] = item_id
    item = _validated(kind, candidate)
    with registry.write() as tx:
        doc = locked_customer(tx, ws, customer_id)
        if doc is None:
            raise customer_not_found(customer_id)
        items = _items(doc, kind)
        for index, existing in enumerate(items):
            if existing.get("id") == item_id:
                items[index] = item
                break
        else:
            raise _not_found(kind, item_id)
        save_customer(tx, registry, ws, doc)
    return item


def delete_item(registry: Registry, ws: str, customer_id: str, kind: str, item_id: str) -> None:
    """DELETE /customers/{id}/{kind}/{itemId}: remove the item, or NotFound."""
    with registry.write() as tx:
        doc = locked_customer(tx, ws, customer_id)
        if doc is None:
            raise customer_not_found(customer_id)
        items = _items(doc, kind)
        kept = [item for item in items if item.get("id") != item_id]
        if len(kept) == len(items):
            raise _not_found(kind, item_id)
        doc["base"][kind] = kept
        save_customer(tx, registry, ws, doc)
