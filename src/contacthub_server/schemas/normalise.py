"""The response shape of customers, items and events (contract §6.2, §7.1).

Clients read documents by key without checking that the key exists (the original Python SDK raises
``KeyError`` otherwise), so the hub always answers with every key: unset scalars and objects are
``null``, unset lists are ``[]``. Known keys come first, in the order of the contract; any other key
the document carries follows unchanged. The functions return new documents; inputs are not modified.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contacthub_server.schemas.spec import copy_json

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


def _shaped(
    value: Mapping[str, Any], scalars: tuple[str, ...], lists: tuple[str, ...]
) -> dict[str, Any]:
    result: dict[str, Any] = {key: copy_json(value.get(key)) for key in scalars}
    for key in lists:
        result[key] = copy_json(value.get(key)) or []
    for key, other in value.items():
        if key not in result:
            result[key] = copy_json(other)
    return result


def normalise_item(kind: str, item: Mapping[str, Any]) -> dict[str, Any]:
    """Every key of an item of ``kind`` (``educations``, ``likes``, ``jobs``, ``subscriptions``).

    Raises ``KeyError`` for an unknown kind.
    """
    keys = ITEM_KEYS[kind]
    lists = ("preferences",) if kind == "subscriptions" else ()
    return _shaped(item, tuple(key for key in keys if key not in lists), lists)


def normalise_base(base: Mapping[str, Any] | None) -> dict[str, Any]:
    """Every key of a customer's ``base``, with its objects and items shaped too."""
    base = base or {}
    result = _shaped(base, _BASE_SCALARS, _BASE_LISTS)
    for key, (scalars, lists) in _OBJECT_SHAPES.items():
        if isinstance(result[key], Mapping):
            result[key] = _shaped(result[key], scalars, lists)
    for kind in _BASE_LISTS:
        result[kind] = [
            normalise_item(kind, item) if isinstance(item, Mapping) else item
            for item in result[kind]
        ]
    return {key: result[key] for key in (*BASE_KEYS, *result) if key in result}


def normalise_customer(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The customer as the hub answers with it: every top-level and ``base`` key present.

    ``base`` is always an object; ``extended``, ``consents``, ``tags``, ``extra`` and
    ``externalId`` are ``null`` when unset; ``tags``, when set, always has both ``auto`` and
    ``manual`` lists; ``enabled`` defaults to ``true``.
    """
    result: dict[str, Any] = {
        key: None if key == "base" else copy_json(doc.get(key)) for key in CUSTOMER_KEYS
    }
    result["base"] = normalise_base(doc.get("base"))
    tags = doc.get("tags")
    if isinstance(tags, Mapping):
        result["tags"] = _shaped(tags, (), ("auto", "manual"))
    if result["enabled"] is None:
        result["enabled"] = True
    for key, value in doc.items():
        if key not in result:
            result[key] = copy_json(value)
    return result


def normalise_event(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The event as the hub answers with it: every top-level key present.

    ``customerId``, ``bringBackProperties``, ``tracking`` and ``updatedAt`` are ``null`` when unset;
    ``properties`` and ``contextInfo`` are ``{}`` when unset (they are objects in every recording).
    """
    result: dict[str, Any] = {key: copy_json(doc.get(key)) for key in EVENT_KEYS}
    for key in ("properties", "contextInfo"):
        if result[key] is None:
            result[key] = {}
    for key, value in doc.items():
        if key not in result:
            result[key] = copy_json(value)
    return result
