"""The admin API's own OpenAPI document, served at ``GET /_hub/openapi.json``.

Apart from ``/hub/v1/openapi.json`` (the ContactHub API) so that nothing in that document can be
mistaken for an endpoint of the hosted service. Written by hand: the admin API is small.
"""

from __future__ import annotations

import copy
from typing import Any

from contacthub_server.service.faults import FAULT_KINDS, MAX_LATENCY_MS

_ERROR = {"$ref": "#/components/schemas/Error"}


def _answer(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description}
    if schema is not None:
        answer["content"] = {"application/json": {"schema": schema}}
    return answer


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


_UNAUTHORISED = _answer("no admin key (a workspace token is refused)", _ERROR)
_BAD = _answer("a malformed body or parameter", _ERROR)
_NO_WORKSPACE = _answer("no such workspace", _ERROR)

_FAULT_PROPERTIES: dict[str, Any] = {
    "rate": {"type": "number", "minimum": 0, "maximum": 1, "default": 0},
    "latencyMs": {"type": "integer", "minimum": 0, "maximum": MAX_LATENCY_MS, "default": 0},
    "seed": {"type": "integer", "nullable": True, "default": None},
    "statuses": {
        "type": "array",
        "minItems": 1,
        "items": {"enum": list(FAULT_KINDS)},
        "default": list(FAULT_KINDS),
    },
}
_FAULTS = {"type": "object", "additionalProperties": False, "properties": _FAULT_PROPERTIES}

_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["message", "logref", "data", "errors"],
        "properties": {
            "message": {"type": "string"},
            "logref": {"type": "string"},
            "data": {"type": "object", "nullable": True},
            "errors": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Health": {
        "type": "object",
        "required": ["ready", "database"],
        "properties": {
            "ready": {"type": "boolean"},
            "database": {"type": "string"},
            "schemaVersion": {"type": "integer"},
            "migrations": {"type": "string"},
        },
    },
    "FaultSettings": _FAULTS,
    "WorkspaceFaults": {
        "type": "object",
        "required": ["workspaceId", "scope", "rate", "latencyMs", "seed", "statuses"],
        "properties": {
            "workspaceId": {"type": "string"},
            "scope": {
                "type": "string",
                "enum": ["workspace", "hub"],
                "description": "workspace: its own settings; hub: the hub-wide ones of the start",
            },
            **_FAULT_PROPERTIES,
        },
    },
    "LoggedRequest": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "date": {"type": "string"},
            "method": {"type": "string"},
            "path": {"type": "string"},
            "query": {"type": "string"},
            "workspaceId": {"type": "string", "nullable": True},
            "status": {
                "type": "integer",
                "nullable": True,
                "description": "null: the connection was closed without an answer",
            },
            "latencyMs": {"type": "number"},
            "fault": {"nullable": True, "enum": [*FAULT_KINDS, None]},
            "requestHeaders": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "Authorization and Cookie masked (their scheme only)",
            },
            "requestBody": {"type": "string"},
            "requestBodyBytes": {"type": "integer"},
            "requestBodyTruncated": {"type": "boolean"},
            "responseContentType": {"type": "string"},
            "responseBody": {"type": "string"},
            "responseBodyBytes": {"type": "integer"},
            "responseBodyTruncated": {"type": "boolean"},
        },
    },
}

_WS = {"name": "ws", "in": "path", "required": True, "schema": {"type": "string"}}


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


_PATHS: dict[str, Any] = {
    "/_hub/health": {
        "get": {
            "summary": "Readiness: the database answers and its schema is migrated",
            "security": [],
            "responses": {
                "200": _answer("ready", {"$ref": "#/components/schemas/Health"}),
                "503": _answer("not ready", {"$ref": "#/components/schemas/Health"}),
            },
        }
    },
    "/_hub/openapi.json": {
        "get": {
            "summary": "This document",
            "security": [],
            "responses": {"200": _answer("the admin API's OpenAPI document", {"type": "object"})},
        }
    },
    "/_hub/reset": {
        "post": {
            "summary": "Empty one workspace, or every one, of its data (credentials kept)",
            "requestBody": _body(
                {
                    "type": "object",
                    "properties": {
                        "workspaceId": {"type": "string"},
                        "all": {"type": "boolean", "enum": [True]},
                    },
                }
            ),
            "responses": {
                "200": _answer(
                    "rows deleted per table",
                    {
                        "type": "object",
                        "properties": {
                            "deleted": {
                                "type": "object",
                                "additionalProperties": {"type": "integer"},
                            }
                        },
                    },
                ),
                "400": _BAD,
                "401": _UNAUTHORISED,
            },
        }
    },
    "/_hub/snapshots/export": {
        "post": {
            "summary": "Write a snapshot (JSON Lines per table) to a directory of the hub's machine",
            "requestBody": _body(
                {
                    "type": "object",
                    "required": ["directory"],
                    "properties": {
                        "directory": {"type": "string"},
                        "workspaceId": {"type": "string"},
                    },
                }
            ),
            "responses": {
                "200": _answer("the snapshot's manifest", {"type": "object"}),
                "400": _BAD,
                "401": _UNAUTHORISED,
            },
        }
    },
    "/_hub/snapshots/import": {
        "post": {
            "summary": "Load a snapshot (a whole-hub one only into an empty hub)",
            "requestBody": _body(
                {
                    "type": "object",
                    "required": ["directory"],
                    "properties": {"directory": {"type": "string"}},
                }
            ),
            "responses": {
                "200": _answer("rows loaded per table", {"type": "object"}),
                "400": _BAD,
                "401": _UNAUTHORISED,
                "409": _answer("the hub is not empty", _ERROR),
            },
        }
    },
    "/_hub/workspaces/{ws}/faults": {
        "parameters": [_WS],
        "get": {
            "summary": "The faults and latency applied to the workspace's ContactHub requests",
            "responses": {
                "200": _answer("its own, or the hub-wide ones", _ref("WorkspaceFaults")),
                "401": _UNAUTHORISED,
                "404": _NO_WORKSPACE,
            },
        },
        "put": {
            "summary": "Give the workspace faults and latency of its own (every key optional)",
            "requestBody": _body(_ref("FaultSettings")),
            "responses": {
                "200": _answer("the settings now applied", _ref("WorkspaceFaults")),
                "400": _BAD,
                "401": _UNAUTHORISED,
                "404": _NO_WORKSPACE,
            },
        },
        "delete": {
            "summary": "Take the workspace's own faults away (back to the hub-wide ones)",
            "responses": {
                "200": _answer("the settings now applied", _ref("WorkspaceFaults")),
                "401": _UNAUTHORISED,
                "404": _NO_WORKSPACE,
            },
        },
    },
    "/_hub/requests": {
        "get": {
            "summary": "The request log: the last requests of the ContactHub API, newest first",
            "parameters": [
                _query("workspace", "only this workspace's requests"),
                _query("method", "only this method (any case)"),
                _query("status", "a status (404), a class (4xx), or none (no answer)"),
                _query("path", "only paths containing this text"),
                _query(
                    "limit",
                    "at most this many (100)",
                    {"type": "integer", "minimum": 1, "maximum": 10_000, "default": 100},
                ),
            ],
            "responses": {
                "200": _answer(
                    "the matching requests",
                    {
                        "type": "object",
                        "properties": {
                            "elements": {"type": "array", "items": _ref("LoggedRequest")},
                            "size": {"type": "integer", "description": "entries the log keeps"},
                            "recorded": {"type": "integer", "description": "since the start"},
                        },
                    },
                ),
                "400": _BAD,
                "401": _UNAUTHORISED,
            },
        },
        "delete": {
            "summary": "Forget the logged requests (of one workspace with ?workspace=)",
            "parameters": [_query("workspace", "only this workspace's requests")],
            "responses": {
                "200": _answer(
                    "how many were forgotten",
                    {"type": "object", "properties": {"deleted": {"type": "integer"}}},
                ),
                "400": _BAD,
                "401": _UNAUTHORISED,
            },
        },
    },
    "/_hub/requests/{id}": {
        "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
        ],
        "get": {
            "summary": "One logged request",
            "responses": {
                "200": _answer("the request", _ref("LoggedRequest")),
                "401": _UNAUTHORISED,
                "404": _answer("not (or no longer) in the log", _ERROR),
            },
        },
    },
}


def admin_openapi() -> dict[str, Any]:
    """The admin API's OpenAPI 3.0 document (a fresh copy)."""
    return copy.deepcopy(
        {
            "openapi": "3.0.3",
            "info": {
                "title": "contacthub hub: admin API",
                "version": "1",
                "description": (
                    "The local hub's own operations, apart from the ContactHub API: send the "
                    "hub's admin key as `Authorization: Bearer <admin key>`; a workspace token "
                    "is refused."
                ),
            },
            "components": {
                "schemas": _SCHEMAS,
                "securitySchemes": {"adminKey": {"type": "http", "scheme": "bearer"}},
            },
            "security": [{"adminKey": []}],
            "paths": _PATHS,
        }
    )
