"""Customer operations: create (with the node's matching policy), read, search, replace, patch, delete.

Every function runs one store transaction and returns only after it committed, so whatever the
HTTP layer acknowledges survives a crash. Documents are validated and normalised before they reach
the store (the store never re-validates); reads return the stored, already normalised, documents.

Decisions where the contract is silent:
- ``updatedAt`` moves on every write and strictly increases, even for two writes in the same
  millisecond (the later one gets the previous value plus one millisecond).
- A customer created (or given an ``externalId`` by PUT/PATCH) is linked to the anonymous events
  that named that ``externalId`` with an EXTERNAL_ID bring-back in its node.
- Under MERGE, a POST matching an existing customer deep-merges the posted properties into it
  (posted values win; posted ``null`` values do not erase anything) and answers 201 with it.
- The ``sessionId`` query parameter of POST, PUT and PATCH links that session to the written
  customer and claims its anonymous events, as ``POST …/sessions`` does, in the same
  transaction: a session that another customer holds is a 409 and the write does not happen.
- A customer stays in its node: PUT requires ``nodeId`` (the reference's PutCustomer) and, like
  PATCH, refuses one naming another node (400 naming ``/nodeId``) rather than moving the customer
  silently; an unknown node is a 404, as on POST.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from contacthub_server.schemas import dates
from contacthub_server.schemas.normalise import normalise_customer
from contacthub_server.service.errors import BadRequest, CustomerConflict, NotFound, field_error
from contacthub_server.service.matching import (
    match_key,
    missing_unique_properties,
    property_pointer,
    property_value,
)
from contacthub_server.service.merge import merge_patch
from contacthub_server.service.registry import NodeConfig, Registry
from contacthub_server.service.validation import (
    ValidationFailed,
    validate_customer,
    validate_session,
)
from contacthub_server.store import MatchKeyConflict

READ_ONLY_FIELDS = ("id", "registeredAt", "updatedAt", "sourceInfo")
#: POST needs at least one of these (§8 "POST validation").
IDENTIFYING_FIELDS = ("externalId", "base", "extended")


def next_update_time(previous: str | None) -> str:
    """Now, in the API's date-time format, strictly after ``previous`` (an earlier updatedAt)."""
    now = dates.parse_datetime(dates.now())
    if previous:
        try:
            before = dates.parse_datetime(previous)
        except ValueError:
            before = None
        if before is not None and now <= before:
            now = before + timedelta(milliseconds=1)
    return dates.format_datetime(now)


def invalid(what: str, exc: ValidationFailed) -> BadRequest:
    """A 400 listing every field problem of ``exc``; the message names the first one."""
    errors = [field_error(e.path, e.message) for e in exc.errors]
    first = exc.errors[0] if exc.errors else None
    detail = f": {first.path or '/'}: {first.message}" if first else ""
    more = f" (and {len(exc.errors) - 1} more)" if len(exc.errors) > 1 else ""
    return BadRequest(f"{what} is not valid{detail}{more}", errors=errors)


def require_object(body: Any, what: str) -> dict[str, Any]:
    """The body as a JSON object, or a 400 saying it must be one."""
    if not isinstance(body, dict):
        raise BadRequest(
            f"the {what} must be a JSON object",
            errors=[field_error("", f"expected an object, got {type_name(body)}")],
        )
    return body


def type_name(value: Any) -> str:
    """The JSON name of a Python value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def customer_not_found(customer_id: str) -> NotFound:
    """The 404 for an unknown customer id."""
    return NotFound(f"customer not found: {customer_id}")


def node_not_found(node_id: str) -> NotFound:
    """The 404 for an unknown node (the API's exact message, no colon)."""
    return NotFound(f"node not found {node_id}")


def require_node(registry: Registry, ws: str, node_id: Any, tx: Any = None) -> NodeConfig:
    """The node's configuration; 400 when ``node_id`` is missing or not a string, 404 if unknown."""
    if node_id is None or node_id == "":
        raise BadRequest.field("/nodeId", "nodeId is required")
    if not isinstance(node_id, str):
        raise BadRequest.field("/nodeId", f"must be a string, got {type_name(node_id)}")
    node = registry.node(ws, node_id, tx)
    if node is None:
        raise node_not_found(node_id)
    return node


def locked_customer(tx: Any, ws: str, customer_id: str) -> dict[str, Any] | None:
    """Read a customer for a read-modify-write, holding it until the transaction ends.

    A concurrent writer of the same customer waits, then sees this write: none is lost.
    """
    tx.lock_customer(ws, customer_id)
    doc: dict[str, Any] | None = tx.get_customer(ws, customer_id)
    return doc


def without_read_only(doc: dict[str, Any]) -> dict[str, Any]:
    """A shallow copy without the fields clients may send but never set."""
    return {k: v for k, v in doc.items() if k not in READ_ONLY_FIELDS}


def source_info(stored: dict[str, Any] | None, node_id: str) -> dict[str, Any]:
    """The ``sourceInfo`` of a customer written now through ``node_id`` (``stored``: the
    customer before this write, None for a new one). A customer's source is its node."""
    before = (stored or {}).get("sourceInfo")
    registered = before.get("registeredBy") if isinstance(before, dict) else None
    if registered is None:
        registered = stored["nodeId"] if stored is not None else node_id
    return {"registeredBy": registered, "updatedBy": node_id}


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    return value


def _check_unique_properties(node: NodeConfig, doc: dict[str, Any]) -> str | None:
    """The match key of ``doc``; 400 when the node requires unique properties it lacks."""
    if node.policy.require_unique:
        missing = missing_unique_properties(node.policy, doc)
        if missing:
            raise BadRequest(
                "unique customer property is required",
                errors=[
                    field_error("/" + p.replace(".", "/"), "unique customer property is required")
                    for p in missing
                ],
            )
    return match_key(node.policy, doc)


def _validated(node: NodeConfig, body: dict[str, Any], what: str) -> dict[str, Any]:
    try:
        doc = validate_customer(body, extended_schema=node.extended_schema)
    except ValidationFailed as exc:
        raise invalid(what, exc) from None
    _check_mandatory_properties(node, doc)
    return doc


def _check_mandatory_properties(node: NodeConfig, doc: dict[str, Any]) -> None:
    """400 naming each of the node's mandatory properties (its entry's ``mandatoryProperties``)
    that the customer lacks (absent, null or empty)."""
    missing = [path for path in node.mandatory if property_value(doc, path) in (None, "", [], {})]
    if missing:
        raise BadRequest(
            "mandatory property is required",
            errors=[
                field_error(property_pointer(p), "mandatory property is required") for p in missing
            ],
        )


def session_value(session_id: str | None) -> str | None:
    """The ``sessionId`` query parameter checked as a session value; 400 naming it if bad."""
    if session_id is None:
        return None
    try:
        return validate_session({"value": session_id})
    except ValidationFailed as exc:
        raise BadRequest.field("sessionId", exc.errors[0].message) from None


def _link_session(tx: Any, ws: str, doc: dict[str, Any], value: str | None) -> None:
    if value is not None:
        from contacthub_server.service.sessions import claim_session  # it builds on this module

        claim_session(tx, ws, doc["nodeId"], doc["id"], value)


def _link_external_id_events(tx: Any, ws: str, doc: dict[str, Any], before: str | None) -> None:
    external_id = doc.get("externalId")
    if isinstance(external_id, str) and external_id and external_id != before:
        tx.attach_external_id_events(ws, doc["nodeId"], external_id, doc["id"])


# -- create ---------------------------------------------------------------------------------
def create_customer(
    registry: Registry, ws: str, body: Any, session_id: str | None = None
) -> tuple[dict[str, Any], bool]:
    """POST /customers: the stored customer, and whether it was merged into an existing one.

    ``session_id`` (the ``sessionId`` parameter) is linked to the customer. Raises BadRequest
    (invalid or empty customer), NotFound (unknown node), CustomerConflict (BLOCK policy and an
    existing customer with the same unique properties) or Conflict (another customer's session).
    """
    session = session_value(session_id)
    body = require_object(body, "customer")
    node = require_node(registry, ws, body.get("nodeId"))
    if all(body.get(k) is None for k in IDENTIFYING_FIELDS):
        raise BadRequest(
            "the customer is empty: at least one of externalId, base and extended is required",
            errors=[field_error("", "at least one of externalId, base and extended is required")],
        )
    doc = _validated(node, without_read_only(body), "the customer")
    key = _check_unique_properties(node, doc)
    now = dates.now()
    doc.update(id=str(uuid.uuid4()), registeredAt=now, updatedAt=now, nodeId=node.node_id)
    doc["sourceInfo"] = source_info(None, node.node_id)
    doc = normalise_customer(doc)

    merge = key is not None and node.policy.mode == "MERGE"
    # Two attempts: under MERGE a concurrent insert of the same key turns the second into a merge.
    conflict_id = ""
    for _attempt in range(2):
        try:
            with registry.write() as tx:
                if merge:
                    assert key is not None
                    existing_id = tx.find_by_match_key(ws, node.node_id, key)
                    if existing_id is not None:
                        merged = _merge_into(tx, ws, node, existing_id, body, key)
                        if merged is not None:
                            _link_session(tx, ws, merged, session)
                            return merged, True
                # With the events its externalId brings back (one statement on PostgreSQL).
                tx.insert_customer(ws, doc, key, attach_external_id_events=True)
                _link_session(tx, ws, doc, session)
            return doc, False
        except MatchKeyConflict as exc:
            if not merge:
                raise CustomerConflict(exc.existing_id) from None
            conflict_id = exc.existing_id
    raise CustomerConflict(conflict_id)


def _merge_into(
    tx: Any, ws: str, node: NodeConfig, existing_id: str, body: dict[str, Any], key: str
) -> dict[str, Any] | None:
    stored = locked_customer(tx, ws, existing_id)
    if stored is None:  # deleted meanwhile: create instead
        return None
    incoming = _drop_nulls(without_read_only(body))
    incoming.pop("nodeId", None)
    merged = merge_patch(without_read_only(stored), incoming)
    doc = _validated(node, merged, "the merged customer")
    doc.update(
        id=stored["id"],
        registeredAt=stored["registeredAt"],
        updatedAt=next_update_time(stored.get("updatedAt")),
        nodeId=stored["nodeId"],
        sourceInfo=source_info(stored, stored["nodeId"]),
    )
    doc = normalise_customer(doc)
    tx.replace_customer(ws, doc, match_key(node.policy, doc) or key)
    _link_external_id_events(tx, ws, doc, stored.get("externalId"))
    return doc


# -- read -----------------------------------------------------------------------------------
def get_customer(registry: Registry, ws: str, customer_id: str) -> dict[str, Any]:
    """GET /customers/{id}: the customer, or NotFound."""
    with registry.store.read() as tx:
        doc = tx.get_customer(ws, customer_id)
    if doc is None:
        raise customer_not_found(customer_id)
    return doc


def search_customers(
    registry: Registry,
    ws: str,
    node_id: str,
    *,
    external_id: str | None,
    query: Any,
    sort: Sequence[tuple[str, bool]],
    page: int,
    size: int,
) -> tuple[list[dict[str, Any]], int]:
    """GET /customers: one page of the node's customers matching the filters, and the total."""
    with registry.store.read() as tx:
        require_node(registry, ws, node_id, tx)
        found: tuple[list[dict[str, Any]], int] = tx.search_customers(
            ws, node_id, external_id=external_id, query=query, sort=sort, page=page, size=size
        )
    return found


def project(doc: dict[str, Any], fields: Iterable[Sequence[str]]) -> dict[str, Any]:
    """The customer reduced to ``id`` and the requested dotted paths (§8 fields projection).

    As a search engine's source filter: nothing else, not even ``null`` placeholders. A path
    whose value is null or absent is left out; a path through a list keeps, in each item, only
    the requested properties, and leaves out the items that have none of them. Keys keep the
    document's order.
    """
    wanted: dict[str, Any] = {}
    for path in fields:
        _want(wanted, path)
    picked = _restrict(doc, wanted)
    sparse: dict[str, Any] = {"id": doc.get("id")}
    if picked is not _MISSING:
        sparse.update((key, value) for key, value in picked.items() if key != "id")
    return sparse


_MISSING: Any = object()
_WHOLE: Any = None  # in a tree of wanted paths: the whole value at this key


def _want(tree: dict[str, Any], path: Sequence[str]) -> None:
    """Add ``path`` to a tree of wanted paths (a shorter path wins over a longer one)."""
    *parents, last = path
    for key in parents:
        sub = tree.get(key, {})
        if sub is _WHOLE:
            return
        tree = tree.setdefault(key, sub)
    tree[last] = _WHOLE


def _restrict(source: Any, wanted: dict[str, Any]) -> Any:
    """``source`` reduced to the ``wanted`` paths, or _MISSING when none of them has a value."""
    if isinstance(source, dict):
        kept: dict[str, Any] = {}
        for key, value in source.items():
            if key not in wanted or value is None:
                continue
            sub = wanted[key]
            inner = value if sub is _WHOLE else _restrict(value, sub)
            if inner is not _MISSING:
                kept[key] = inner
        return kept or _MISSING
    if isinstance(source, list):
        items = [_restrict(item, wanted) for item in source]
        return [item for item in items if item is not _MISSING] or _MISSING
    return _MISSING


# -- write ----------------------------------------------------------------------------------
def replace_customer(
    registry: Registry, ws: str, customer_id: str, body: Any, session_id: str | None = None
) -> dict[str, Any]:
    """PUT /customers/{id}: replace every writable property; the result. ``session_id`` (the
    ``sessionId`` parameter) is linked to the customer."""
    session = session_value(session_id)
    body = require_object(body, "customer")
    node_id = body.get("nodeId")
    if node_id is None or node_id == "":
        raise BadRequest.field("/nodeId", "nodeId is required")
    with registry.write() as tx:
        stored = locked_customer(tx, ws, customer_id)
        if stored is None:
            raise customer_not_found(customer_id)
        node = _own_node(registry, ws, stored, node_id, "PUT", tx)
        candidate = without_read_only(body)
        candidate["nodeId"] = node.node_id
        doc = _validated(node, candidate, "the customer")
        return _store_update(tx, ws, node, stored, doc, session)


def patch_customer(
    registry: Registry, ws: str, customer_id: str, body: Any, session_id: str | None = None
) -> dict[str, Any]:
    """PATCH /customers/{id}: deep-merge the body into the customer (§8); the result.
    ``session_id`` (the ``sessionId`` parameter) is linked to the customer."""
    session = session_value(session_id)
    body = require_object(body, "patch")
    with registry.write() as tx:
        stored = locked_customer(tx, ws, customer_id)
        if stored is None:
            raise customer_not_found(customer_id)
        patch = without_read_only(body)
        if "nodeId" in patch and patch["nodeId"] is None:
            del patch["nodeId"]  # the node cannot be unset
        node = _own_node(registry, ws, stored, patch.get("nodeId", stored["nodeId"]), "PATCH", tx)
        merged = merge_patch(without_read_only(stored), patch)
        doc = _validated(node, merged, "the customer")
        return _store_update(tx, ws, node, stored, doc, session)


def _own_node(
    registry: Registry, ws: str, stored: dict[str, Any], node_id: Any, verb: str, tx: Any
) -> NodeConfig:
    """The customer's node, named by a PUT or PATCH body: 400 when it names another node (a
    write never moves a customer), 404 when it names no node at all, as a POST would."""
    node = require_node(registry, ws, node_id, tx)
    if node.node_id != stored["nodeId"]:
        raise BadRequest.field(
            "/nodeId",
            f"the customer belongs to node {stored['nodeId']}: a {verb} cannot move it to "
            f"node {node.node_id}",
        )
    return node


def _store_update(
    tx: Any,
    ws: str,
    node: NodeConfig,
    stored: dict[str, Any],
    doc: dict[str, Any],
    session: str | None = None,
) -> dict[str, Any]:
    key = _check_unique_properties(node, doc)
    doc.update(
        id=stored["id"],
        registeredAt=stored["registeredAt"],
        updatedAt=next_update_time(stored.get("updatedAt")),
        nodeId=node.node_id,
        sourceInfo=source_info(stored, node.node_id),
    )
    doc = normalise_customer(doc)
    try:
        tx.replace_customer(ws, doc, key)
    except MatchKeyConflict as exc:
        raise CustomerConflict(exc.existing_id) from None
    _link_external_id_events(tx, ws, doc, stored.get("externalId"))
    _link_session(tx, ws, doc, session)
    return doc


def save_customer(tx: Any, registry: Registry, ws: str, doc: dict[str, Any]) -> dict[str, Any]:
    """Store a customer changed by a sub-resource write: new ``updatedAt``, same match key."""
    node = registry.node(ws, doc["nodeId"], tx)
    doc["updatedAt"] = next_update_time(doc.get("updatedAt"))
    doc["sourceInfo"] = source_info(doc, doc["nodeId"])
    key = match_key(node.policy, doc) if node is not None else None
    tx.replace_customer(ws, doc, key)
    return doc


def delete_customer(registry: Registry, ws: str, customer_id: str) -> dict[str, Any]:
    """DELETE /customers/{id}: remove it with its events and sessions; the deleted document
    (for the caller: the API answers with an empty body, §10.1)."""
    with registry.write() as tx:
        doc = tx.delete_customer(ws, customer_id)
    if doc is None:
        raise customer_not_found(customer_id)
    return doc
