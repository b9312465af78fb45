"""The per-node customer matching policy: which properties make a customer unique (contract §8).

A node's policy names one or more properties (dotted paths such as ``base.contacts.email``), says
whether they compare case-sensitively, and what a write that matches an existing customer does:
``BLOCK`` (409), ``MERGE`` (the write is merged into the existing customer) or ``NO_CHECK``
(duplicates allowed). The service turns a document into a *match key* with :func:`match_key`; the
store keeps one customer per (node, match key).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

BLOCK = "BLOCK"
"""A write matching an existing customer is refused with 409."""
MERGE = "MERGE"
"""A write matching an existing customer is merged into it."""
NO_CHECK = "NO_CHECK"
"""Customers are never matched: duplicates are allowed."""
MODES: tuple[str, ...] = (BLOCK, MERGE, NO_CHECK)
"""Every matching mode a node may use."""

DEFAULT_PROPERTIES: tuple[str, ...] = ("base.contacts.email",)
"""The matching properties of a node that configures none."""

# Keys longer than this are hashed: a database index entry has a size limit (PostgreSQL's B-tree
# refuses entries over about 2.7 KB), and the key only needs to be equal for equal values.
_MAX_PLAIN_KEY = 256


@dataclass(frozen=True)
class MatchingPolicy:
    """How a node decides that two customers are the same person.

    ``properties``: dotted paths into the customer document; together they form the key.
    ``case_sensitive``: when false, string values compare lower-cased.
    ``mode``: ``BLOCK``, ``MERGE`` or ``NO_CHECK``.
    ``require_unique``: when true, a customer lacking a matching property is refused (400);
    when false it is accepted and simply takes no part in matching.
    """

    properties: tuple[str, ...] = DEFAULT_PROPERTIES
    case_sensitive: bool = False
    mode: str = BLOCK
    require_unique: bool = False


DEFAULT_POLICY = MatchingPolicy()
"""BLOCK on ``base.contacts.email``, case-insensitive, customers without an email accepted."""


def policy_from_settings(settings: Mapping[str, Any] | None) -> MatchingPolicy:
    """The policy described by a node's settings (as returned by ``validate_node_settings``).

    Missing settings, or a missing ``matching`` section or key, take the defaults of
    :data:`DEFAULT_POLICY`.
    """
    matching = (settings or {}).get("matching") or {}
    properties = matching.get("properties")
    case_sensitive = matching.get("caseSensitive")
    mode = matching.get("policy")
    require_unique = matching.get("requireUniqueProperties")
    return MatchingPolicy(
        properties=tuple(properties) if properties else DEFAULT_PROPERTIES,
        case_sensitive=bool(case_sensitive) if case_sensitive is not None else False,
        mode=str(mode) if mode else BLOCK,
        require_unique=bool(require_unique) if require_unique is not None else False,
    )


def property_value(doc: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` of ``doc``, or ``None`` when any step is missing."""
    current: Any = doc
    for step in path.split("."):
        if not isinstance(current, Mapping):
            return None
        current = current.get(step)
    return current


def property_pointer(path: str) -> str:
    """The JSON pointer of a dotted path (``base.contacts.email`` -> ``/base/contacts/email``)."""
    return "/" + "/".join(step.replace("~", "~0").replace("/", "~1") for step in path.split("."))


def _is_missing(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def missing_unique_properties(policy: MatchingPolicy, doc: Mapping[str, Any]) -> list[str]:
    """The matching properties that ``doc`` lacks (absent, null or empty), in policy order.

    Always empty under ``NO_CHECK``, where nothing is matched.
    """
    if policy.mode == NO_CHECK:
        return []
    return [path for path in policy.properties if _is_missing(property_value(doc, path))]


def match_key(policy: MatchingPolicy, doc: Mapping[str, Any]) -> str | None:
    """The key under which ``doc`` takes part in matching, or ``None`` when it takes no part.

    ``None`` under ``NO_CHECK`` or when the document lacks every matching property. Otherwise a
    stable string built from the values of all the properties (a lacking one counts as null),
    lower-cased when the policy is case-insensitive: two documents get the same key exactly when
    the policy says they are the same customer.
    """
    if policy.mode == NO_CHECK:
        return None
    values = [property_value(doc, path) for path in policy.properties]
    if all(_is_missing(value) for value in values):
        return None
    if not policy.case_sensitive:
        values = [value.lower() if isinstance(value, str) else value for value in values]
    key = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if len(key) > _MAX_PLAIN_KEY:
        return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()
    return key
