"""The consent register (`GET …/consent-logs`): every change of a customer's consents.

The store appends the entries in the transaction that changes the consents (see
`schemas.consents`). Decisions (docs/hub.md): ``sourceId`` is the node the change came through
(the hub's sources are its nodes), ``userId`` is null (hub tokens are source tokens), ``date`` is
the date-time of the change, and a deleted customer gets a FORCED_DELETE entry; its earlier
entries stay, as a register's must.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from contacthub_server.schemas import dates
from contacthub_server.service.errors import NotFound
from contacthub_server.service.registry import Registry


def _document(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": int(row["id"]),
        "customerId": row["customer_id"],
        "date": dates.format_datetime(datetime.fromtimestamp(row["date"] / 1000, UTC)),
        "type": row["type"],
        "property": row["property"],
        "value": row["value"],
        "sourceId": row["source_id"],
        "userId": None,
    }


def list_consent_logs(
    registry: Registry,
    ws: str,
    *,
    customer_id: str | None,
    date_from: int | None,
    date_to: int | None,
    kind: str | None,
    prop: str | None,
    descending: bool,
    page: int,
    size: int,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the register, oldest first unless ``descending``, and the total."""
    with registry.store.read() as tx:
        rows, total = tx.list_consent_logs(
            ws,
            customer_id=customer_id,
            date_from=date_from,
            date_to=date_to,
            kind=kind,
            prop=prop,
            descending=descending,
            page=page,
            size=size,
        )
    return [_document(row) for row in rows], int(total)


def get_consent_log(registry: Registry, ws: str, log_id: str) -> dict[str, Any]:
    """One entry of the register, or NotFound (also for an id that is not a number)."""
    if not log_id.isdigit() or len(log_id) > 18:
        raise NotFound(f"consent log not found: {log_id}")
    with registry.store.read() as tx:
        row = tx.get_consent_log(ws, int(log_id))
    if row is None:
        raise NotFound(f"consent log not found: {log_id}")
    return _document(row)
