"""EntityField: a customer property named in a query, such as ``Customer.base.firstName``."""

from __future__ import annotations

from typing import Any

from contacthub.models.query.criterion import Criterion

__all__ = ["EntityField"]

_OPS = Criterion.SIMPLE_OPERATORS


class EntityField:
    """A (dotted) property of an entity class, turned into criteria by Python operators.

    ``Customer.base.dob`` is ``EntityField(Customer, 'base.dob')``; reading an attribute goes one
    level down (``.contacts.email``). Comparisons build :class:`Criterion` objects:
    ``==`` EQUALS, ``!=`` NOT_EQUALS, ``<`` LT, ``<=`` LTE, ``>`` GT, ``>=`` GTE,
    ``== None`` IS_NULL and ``!= None`` IS_NOT_NULL. For IN, NOT_IN and BETWEEN use
    :func:`contacthub.models.query.in_`, ``not_in_`` and ``between_``.

    Args:
        entity: the entity class (e.g. Customer).
        field: the dotted path of the property.
    """

    __slots__ = ("entity", "field")

    def __init__(self, entity: type, field: str) -> None:
        self.entity = entity
        self.field = field

    def __getattr__(self, name: str) -> EntityField:
        if name.startswith("__"):
            raise AttributeError(name)
        return EntityField(self.entity, f"{self.field}.{name}")

    def __eq__(self, other: Any) -> Criterion:  # type: ignore[override]
        if other is None:
            return Criterion(self, _OPS.IS_NULL)
        return Criterion(self, _OPS.EQUALS, other)

    def __ne__(self, other: Any) -> Criterion:  # type: ignore[override]
        if other is None:
            return Criterion(self, _OPS.IS_NOT_NULL)
        return Criterion(self, _OPS.NOT_EQUALS, other)

    def __lt__(self, other: Any) -> Criterion:
        return Criterion(self, _OPS.LT, other)

    def __le__(self, other: Any) -> Criterion:
        return Criterion(self, _OPS.LTE, other)

    def __gt__(self, other: Any) -> Criterion:
        return Criterion(self, _OPS.GT, other)

    def __ge__(self, other: Any) -> Criterion:
        return Criterion(self, _OPS.GTE, other)

    # == builds a criterion, so fields cannot be dictionary keys.
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"EntityField({getattr(self.entity, '__name__', self.entity)}, {self.field!r})"
