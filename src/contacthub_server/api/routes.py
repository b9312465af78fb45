"""The endpoints of §2.1 to §2.4, thin: authenticate, parse, call the service, answer.

Store work runs on a thread pool (:func:`_run`) so that the event loop keeps serving other
connections while a transaction waits on the database.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from contacthub_server import schemas
from contacthub_server.api import params
from contacthub_server.api.responses import empty_response, json_response, page_envelope
from contacthub_server.query import QueryError, parse_query_string
from contacthub_server.schemas.event_catalog import CONTEXTS, EVENT_TYPES, MODES
from contacthub_server.schemas.spec import NOT_A_SEGMENT, is_path_segment
from contacthub_server.service import customers, events, items, sessions, sources
from contacthub_server.service.errors import (
    BadRequest,
    Forbidden,
    PayloadTooLarge,
    Unauthorized,
    field_error,
)
from contacthub_server.service.registry import Registry
from contacthub_server.store import InvalidPath

UNAUTHORIZED = "The client is not authorized to access the API"
PREFIX = "/hub/v1"
WORKSPACE = PREFIX + "/workspaces/{workspaceId}"

#: Threads running store operations: fewer than the store's pool of connections (10 + 20 overflow),
#: so that no thread ever waits for a connection, yet enough to keep PostgreSQL busy.
THREADS = 24
#: The deepest nesting of objects and arrays accepted in a body (the API's documents need < 10).
MAX_JSON_DEPTH = 100

T = TypeVar("T")
_BEYOND_64_BITS = 2.0**63  # orjson reads integers from -2**63 to 2**64 exactly


class HubState:
    """What the endpoints share: the registry (with the store), the body limit, a thread pool."""

    def __init__(self, registry: Registry, max_body_bytes: int) -> None:
        self.registry = registry
        self.max_body_bytes = max_body_bytes
        self.openapi: bytes | None = None
        # A plain executor: about half the per-call cost of anyio's thread pool.
        self.executor = ThreadPoolExecutor(THREADS, thread_name_prefix="contacthub-hub")

    def close(self) -> None:
        """Stop the thread pool (waiting for operations in flight)."""
        self.executor.shutdown(wait=True)


def _state(request: Request) -> HubState:
    state: HubState = request.app.state.hub
    return state


async def _run(request: Request, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking store operation on the hub's thread pool (not the event loop)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_state(request).executor, partial(function, *args, **kwargs))


async def _run_point_read(
    request: Request, function: Callable[..., T], *args: Any, **kwargs: Any
) -> T:
    """Run a read of one row by key: on the event loop with SQLite, on the thread pool otherwise.

    A SQLite point read (tens of microseconds, never waiting for writers under WAL) costs less
    than the hop to a worker thread and back (about 180 us of CPU, measured); a PostgreSQL read
    waits on the network, so it stays off the event loop.
    """
    if _state(request).registry.store.dialect == "sqlite":
        return function(*args, **kwargs)
    return await _run(request, function, *args, **kwargs)


async def authenticate(request: Request) -> tuple[Registry, str, str]:
    """The registry, the bearer token and the workspace it belongs to; 401 without a known one."""
    registry = _state(request).registry
    header = request.headers.get("authorization", "")
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(UNAUTHORIZED)
    owner = registry.cached_workspace_of_token(token)
    if owner is None:
        owner = await _run(request, registry.workspace_of_token, token)
        if owner is None:
            raise Unauthorized(UNAUTHORIZED)
    return registry, token, owner


async def authorize(request: Request) -> tuple[Registry, str]:
    """The registry and the workspace of the URL, once the bearer token is checked.

    401 without a known token; 403 when the token belongs to another workspace.
    """
    registry, _, owner = await authenticate(request)
    ws: str = request.path_params["workspaceId"]
    if owner != ws:
        raise Forbidden(f"workspace not found: {ws}")
    return registry, ws


async def read_json(request: Request) -> Any:
    """The request body parsed as JSON: 413 above the size limit, 400 if empty or malformed."""
    limit = _state(request).max_body_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the request body is larger than the limit of {limit} bytes")
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise PayloadTooLarge(f"the request body is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    if not body.strip():
        raise BadRequest("a JSON body is required", errors=[field_error("", "empty body")])
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(
            f"the body is not valid JSON: {exc}", errors=[field_error("", "malformed JSON")]
        ) from None
    if check_depth(parsed):
        parsed = _exact_json(body)
    return parsed


def _exact_json(body: bytes) -> Any:
    """The body parsed with exact integers: orjson reads an integer beyond 64 bits as a float,
    silently, so a body holding one is read again to let the rules refuse it by name."""
    try:
        return json.loads(body)
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise BadRequest(
            f"the body is not valid JSON: {exc}".split("; use sys.")[0],
            errors=[field_error("", "malformed JSON")],
        ) from None


def check_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """400 when a document nests objects or arrays more than ``limit`` levels deep.

    Checked without recursion, so that absurd documents cannot exhaust the stack of the rules
    that later walk them recursively. True when the document holds a float whose magnitude is
    beyond any 64-bit integer and that has no fraction: perhaps an integer orjson rounded.
    """
    huge = False
    stack: list[tuple[Any, int, str]] = [(value, 0, "")]
    while stack:
        node, depth, pointer = stack.pop()
        if isinstance(node, dict):
            children: Any = node.items()
        elif isinstance(node, list):
            children = enumerate(node)
        else:
            continue
        if depth >= limit:
            raise BadRequest.field(pointer, f"nested more than {limit} levels deep")
        for key, child in children:
            if isinstance(child, (dict, list)):
                step = str(key).replace("~", "~0").replace("/", "~1")
                stack.append((child, depth + 1, f"{pointer}/{step}"))
            elif type(child) is float and abs(child) >= _BEYOND_64_BITS and child.is_integer():
                huge = True
    return huge


# -- customers ------------------------------------------------------------------------------
async def list_customers(request: Request) -> Response:
    """GET …/customers?nodeId=…: a page of the node's customers (query, sort, fields)."""
    registry, ws = await authorize(request)
    qp = request.query_params
    node_id = params.text(qp, "nodeId")
    if node_id is None:
        raise BadRequest.field("nodeId", "the nodeId query parameter is required")
    page, size = params.paging(qp)
    sort = params.sort_order(qp)
    fields = params.field_paths(qp)
    query_text = params.text(qp, "query")
    query = None if query_text is None else _parse_query(query_text)
    try:
        found, total = await _run(
            request,
            customers.search_customers,
            registry,
            ws,
            node_id,
            external_id=params.text(qp, "externalId"),
            query=query,
            sort=sort,
            page=page,
            size=size,
        )
    except InvalidPath as exc:
        raise BadRequest.field("sort", str(exc)) from None
    if fields is not None:
        found = [customers.project(doc, fields) for doc in found]
    return json_response(page_envelope(found, total, page, size))


async def create_customer(request: Request) -> Response:
    """POST …/customers: 201 with the new customer (or the merged one under MERGE)."""
    registry, ws = await authorize(request)
    body = await read_json(request)
    session = params.text(request.query_params, "sessionId")
    doc, _merged = await _run(request, customers.create_customer, registry, ws, body, session)
    return json_response(doc, 201)


async def get_customer(request: Request) -> Response:
    """GET …/customers/{id}."""
    registry, ws = await authorize(request)
    doc = await _run_point_read(
        request, customers.get_customer, registry, ws, request.path_params["customerId"]
    )
    return json_response(doc)


async def replace_customer(request: Request) -> Response:
    """PUT …/customers/{id}: full replacement."""
    registry, ws = await authorize(request)
    body = await read_json(request)
    customer_id = request.path_params["customerId"]
    session = params.text(request.query_params, "sessionId")
    doc = await _run(request, customers.replace_customer, registry, ws, customer_id, body, session)
    return json_response(doc)


async def patch_customer(request: Request) -> Response:
    """PATCH …/customers/{id}: deep merge."""
    registry, ws = await authorize(request)
    body = await read_json(request)
    customer_id = request.path_params["customerId"]
    session = params.text(request.query_params, "sessionId")
    doc = await _run(request, customers.patch_customer, registry, ws, customer_id, body, session)
    return json_response(doc)


async def delete_customer(request: Request) -> Response:
    """DELETE …/customers/{id}: 200 with an empty body, as the recorded API answers (§10.1)."""
    registry, ws = await authorize(request)
    await _run(request, customers.delete_customer, registry, ws, request.path_params["customerId"])
    return empty_response(200)


# -- items ----------------------------------------------------------------------------------
def _item_routes(kind: str) -> list[BaseRoute]:
    created = 201 if kind == "subscriptions" else 200  # as the API reference documents (§10.2)

    async def add(request: Request) -> Response:
        registry, ws = await authorize(request)
        body = await read_json(request)
        cid = request.path_params["customerId"]
        item = await _run(request, items.add_item, registry, ws, cid, kind, body)
        return json_response(item, created)

    async def get(request: Request) -> Response:
        registry, ws = await authorize(request)
        cid, item_id = request.path_params["customerId"], request.path_params["itemId"]
        return json_response(await _run(request, items.get_item, registry, ws, cid, kind, item_id))

    async def put(request: Request) -> Response:
        registry, ws = await authorize(request)
        body = await read_json(request)
        cid, item_id = request.path_params["customerId"], request.path_params["itemId"]
        item = await _run(request, items.replace_item, registry, ws, cid, kind, item_id, body)
        return json_response(item)

    async def delete(request: Request) -> Response:
        registry, ws = await authorize(request)
        cid, item_id = request.path_params["customerId"], request.path_params["itemId"]
        await _run(request, items.delete_item, registry, ws, cid, kind, item_id)
        return empty_response(200)

    base = f"{WORKSPACE}/customers/{{customerId}}/{kind}"
    return [_path(base, POST=add), _path(base + "/{itemId}", GET=get, PUT=put, DELETE=delete)]


# -- sessions -------------------------------------------------------------------------------
async def add_session(request: Request) -> Response:
    """POST …/customers/{id}/sessions: 201 ``{id, value}``."""
    registry, ws = await authorize(request)
    body = await read_json(request)
    cid = request.path_params["customerId"]
    return json_response(await _run(request, sessions.add_session, registry, ws, cid, body), 201)


async def list_sessions(request: Request) -> Response:
    """GET …/customers/{id}/sessions: ``{elements}`` (not paged)."""
    registry, ws = await authorize(request)
    cid = request.path_params["customerId"]
    return json_response(
        {"elements": await _run(request, sessions.list_sessions, registry, ws, cid)}
    )


async def get_session(request: Request) -> Response:
    """GET …/customers/{id}/sessions/{sessionId}."""
    registry, ws = await authorize(request)
    cid, sid = request.path_params["customerId"], request.path_params["sessionId"]
    return json_response(await _run(request, sessions.get_session, registry, ws, cid, sid))


async def delete_session(request: Request) -> Response:
    """DELETE …/customers/{id}/sessions/{sessionId}: 200, empty body."""
    registry, ws = await authorize(request)
    cid, sid = request.path_params["customerId"], request.path_params["sessionId"]
    await _run(request, sessions.delete_session, registry, ws, cid, sid)
    return empty_response(200)


# -- sources --------------------------------------------------------------------------------
async def list_sources(request: Request) -> Response:
    """GET …/customers/{id}/sources: ``{elements}`` (not paged; one source per customer)."""
    registry, ws = await authorize(request)
    cid = request.path_params["customerId"]
    return json_response({"elements": await _run(request, sources.list_sources, registry, ws, cid)})


async def get_source(request: Request) -> Response:
    """GET …/customers/{id}/sources/{sourceId}: the SourceCustomer."""
    registry, ws = await authorize(request)
    cid, sid = request.path_params["customerId"], request.path_params["sourceId"]
    return json_response(await _run(request, sources.get_source, registry, ws, cid, sid))


# -- events ---------------------------------------------------------------------------------
def _enum_list(qp: Any, name: str, allowed: Any) -> list[str] | None:
    values = params.comma_list(qp, name)
    for value in values or ():
        if value not in allowed:
            raise BadRequest.field(name, f"unknown {name} {value!r}")
    return values


async def list_events(request: Request) -> Response:
    """GET …/events: a page of events filtered by customer, node, type, context, mode, dates."""
    registry, ws = await authorize(request)
    qp = request.query_params
    page, size = params.paging(qp)
    mode = params.text(qp, "mode")
    if mode is not None:
        mode = mode.upper()
        if mode not in MODES:
            raise BadRequest.field("mode", f"must be ACTIVE or PASSIVE, got {mode!r}")
    found, total = await _run(
        request,
        events.list_events,
        registry,
        ws,
        customer_id=params.text(qp, "customerId"),
        node_id=params.text(qp, "nodeId"),
        types=_enum_list(qp, "type", EVENT_TYPES),
        contexts=_enum_list(qp, "context", CONTEXTS),
        mode=mode,
        date_from=params.instant(qp, "dateFrom"),
        date_to=params.instant(qp, "dateTo"),
        page=page,
        size=size,
    )
    return json_response(page_envelope(found, total, page, size))


async def add_event(request: Request) -> Response:
    """POST …/events: 202 ``{"id": …}`` once the event is stored."""
    registry, ws = await authorize(request)
    body = await read_json(request)
    return json_response({"id": await _run(request, events.add_event, registry, ws, body)}, 202)


async def get_event(request: Request) -> Response:
    """GET …/events/{id}."""
    registry, ws = await authorize(request)
    return json_response(
        await _run(request, events.get_event, registry, ws, request.path_params["eventId"])
    )


async def replace_event(request: Request) -> Response:
    """PUT …/events/{id}: 202 with the event as replaced."""
    registry, ws = await authorize(request)
    body = await read_json(request)
    event_id = request.path_params["eventId"]
    return json_response(
        await _run(request, events.replace_event, registry, ws, event_id, body), 202
    )


async def delete_event(request: Request) -> Response:
    """DELETE …/events/{id}: 204."""
    registry, ws = await authorize(request)
    await _run(request, events.delete_event, registry, ws, request.path_params["eventId"])
    return empty_response(204)


def _parse_query(text: str) -> Any:
    """The parsed ``query`` parameter (the ``{"name", "query"}`` document, never a bare query);
    400 saying what is wrong and where in the query."""
    try:
        return parse_query_string(text, wrapped=True)
    except QueryError as exc:
        raise BadRequest(
            f"invalid query: {exc.message}", errors=[field_error(exc.pointer, exc.message)]
        ) from None
    except RecursionError:  # the JSON decoder's own limit
        raise BadRequest.field("query", "the query is nested too deeply") from None


# -- documentation --------------------------------------------------------------------------
async def openapi(request: Request) -> Response:
    """GET /hub/v1/openapi.json: the OpenAPI document of this API (no token needed)."""
    state = _state(request)
    if state.openapi is None:
        state.openapi = orjson.dumps(schemas.load_openapi())
    return Response(state.openapi, media_type="application/json")


def _path(path: str, **handlers: Callable[[Request], Awaitable[Response]]) -> Route:
    """One route per path, dispatching on the method, so a 405 lists every allowed method."""

    async def dispatch(request: Request) -> Response:
        for name, value in request.path_params.items():
            if "\x00" in value:  # no id holds one, and PostgreSQL refuses it in text
                raise BadRequest.field(name, "must not contain the NUL character")
            if not is_path_segment(value):  # e.g. "%2E%2E", decoded: never an id
                raise BadRequest.field(name, f"{value!r} {NOT_A_SEGMENT}")
        return await handlers[request.method if request.method != "HEAD" else "GET"](request)

    return Route(path, dispatch, methods=list(handlers))


def routes() -> list[BaseRoute]:
    """Every route of the hub."""
    customer = f"{WORKSPACE}/customers/{{customerId}}"
    table: list[BaseRoute] = [
        _path(PREFIX + "/openapi.json", GET=openapi),
        _path(f"{WORKSPACE}/customers", GET=list_customers, POST=create_customer),
        _path(
            customer,
            GET=get_customer,
            PUT=replace_customer,
            PATCH=patch_customer,
            DELETE=delete_customer,
        ),
        _path(f"{customer}/sessions", GET=list_sessions, POST=add_session),
        _path(f"{customer}/sessions/{{sessionId}}", GET=get_session, DELETE=delete_session),
        _path(f"{customer}/sources", GET=list_sources),
        _path(f"{customer}/sources/{{sourceId}}", GET=get_source),
        _path(f"{WORKSPACE}/events", GET=list_events, POST=add_event),
        _path(
            f"{WORKSPACE}/events/{{eventId}}", GET=get_event, PUT=replace_event, DELETE=delete_event
        ),
    ]
    for kind in items.ITEM_KINDS:
        table.extend(_item_routes(kind))
    # Route modules of their own (imported here: they build on this module's helpers).
    from contacthub_server.api import analytics, configuration, consent_logs, segments, updates

    for module in (segments, updates, consent_logs, configuration, analytics):
        table.extend(module.routes())
    return table
