"""The customer query builder: fields, criteria, queries and the IN / NOT IN / BETWEEN helpers."""

from __future__ import annotations

from typing import Any

from contacthub.models.query.criterion import Criterion
from contacthub.models.query.entity_field import EntityField
from contacthub.models.query.entity_meta import EntityMeta
from contacthub.models.query.query import Query

__all__ = ["Criterion", "EntityField", "EntityMeta", "Query", "between_", "in_", "not_in_"]


def _field(value: Any, role: str) -> EntityField:
    if not isinstance(value, EntityField):
        raise TypeError(f"{role} must be a field such as Customer.tags.manual, got {value!r}")
    return value


def in_(value: Any, list_attribute: EntityField) -> Criterion:
    """IN: ``value`` is one of the items of ``list_attribute`` (e.g. a tag in Customer.tags.manual).

    ``value`` may also be a list: the criterion matches when the two share an item.
    """
    return Criterion(_field(list_attribute, "in_'s list_attribute"), "IN", value)


def not_in_(value: Any, list_attribute: EntityField) -> Criterion:
    """NOT IN: ``value`` is not among the items of ``list_attribute``."""
    return Criterion(_field(list_attribute, "not_in_'s list_attribute"), "NOT_IN", value)


def between_(attribute: EntityField, value1: Any, value2: Any) -> Criterion:
    """BETWEEN: ``attribute`` lies from ``value1`` to ``value2``.

    The bounds are dates, datetimes or ISO 8601 strings (e.g. ``'1994-01-01'``).
    """
    return Criterion(_field(attribute, "between_'s attribute"), "BETWEEN", [value1, value2])
