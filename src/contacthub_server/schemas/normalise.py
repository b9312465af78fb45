"""The response shape of customers, items and events (contract §6.2, §7.1), and their key order.

Clients read documents by key without checking that the key exists (the original Python SDK raises
``KeyError`` otherwise), so the hub always answers with every key: unset scalars and objects are
``null``, unset lists are ``[]``. The functions return new documents; inputs are not modified.

Key order is canonical, the same whatever the backend stored (PostgreSQL's JSONB keeps keys in
its own order, not the written one), so that exports, diffs and CSV columns do not depend on it:
in every object the contract knows (the customer, ``base`` and its objects and items, ``tags``,
``consents``, the event, ``bringBackProperties``) its keys come in the contract's order, and any
other key after them; other keys, and every key of a free object (``extended``, an event's
``properties``, ``contextInfo`` and ``tracking``), come in code point order, at every depth.
:func:`ordered_customer` and :func:`ordered_event` put a stored document in that order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contacthub_server.schemas import customer as customer_schema
from contacthub_server.schemas.event import BRING_BACK
from contacthub_server.schemas.spec import ListOf, Obj, Spec

CUSTOMER_KEYS: tuple[str, ...] = (
    "id",
    "nodeId",
    "externalId",
    "extra",
    "base",
    "extended",
    "consents",
    "tags",
    "enabled",
    "sourceInfo",
    "registeredAt",
    "updatedAt",
)
"""The top-level keys of every customer the hub answers with, in order (``sourceInfo``:
``{registeredBy, updatedBy}``, the sources, i.e. nodes, that created and last changed it)."""

#: The keys of a SourceCustomer copied from the stored customer, in the order answered.
SOURCE_KEYS = (
    "externalId",
    "nodeId",
    "base",
    "extended",
    "extra",
    "consents",
    "tags",
    "registeredAt",
    "updatedAt",
)

# Per object: its keys, and which of them are lists (default []) rather than scalars (default null).
_CONTACTS = (("email", "fax", "mobilePhone", "phone"), ("otherContacts", "mobileDevices"))
_ADDRESS = (("street", "city", "country", "province", "region", "zip", "geo"), ())
_CREDENTIAL = (("username", "password"), ())
_SOCIAL = (("facebook", "google", "instagram", "linkedin", "qzone", "twitter"), ())
BASE_KEYS: tuple[str, ...] = (
    "pictureUrl",
    "title",
    "prefix",
    "firstName",
    "lastName",
    "middleName",
    "gender",
    "dob",
    "locale",
    "timezone",
    "contacts",
    "address",
    "credential",
    "educations",
    "likes",
    "socialProfile",
    "jobs",
    "subscriptions",
)
"""The keys of every customer's ``base``, in order."""
_BASE_LISTS = ("educations", "likes", "jobs", "subscriptions")
_BASE_SCALARS = tuple(key for key in BASE_KEYS if key not in _BASE_LISTS)

ITEM_KEYS: dict[str, tuple[str, ...]] = {
    "educations": (
        "id",
        "schoolType",
        "schoolName",
        "schoolConcentration",
        "startYear",
        "endYear",
        "isCurrent",
    ),
    "likes": ("id", "category", "name", "createdTime"),
    "jobs": (
        "id",
        "companyIndustry",
        "companyName",
        "jobTitle",
        "startDate",
        "endDate",
        "isCurrent",
    ),
    "subscriptions": (
        "id",
        "name",
        "type",
        "kind",
        "subscribed",
        "startDate",
        "endDate",
        "subscriberId",
        "registeredAt",
        "updatedAt",
        "preferences",
    ),
}
"""The keys of each kind of customer item (the lists of ``base``), in order."""

EVENT_KEYS: tuple[str, ...] = (
    "id",
    "customerId",
    "bringBackProperties",
    "type",
    "context",
    "date",
    "properties",
    "contextInfo",
    "tracking",
    "registeredAt",
    "updatedAt",
)
"""The top-level keys of every event the hub answers with, in order."""

_OBJECT_SHAPES = {
    "contacts": _CONTACTS,
    "address": _ADDRESS,
    "credential": _CREDENTIAL,
    "socialProfile": _SOCIAL,
}


# -- key order -------------------------------------------------------------------------------
# A shape: the known keys of an object in order, and the shapes of the values under them (a list's
# shape is the shape of its items). None: a free object, whose keys are sorted.
Shape = tuple[tuple[str, ...], dict[str, Any]] | None


def _shape_of(spec: Spec, keys: tuple[str, ...] | None = None) -> Shape:
    """The shape of the documents ``spec`` describes (``keys``: their order, if not the spec's)."""
    if isinstance(spec, ListOf):
        return _shape_of(spec.item)
    if not isinstance(spec, Obj):
        return None
    children = {key: _shape_of(child) for key, child in spec.fields.items()}
    return (keys or tuple(spec.fields), {k: v for k, v in children.items() if v is not None})


_CONTAINERS = (dict, list)


def _ordered(value: Any, shape: Shape) -> Any:
    """``value`` with the keys of its objects in canonical order: objects and lists are new,
    scalars shared (only containers are visited: this runs on every document read)."""
    if isinstance(value, list):
        return [_ordered(item, shape) if isinstance(item, _CONTAINERS) else item for item in value]
    if not isinstance(value, dict):
        return value
    if shape is None:
        return {
            key: _ordered(item, None) if isinstance(item, _CONTAINERS) else item
            for key, item in sorted(value.items())
        }
    keys, children = shape
    result = {}
    for key in keys:
        if key in value:
            item = value[key]
            result[key] = (
                _ordered(item, children.get(key)) if isinstance(item, _CONTAINERS) else item
            )
    if len(result) < len(value):
        for key in sorted(value):
            if key not in result:
                result[key] = _ordered(value[key], None)
    return result


_BASE_SHAPE = _shape_of(customer_schema.BASE)
_CUSTOMER_SHAPE: Shape = (
    CUSTOMER_KEYS,
    {
        "base": _BASE_SHAPE,
        "consents": _shape_of(customer_schema.CONSENTS),
        "tags": _shape_of(customer_schema.TAGS),
    },
)
_ITEM_SHAPES = {kind: _shape_of(spec) for kind, spec in customer_schema.ITEMS.items()}
_EVENT_SHAPE: Shape = (EVENT_KEYS, {"bringBackProperties": _shape_of(BRING_BACK)})


def ordered_customer(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The customer ``doc`` (e.g. as a database gave it back) with its keys in canonical order.

    Only objects and lists are rebuilt; nothing is added or removed.
    """
    result: dict[str, Any] = _ordered(dict(doc), _CUSTOMER_SHAPE)
    return result


#: The keys of a segment, in the order the hub answers them; its query's keys are sorted.
SEGMENT_KEYS = ("id", "name", "query", "enabled", "createdAt", "updatedAt")
_SEGMENT_SHAPE: Shape = (SEGMENT_KEYS, {})


def ordered_segment(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The segment ``doc`` with its keys in canonical order, its query's in code-point order at
    every depth (PostgreSQL's JSONB keeps neither the written order nor this one)."""
    result: dict[str, Any] = _ordered(dict(doc), _SEGMENT_SHAPE)
    return result


def ordered_event(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The event ``doc`` with its keys in canonical order (see :func:`ordered_customer`)."""
    result: dict[str, Any] = _ordered(dict(doc), _EVENT_SHAPE)
    return result


# The functions below build the shape sharing the input's values, and each public one ends with
# `_ordered`, which copies every object and list: so inputs are never modified nor shared.
def _shaped(
    value: Mapping[str, Any], scalars: tuple[str, ...], lists: tuple[str, ...]
) -> dict[str, Any]:
    result: dict[str, Any] = {key: value.get(key) for key in scalars}
    for key in lists:
        result[key] = value.get(key) or []
    for key, other in value.items():
        if key not in result:
            result[key] = other
    return result


def _shaped_item(kind: str, item: Mapping[str, Any]) -> dict[str, Any]:
    keys = ITEM_KEYS[kind]
    lists = ("preferences",) if kind == "subscriptions" else ()
    return _shaped(item, tuple(key for key in keys if key not in lists), lists)


def normalise_item(kind: str, item: Mapping[str, Any]) -> dict[str, Any]:
    """Every key of an item of ``kind`` (``educations``, ``likes``, ``jobs``, ``subscriptions``).

    Raises ``KeyError`` for an unknown kind.
    """
    result: dict[str, Any] = _ordered(_shaped_item(kind, item), _ITEM_SHAPES[kind])
    return result


def normalise_base(base: Mapping[str, Any] | None) -> dict[str, Any]:
    """Every key of a customer's ``base``, with its objects and items shaped too."""
    result: dict[str, Any] = _ordered(_shaped_base(base or {}), _BASE_SHAPE)
    return result


def _shaped_base(base: Mapping[str, Any]) -> dict[str, Any]:
    result = _shaped(base, _BASE_SCALARS, _BASE_LISTS)
    for key, (scalars, lists) in _OBJECT_SHAPES.items():
        if isinstance(result[key], Mapping):
            result[key] = _shaped(result[key], scalars, lists)
    for kind in _BASE_LISTS:
        result[kind] = [
            _shaped_item(kind, item) if isinstance(item, Mapping) else item for item in result[kind]
        ]
    return result


def normalise_customer(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The customer as the hub answers with it: every top-level and ``base`` key present.

    ``base`` is always an object; ``extended``, ``consents``, ``tags``, ``extra`` and
    ``externalId`` are ``null`` when unset; ``tags``, when set, always has both ``auto`` and
    ``manual`` lists; ``enabled`` defaults to ``true``.
    """
    result: dict[str, Any] = {key: doc.get(key) for key in CUSTOMER_KEYS}
    result["base"] = _shaped_base(doc.get("base") or {})
    tags = doc.get("tags")
    if isinstance(tags, Mapping):
        result["tags"] = _shaped(tags, (), ("auto", "manual"))
    if result["enabled"] is None:
        result["enabled"] = True
    for key, value in doc.items():
        if key not in result:
            result[key] = value
    return ordered_customer(result)


def normalise_event(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The event as the hub answers with it: every top-level key present.

    ``customerId``, ``bringBackProperties``, ``tracking`` and ``updatedAt`` are ``null`` when unset;
    ``properties`` and ``contextInfo`` are ``{}`` when unset (they are objects in every recording).
    """
    result: dict[str, Any] = {key: doc.get(key) for key in EVENT_KEYS}
    for key in ("properties", "contextInfo"):
        if result[key] is None:
            result[key] = {}
    for key, value in doc.items():
        if key not in result:
            result[key] = value
    return ordered_event(result)
