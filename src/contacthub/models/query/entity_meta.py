"""EntityMeta: the metaclass that turns ``Customer.base.firstName`` into a query field."""

from __future__ import annotations

from typing import Any

from contacthub.models._shapes import FREE
from contacthub.models.query.entity_field import EntityField, field_shape

__all__ = ["EntityMeta"]


class EntityMeta(type):
    """Metaclass of queryable entities (Customer).

    Reading an attribute the class does not define, such as ``Customer.base`` or
    ``Customer.registeredAt``, gives an :class:`EntityField` to build query criteria with; a
    name that the entity's schema (its ``_SHAPE``) does not have raises :class:`AttributeError`
    with the closest names. Instances are unaffected: ``customer.base`` still reads the
    customer's data.
    """

    def __getattr__(cls, name: str) -> EntityField:
        # Dunder and private names stay real lookups, so copy, pickle and introspection work.
        if name.startswith("_"):
            raise AttributeError(f"type object {cls.__name__!r} has no attribute {name!r}")
        shape: Any = getattr(cls, "_SHAPE", None)
        return EntityField(
            cls, name, field_shape(FREE if shape is None else shape, name, cls.__name__)
        )
