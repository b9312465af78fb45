"""EntityMeta: the metaclass that turns ``Customer.base.firstName`` into a query field."""

from __future__ import annotations

from contacthub.models.query.entity_field import EntityField

__all__ = ["EntityMeta"]


class EntityMeta(type):
    """Metaclass of queryable entities (Customer).

    Reading an attribute the class does not define, such as ``Customer.base`` or
    ``Customer.registeredAt``, gives an :class:`EntityField` to build query criteria with.
    Instances are unaffected: ``customer.base`` still reads the customer's data.
    """

    def __getattr__(cls, name: str) -> EntityField:
        # Dunder and private names stay real lookups, so copy, pickle and introspection work.
        if name.startswith("_"):
            raise AttributeError(f"type object {cls.__name__!r} has no attribute {name!r}")
        return EntityField(cls, name)
