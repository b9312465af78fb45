"""The console's pages: server-rendered from the store, through the same rules as the API.

Reads go to the store directly (a console page shows what is stored); writes (edit, delete) go
through the service, so a document edited here is checked exactly as a PUT would check it.
Blocking store work runs on Starlette's thread pool.
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from contacthub_server.console import builder
from contacthub_server.console.session import ConsoleSession
from contacthub_server.query import OPERATORS, QueryError, parse_query
from contacthub_server.schemas.event_catalog import CONTEXTS, EVENT_TYPES, MODES
from contacthub_server.service import customers as customer_service
from contacthub_server.service.errors import HubError
from contacthub_server.service.events import types_for_mode
from contacthub_server.service.registry import Registry
from contacthub_server.store import InvalidPath

PAGE_SIZE = 20
#: The customer table's columns: heading, attribute path (also the sort key).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("External id", "externalId"),
    ("First name", "base.firstName"),
    ("Last name", "base.lastName"),
    ("Email", "base.contacts.email"),
    ("Node", "nodeId"),
    ("Registered", "registeredAt"),
    ("Updated", "updatedAt"),
)
SORTABLE = frozenset(path for _, path in COLUMNS)

Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Pager:
    """Where a page stands in a listing, with links to its neighbours."""

    page: int
    size: int
    total: int
    base: str
    params: dict[str, str]

    @property
    def pages(self) -> int:
        """How many pages the listing has (at least one)."""
        return max(1, math.ceil(self.total / self.size))

    def link(self, page: int) -> str:
        """The URL of another page of the same listing."""
        return self.base + "?" + urlencode({**self.params, "page": str(page)})


def value_at(doc: Any, path: str) -> Any:
    """The value at a dotted path, or None; a list on the way gives its first element's."""
    current = doc
    for segment in path.split("."):
        if isinstance(current, list):
            current = current[0] if current else None
        if not isinstance(current, dict):
            return None
        current = current.get(segment)
    return current


class Console:
    """The console's handlers, over the hub's registry."""

    def __init__(self, registry: Registry, session: ConsoleSession, templates: Jinja2Templates):
        self.registry = registry
        self.session = session
        self.templates = templates

    # -- plumbing ------------------------------------------------------------------------
    def guarded(self, handler: Handler) -> Handler:
        """The handler, sending a browser without a session to the login page first."""

        async def run(request: Request) -> Response:
            if not self.session.signed_in(request):
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(
                    "/console/login?" + urlencode({"next": target}), status_code=303
                )
            return await handler(request)

        return run

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        """A template rendered with the workspaces for the navigation bar."""
        context.setdefault("workspace", request.path_params.get("ws"))
        return self.templates.TemplateResponse(
            request, name, {"json": _pretty, "value_at": value_at, **context}, status_code=status
        )

    async def _read(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        def work() -> Any:
            with self.registry.store.read() as tx:
                return function(tx, *args, **kwargs)

        return await run_in_threadpool(work)

    async def _workspace_or_404(self, request: Request) -> str | Response:
        ws = request.path_params["ws"]
        exists = await self._read(lambda tx: tx.workspace_exists(ws))
        if not exists:
            return self.render(request, "missing.html", 404, what=f"workspace {ws}")
        return str(ws)

    # -- login ---------------------------------------------------------------------------
    async def login_form(self, request: Request) -> Response:
        """The login page: one field, the admin key."""
        return self.render(request, "login.html", next=_safe_next(request.query_params))

    async def login(self, request: Request) -> Response:
        """Check the typed key; a session cookie and the page asked for, or the form again."""
        form = await request.form()
        target = _safe_next(form)
        if not self.session.key_matches(str(form.get("key", ""))):
            return self.render(
                request, "login.html", 401, next=target, error="That is not the admin key."
            )
        response = RedirectResponse(target, status_code=303)
        self.session.sign_in(response, secure=request.url.scheme == "https")
        return response

    async def logout(self, request: Request) -> Response:
        """Forget the session."""
        response = RedirectResponse("/console/login", status_code=303)
        self.session.sign_out(response)
        return response

    # -- pages ---------------------------------------------------------------------------
    async def home(self, request: Request) -> Response:
        """Every workspace with its nodes and their counts of customers and events."""

        def overview(tx: Any) -> list[dict[str, Any]]:
            listing = []
            for ws in tx.list_workspaces():
                nodes = [
                    {
                        "id": node,
                        "customers": tx.search_customers(ws, node, size=1)[1],
                        "events": tx.list_events(ws, node_id=node, size=1)[1],
                    }
                    for node in tx.list_nodes(ws)
                ]
                anonymous = tx.list_events(ws, anonymous=True, size=1)[1]
                listing.append({"id": ws, "nodes": nodes, "anonymous": anonymous})
            return listing

        faulted = set(request.app.state.admin.faults.all())
        return self.render(
            request, "home.html", workspaces=await self._read(overview), faulted=faulted
        )

    async def customers(self, request: Request) -> Response:
        """A page of customers: sortable columns, search by email or externalId, node filter."""
        ws = await self._workspace_or_404(request)
        if isinstance(ws, Response):
            return ws
        params = request.query_params
        node = params.get("node") or None
        email = params.get("email", "").strip()
        external_id = params.get("externalId", "").strip() or None
        sort = params.get("sort", "registeredAt")
        sort = sort if sort in SORTABLE else "registeredAt"
        ascending = params.get("dir", "desc") == "asc"
        page = _page(params.get("page"))
        query = None
        if email:
            condition = {"type": "atomic", "attribute": "base.contacts.email"}
            query = {
                "name": "query",
                "query": {
                    "type": "simple",
                    "name": "query",
                    "are": {"condition": {**condition, "operator": "EQUALS", "value": email}},
                },
            }

        def search(tx: Any) -> tuple[list[str], tuple[list[dict[str, Any]], int]]:
            found = tx.search_customers(
                ws,
                node,
                external_id=external_id,
                query=query,
                sort=[(sort, ascending)],
                page=page,
                size=PAGE_SIZE,
            )
            return tx.list_nodes(ws), found

        nodes, (rows, total) = await self._read(search)
        kept = {k: v for k, v in params.items() if k != "page" and v}
        return self.render(
            request,
            "customers.html",
            nodes=nodes,
            rows=rows,
            columns=COLUMNS,
            sort=sort,
            ascending=ascending,
            filters={"node": node or "", "email": email, "externalId": external_id or ""},
            pager=Pager(page, PAGE_SIZE, total, request.url.path, kept),
            sort_link=lambda path: (
                request.url.path
                + "?"
                + urlencode(
                    {
                        **{k: v for k, v in kept.items() if k not in ("sort", "dir")},
                        "sort": path,
                        "dir": "desc" if path == sort and ascending else "asc",
                    }
                )
            ),
        )

    async def customer(self, request: Request) -> Response:
        """One customer: document, items, tags, consents, sessions, and its events as a timeline."""
        ws = await self._workspace_or_404(request)
        if isinstance(ws, Response):
            return ws
        return await self._customer_page(request, ws)

    async def _customer_page(
        self,
        request: Request,
        ws: str,
        *,
        status: int = 200,
        draft: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        message: str | None = None,
    ) -> Response:
        customer_id = request.path_params["id"]
        page = _page(request.query_params.get("page"))

        def load(tx: Any) -> tuple[Any, Any, Any]:
            doc = tx.get_customer(ws, customer_id)
            if doc is None:
                return None, None, None
            events = tx.list_events(ws, customer_id=customer_id, page=page, size=PAGE_SIZE)
            return doc, tx.list_sessions(ws, customer_id), events

        doc, sessions, events = await self._read(load)
        if doc is None:
            return self.render(request, "missing.html", 404, what=f"customer {customer_id}")
        event_rows, total = events
        return self.render(
            request,
            "customer.html",
            status,
            customer=doc,
            base=doc.get("base") or {},
            sessions=sessions,
            events=event_rows,
            pager=Pager(page, PAGE_SIZE, total, request.url.path, {}),
            item_kinds=("educations", "likes", "jobs", "subscriptions"),
            draft=draft if draft is not None else _pretty(_editable(doc)),
            errors=errors or [],
            message=message,
        )

    async def edit_customer(self, request: Request) -> Response:
        """Replace the customer with the edited document, checked as a PUT would be."""
        ws = await self._workspace_or_404(request)
        if isinstance(ws, Response):
            return ws
        form = await request.form()
        draft = str(form.get("document", ""))
        try:
            body = json.loads(draft)
        except json.JSONDecodeError as exc:
            problem = [{"path": "", "message": f"not valid JSON: {exc.msg} at line {exc.lineno}"}]
            return await self._customer_page(request, ws, status=400, draft=draft, errors=problem)
        customer_id = request.path_params["id"]
        try:
            await run_in_threadpool(
                customer_service.replace_customer, self.registry, ws, customer_id, body
            )
        except HubError as exc:
            problems = exc.errors or [{"path": "", "message": exc.message}]
            return await self._customer_page(
                request, ws, status=exc.status, draft=draft, errors=problems
            )
        return await self._customer_page(request, ws, message="Saved.")

    async def delete_customer(self, request: Request) -> Response:
        """Delete the customer (and its events and sessions), back to the list."""
        ws = await self._workspace_or_404(request)
        if isinstance(ws, Response):
            return ws
        customer_id = request.path_params["id"]
        try:
            await run_in_threadpool(
                customer_service.delete_customer, self.registry, ws, customer_id
            )
        except HubError as exc:
            return self.render(request, "missing.html", exc.status, what=exc.message)
        return RedirectResponse(f"/console/w/{ws}/customers?deleted={customer_id}", 303)

    async def query(self, request: Request) -> Response:
        """The query builder: rows to the query JSON and the SDK code, run against the node."""
        ws = await self._workspace_or_404(request)
        if isinstance(ws, Response):
            return ws
        params = request.query_params
        node = params.get("node") or None
        page = _page(params.get("page"))
        error: str | None = None
        document: dict[str, Any] | None = None
        typed = params.get("json", "").strip()
        if typed:
            try:
                loaded = json.loads(typed)
                document = loaded if isinstance(loaded, dict) else None
                if document is None:
                    error = "the query must be a JSON object"
            except json.JSONDecodeError as exc:
                error = f"the query is not valid JSON: {exc.msg} at line {exc.lineno}"
            built = builder.rows_from_document(document) if document else None
        else:
            built = builder.parse_form(params)
            try:
                document = builder.query_document(built)
            except builder.BuildError as exc:
                error = str(exc)
        if built is None or not built.groups:
            built = builder.Built(groups=[builder.Group(rows=[builder.Row()])])
        results: list[dict[str, Any]] = []
        total = 0
        ran = document is not None and error is None and "run" in params
        if ran and document is not None:
            try:
                parsed = parse_query(document)
            except QueryError as exc:
                error = f"{exc}" + (f" (at {exc.pointer})" if exc.pointer else "")
            else:
                try:
                    results, total = await self._read(
                        lambda tx: tx.search_customers(
                            ws, node, query=parsed, page=page, size=PAGE_SIZE
                        )
                    )
                except InvalidPath as exc:
                    error = str(exc)
        nodes = await self._read(lambda tx: tx.list_nodes(ws))
        kept = {k: v for k, v in params.items() if k != "page"}
        return self.render(
            request,
            "query.html",
            400 if error else 200,
            nodes=nodes,
            node=node or "",
            built=built,
            operators=OPERATORS,
            combinations=builder.COMBINATIONS,
            document=_pretty(document) if document else "",
            code=builder.sdk_code(document) if document and not error else "",
            error=error,
            ran=ran and not error,
            rows=results,
            columns=COLUMNS,
            pager=Pager(page, PAGE_SIZE, total, request.url.path, kept),
        )

    async def events(self, request: Request) -> Response:
        """Events filtered by type, context, mode, dates, customer and owner (anonymous or not)."""
        ws = await self._workspace_or_404(request)
        if isinstance(ws, Response):
            return ws
        params = request.query_params
        event_type = params.get("type") or None
        context = params.get("context") or None
        mode = params.get("mode") or None
        customer_id = params.get("customer", "").strip() or None
        owner = params.get("owner", "")
        date_from = params.get("from") or None
        date_to = params.get("to") or None
        page = _page(params.get("page"))
        types = types_for_mode([event_type] if event_type else None, mode)
        error = None

        def listing(tx: Any) -> tuple[list[dict[str, Any]], int]:
            if types is not None and not types:
                return [], 0
            found: tuple[list[dict[str, Any]], int] = tx.list_events(
                ws,
                customer_id=customer_id,
                types=types,
                contexts=[context] if context else None,
                date_from=date_from,
                date_to=date_to,
                anonymous={"anonymous": True, "owned": False}.get(owner),
                page=page,
                size=PAGE_SIZE,
            )
            return found

        try:
            rows, total = await self._read(listing)
        except ValueError as exc:  # a date that does not parse
            rows, total, error = [], 0, f"not a date: {exc}"
        kept = {k: v for k, v in params.items() if k != "page" and v}
        return self.render(
            request,
            "events.html",
            400 if error else 200,
            rows=rows,
            error=error,
            types=sorted(EVENT_TYPES),
            contexts=CONTEXTS,
            modes=MODES,
            filters={
                "type": event_type or "",
                "context": context or "",
                "mode": mode or "",
                "customer": customer_id or "",
                "owner": owner,
                "from": date_from or "",
                "to": date_to or "",
            },
            pager=Pager(page, PAGE_SIZE, total, request.url.path, kept),
        )


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _editable(doc: dict[str, Any]) -> dict[str, Any]:
    """The customer as a PUT body: without the fields the hub sets itself."""
    return {k: v for k, v in doc.items() if k not in ("id", "registeredAt", "updatedAt")}


def _page(text: str | None) -> int:
    try:
        return max(0, int(text or 0))
    except ValueError:
        return 0


def _safe_next(params: Any) -> str:
    """Where to go after login: a path of the console only (never another site)."""
    target = str(params.get("next") or "/console/")
    return target if target.startswith("/console/") and "//" not in target else "/console/"
