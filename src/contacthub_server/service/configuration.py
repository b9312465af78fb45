"""A workspace's configuration (``…/configuration/*``) and the API's models (``…/models/*``).

Workspace and nodes: the API configures the matching policy, the uniqueness policy and the
extended properties schema per workspace; the hub applies them per node (node settings, as the
``--config`` file declares them). So a workspace-level PUT sets them on every node of the
workspace in one transaction, and a workspace-level GET answers them as the workspace's first
node holds them. A workspace without nodes keeps what a PUT gave it for the nodes it gets
later; a node created by ``POST …/nodes/entries`` starts with the settings of the workspace's
first node (or those). Where a configuration file gave nodes different settings, each keeps its
own until a workspace-level PUT.

A change of what identifies a customer (properties, case, NO_CHECK) gives every customer of the
node its match key again: the oldest customer holding a key keeps it, later duplicates take no
part in matching until written again. A new extended schema applies to later writes; stored
customers are not checked again.

Event types: each has the catalog's mode and is enabled unless the workspace disabled it
(``PUT …/configuration/events/{id}``: only ``enabled`` is writable, the rest is read-only and
ignored). ``POST``/``PUT …/events`` refuse a disabled type with a 400 naming ``/type``; events
already stored stay. The ``mode`` filter of ``GET …/events`` reads the workspace's modes.

Sources: in the hub a customer's one source is its node (as for ``…/customers/{id}/sources``),
so the workspace has one source per node: provider ``API``, id the node's id, enabled on that
node. Hub tokens reach every node of their workspace, so a source's ``token`` is the token of
the request.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from contacthub_server.schemas import configuration as model
from contacthub_server.schemas.event_catalog import EVENT_TYPES
from contacthub_server.schemas.spec import FieldError, Obj, json_type, pointer
from contacthub_server.service.customers import invalid, node_not_found, require_object
from contacthub_server.service.errors import BadRequest, NotFound, field_error
from contacthub_server.service.registry import Registry
from contacthub_server.service.validation import (
    ValidationFailed,
    storable_errors,
    validate_node_settings,
)

#: The page size of the configuration's listings when none is asked for (the recorded reply
#: of ``GET …/configuration/events`` shows 20).
PAGE_SIZE = 20

Doc = dict[str, Any]


def _checked(spec: Obj, body: Any, what: str) -> Doc:
    """The body checked against ``spec``: only the keys it holds; 400 naming every problem."""
    obj = require_object(body, what)
    errors = storable_errors(obj)
    checked: Doc = spec.check(obj, "", errors)
    if errors:
        raise invalid(what, ValidationFailed(errors))
    return checked


def _page(items: list[Doc], page: int, size: int) -> tuple[list[Doc], int]:
    return items[page * size : (page + 1) * size], len(items)


# -- the workspace's policy ------------------------------------------------------------------
def _policy_settings(tx: Any, ws: str, stored: Mapping[str, Any] | None = None) -> Doc:
    """The workspace's node settings: its first node's, else what a PUT gave the workspace."""
    nodes = tx.list_nodes(ws)
    if nodes:
        settings = tx.node_settings(ws, nodes[0])
        if settings is not None:
            return validate_node_settings(settings)
    if stored is None:
        stored = tx.workspace_config(ws) or {}
    return validate_node_settings(stored.get("settings"))


def _apply_to_nodes(
    registry: Registry, tx: Any, ws: str, stored: Doc, change: Callable[[Doc], Doc]
) -> None:
    """Change the settings of every node of the workspace, and the workspace's own (for the
    nodes it gets later), with ``change`` (given and returning complete settings)."""
    stored["settings"] = validate_node_settings(change(_policy_settings(tx, ws, stored)))
    for node_id in tx.list_nodes(ws):
        before = validate_node_settings(tx.node_settings(ws, node_id))
        after = validate_node_settings(change(before))
        if after != before:
            registry.replace_node_settings(tx, ws, node_id, after)


def _changed(key: str, values: Mapping[str, Any]) -> Callable[[Doc], Doc]:
    """A change of the settings' section ``key`` by ``values``."""

    def change(settings: Doc) -> Doc:
        return {**settings, key: {**settings[key], **values}}

    return change


# -- …/configuration -------------------------------------------------------------------------
def _workspace_document(tx: Any, ws: str) -> Doc:
    stored = tx.workspace_config(ws) or {}
    doc: Doc = {"name": ws, **model.WORKSPACE_DEFAULTS, **stored.get("workspace", {})}
    doc["customerUniquenessPolicy"] = _policy_settings(tx, ws, stored)["matching"]["policy"]
    return {key: doc.get(key) for key in model.WORKSPACE_KEYS}


def get_workspace(registry: Registry, ws: str) -> Doc:
    """GET …/configuration: the WorkspaceConfiguration."""
    with registry.store.read() as tx:
        return _workspace_document(tx, ws)


def update_workspace(registry: Registry, ws: str, body: Any) -> Doc:
    """PUT …/configuration: the keys the body names change (``tier`` is read-only); a
    ``customerUniquenessPolicy`` becomes the matching mode of every node."""
    checked = _checked(model.WORKSPACE_INPUT, body, "the workspace configuration")
    checked.pop("tier", None)
    policy = checked.pop("customerUniquenessPolicy", None)
    with registry.write() as tx:
        stored = tx.workspace_config(ws) or {}
        stored["workspace"] = {**stored.get("workspace", {}), **checked}
        if policy is not None:
            _apply_to_nodes(registry, tx, ws, stored, _changed("matching", {"policy": policy}))
        tx.set_workspace_config(ws, stored)
        doc = _workspace_document(tx, ws)
    registry.forget_workspace(ws)
    return doc


# -- event types -----------------------------------------------------------------------------
def event_type_not_found(event_type: str) -> NotFound:
    """The 404 of an unknown event type."""
    return NotFound(f"event type not found: {event_type}")


def list_event_types(registry: Registry, ws: str, *, page: int, size: int) -> tuple[list[Doc], int]:
    """GET …/configuration/events: a page of the workspace's event types, and their number."""
    types = registry.event_types(ws)
    names = list(EVENT_TYPES)[page * size : (page + 1) * size]
    return [model.event_type_document(name, *types[name]) for name in names], len(EVENT_TYPES)


def get_event_type(registry: Registry, ws: str, event_type: str) -> Doc:
    """GET …/configuration/events/{id}: one event type of the workspace."""
    state = registry.event_types(ws).get(event_type)
    if state is None:
        raise event_type_not_found(event_type)
    return model.event_type_document(event_type, *state)


def update_event_type(registry: Registry, ws: str, event_type: str, body: Any) -> Doc:
    """PUT …/configuration/events/{id}: enable or disable an event type."""
    if event_type not in EVENT_TYPES:
        raise event_type_not_found(event_type)
    enabled = bool(_checked(model.EVENT_TYPE_INPUT, body, "the event type")["enabled"])
    with registry.write() as tx:
        mode = tx.event_type_settings(ws).get(event_type, (EVENT_TYPES[event_type], True))[0]
        if enabled and mode == EVENT_TYPES[event_type]:
            tx.clear_event_type(ws, event_type)
        else:
            tx.set_event_type(ws, event_type, mode, enabled)
    registry.forget_workspace(ws)
    return model.event_type_document(event_type, mode, enabled)


def require_enabled_event_type(registry: Registry, ws: str, event_type: Any) -> None:
    """400 naming ``/type`` when the workspace disabled this event type."""
    state = registry.event_types(ws).get(event_type) if isinstance(event_type, str) else None
    if state is not None and not state[1]:
        raise BadRequest(
            f"the event type {event_type} is disabled in this workspace",
            errors=[field_error("/type", f"event type {event_type} is disabled")],
        )


def types_of_mode(registry: Registry, ws: str, mode: str, tx: Any = None) -> list[str]:
    """The workspace's event types of this mode (``ACTIVE`` or ``PASSIVE``)."""
    return [name for name, (kind, _) in registry.event_types(ws, tx).items() if kind == mode]


# -- properties ------------------------------------------------------------------------------
def base_properties() -> Doc:
    """GET …/configuration/properties/base."""
    return {"elements": model.base_properties()}


#: What ``…/properties/extended`` answers for a workspace without a schema: any object.
OPEN_SCHEMA: Doc = {"$schema": model.JSON_SCHEMA_DRAFT, "type": "object", "properties": {}}


def get_extended_schema(registry: Registry, ws: str) -> Doc:
    """GET …/configuration/properties/extended: ``{"schema": <JSON schema of extended>}``."""
    with registry.store.read() as tx:
        schema = _policy_settings(tx, ws)["extendedSchema"]
    return {"schema": schema if schema is not None else dict(OPEN_SCHEMA)}


def _schema_of(body: Any) -> tuple[Any, str]:
    """The schema a PUT sends, with the pointer where it sits: the body itself (the reference's
    form), ``{"schema": ...}`` (what GET answers), or either as JSON text."""
    if isinstance(body, str):
        try:
            body = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise BadRequest.field("", "the schema text is not JSON") from None
    if isinstance(body, dict) and set(body) == {"schema"}:
        inner = body["schema"]
        if isinstance(inner, str):
            try:
                inner = orjson.loads(inner)
            except orjson.JSONDecodeError:
                raise BadRequest.field("/schema", "the schema text is not JSON") from None
        return inner, "/schema"
    return body, ""


def _contactlab_errors(schema: Any, path: str) -> list[FieldError]:
    """Problems of the ``contactlabProperties`` (label, enabled, mergePolicy) in a schema."""
    errors: list[FieldError] = []
    stack: list[tuple[Any, str]] = [(schema, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, list):
            stack.extend((item, pointer(where, i)) for i, item in enumerate(node))
        if not isinstance(node, dict):
            continue
        for key, value in node.items():
            here = pointer(where, key)
            if key == "contactlabProperties":
                errors.extend(_contactlab_properties_errors(value, here))
            else:
                stack.append((value, here))
    return errors


def _contactlab_properties_errors(value: Any, where: str) -> list[FieldError]:
    if not isinstance(value, dict):
        return [FieldError(where, f"must be an object, not {json_type(value)}")]
    errors = []
    for key, item in value.items():
        here = pointer(where, key)
        if key == "label" and not isinstance(item, str):
            errors.append(FieldError(here, f"must be a string, not {json_type(item)}"))
        elif key == "enabled" and not isinstance(item, bool):
            errors.append(FieldError(here, f"must be a boolean, not {json_type(item)}"))
        elif key == "mergePolicy" and item not in model.MERGE_POLICY_IDS:
            allowed = ", ".join(model.MERGE_POLICY_IDS)
            errors.append(FieldError(here, f"must be one of {allowed}; got {item!r}"))
        elif key not in ("label", "enabled", "mergePolicy"):
            errors.append(FieldError(here, f"unknown property {key!r}"))
    return errors


def set_extended_schema(registry: Registry, ws: str, body: Any) -> Doc:
    """PUT …/configuration/properties/extended: the schema every node checks ``extended``
    against from now on."""
    schema, where = _schema_of(body)
    if not isinstance(schema, dict):
        raise BadRequest.field(where, f"must be a JSON schema object, not {json_type(schema)}")
    errors = storable_errors(schema, where) + _contactlab_errors(schema, where)
    try:
        validate_node_settings({"extendedSchema": schema})
    except ValidationFailed as exc:
        errors.extend(
            FieldError(where + e.path.removeprefix("/extendedSchema"), e.message)
            for e in exc.errors
        )
    if errors:
        raise invalid("the extended properties schema", ValidationFailed(errors))
    with registry.write() as tx:
        stored = tx.workspace_config(ws) or {}
        _apply_to_nodes(registry, tx, ws, stored, lambda s: {**s, "extendedSchema": schema})
        tx.set_workspace_config(ws, stored)
    registry.forget_workspace(ws)
    return {"schema": schema}


# -- matching policy -------------------------------------------------------------------------
def _matching_document(settings: Mapping[str, Any]) -> Doc:
    matching = settings["matching"]
    return {"properties": list(matching["properties"]), "caseSensitive": matching["caseSensitive"]}


def get_matching_policy(registry: Registry, ws: str) -> Doc:
    """GET …/configuration/unique-customer-matching-policy: ``{properties, caseSensitive}``."""
    with registry.store.read() as tx:
        return _matching_document(_policy_settings(tx, ws))


def set_matching_policy(registry: Registry, ws: str, body: Any) -> Doc:
    """PUT …/configuration/unique-customer-matching-policy: the keys the body names become every
    node's (``properties``: dotted paths into base, or externalId)."""
    checked = _checked(model.MATCHING_INPUT, body, "the matching policy")
    if checked.get("properties") == []:
        raise BadRequest.field("/properties", "must name at least one property")
    with registry.write() as tx:
        stored = tx.workspace_config(ws) or {}
        _apply_to_nodes(registry, tx, ws, stored, _changed("matching", checked))
        tx.set_workspace_config(ws, stored)
        doc = _matching_document(_policy_settings(tx, ws, stored))
    registry.forget_workspace(ws)
    return doc


# -- entry nodes -----------------------------------------------------------------------------
_ENTRY_DESCRIPTIVE = ("name", "description", "imageUrl", "sourcePriority")


def _entry_document(node_id: str, entry: Mapping[str, Any] | None, settings: Any) -> Doc:
    entry = entry or {}
    mandatory = (settings or {}).get("mandatoryProperties") or []
    return {
        "id": node_id,
        "name": entry.get("name") or node_id,
        "description": entry.get("description"),
        "imageUrl": entry.get("imageUrl"),
        "sourcePriority": list(entry.get("sourcePriority") or []),
        "mandatoryProperties": list(mandatory),
    }


def _check_sources(ids: Any, known: set[str]) -> None:
    """400 for a ``sourcePriority`` naming an unknown source or one twice."""
    errors = []
    seen: set[str] = set()
    for index, source in enumerate(ids or []):
        where = pointer("/sourcePriority", index)
        if source not in known:
            errors.append(field_error(where, f"source not found: {source}"))
        elif source in seen:
            errors.append(field_error(where, f"source {source} is listed twice"))
        seen.add(source)
    if errors:
        raise BadRequest("the entry node is not valid", errors=errors)


def list_node_entries(
    registry: Registry, ws: str, *, page: int, size: int
) -> tuple[list[Doc], int]:
    """GET …/configuration/nodes/entries: a page of the workspace's nodes, oldest first."""
    with registry.store.read() as tx:
        nodes = tx.list_nodes(ws)
        shown, total = _page([{"id": node} for node in nodes], page, size)
        entries = tx.node_entries(ws)
        docs = [
            _entry_document(n["id"], entries.get(n["id"]), tx.node_settings(ws, n["id"]))
            for n in shown
        ]
    return docs, total


def get_node_entry(registry: Registry, ws: str, node_id: str) -> Doc:
    """GET …/configuration/nodes/entries/{id}."""
    with registry.store.read() as tx:
        settings = tx.node_settings(ws, node_id)
        if settings is None:
            raise node_not_found(node_id)
        return _entry_document(node_id, tx.node_entry(ws, node_id), settings)


def add_node_entry(registry: Registry, ws: str, body: Any) -> Doc:
    """POST …/configuration/nodes/entries: a new node (the hub picks its id), with the
    workspace's settings and the body's mandatory properties."""
    checked = _checked(model.ENTRY_NODE_INPUT, body, "the entry node")
    node_id = str(uuid.uuid4())
    entry = {key: checked[key] for key in _ENTRY_DESCRIPTIVE if key in checked}
    with registry.write() as tx:
        _check_sources(entry.get("sourcePriority"), {*tx.list_nodes(ws), node_id})
        settings = validate_node_settings(
            {
                **_policy_settings(tx, ws),
                "mandatoryProperties": checked.get("mandatoryProperties") or [],
            }
        )
        tx.ensure_node(ws, node_id, settings)
        tx.set_node_entry(ws, node_id, entry)
    return _entry_document(node_id, entry, settings)


def update_node_entry(registry: Registry, ws: str, node_id: str, body: Any) -> Doc:
    """PUT …/configuration/nodes/entries/{id}: the keys the body names change (``id`` is
    read-only); ``mandatoryProperties`` apply to the node's later customer writes."""
    checked = _checked(model.ENTRY_NODE_REPLACEMENT, body, "the entry node")
    with registry.write() as tx:
        settings = tx.node_settings(ws, node_id)
        if settings is None:
            raise node_not_found(node_id)
        entry = {**(tx.node_entry(ws, node_id) or {})}
        entry.update((key, checked[key]) for key in _ENTRY_DESCRIPTIVE if key in checked)
        _check_sources(checked.get("sourcePriority"), set(tx.list_nodes(ws)))
        if "mandatoryProperties" in checked:
            settings = validate_node_settings(
                {**settings, "mandatoryProperties": checked["mandatoryProperties"]}
            )
            registry.replace_node_settings(tx, ws, node_id, settings)
        tx.set_node_entry(ws, node_id, entry)
    registry.forget_workspace(ws)
    return _entry_document(node_id, entry, settings)


# -- sources ---------------------------------------------------------------------------------
def list_sources(
    registry: Registry, ws: str, token: str, *, page: int, size: int
) -> tuple[list[Doc], int]:
    """GET …/configuration/sources: one API source per node (see the module's docstring)."""
    with registry.store.read() as tx:
        nodes = tx.list_nodes(ws)
        entries = tx.node_entries(ws)
    sources: list[Doc] = [
        {
            "id": node,
            "provider": "API",
            "name": (entries.get(node) or {}).get("name") or node,
            "description": f"the API source of node {node}",
            "properties": {},
            "nodes": [node],
            "enabled": True,
            "token": token,
        }
        for node in nodes
    ]
    return _page(sources, page, size)


# -- models ----------------------------------------------------------------------------------
def base_properties_model() -> Doc:
    """GET …/models/properties/base."""
    return model.base_properties_model()


def contexts() -> Doc:
    """GET …/models/contexts."""
    return {"elements": model.contexts()}


def merge_policies() -> Doc:
    """GET …/models/merge-policies."""
    return {"elements": [dict(policy) for policy in model.MERGE_POLICIES]}


def providers() -> Doc:
    """GET …/models/providers."""
    return {"elements": model.providers()}
