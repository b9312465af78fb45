"""The console's segment pages: a workspace's segments, and one segment's query and customers.

Reads come from the store in one read transaction, as the other pages do: the segment, its query
parsed by the query language exactly as ``GET …/segments/{id}/customers`` parses it, and a page
of the customers it finds now. The page also shows the query as the builder does (its JSON and
the SDK code that runs it), so that a segment saved by a user's code can be read and tried.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from contacthub_server.console import builder
from contacthub_server.console.pages import COLUMNS, PAGE_SIZE, Console, Pager, _page
from contacthub_server.query import QueryError, parse_query
from contacthub_server.store import InvalidPath


def conditions_in(query: Any) -> int:
    """How many atomic conditions a segment's query holds (a size shown in the listing)."""
    if isinstance(query, dict):
        if query.get("type") == "atomic":
            return 1
        return sum(conditions_in(value) for value in query.values())
    if isinstance(query, list):
        return sum(conditions_in(value) for value in query)
    return 0


def segment_code(segment_id: str, document: dict[str, Any]) -> str:
    """The SDK code that reads the segment's customers, and the same query built anew."""
    return (
        f"segment = node.get_segment({json.dumps(segment_id)})\n"
        "customers = segment.customers()\n\n"
        "# the same query, built with the SDK:\n" + builder.sdk_code(document)
    )


class SegmentPages:
    """Handlers of the segments listing and of one segment (guarded by the console's session)."""

    def __init__(self, console: Console) -> None:
        self.console = console

    async def segments(self, request: Request) -> Response:
        """A page of the workspace's segments in creation order (``name`` finds a whole name)."""
        ws = await self.console._workspace_or_404(request)
        if isinstance(ws, Response):
            return ws
        params = request.query_params
        name = params.get("name", "").strip() or None
        page = _page(params.get("page"))
        rows, total = await self.console._read(
            lambda tx: tx.list_segments(ws, name=name, page=page, size=PAGE_SIZE)
        )
        kept = {k: v for k, v in params.items() if k != "page" and v}
        return self.console.render(
            request,
            "segments.html",
            rows=rows,
            wanted=name or "",
            conditions_in=conditions_in,
            pager=Pager(page, PAGE_SIZE, total, request.url.path, kept),
        )

    async def segment(self, request: Request) -> Response:
        """One segment: its facts, its query as JSON and SDK code, and its customers now."""
        ws = await self.console._workspace_or_404(request)
        if isinstance(ws, Response):
            return ws
        segment_id = request.path_params["id"]
        params = request.query_params
        node = params.get("node") or None
        page = _page(params.get("page"))

        def load(tx: Any) -> tuple[Any, list[str], tuple[list[dict[str, Any]], int], str | None]:
            doc = tx.get_segment(ws, segment_id)
            nodes = tx.list_nodes(ws)
            if doc is None:
                return None, nodes, ([], 0), None
            try:
                query = parse_query({"name": doc["name"], "query": doc["query"]})
                found = tx.search_customers(ws, node, query=query, page=page, size=PAGE_SIZE)
            except (QueryError, InvalidPath) as exc:  # stored before a rule tightened
                return doc, nodes, ([], 0), str(exc)
            return doc, nodes, found, None

        doc, nodes, (rows, total), error = await self.console._read(load)
        if doc is None:
            return self.console.render(request, "missing.html", 404, what=f"segment {segment_id}")
        # What the SDK sends for this query: the builder's document, named "query".
        document = {"name": "query", "query": doc["query"]}
        text = json.dumps(document, indent=2, ensure_ascii=False)
        kept = {k: v for k, v in params.items() if k != "page" and v}
        return self.console.render(
            request,
            "segment.html",
            segment=doc,
            nodes=nodes,
            node=node or "",
            document=text,
            code=segment_code(segment_id, document),
            builder_link=f"/console/w/{ws}/query?"
            + urlencode({"node": node or "", "json": text, "run": "1"}),
            error=error,
            rows=rows,
            columns=COLUMNS,
            pager=Pager(page, PAGE_SIZE, total, request.url.path, kept),
        )
