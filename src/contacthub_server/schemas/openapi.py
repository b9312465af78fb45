"""The OpenAPI 3 document of the hub, built from the same specs the hub validates with.

Request bodies are described by the specs of :mod:`contacthub_server.schemas.customer` and
:mod:`contacthub_server.schemas.event`, so the document cannot drift from what the hub accepts;
answers are described by the same specs in their response form (open objects, the one date form
the hub writes).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from contacthub_server import __doc__ as _hub_summary
from contacthub_server.schemas import analytics
from contacthub_server.schemas import configuration as configuration_schema
from contacthub_server.schemas import customer as customer_schema
from contacthub_server.schemas import event as event_schema
from contacthub_server.schemas import session as session_schema
from contacthub_server.schemas.consents import CONSENT_LOG_KEYS, CONSENT_LOG_TYPES
from contacthub_server.schemas.event_catalog import BRING_BACK_TYPES, CONTEXTS, EVENT_TYPES, MODES
from contacthub_server.schemas.normalise import (
    BASE_KEYS,
    CUSTOMER_KEYS,
    EVENT_KEYS,
    ITEM_KEYS,
    SOURCE_KEYS,
)
from contacthub_server.schemas.paths import MAX_PATH_SEGMENTS
from contacthub_server.schemas.spec import DATE_TIME_PATTERN, Spec, Str
from contacthub_server.schemas.timezones import TIMEZONES

API_VERSION = "1.0.0"
"""The version of the OpenAPI document (``info.version``)."""
PREFIX = "/hub/v1/workspaces/{workspaceId}"
"""The path prefix of every workspace endpoint."""
ITEM_NAMES = {
    "educations": "Education",
    "likes": "Like",
    "jobs": "Job",
    "subscriptions": "Subscription",
}
"""Each kind of customer item, with the name of its schema in the document."""

_JSON = "application/json"


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {_JSON: {"schema": schema}}}


def _answer(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description}
    if schema is not None:
        answer.update(_json(schema))
    return answer


def _error(description: str) -> dict[str, Any]:
    return {"$ref": f"#/components/responses/{description}"}


_RESPONSE_TIME = {"type": "string", "pattern": DATE_TIME_PATTERN, "nullable": True}


def _customer_response() -> dict[str, Any]:
    fields = {
        key: spec.json_schema(response=True)
        for key, spec in customer_schema.CUSTOMER_FIELDS.items()
    }
    base = customer_schema.BASE.json_schema(response=True)
    base["required"] = list(BASE_KEYS)
    base.pop("nullable", None)
    fields["base"] = base
    fields["nodeId"] = {"type": "string"}
    properties = {
        "id": {"type": "string"},
        **fields,
        "sourceInfo": {
            "type": "object",
            "nullable": True,  # null only in a `fields` projection
            "description": "the sources (in the hub: nodes) that created and last changed it",
            "required": ["registeredBy", "updatedBy"],
            "properties": {
                "registeredBy": {"type": "string", "nullable": True},
                "updatedBy": {"type": "string", "nullable": True},
            },
        },
        "registeredAt": _RESPONSE_TIME,
        "updatedAt": _RESPONSE_TIME,
    }
    return {
        "type": "object",
        "description": "A customer as the hub answers: every key present, unset ones null or [].",
        "required": list(CUSTOMER_KEYS),
        "properties": {key: properties[key] for key in CUSTOMER_KEYS},
    }


def _without_required(schema: Any) -> Any:
    """``schema`` with no ``required`` list at any depth (a copy)."""
    if isinstance(schema, dict):
        return {k: _without_required(v) for k, v in schema.items() if k != "required"}
    if isinstance(schema, list):
        return [_without_required(v) for v in schema]
    return schema


def _customer_projection() -> dict[str, Any]:
    schema: dict[str, Any] = _without_required(_customer_response())
    schema["required"] = ["id"]
    schema["description"] = (
        "A customer reduced by `fields`: `id` and the requested paths that have a value, nothing "
        "else (no null placeholders); through a list, each item with the requested properties "
        "only, and no item that has none of them."
    )
    return schema


_CUSTOMER_INPUTS = {
    "post": "A new customer: nodeId and at least one of externalId, base and extended.",
    "put": "The whole customer, replacing every stored property: nodeId (the customer's own "
    "node: a customer never moves) and at least one of externalId, base and extended.",
    "patch": "Properties to change: objects are merged key by key, arrays replace the stored "
    "ones whole, null unsets.",
}


def _customer_request(method: str) -> dict[str, Any]:
    schema = customer_schema.CUSTOMER.json_schema()
    for key in customer_schema.READ_ONLY_FIELDS:
        schema["properties"][key] = {
            "description": "accepted and ignored: the server's value is kept"
        }
    schema.pop("nullable", None)
    if method != "patch":
        # At least one of these must be given and not null.
        schema["anyOf"] = [
            {"required": [key], "properties": {key: {"type": kind}}}
            for key, kind in (("externalId", "string"), ("base", "object"), ("extended", "object"))
        ]
    if method == "put":
        schema["properties"]["nodeId"]["description"] = (
            "the customer's node (another node is refused with a 400)"
        )
    if method == "patch":
        schema.pop("required", None)
        schema["properties"]["nodeId"] = {
            "type": "string",
            "minLength": 1,
            "nullable": True,
            "description": "absent or null: the customer's node; another node is refused (400)",
        }
    if method == "patch":
        # Unsetting all three would leave an empty customer.
        schema["not"] = {
            "required": ["externalId", "base", "extended"],
            "properties": {key: {"enum": [None]} for key in ("externalId", "base", "extended")},
        }
    schema["description"] = _CUSTOMER_INPUTS[method]
    return schema


def _session_request() -> dict[str, Any]:
    schema = session_schema.SESSION.json_schema()
    schema["properties"]["id"] = {"description": "accepted and ignored: the server's value is kept"}
    schema["description"] = "The session's value, any string; other keys are ignored."
    return schema


def _item_response(kind: str) -> dict[str, Any]:
    schema = customer_schema.ITEMS[kind].json_schema(response=True)
    schema.pop("nullable", None)
    schema["required"] = list(ITEM_KEYS[kind])
    return schema


def _item_request(kind: str, *, replacement: bool = False) -> dict[str, Any]:
    schema = customer_schema.ITEM_BODIES[kind].json_schema()
    schema.pop("nullable", None)
    if replacement:  # the id is the path's
        schema["properties"]["id"] = {"description": "accepted and ignored: the path's id is used"}
    else:
        schema["properties"]["id"]["description"] = "absent: the hub gives the item a new UUID"
    return schema


def _grouped(specs: Mapping[str, Spec]) -> list[tuple[list[str], dict[str, Any]]]:
    """The distinct schemas of ``specs``, each with the names sharing it."""
    groups: dict[str, tuple[list[str], dict[str, Any]]] = {}
    for name, spec in specs.items():
        schema = spec.json_schema()
        groups.setdefault(json.dumps(schema, sort_keys=True), ([], schema))[0].append(name)
    return list(groups.values())


def _event_request(schemas: dict[str, Any]) -> dict[str, Any]:
    """The posted event; the per-type ``properties`` and per-context ``contextInfo`` schemas
    are added to ``schemas``. They are the rules of a node with strict event properties (the
    default); a node that relaxes them accepts more."""
    fields = {key: spec.json_schema() for key, spec in event_schema.EVENT_FIELDS.items()}
    fields["tracking"] = event_schema.TRACKING.json_schema()
    for key in event_schema.READ_ONLY_FIELDS:
        fields[key] = {"description": "accepted and ignored: the server's value is kept"}
    owners = {
        "customerId": {"type": "string", "minLength": 1},
        "bringBackProperties": {**fields["bringBackProperties"], "nullable": False},
    }
    # One branch per group of types sharing their properties (the type decides the properties)
    # and per group of contexts sharing their contextInfo. "Exactly one owner" is said in words
    # only: as a third choice it would multiply the branches past what a generator handles.
    contexts = []
    for names, context_info in _grouped(event_schema.CONTEXT_INFO):
        name = f"EventContextInfo_{names[0]}"
        schemas[name] = {**context_info, "description": "contextInfo of " + ", ".join(names)}
        contexts.append((names, name))
    shared = {
        **fields,
        "customerId": {**owners["customerId"], "nullable": True},
        "bringBackProperties": fields["bringBackProperties"],
    }
    for key in [key for key in shared if key not in ("type", "context")]:
        schemas[f"EventField_{key}"] = shared[key]
        shared[key] = _ref(f"EventField_{key}")
    branches = []
    for types, properties in _grouped(event_schema.PROPERTIES):
        name = f"EventProperties_{types[0]}"
        schemas[name] = {**properties, "description": "properties of " + ", ".join(types)}
        for context_names, context_schema in contexts:
            branch_fields = {
                **shared,
                "type": {"type": "string", "enum": types},
                "context": {"type": "string", "enum": context_names},
                "properties": _ref(name),
                # null or left out: an empty contextInfo
                "contextInfo": {"allOf": [_ref(context_schema)], "nullable": True},
            }
            branches.append(
                {
                    "type": "object",
                    "required": ["type", "context", "properties"],
                    "properties": branch_fields,
                    "additionalProperties": False,
                }
            )
    return {
        "description": "An event: its type decides its properties, its context its contextInfo "
        "(the vendor's schemas; a node with events.strictProperties = false keeps unknown keys). "
        "Exactly one owner: a customerId or bringBackProperties, the other one absent or null.",
        "anyOf": branches,
    }


def _event_response() -> dict[str, Any]:
    bring_back = event_schema.BRING_BACK.json_schema(response=True)
    properties: dict[str, Any] = {
        "id": {"type": "string"},
        "customerId": {"type": "string", "nullable": True},
        "bringBackProperties": bring_back,
        "type": {"type": "string", "enum": list(EVENT_TYPES)},
        "context": {"type": "string", "enum": list(CONTEXTS)},
        "date": {"type": "string", "pattern": DATE_TIME_PATTERN},
        "properties": {"type": "object"},
        "contextInfo": {"type": "object"},
        "tracking": event_schema.TRACKING.json_schema(response=True),
        "registeredAt": _RESPONSE_TIME,
        "updatedAt": _RESPONSE_TIME,
    }
    return {
        "type": "object",
        "required": list(EVENT_KEYS),
        "properties": {key: properties[key] for key in EVENT_KEYS},
    }


def _source_response() -> dict[str, Any]:
    """A SourceCustomer: the customer's properties as its node (its one source) holds them."""
    customer = _customer_response()["properties"]
    properties = {"id": {"type": "string", "description": "the source id: the customer's node"}}
    properties.update((key, customer[key]) for key in SOURCE_KEYS)
    properties["nodeId"] = {"type": "string"}
    return {
        "type": "object",
        "description": "The customer as one source (node) recorded it; in the hub a customer "
        "has one source, the node it belongs to.",
        "required": list(properties),
        "properties": properties,
    }


def _page(item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["elements", "page"],
        "properties": {"elements": {"type": "array", "items": _ref(item)}, "page": _ref("Page")},
    }


def _components() -> dict[str, Any]:
    schemas: dict[str, Any] = {
        "Customer": _customer_response(),
        "CustomerInput": _customer_request("post"),
        "CustomerReplacement": _customer_request("put"),
        "CustomerPatch": _customer_request("patch"),
        "CustomerPage": {
            "type": "object",
            "description": "Complete customers, or with `fields` customers reduced to them.",
            "required": ["elements", "page"],
            "properties": {
                "elements": {
                    "type": "array",
                    "items": {"anyOf": [_ref("Customer"), _ref("CustomerFields")]},
                },
                "page": _ref("Page"),
            },
        },
        "CustomerFields": _customer_projection(),
        "CustomerFieldsPage": _page("CustomerFields"),
        "SourceCustomer": _source_response(),
        "SourceCustomerList": {
            "type": "object",
            "required": ["elements"],
            "properties": {"elements": {"type": "array", "items": _ref("SourceCustomer")}},
        },
        "Event": _event_response(),
        "EventPage": _page("Event"),
        "EventCreated": {
            "type": "object",
            "required": ["id"],
            "properties": {"id": {"type": "string"}},
        },
        "Session": {
            "type": "object",
            "required": ["id", "value"],
            "properties": {"id": {"type": "string"}, "value": {"type": "string"}},
        },
        "SessionInput": _session_request(),
        "SessionList": {
            "type": "object",
            "required": ["elements"],
            "properties": {"elements": {"type": "array", "items": _ref("Session")}},
        },
        "Page": {
            "type": "object",
            "required": [
                "size",
                "totalElements",
                "totalUnfilteredElements",
                "totalPages",
                "number",
            ],
            "properties": {
                "size": {"type": "integer", "minimum": 1, "maximum": 50},
                "totalElements": {"type": "integer", "minimum": 0},
                "totalUnfilteredElements": {"type": "integer", "minimum": 0},
                "totalPages": {"type": "integer", "minimum": 0},
                "number": {"type": "integer", "minimum": 0, "description": "0-based"},
            },
        },
        "Error": {
            "type": "object",
            "required": ["message", "logref", "data", "errors"],
            "properties": {
                "message": {"type": "string"},
                "logref": {"type": "string", "description": "quote it when reporting a problem"},
                "data": {"type": "object", "nullable": True},
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["message", "path", "data", "code"],
                        "properties": {
                            "message": {"type": "string"},
                            "path": {
                                "type": "string",
                                "description": "JSON pointer of the field, or the name of the "
                                "query parameter",
                            },
                            "data": {"nullable": True},
                            "code": {"type": "string", "nullable": True},
                        },
                    },
                },
            },
        },
    }
    schemas["EventInput"] = _event_request(schemas)
    schemas.update(_segment_components())
    schemas.update(_feed_schemas())
    schemas.update(_configuration_components())
    schemas.update(_analytics_schemas())
    for kind, name in ITEM_NAMES.items():
        schemas[name] = _item_response(kind)
        schemas[f"{name}Input"] = _item_request(kind)
        schemas[f"{name}Replacement"] = _item_request(kind, replacement=True)

    retry_after = {
        "Retry-After": {
            "description": "seconds to wait before retrying",
            "schema": {"type": "integer"},
        }
    }
    errors = {
        "BadRequest": "The request or its body is invalid; errors[] names each problem.",
        "Unauthorized": "No bearer token, or an unknown one.",
        "Forbidden": "The token does not give access to this workspace.",
        "NotFound": "No such node, customer, item, session, source, event or event type.",
        "MethodNotAllowed": "The path does not support this method.",
        "Conflict": "The write collides with a stored customer, item or session.",
        "PayloadTooLarge": "The body is larger than the hub accepts.",
        "TooManyRequests": "Injected fault (only with --fault-rate).",
        "ServiceUnavailable": "Injected fault (only with --fault-rate).",
    }
    responses: dict[str, Any] = {
        name: _answer(text, _ref("Error")) for name, text in errors.items()
    }
    for name in ("TooManyRequests", "ServiceUnavailable"):
        responses[name]["headers"] = retry_after
    return {
        "schemas": schemas,
        "responses": responses,
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
    }


def _parameter(
    name: str, where: str, description: str, *, required: bool = False, **schema: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": required or where == "path",
        "description": description,
        "schema": schema or {"type": "string"},
    }


def _any_case(word: str) -> str:
    """A pattern matching ``word`` in any letter case (OpenAPI patterns have no flags)."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)


def _comma_list_pattern(values: Any) -> str:
    """A pattern for a comma list of ``values``; spaces around items and empty items are ignored."""
    one = "(" + "|".join(values) + ")"
    return rf"^ *{one}? *(, *{one}? *)*$"


_PATH = rf"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){{0,{MAX_PATH_SEGMENTS - 1}}}"


_PAGING = [
    _parameter(
        "page",
        "query",
        "0-based page number",
        type="integer",
        minimum=0,
        maximum=10**18 - 1,  # at most 18 digits: any larger page is past the end anyway
    ),
    _parameter("size", "query", "page size (default 10)", type="integer", minimum=1, maximum=50),
]


_SESSION_ID = _parameter(
    "sessionId",
    "query",
    "a session to link to the customer written: its anonymous events join the customer, as "
    "with POST …/sessions (409 when another customer has it; empty = absent)",
    type="string",
    maxLength=512,
)


def _operation(
    summary: str,
    answers: dict[str, Any],
    *,
    body: str | None = None,
    parameters: list[dict[str, Any]] | None = None,
    conflict: bool = False,
) -> dict[str, Any]:
    responses: dict[str, Any] = dict(answers)
    if body is not None or parameters:
        responses["400"] = _error("BadRequest")
    responses.update(
        {
            "401": _error("Unauthorized"),
            "403": _error("Forbidden"),
            "404": _error("NotFound"),
            "405": _error("MethodNotAllowed"),
        }
    )
    if conflict:
        responses["409"] = _error("Conflict")
    if body is not None:
        responses["413"] = _error("PayloadTooLarge")
    responses["429"] = _error("TooManyRequests")
    responses["503"] = _error("ServiceUnavailable")
    operation: dict[str, Any] = {"summary": summary, "responses": responses}
    if parameters:
        operation["parameters"] = parameters
    if body is not None:
        operation["requestBody"] = {"required": True, **_json(_ref(body))}
    return operation


def _paths() -> dict[str, Any]:
    customer = f"{PREFIX}/customers/{{customerId}}"
    paths: dict[str, Any] = {
        f"{PREFIX}/customers": {
            "get": _operation(
                "List the customers of a node",
                {"200": _answer("A page of customers", _ref("CustomerPage"))},
                parameters=[
                    _parameter(
                        "nodeId", "query", "the node", required=True, type="string", minLength=1
                    ),
                    _parameter("externalId", "query", "only customers with this externalId"),
                    _parameter(
                        "query",
                        "query",
                        'a query document as JSON text: {"name": ..., "query": {"type": '
                        '"simple", "are": {"condition": ...}} or {"type": "combined", '
                        '"conjunction": "INTERSECT|UNION|EXCEPT", "queries": [...]}}; '
                        "conditions are atomic (attribute, operator, value) or composite "
                        "(and/or of conditions). name (a string) and query are required: a "
                        "bare query is refused (400)",
                    ),
                    _parameter(
                        "fields",
                        "query",
                        "comma list of dotted paths to return with the id, nothing else",
                        type="string",
                        pattern=f"^{_PATH}(,{_PATH})*$",
                    ),
                    _parameter(
                        "sort",
                        "query",
                        "path[,asc|desc]; repeatable",
                        type="string",
                        pattern=f"^{_PATH}(,{_any_case('asc')}|,{_any_case('desc')})?$",
                    ),
                    *_PAGING,
                ],
            ),
            "post": _operation(
                "Create a customer",
                {
                    "201": _answer(
                        "The new (or, under MERGE, the merged) customer", _ref("Customer")
                    )
                },
                body="CustomerInput",
                parameters=[_SESSION_ID],
                conflict=True,
            ),
        },
        customer: {
            "get": _operation(
                "Read a customer", {"200": _answer("The customer", _ref("Customer"))}
            ),
            "put": _operation(
                "Replace a customer",
                {"200": _answer("The customer as replaced", _ref("Customer"))},
                body="CustomerReplacement",
                parameters=[_SESSION_ID],
                conflict=True,
            ),
            "patch": _operation(
                "Change some properties of a customer",
                {"200": _answer("The customer as changed", _ref("Customer"))},
                body="CustomerPatch",
                parameters=[_SESSION_ID],
                conflict=True,
            ),
            "delete": _operation(
                "Delete a customer and its events",
                {"200": _answer("Deleted (empty body, as the recorded API answers)")},
            ),
        },
        f"{customer}/sessions": {
            "get": _operation(
                "List the sessions of a customer",
                {"200": _answer("Every session (not paged)", _ref("SessionList"))},
            ),
            "post": _operation(
                "Link a session to a customer (its anonymous events join the customer)",
                {"201": _answer("The session", _ref("Session"))},
                body="SessionInput",
                conflict=True,
            ),
        },
        f"{customer}/sessions/{{sessionId}}": {
            "get": _operation("Read a session", {"200": _answer("The session", _ref("Session"))}),
            "delete": _operation("Unlink a session", {"200": _answer("Deleted (empty body)")}),
        },
        f"{customer}/sources": {
            "get": _operation(
                "List the sources of a customer (in the hub: its node)",
                {"200": _answer("Every source (not paged)", _ref("SourceCustomerList"))},
            ),
        },
        f"{customer}/sources/{{sourceId}}": {
            "get": _operation(
                "Read a source of a customer (the source id is the customer's node id)",
                {"200": _answer("The source", _ref("SourceCustomer"))},
            ),
        },
        f"{PREFIX}/events": {
            "get": _operation(
                "List events, newest first",
                {"200": _answer("A page of events", _ref("EventPage"))},
                parameters=[
                    _parameter("customerId", "query", "only this customer's events"),
                    _parameter("nodeId", "query", "only events of this node"),
                    _parameter(
                        "type",
                        "query",
                        "one event type or a comma list",
                        type="string",
                        pattern=_comma_list_pattern(EVENT_TYPES),
                    ),
                    _parameter(
                        "context",
                        "query",
                        "one context or a comma list",
                        type="string",
                        pattern=_comma_list_pattern(CONTEXTS),
                    ),
                    _parameter(
                        "mode",
                        "query",
                        "ACTIVE or PASSIVE (any letter case)",
                        type="string",
                        pattern="^(" + "|".join(_any_case(mode) for mode in MODES) + ")?$",
                    ),
                    _parameter(
                        "dateFrom",
                        "query",
                        "earliest date: any accepted date-time form, or epoch milliseconds",
                        type="string",
                        format="date-time",
                    ),
                    _parameter(
                        "dateTo",
                        "query",
                        "latest date: any accepted date-time form, or epoch milliseconds",
                        type="string",
                        format="date-time",
                    ),
                    *_PAGING,
                ],
            ),
            "post": _operation(
                "Record an event",
                {"202": _answer("Accepted and stored", _ref("EventCreated"))},
                body="EventInput",
            ),
        },
        f"{PREFIX}/events/{{eventId}}": {
            "get": _operation("Read an event", {"200": _answer("The event", _ref("Event"))}),
            "put": _operation(
                "Replace an event (id and registeredAt are kept)",
                {"202": _answer("The event as replaced", _ref("Event"))},
                body="EventInput",
            ),
            "delete": _operation("Delete an event", {"204": _answer("Deleted")}),
        },
    }
    for kind, name in ITEM_NAMES.items():
        created = "201" if kind == "subscriptions" else "200"
        paths[f"{customer}/{kind}"] = {
            "post": _operation(
                f"Add a {name.lower()} to a customer (the id is the client's)",
                {created: _answer(f"The {name.lower()}", _ref(name))},
                body=f"{name}Input",
                conflict=True,
            )
        }
        paths[f"{customer}/{kind}/{{itemId}}"] = {
            "get": _operation(f"Read a {name.lower()}", {"200": _answer("The item", _ref(name))}),
            "put": _operation(
                f"Replace a {name.lower()}",
                {"200": _answer("The item as replaced", _ref(name))},
                body=f"{name}Replacement",
            ),
            "delete": _operation(
                f"Remove a {name.lower()}", {"200": _answer("Removed (empty body)")}
            ),
        }
    paths.update(_segment_paths())
    paths.update(_feed_paths())
    paths.update(_configuration_paths())
    paths.update(_analytics_paths())
    for path, item in paths.items():
        names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
        item["parameters"] = [_parameter(name, "path", f"the {name}") for name in names]
    return paths


def _segment_components() -> dict[str, Any]:
    query = {
        "type": "object",
        "description": "a simple or combined query of the query language (what goes inside "
        'the {"name", "query"} document of GET …/customers)',
    }
    segment_input: dict[str, Any] = {
        "type": "object",
        "required": ["name", "query"],
        "properties": {
            "name": Str(nullable=False, min_length=1, max_length=256).json_schema(),
            "query": query,
            "enabled": {"type": "boolean", "default": True},
        },
        "additionalProperties": False,
    }
    replacement = {
        **segment_input,
        "properties": {
            **segment_input["properties"],
            "id": {"type": "string", "description": "optional; must be the id of the URL"},
        },
    }
    date_time = {"type": "string", "pattern": DATE_TIME_PATTERN}
    segment = {
        "type": "object",
        "required": ["id", "name", "query", "enabled", "createdAt", "updatedAt"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "query": query,
            "enabled": {"type": "boolean"},
            "createdAt": date_time,
            "updatedAt": date_time,
        },
    }
    permission = {"type": "string", "enum": ["R", "RW", "W"]}
    workspace = {
        "type": "object",
        "required": ["id", "name", "nodes"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "nodes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "permission"],
                    "properties": {"id": {"type": "string"}, "permission": permission},
                },
            },
        },
    }
    group = {
        "type": "object",
        "required": ["id", "name", "workspaces"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "workspaces": {"type": "array", "items": workspace},
        },
    }
    return {
        "Segment": segment,
        "SegmentInput": segment_input,
        "SegmentReplacement": replacement,
        "SegmentPage": _page("Segment"),
        "SegmentCreated": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1,
            "items": _ref("Segment"),
            "description": "the new segment, in a list (as the API reference answers it)",
        },
        "UserInfo": {
            "type": "object",
            "required": ["id", "name", "surname", "groups"],
            "properties": {
                "id": {"type": "string"},
                "name": {"type": "string"},
                "surname": {"type": "string"},
                "groups": {"type": "array", "items": group},
            },
        },
    }


def _segment_paths() -> dict[str, Any]:
    segment = f"{PREFIX}/segments/{{segmentId}}"
    return {
        "/hub/v1/me": {
            "get": _operation(
                "The token's user, its workspace and nodes",
                {"200": _answer("The user", _ref("UserInfo"))},
            )
        },
        f"{PREFIX}/segments": {
            "get": _operation(
                "List the workspace's segments",
                {"200": _answer("A page of segments", _ref("SegmentPage"))},
                parameters=[
                    _parameter("name", "query", "only segments with this whole name"),
                    *_PAGING,
                ],
            ),
            "post": _operation(
                "Save a segment (a named customer query)",
                {"201": _answer("The new segment, in a list", _ref("SegmentCreated"))},
                body="SegmentInput",
            ),
        },
        segment: {
            "get": _operation("Read a segment", {"200": _answer("The segment", _ref("Segment"))}),
            "put": _operation(
                "Replace a segment (id and createdAt are kept)",
                {"200": _answer("The segment as replaced", _ref("Segment"))},
                body="SegmentReplacement",
            ),
            "delete": _operation(
                "Delete a segment", {"200": _answer("The deleted segment", _ref("Segment"))}
            ),
        },
        f"{segment}/customers": {
            "get": _operation(
                "The node's customers the segment's query finds now",
                {"200": _answer("A page of customers", _ref("CustomerFieldsPage"))},
                parameters=[
                    _parameter(
                        "nodeId", "query", "the node", required=True, type="string", minLength=1
                    ),
                    _parameter(
                        "fields",
                        "query",
                        "comma list of dotted paths to return (required, as in the reference)",
                        required=True,
                        type="string",
                        pattern=f"^{_PATH}(,{_PATH})*$",
                    ),
                    _parameter(
                        "sort",
                        "query",
                        "path[,asc|desc]; repeatable",
                        type="string",
                        pattern=f"^{_PATH}(,{_any_case('asc')}|,{_any_case('desc')})?$",
                    ),
                    *_PAGING,
                ],
            )
        },
    }


def _feed_schemas() -> dict[str, Any]:
    """The change feed's and the consent register's answers (issue 9)."""
    nullable_text = {"type": "string", "nullable": True}
    return {
        "Update": {
            "type": "object",
            "required": ["operation", "entity"],
            "additionalProperties": False,
            "properties": {
                "operation": {"type": "string", "enum": ["CREATE", "UPDATE", "DELETE"]},
                "entity": {
                    "type": "object",
                    "required": ["type", "data"],
                    "additionalProperties": False,
                    "properties": {
                        "type": {"type": "string", "enum": ["CUSTOMER", "EVENT"]},
                        "data": {"type": "object", "description": "the customer or event"},
                    },
                },
            },
        },
        "UpdatesPage": {
            "type": "object",
            "required": ["nextOffset", "updates"],
            "additionalProperties": False,
            "properties": {
                "nextOffset": {"type": "integer", "minimum": 0},
                "updates": {"type": "array", "items": _ref("Update")},
            },
        },
        "LastOffset": {
            "type": "object",
            "required": ["lastOffset"],
            "additionalProperties": False,
            "properties": {"lastOffset": {"type": "integer", "minimum": 0}},
        },
        "ConsentLog": {
            "type": "object",
            "required": list(CONSENT_LOG_KEYS),
            "properties": {
                "id": {"type": "integer"},
                "customerId": {"type": "string"},
                "date": {"type": "string", "pattern": DATE_TIME_PATTERN},
                "type": {"type": "string", "enum": list(CONSENT_LOG_TYPES)},
                "property": nullable_text,
                "value": nullable_text,
                "sourceId": nullable_text,
                "userId": {"type": "integer", "nullable": True},
            },
        },
        "ConsentLogPage": _page("ConsentLog"),
    }


def _feed_paths() -> dict[str, Any]:
    entity = _parameter(
        "entity",
        "query",
        "only CUSTOMER or only EVENT changes",
        type="string",
        enum=["CUSTOMER", "EVENT"],
    )
    node = _parameter("nodeId", "query", "only changes of entities of this node")
    big = 10**18 - 1
    return {
        f"{PREFIX}/updates": {
            "get": _operation(
                "Read the change feed: every create, update and delete, in commit order",
                {"200": _answer("The changes after offset", _ref("UpdatesPage"))},
                parameters=[
                    _parameter(
                        "offset",
                        "query",
                        "the last offset already read (default 0)",
                        type="integer",
                        minimum=0,
                        maximum=big,
                    ),
                    _parameter(
                        "timestamp",
                        "query",
                        "without offset: start at this epoch ms",
                        type="integer",
                        minimum=0,
                        maximum=big,
                    ),
                    _parameter(
                        "size",
                        "query",
                        "page size (default 50)",
                        type="integer",
                        minimum=0,
                        maximum=4000,
                    ),
                    node,
                    entity,
                ],
            )
        },
        f"{PREFIX}/updates/last-offset": {
            "get": _operation(
                "The offset of the last change",
                {"200": _answer("The last offset", _ref("LastOffset"))},
                parameters=[node, entity],
            )
        },
        f"{PREFIX}/consent-logs": {
            "get": _operation(
                "List the consent register, oldest first",
                {"200": _answer("A page of consent changes", _ref("ConsentLogPage"))},
                parameters=[
                    _parameter("customerId", "query", "only this customer's entries"),
                    _parameter(
                        "startDate",
                        "query",
                        "earliest day (or date-time)",
                        type="string",
                        format="date",
                    ),
                    _parameter(
                        "endDate",
                        "query",
                        "latest day, inclusive (or date-time)",
                        type="string",
                        format="date",
                    ),
                    _parameter(
                        "type",
                        "query",
                        "one kind of entry",
                        type="string",
                        enum=list(CONSENT_LOG_TYPES),
                    ),
                    _parameter("property", "query", "one consent property (dotted path)"),
                    _parameter(
                        "sort",
                        "query",
                        "date or id, [,asc|desc]",
                        type="string",
                        pattern=f"^(date|id)(,{_any_case('asc')}|,{_any_case('desc')})?$",
                    ),
                    *_PAGING,
                ],
            )
        },
        f"{PREFIX}/consent-logs/{{logId}}": {
            "get": _operation(
                "Read one consent register entry",
                {"200": _answer("The entry", _ref("ConsentLog"))},
            )
        },
    }


def _closed(properties: dict[str, Any], *required: str) -> dict[str, Any]:
    """An answer object with these properties, each always present."""
    return {"type": "object", "required": list(required or properties), "properties": properties}


def _request(spec: Spec, description: str) -> dict[str, Any]:
    schema = spec.json_schema()
    schema.pop("nullable", None)
    schema["description"] = description
    return schema


def _configuration_components() -> dict[str, Any]:
    """The documents of ``…/configuration/*`` and ``…/models/*``."""
    text = {"type": "string"}
    nullable_text = {"type": "string", "nullable": True}
    schema = {"type": "object", "description": "a JSON schema"}
    strings = {"type": "array", "items": text}
    workspace = _closed(
        {
            "name": text,
            "industry": {"type": "string", "enum": list(configuration_schema.INDUSTRIES)},
            "logo": nullable_text,
            "timezone": text,
            "currency": text,
            "customerUniquenessPolicy": {
                "type": "string",
                "enum": list(configuration_schema.UNIQUENESS_POLICIES),
            },
            "tier": {"type": "integer", "nullable": True},
        }
    )
    workspace_input = _request(
        configuration_schema.WORKSPACE_INPUT,
        "The parameters to change (the others keep their values); tier is read-only and "
        "ignored; customerUniquenessPolicy becomes the matching mode of every node.",
    )
    workspace_input["properties"]["tier"] = {"description": "read-only: accepted and ignored"}
    event_type = _closed(
        {
            "id": text,
            "type": {"type": "string", "enum": list(EVENT_TYPES)},
            "mode": {"type": "string", "enum": list(MODES)},
            "label": text,
            "description": text,
            "propertiesSchema": schema,
            "enabled": {"type": "boolean"},
        }
    )
    event_type_input = _request(
        configuration_schema.EVENT_TYPE_INPUT,
        "Only enabled is writable; the other keys of an event type may be sent back and are "
        "ignored.",
    )
    for key in ("id", "type", "mode", "label", "description", "propertiesSchema"):
        event_type_input["properties"][key] = {"description": "read-only: accepted and ignored"}
    matching_input = _request(
        configuration_schema.MATCHING_INPUT,
        "The keys to change: properties (dotted paths into base, or externalId) and "
        "caseSensitive, applied to every node.",
    )
    matching_input["properties"]["properties"]["minItems"] = 1
    entry_fields = {
        "id": text,
        "name": text,
        "description": nullable_text,
        "imageUrl": nullable_text,
        "sourcePriority": strings,
        "mandatoryProperties": strings,
    }
    entry_inputs = {}
    for name, spec, description in (
        (
            "EntryNodeInput",
            configuration_schema.ENTRY_NODE_INPUT,
            "A new node: the hub picks its id. sourcePriority lists sources of the workspace "
            "(in the hub: node ids); customers of the node must have its mandatoryProperties.",
        ),
        (
            "EntryNodeReplacement",
            configuration_schema.ENTRY_NODE_REPLACEMENT,
            "The keys to change (id is read-only and ignored).",
        ),
    ):
        entry = _request(spec, description)
        entry["properties"]["id"] = {"description": "read-only: accepted and ignored"}
        entry["properties"]["sourcePriority"]["uniqueItems"] = True
        entry_inputs[name] = entry
    source = _closed(
        {
            "id": {"type": "string", "description": "in the hub, the id of the source's node"},
            "provider": {"type": "string", "enum": ["API"]},
            "name": text,
            "description": nullable_text,
            "properties": {"type": "object"},
            "nodes": strings,
            "enabled": {"type": "boolean"},
            "token": {"type": "string", "description": "a token reaching the source"},
        }
    )

    def listing(item: dict[str, Any]) -> dict[str, Any]:
        return _closed({"elements": {"type": "array", "items": item}})

    return {
        "WorkspaceConfiguration": workspace,
        "WorkspaceConfigurationInput": workspace_input,
        "EventConfiguration": event_type,
        "EventConfigurationPage": _page("EventConfiguration"),
        "EventConfigurationInput": event_type_input,
        "BasePropertyList": listing(
            _closed({"name": text, "description": text, "enabled": {"type": "boolean"}})
        ),
        "ExtendedProperties": _closed({"schema": schema}),
        "ExtendedPropertiesInput": {
            "description": "The JSON schema of extended: the schema itself, "
            '{"schema": <schema>} as GET answers it, or either as JSON text. Each property '
            "may carry contactlabProperties {label, enabled, mergePolicy}.",
            "anyOf": [{"type": "object"}, {"type": "string"}],
        },
        "MatchingPolicy": _closed({"properties": strings, "caseSensitive": {"type": "boolean"}}),
        "MatchingPolicyInput": matching_input,
        "EntryNode": _closed(entry_fields),
        "EntryNodePage": _page("EntryNode"),
        **entry_inputs,
        "SourceConfiguration": source,
        "SourceConfigurationPage": _page("SourceConfiguration"),
        "BasePropertyModel": _closed({"schema": schema}),
        "ContextList": listing(
            _closed({"id": text, "label": text, "description": text, "propertiesSchema": schema})
        ),
        "MergePolicyList": listing(
            _closed({"id": text, "label": text, "description": text, "supportedTypes": strings})
        ),
        "ProviderList": listing(
            _closed(
                {
                    "id": text,
                    "label": text,
                    "description": text,
                    "propertiesSchema": {"type": "object"},
                }
            )
        ),
    }


def _configuration_paths() -> dict[str, Any]:
    configuration = f"{PREFIX}/configuration"
    models = f"{PREFIX}/models"
    paging = [
        _PAGING[0],
        _parameter(
            "size", "query", "page size (default 20)", type="integer", minimum=1, maximum=50
        ),
    ]

    def read(summary: str, name: str, **kwargs: Any) -> dict[str, Any]:
        return {"get": _operation(summary, {"200": _answer(summary, _ref(name))}, **kwargs)}

    def write(summary: str, name: str, body: str) -> dict[str, Any]:
        return _operation(summary, {"200": _answer("As changed", _ref(name))}, body=body)

    return {
        configuration: {
            **read("The workspace's parameters", "WorkspaceConfiguration"),
            "put": write(
                "Change the workspace's parameters",
                "WorkspaceConfiguration",
                "WorkspaceConfigurationInput",
            ),
        },
        f"{configuration}/events": read(
            "The event types, with mode, label and enabled flag",
            "EventConfigurationPage",
            parameters=paging,
        ),
        f"{configuration}/events/{{eventTypeId}}": {
            **read("An event type", "EventConfiguration"),
            "put": write(
                "Enable or disable an event type (POST …/events refuses a disabled one)",
                "EventConfiguration",
                "EventConfigurationInput",
            ),
        },
        f"{configuration}/properties/base": read("The base properties", "BasePropertyList"),
        f"{configuration}/properties/extended": {
            **read("The JSON schema of extended", "ExtendedProperties"),
            "put": write(
                "Set the JSON schema every node checks extended against",
                "ExtendedProperties",
                "ExtendedPropertiesInput",
            ),
        },
        f"{configuration}/unique-customer-matching-policy": {
            **read("What identifies a customer", "MatchingPolicy"),
            "put": write(
                "Change what identifies a customer, on every node",
                "MatchingPolicy",
                "MatchingPolicyInput",
            ),
        },
        f"{configuration}/nodes/entries": {
            **read("The workspace's nodes", "EntryNodePage", parameters=paging),
            "post": _operation(
                "Create a node",
                {"201": _answer("The new node", _ref("EntryNode"))},
                body="EntryNodeInput",
            ),
        },
        f"{configuration}/nodes/entries/{{entryId}}": {
            **read("A node", "EntryNode"),
            "put": write("Change a node", "EntryNode", "EntryNodeReplacement"),
        },
        f"{configuration}/sources": read(
            "The workspace's sources (in the hub: one API source per node)",
            "SourceConfigurationPage",
            parameters=paging,
        ),
        f"{models}/properties/base": read("The JSON schema of base", "BasePropertyModel"),
        f"{models}/contexts": read("The event contexts", "ContextList"),
        f"{models}/merge-policies": read(
            "How extended properties from several sources combine", "MergePolicyList"
        ),
        f"{models}/providers": read("The kinds of source", "ProviderList"),
    }


_ANALYTICS_SHAPES = {
    "count": "AnalyticsCount",
    "trend": "AnalyticsTrend",
    "event-trend": "AnalyticsEventTrend",
    "composition": "AnalyticsComposition",
    "sources": "AnalyticsSources",
    "times": "AnalyticsTimes",
}


def _no_extras(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with no properties beyond those it names, at every level (the answers are
    exactly these shapes)."""
    if schema.get("type") == "object":
        properties = {k: _no_extras(v) for k, v in schema["properties"].items()}
        return {**schema, "properties": properties, "additionalProperties": False}
    if schema.get("type") == "array":
        return {**schema, "items": _no_extras(schema["items"])}
    return schema


def _analytics_schemas() -> dict[str, Any]:
    """One entry of an analytics answer's ``data``, for each shape of answer (issue 9)."""
    return {
        name: _no_extras(analytics.DATA_SCHEMAS[shape]) for shape, name in _ANALYTICS_SHAPES.items()
    }


_ANALYTICS_PARAMETERS: dict[str, dict[str, Any]] = {
    "nodes": _parameter(
        "nodes", "query", "node ids separated by commas (default: every node of the workspace)"
    ),
    "startDate": _parameter(
        "startDate",
        "query",
        "the first day counted (in the time zone)",
        type="string",
        format="date",
        pattern="^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    ),
    "endDate": _parameter(
        "endDate",
        "query",
        "the last day counted, inclusive (not before startDate)",
        type="string",
        format="date",
        pattern="^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    ),
    "context": _parameter(
        "context", "query", "only events of this context", type="string", enum=list(CONTEXTS)
    ),
    "eventType": _parameter(
        "eventType", "query", "only events of this type", type="string", enum=list(EVENT_TYPES)
    ),
    "country": _parameter("country", "query", "only customers of this country (as stored)"),
    "timezone": _parameter(
        "timezone",
        "query",
        "the time zone of dates and buckets (a hub extension; default "
        f"{analytics.DEFAULT_TIMEZONE}, the default time zone of a workspace)",
        type="string",
        enum=sorted(TIMEZONES),
    ),
}


def _analytics_paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for path, endpoint in analytics.ENDPOINTS.items():
        parameters = []
        for name in endpoint.parameters:
            if name == "mode":
                default = f" (default {endpoint.default_mode})" if endpoint.default_mode else ""
                parameter = _parameter(
                    "mode",
                    "query",
                    "how to group" + default,
                    required="mode" in endpoint.required,
                    type="string",
                    enum=list(endpoint.modes),
                )
            else:
                parameter = dict(_ANALYTICS_PARAMETERS[name])
                parameter["required"] = name in endpoint.required
            parameters.append(parameter)
        echo = {
            "type": "object",
            "description": "the request's parameters (null: not given), defaults filled in",
            "required": list(endpoint.parameters),
            "additionalProperties": False,
            "properties": {
                name: {"type": "string", "nullable": True} for name in endpoint.parameters
            },
        }
        body = {
            "type": "object",
            "required": ["name", "headers", "parameters", "data"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "enum": [endpoint.name]},
                "headers": {
                    "type": "object",
                    "description": "the JSON schema of one entry of data",
                },
                "parameters": echo,
                "data": {"type": "array", "items": _ref(_ANALYTICS_SHAPES[endpoint.shape])},
            },
        }
        paths[f"{PREFIX}/analytics/{path}"] = {
            "get": _operation(
                endpoint.summary,
                {"200": _answer("One entry of data per node", body)},
                parameters=parameters,
            )
        }
    return paths


def build_openapi() -> dict[str, Any]:
    """The OpenAPI 3.0 document of every endpoint the hub serves."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "contacthub hub: a local ContactHub-compatible server",
            "version": API_VERSION,
            "description": (_hub_summary or "").strip()
            + " Dates are answered as 2017-03-08T10:18:17.000+0000 and YYYY-MM-DD; bring-back "
            "types: " + ", ".join(BRING_BACK_TYPES) + ".",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": _paths(),
        "components": _components(),
    }
