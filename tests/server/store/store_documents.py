"""Documents for the store tests, shaped as the service stores them."""

from __future__ import annotations

import uuid
from typing import Any


def customer(node_id: str = "node-a", **fields: Any) -> dict[str, Any]:
    """A customer document as the service would store it (canonical dates, fresh id)."""
    doc: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "nodeId": node_id,
        "externalId": None,
        "extra": None,
        "base": {"firstName": None, "contacts": {"email": None}},
        "extended": None,
        "tags": {"auto": [], "manual": []},
        "enabled": True,
        "registeredAt": "2020-01-01T00:00:00.000+0000",
        "updatedAt": "2020-01-01T00:00:00.000+0000",
    }
    doc.update(fields)
    return doc


def event(customer_id: str | None = None, **fields: Any) -> dict[str, Any]:
    """An event document as the service would store it."""
    doc: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "customerId": customer_id,
        "bringBackProperties": None,
        "type": "viewedPage",
        "context": "WEB",
        "date": "2020-01-01T00:00:00.000+0000",
        "properties": {},
        "registeredAt": "2020-01-01T00:00:00.000+0000",
        "tracking": None,
    }
    doc.update(fields)
    return doc
