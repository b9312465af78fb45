"""The console's change feed page: a workspace's latest changes, newest first, paged by offset.

The feed (``GET …/updates``) is read oldest first from an offset, as a consumer follows it; a
person wants the latest changes first, so this page reads the same entries backwards from the
head (``Tx.read_feed_back``) and pages "older" by the smallest offset shown: a page stays the same
whatever is written meanwhile, and never needs a count of the whole feed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from contacthub_server.console.pages import Console, value_at
from contacthub_server.schemas.dates import format_datetime
from contacthub_server.service.updates import ENTITIES

#: Entries shown on one page of the feed.
FEED_PAGE = 50
#: The longest summary of an entry's data shown in the table (the whole JSON is one click away).
SUMMARY_CHARS = 120


@dataclass(frozen=True)
class FeedRow:
    """One feed entry as the page shows it."""

    offset: int
    at: str
    operation: str
    entity: str
    node_id: str | None
    entity_id: str | None
    customer_id: str | None
    summary: str
    data: str


def summarise(entity: str, doc: Any) -> str:
    """A line saying what the changed entity is: a customer's name and keys, an event's type."""
    if not isinstance(doc, dict):
        return ""
    if entity == "CUSTOMER":
        parts = [
            " ".join(
                str(v)
                for v in (value_at(doc, "base.firstName"), value_at(doc, "base.lastName"))
                if v
            ),
            str(value_at(doc, "base.contacts.email") or ""),
            f"externalId {doc['externalId']}" if doc.get("externalId") else "",
        ]
    else:
        owner = doc.get("customerId")
        claim = doc.get("bringBackProperties") or {}
        parts = [
            str(doc.get("type") or ""),
            str(doc.get("context") or ""),
            f"customer {str(owner)[:8]}…"
            if owner
            else f"anonymous ({claim.get('type', '')} {claim.get('value', '')})".replace(" )", ")"),
        ]
    text = " · ".join(p for p in parts if p)
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def feed_row(entry: tuple[int, int, str, str, str | None, str]) -> FeedRow:
    """The page's row of an entry read by ``Tx.read_feed_back``."""
    offset, at, operation, entity, node_id, data = entry
    try:
        doc = json.loads(data)
    except ValueError:  # never written so; shown as it is rather than failing the page
        doc = None
    customer_id = None
    if isinstance(doc, dict):
        customer_id = doc.get("id") if entity == "CUSTOMER" else doc.get("customerId")
    return FeedRow(
        offset=offset,
        at=format_datetime(datetime.fromtimestamp(at / 1000, UTC)),
        operation=operation,
        entity=entity,
        node_id=node_id,
        entity_id=doc.get("id") if isinstance(doc, dict) else None,
        customer_id=customer_id,
        summary=summarise(entity, doc),
        data=json.dumps(doc, indent=2, ensure_ascii=False) if doc is not None else data,
    )


class FeedPage:
    """The handler of the change feed page (guarded by the console's session)."""

    def __init__(self, console: Console) -> None:
        self.console = console

    async def feed(self, request: Request) -> Response:
        """The latest entries (below ``before`` when given), filtered by ``entity`` and ``node``."""
        ws = await self.console._workspace_or_404(request)
        if isinstance(ws, Response):
            return ws
        params = request.query_params
        entity = params.get("entity") or None
        node = params.get("node") or None
        before_text = params.get("before", "").strip()
        error = None
        if entity is not None and entity not in ENTITIES:
            error, entity = f"the entity is CUSTOMER or EVENT, not {entity!r}", None
        before: int | None = None
        if before_text:
            if before_text.isdigit():
                before = int(before_text)
            else:
                error = f"'before' is an offset (a whole number), not {before_text!r}"

        def read(tx: Any) -> tuple[list[str], int, list[Any]]:
            entries = (
                []
                if error
                else tx.read_feed_back(
                    ws, before=before, node_id=node, entity=entity, size=FEED_PAGE + 1
                )
            )
            return tx.list_nodes(ws), tx.feed_last_offset(ws), entries

        nodes, head, entries = await self.console._read(read)
        rows = [feed_row(entry) for entry in entries[:FEED_PAGE]]
        filters = {"entity": entity or "", "node": node or ""}
        kept = {k: v for k, v in filters.items() if v}
        older = (
            request.url.path + "?" + urlencode({**kept, "before": str(rows[-1].offset)})
            if len(entries) > FEED_PAGE
            else None
        )
        newest = request.url.path + ("?" + urlencode(kept) if kept else "")
        return self.console.render(
            request,
            "feed.html",
            400 if error else 200,
            rows=rows,
            nodes=nodes,
            entities=ENTITIES,
            filters=filters,
            head=head,
            before=before,
            older=older,
            newest=newest if before is not None else None,
            error=error,
            shown=FEED_PAGE,
        )
