"""The hub's strict event rules say what the vendor's JSON schemas say, type by type.

``contacthub_server.schemas.event_schemas`` holds the vendor's per-type ``properties`` and
per-context ``contextInfo`` rules as our own spec data. This test reads the vendor's files (the
reference beside the work tree, ``../shared/reference/schemas``, or the folder named by
``CONTACTHUB_VENDOR_SCHEMAS``) and compares both, reduced to the same description: for every
value its JSON types, whether it may be null, its format, enum and bounds; for every object its
keys, its required keys and whether it is closed; for every array its items. Any difference other
than the listed later keys and readings fails, so a change on either side is caught.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from contacthub_server.schemas.event_catalog import CONTEXTS, EVENT_TYPES
from contacthub_server.schemas.event_schemas import (
    CONTEXT_INFO,
    LATER_KEYS,
    PROPERTIES,
    READINGS,
)
from contacthub_server.schemas.spec import AnyObject, DateTime, ListOf, Num, Obj, Spec, Str

HERE = Path(__file__).resolve().parent
VENDOR = Path(
    os.environ.get("CONTACTHUB_VENDOR_SCHEMAS")
    or HERE.parents[3] / "shared" / "reference" / "schemas"
)
# The vendor's files are data beside the work tree, never part of it: a clone without them (CI)
# skips these comparisons; the rules themselves are tested over HTTP everywhere.
needs_vendor = pytest.mark.skipif(
    not (VENDOR / "event").is_dir(),
    reason=f"the vendor's schemas are not at {VENDOR} (set CONTACTHUB_VENDOR_SCHEMAS)",
)
CONTEXT_FILES = {context: context.lower() for context in CONTEXTS}
# The vendor's GeographicLocation, which eventParticipated references and its siblings spell out.
GEO_REFERENCE = "GeographicLocation"


def shape_of_vendor(schema: dict[str, Any], where: str) -> dict[str, Any]:
    """The description of one vendor schema node (see the module docstring)."""
    alternatives = schema.get("oneOf")
    if alternatives is not None:  # [{"type": "null"}, <the value>]: a nullable value
        values = [alt for alt in alternatives if alt.get("type") != "null"]
        assert len(values) == 1, where
        assert len(alternatives) == 2, where
        value = values[0]
        if GEO_REFERENCE in str(value.get("$ref", "")):
            value = geographic_location()
        shape = shape_of_vendor(value, where)
        shape["null"] = True
        return shape
    kind = schema.get("type")
    if kind == "number/null":  # READINGS: a typo for ["number", "null"]
        kind = ["number", "null"]
    kinds = kind if isinstance(kind, list) else [kind]
    assert all(k in ("string", "number", "integer", "object", "array", "null") for k in kinds), (
        where,
        kind,
    )
    shape: dict[str, Any] = {"type": next(k for k in kinds if k != "null")}
    enum = schema.get("enum")
    # JSON Schema: null passes only if both the type and the enum allow it.
    shape["null"] = "null" in kinds and (enum is None or None in enum)
    if enum is not None:
        shape["enum"] = sorted(value for value in enum if value is not None)
    for key in ("format", "minimum", "maximum"):
        if key in schema:
            shape[key] = schema[key]
    if shape["type"] == "object":
        properties = schema.get("properties", {})
        shape["closed"] = schema.get("additionalProperties") is False
        shape["required"] = sorted(schema.get("required", []))
        shape["properties"] = {
            key: shape_of_vendor(value, f"{where}/{key}") for key, value in properties.items()
        }
    if shape["type"] == "array":
        shape["items"] = shape_of_vendor(schema.get("items", {"type": "object"}), f"{where}[]")
    return shape


def shape_of_ours(spec: Spec, where: str) -> dict[str, Any]:
    """The description of one of our specs, in the terms of :func:`shape_of_vendor`."""
    shape: dict[str, Any] = {"null": spec.nullable}
    if isinstance(spec, Str):
        shape["type"] = "string"
        if spec.enum is not None:
            shape["enum"] = sorted(spec.enum)
        if spec.fmt is not None:
            shape["format"] = spec.fmt
        assert spec.pattern is None, where
        assert spec.min_length == 0, where
        assert spec.max_length is None, where
    elif isinstance(spec, DateTime):
        assert spec.time_required, f"{where}: a date alone would pass as a date-time"
        shape.update(type="string", format="date-time")
    elif isinstance(spec, Num):
        shape["type"] = "integer" if spec.integer else "number"
        assert not (spec.integer and spec.accept_digits), f"{where}: digits pass as an integer"
        for key in ("minimum", "maximum"):
            if getattr(spec, key) is not None:
                shape[key] = getattr(spec, key)
    elif isinstance(spec, AnyObject):
        shape.update(type="object", closed=False, required=[], properties={})
    elif isinstance(spec, Obj):
        shape.update(
            type="object",
            closed=spec.closed,
            required=sorted(spec.required),
            properties={
                key: shape_of_ours(value, f"{where}/{key}") for key, value in spec.fields.items()
            },
        )
    elif isinstance(spec, ListOf):
        assert not spec.unique_ids, where
        shape.update(type="array", items=shape_of_ours(spec.item, f"{where}[]"))
    else:
        raise AssertionError(f"{where}: no JSON Schema reading for {spec!r}")
    return shape


@cache
def geographic_location() -> dict[str, Any]:
    """The point of eventConfirmed's event location, which GeographicLocation names."""
    schema = vendor("event", "eventConfirmed")
    geo = schema["properties"]["eventLocation"]["properties"]["address"]["properties"]["geo"]
    point: dict[str, Any] = next(alt for alt in geo["oneOf"] if alt.get("type") == "object")
    return point


@cache
def vendor(folder: str, name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((VENDOR / folder / f"{name}.json").read_text())
    return schema


def drop(shape: dict[str, Any], pointer: str) -> None:
    """Remove the key at ``pointer`` (``[]`` steps into array items) from a shape."""
    *parents, last = pointer.strip("/").split("/")
    node = shape
    for step in parents:
        node = node["properties"][step.removesuffix("[]")]
        if step.endswith("[]"):
            node = node["items"]
    assert last in node["properties"], f"{pointer} is listed but not there"
    del node["properties"][last]


def differences(ours: Any, theirs: Any, where: str = "") -> list[str]:
    """Every place where two shapes disagree, as readable lines."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        found = []
        for key in sorted(set(ours) | set(theirs)):
            if key not in theirs:
                found.append(f"{where}: only ours has {key}={ours[key]!r}")
            elif key not in ours:
                found.append(f"{where}: only the vendor's has {key}={theirs[key]!r}")
            else:
                step = f"{where}/{key}" if key not in ("properties", "items") else where
                if key == "items":
                    step = f"{where}[]"
                found.extend(differences(ours[key], theirs[key], step))
        return found
    return [] if ours == theirs else [f"{where}: ours {ours!r}, the vendor's {theirs!r}"]


@needs_vendor
@pytest.mark.parametrize("event_type", sorted(set(EVENT_TYPES) - {"eventRegistered"}))
def test_the_properties_of_each_type_are_the_vendors(event_type: str) -> None:
    ours = shape_of_ours(PROPERTIES[event_type], event_type)
    for pointer in LATER_KEYS.get(event_type, ()):
        drop(ours, pointer)
    theirs = shape_of_vendor(vendor("event", event_type), event_type)
    assert differences(ours, theirs) == []


def test_a_type_without_a_vendor_file_has_the_shape_of_its_siblings() -> None:
    assert "eventRegistered" in READINGS
    assert shape_of_ours(PROPERTIES["eventRegistered"], "") == shape_of_ours(
        PROPERTIES["eventConfirmed"], ""
    )


@needs_vendor
def test_every_vendor_file_is_a_type_of_the_catalog() -> None:
    files = {path.stem for path in (VENDOR / "event").glob("*.json")}
    assert files == set(EVENT_TYPES) - {"eventRegistered"}


@needs_vendor
@pytest.mark.parametrize("context", CONTEXTS)
def test_the_context_info_of_each_context_is_the_vendors(context: str) -> None:
    ours = shape_of_ours(CONTEXT_INFO[context], context)
    theirs = shape_of_vendor(vendor("context", CONTEXT_FILES[context]), context)
    assert differences(ours, theirs) == []


def test_every_later_key_and_reading_names_a_known_type() -> None:
    assert set(LATER_KEYS) <= set(EVENT_TYPES)
    assert {reading.split("/")[0] for reading in READINGS} <= set(EVENT_TYPES)
