"""Customer sessions (§2.3): linking a browsing session to a customer reconciles its events.

Decisions (§10.13): posting a session value the customer already has answers the existing
session again (201, idempotent); a value that another customer of the node holds is a 409.
"""

from __future__ import annotations

import uuid
from typing import Any

from contacthub_server.service.customers import customer_not_found, invalid, locked_customer
from contacthub_server.service.errors import Conflict, NotFound
from contacthub_server.service.registry import Registry
from contacthub_server.service.validation import ValidationFailed, validate_session
from contacthub_server.store import SessionTaken


def add_session(registry: Registry, ws: str, customer_id: str, body: Any) -> dict[str, Any]:
    """POST /customers/{id}/sessions: link the session and claim its anonymous events."""
    try:
        value = validate_session(body)
    except ValidationFailed as exc:
        raise invalid("the session", exc) from None
    with registry.write() as tx:
        doc = locked_customer(tx, ws, customer_id)
        if doc is None:
            raise customer_not_found(customer_id)
        return claim_session(tx, ws, doc["nodeId"], customer_id, value)


def claim_session(tx: Any, ws: str, node_id: str, customer_id: str, value: str) -> dict[str, Any]:
    """In a write transaction: link session ``value`` to the customer and claim the anonymous
    events of that session in its node; the session ``{id, value}``.

    Also what the ``sessionId`` parameter of POST/PUT/PATCH customers does. A value the customer
    already has gives its session again; one that another customer holds is a 409 Conflict.
    """
    owner = tx.session_owner(ws, node_id, value)
    if owner == customer_id:
        for session in tx.list_sessions(ws, customer_id):
            if session.get("value") == value:
                return {"id": session["id"], "value": value}
    elif owner is not None:
        raise Conflict(f"session {value} already belongs to customer {owner}")
    resource_id = str(uuid.uuid4())
    try:
        # The database decides between concurrent writers of one value (other processes).
        tx.add_session(ws, customer_id, node_id, resource_id, value)
    except SessionTaken as exc:
        raise Conflict(f"session {value} already belongs to customer {exc.owner_id}") from None
    tx.attach_session_events(ws, node_id, value, customer_id)
    return {"id": resource_id, "value": value}


def list_sessions(registry: Registry, ws: str, customer_id: str) -> list[dict[str, Any]]:
    """GET /customers/{id}/sessions: every session of the customer."""
    with registry.store.read() as tx:
        if tx.get_customer(ws, customer_id) is None:
            raise customer_not_found(customer_id)
        sessions: list[dict[str, Any]] = tx.list_sessions(ws, customer_id)
    return [{"id": s["id"], "value": s["value"]} for s in sessions]


def get_session(registry: Registry, ws: str, customer_id: str, resource_id: str) -> dict[str, Any]:
    """GET /customers/{id}/sessions/{sessionId} (the resource id, not the value)."""
    with registry.store.read() as tx:
        if tx.get_customer(ws, customer_id) is None:
            raise customer_not_found(customer_id)
        session = tx.get_session(ws, customer_id, resource_id)
    if session is None:
        raise NotFound(f"session not found: {resource_id}")
    return {"id": session["id"], "value": session["value"]}


def delete_session(registry: Registry, ws: str, customer_id: str, resource_id: str) -> None:
    """DELETE /customers/{id}/sessions/{sessionId}: unlink it (its events keep their customer)."""
    with registry.write() as tx:
        if tx.get_customer(ws, customer_id) is None:
            raise customer_not_found(customer_id)
        if not tx.delete_session(ws, customer_id, resource_id):
            raise NotFound(f"session not found: {resource_id}")
