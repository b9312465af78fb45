"""EntityField: a customer property named in a query, such as ``Customer.base.firstName``."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from contacthub.models._shapes import FREE, Shape
from contacthub.models.query.criterion import Criterion

__all__ = ["EntityField"]

_OPS = Criterion.SIMPLE_OPERATORS


class EntityField:
    """A (dotted) property of an entity class, turned into criteria by Python operators.

    ``Customer.base.dob`` is ``EntityField(Customer, 'base.dob')``; reading an attribute goes one
    level down (``.contacts.email``). Names are checked against the customer schema as they are
    read: ``Customer.base.fristName`` raises :class:`AttributeError` ("did you mean
    'firstName'?") instead of building a query that matches nothing; below ``extended`` any
    name goes. Comparisons build :class:`Criterion` objects:
    ``==`` EQUALS, ``!=`` NOT_EQUALS, ``<`` LT, ``<=`` LTE, ``>`` GT, ``>=`` GTE,
    ``== None`` IS_NULL and ``!= None`` IS_NOT_NULL. For IN, NOT_IN and BETWEEN use
    :func:`contacthub.models.query.in_`, ``not_in_`` and ``between_``.

    Args:
        entity: the entity class (e.g. Customer).
        field: the dotted path of the property.
        shape: the schema of the property (see ``contacthub.models._shapes``); by default
            free, so that names below it are not checked.
    """

    __slots__ = ("_shape", "entity", "field")

    def __init__(self, entity: type, field: str, shape: Shape = FREE) -> None:
        self.entity = entity
        self.field = field
        self._shape = shape

    def __getattr__(self, name: str) -> EntityField:
        if name.startswith("_"):
            raise AttributeError(name)
        where = f"{getattr(self.entity, '__name__', self.entity)}.{self.field}"
        return EntityField(
            self.entity, f"{self.field}.{name}", field_shape(self._shape, name, where)
        )

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


def field_shape(shape: Shape, name: str, where: str) -> Shape:
    """The shape of property ``name`` of a field of ``shape`` (named ``where`` in errors).

    A field of a list of objects (``Customer.base.jobs.companyName``) is the field of its items.

    Raises:
        AttributeError: the schema has no such property, with the closest names, e.g.
            ``Customer.base has no attribute 'fristName'; did you mean 'firstName'?``.
    """
    if shape is FREE:
        return FREE
    kind = "a value"
    if isinstance(shape, tuple):
        shape = shape[0]
        kind = "a list of values"
    if isinstance(shape, Mapping):
        if name in shape:
            child: Shape = shape[name]
            return child
        known = list(shape)
        close = difflib.get_close_matches(name, known, n=2)
        if close:
            hint = "did you mean " + " or ".join(repr(match) for match in close) + "?"
        else:
            hint = "its properties are " + ", ".join(known)
        raise AttributeError(f"{where} has no attribute {name!r}; {hint}")
    raise AttributeError(f"{where} has no attribute {name!r}: it is {kind}, not an object")
