"""The change feed (`GET …/updates`, `GET …/updates/last-offset`): reading what the store wrote.

Every write of a customer or an event appends its feed entries in its own transaction (see
`store.feed`), so these functions only read. Decisions where the reference is silent (also in
docs/hub.md): offsets count each workspace's changes from 1 without gaps; ``nextOffset`` is the
last returned entry's offset, or, when fewer than ``size`` entries matched, the workspace's last
offset seen by the read (so that filtered readers skip what they filtered out).
"""

from __future__ import annotations

from typing import Any

from contacthub_server.service.registry import Registry

#: Page sizes of `GET …/updates` (the reference's default and maximum).
DEFAULT_SIZE = 50
MAX_SIZE = 4000
#: The entity types of the feed.
ENTITIES = ("CUSTOMER", "EVENT")


def read_updates(
    registry: Registry,
    ws: str,
    *,
    offset: int | None,
    timestamp: int | None,
    node_id: str | None,
    entity: str | None,
    size: int,
) -> tuple[list[Any], int]:
    """Up to ``size`` entries ``(offset, operation, entity, data JSON text)`` after ``offset``
    (or from ``timestamp`` on, epoch ms, when no offset is given), and the next offset."""
    with registry.store.read() as tx:
        entries, next_offset = tx.read_feed(
            ws, after=offset, timestamp=timestamp, node_id=node_id, entity=entity, size=size
        )
    return list(entries), int(next_offset)


def last_offset(registry: Registry, ws: str, *, node_id: str | None, entity: str | None) -> int:
    """The offset of the last change matching the filters (0 before any)."""
    with registry.store.read() as tx:
        return int(tx.feed_last_offset(ws, node_id=node_id, entity=entity))
