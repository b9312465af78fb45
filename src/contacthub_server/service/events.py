"""Events (§2.4, §7): recording them, attaching anonymous ones to customers, listing them.

An event names its customer by ``customerId`` or by ``bringBackProperties``:
- ``SESSION_ID``: attached to the customer that linked that session value in that node, if any;
  otherwise kept anonymous until ``POST /customers/{id}/sessions`` links the value.
- ``EXTERNAL_ID``: attached to the customer of that node with that ``externalId`` (the oldest one
  if several have it); otherwise kept anonymous until a customer with that ``externalId`` is
  created in the node, or given it by PUT/PATCH, which claims it.
Insertion is synchronous here (the real API queues events): a 202 means the event is stored.
``PUT /events/{id}`` replaces an event: the body is checked as a POSTed one and its owner
resolved again the same way; ``id`` and ``registeredAt`` are kept and ``updatedAt`` moves on.
Its ``properties``, ``contextInfo`` and ``tracking`` follow the vendor's schemas unless the
event's node sets ``events.strictProperties`` to false (see ``validate_event``); the node is known
only once the owner is, so a problem that only the strict rules see is reported after an unknown
owner's 404. Decisions: an event naming an unknown ``customerId`` is a 404, as is an unknown
bring-back node; list filters naming an unknown type, context or mode are a 400.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from contacthub_server.schemas import dates
from contacthub_server.schemas.event_catalog import EVENT_TYPES
from contacthub_server.schemas.normalise import normalise_event
from contacthub_server.service import configuration
from contacthub_server.service.customers import (
    customer_not_found,
    invalid,
    next_update_time,
    node_not_found,
    require_object,
)
from contacthub_server.service.errors import NotFound
from contacthub_server.service.registry import NodeConfig, Registry
from contacthub_server.service.validation import (
    CheckedEvent,
    ValidationFailed,
    check_event,
)


def add_event(registry: Registry, ws: str, body: Any) -> str:
    """POST /events: store the event, attached to its customer when known; its id.

    The event's sections are checked by the rules of its node (the customer's, or the
    bring-back's): the vendor's schemas unless the node relaxes them.
    """
    checked = _check(body)
    configuration.require_enabled_event_type(registry, ws, body["type"])
    now = dates.now()
    with registry.write() as tx:
        node, customer_id = _resolve_owner(registry, tx, ws, checked.owner)
        doc = _document(checked, node)
        doc.update(customerId=customer_id, id=str(uuid.uuid4()), registeredAt=now, updatedAt=now)
        tx.insert_event(ws, normalise_event(doc), node.node_id)
    return str(doc["id"])


def _check(body: Any) -> CheckedEvent:
    body = require_object(body, "event")
    try:
        return check_event(body)
    except ValidationFailed as exc:
        raise invalid("the event", exc) from None


def _document(checked: CheckedEvent, node: NodeConfig) -> dict[str, Any]:
    """The canonical event under the rules of ``node``, or the 400 naming what is wrong."""
    try:
        return checked.for_node(strict=node.strict_events)
    except ValidationFailed as exc:
        raise invalid("the event", exc) from None


def _resolve_owner(
    registry: Registry, tx: Any, ws: str, owner: dict[str, Any]
) -> tuple[NodeConfig, str | None]:
    """The node an event came through and its customer's id (None: not known yet), from its
    owner (``customerId`` or ``bringBackProperties``, as described above).

    A ``customerId`` must name a stored customer (its node is the event's); a bring-back names
    the node, which must exist, and the customer is found now if one is linked.
    """
    customer_id = owner.get("customerId")
    if customer_id is not None:
        customer = tx.get_customer(ws, customer_id)
        if customer is None:
            raise customer_not_found(customer_id)
        node = registry.node(ws, str(customer["nodeId"]), tx)
        if node is None:  # a customer always belongs to a node of its workspace
            raise node_not_found(str(customer["nodeId"]))
        return node, str(customer_id)
    bring_back = owner.get("bringBackProperties")
    assert isinstance(bring_back, dict)  # check_event demands one owner
    node_id = str(bring_back["nodeId"])
    node = registry.node(ws, node_id, tx)
    if node is None:
        raise node_not_found(node_id)
    if bring_back["type"] == "SESSION_ID":
        return node, tx.session_owner(ws, node_id, bring_back["value"])
    owners = tx.find_by_external_id(ws, node_id, bring_back["value"])
    return node, (owners[0] if owners else None)


def replace_event(registry: Registry, ws: str, event_id: str, body: Any) -> dict[str, Any]:
    """PUT /events/{id}: replace the event by the body (validated as for POST); the stored event.

    ``id`` and ``registeredAt`` stay, ``updatedAt`` moves on; the owner is resolved again as for
    POST, and the sections are checked by the rules of the event's new node. Decisions: a body
    without ``date`` keeps the stored date (POST would default it to now), so a replacement that
    leaves it out does not move the event in time.
    """
    body = require_object(body, "event")
    checked = _check(body)
    configuration.require_enabled_event_type(registry, ws, body["type"])
    with registry.write() as tx:
        stored = tx.get_event(ws, event_id)
        if stored is None:
            raise event_not_found(event_id)
        node, customer_id = _resolve_owner(registry, tx, ws, checked.owner)
        doc = _document(checked, node)
        if body.get("date") is None and stored.get("date") is not None:
            doc["date"] = stored["date"]
        doc.update(
            customerId=customer_id,
            id=stored["id"],
            registeredAt=stored.get("registeredAt"),
            updatedAt=next_update_time(stored.get("updatedAt")),
        )
        replaced = normalise_event(doc)
        if not tx.replace_event(ws, replaced, node.node_id):
            raise event_not_found(event_id)  # deleted since it was read
    return replaced


def event_not_found(event_id: str) -> NotFound:
    """The 404 for an unknown event id."""
    return NotFound(f"event not found: {event_id}")


def get_event(registry: Registry, ws: str, event_id: str) -> dict[str, Any]:
    """GET /events/{id}: the event, or NotFound."""
    with registry.store.read() as tx:
        doc = tx.get_event(ws, event_id)
    if doc is None:
        raise event_not_found(event_id)
    return doc


def delete_event(registry: Registry, ws: str, event_id: str) -> None:
    """DELETE /events/{id}: remove the event, or NotFound."""
    with registry.write() as tx:
        if not tx.delete_event(ws, event_id):
            raise event_not_found(event_id)


def types_for_mode(
    types: Sequence[str] | None, mode: str | None, modes: Mapping[str, str] = EVENT_TYPES
) -> list[str] | None:
    """The event types to keep for a ``type`` filter and a ``mode`` filter (None = any);
    ``modes``: each type's mode (the workspace's, by default the catalog's)."""
    if mode is None:
        return list(types) if types is not None else None
    pool = types if types is not None else list(modes)
    return [t for t in pool if modes.get(t) == mode]


def _modes(registry: Registry, ws: str, tx: Any) -> dict[str, str]:
    """The mode of each event type in this workspace (its configuration's)."""
    return {name: kind for name, (kind, _) in registry.event_types(ws, tx).items()}


def list_events(
    registry: Registry,
    ws: str,
    *,
    customer_id: str | None,
    node_id: str | None,
    types: Sequence[str] | None,
    contexts: Sequence[str] | None,
    mode: str | None,
    date_from: str | None,
    date_to: str | None,
    page: int,
    size: int,
) -> tuple[list[dict[str, Any]], int]:
    """GET /events: one page of events (newest first) matching every filter, and the total."""
    with registry.store.read() as tx:
        kept_types = types_for_mode(types, mode, _modes(registry, ws, tx) if mode else EVENT_TYPES)
        if node_id is not None and registry.node(ws, node_id, tx) is None:
            raise node_not_found(node_id)
        if kept_types is not None and not kept_types:
            return [], 0
        found: tuple[list[dict[str, Any]], int] = tx.list_events(
            ws,
            customer_id=customer_id,
            node_id=node_id,
            types=kept_types,
            contexts=contexts,
            date_from=date_from,
            date_to=date_to,
            page=page,
            size=size,
        )
    return found
