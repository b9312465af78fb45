"""Criterion: one condition of a customer query, or two conditions joined by and/or."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, NoReturn

from contacthub import _wire
from contacthub.lib.utils import format_date

if TYPE_CHECKING:
    from contacthub.models.query.entity_field import EntityField

__all__ = ["Criterion"]


class Criterion:
    """A condition on customers, built with Python operators on query fields.

    ``Customer.base.firstName == 'Bruce'`` gives a simple criterion (a field, an operator of
    :class:`SIMPLE_OPERATORS`, a value); ``c1 & c2`` and ``c1 | c2`` give complex ones (two
    criteria and an operator of :class:`COMPLEX_OPERATORS`). Pass criteria to
    :meth:`contacthub.models.query.query.Query.filter`. Use ``&`` and ``|``, not ``and``/``or``
    (Python would silently keep one side, so a criterion refuses to be used as a boolean).

    Args:
        first_element: the field (simple) or the left criterion (complex).
        operator: one of ``SIMPLE_OPERATORS.OPERATORS`` or ``COMPLEX_OPERATORS.OPERATORS``.
        second_element: the value (simple; none for IS_NULL / IS_NOT_NULL) or the right
            criterion (complex).
    """

    class SIMPLE_OPERATORS:
        """The operators that compare a field with a value."""

        EQUALS = "EQUALS"
        NOT_EQUALS = "NOT_EQUALS"
        GT = "GT"
        GTE = "GTE"
        LT = "LT"
        LTE = "LTE"
        IN = "IN"
        NOT_IN = "NOT_IN"
        IS_NULL = "IS_NULL"
        IS_NOT_NULL = "IS_NOT_NULL"
        BETWEEN = "BETWEEN"
        OPERATORS = [
            "EQUALS",
            "NOT_EQUALS",
            "GT",
            "GTE",
            "LT",
            "LTE",
            "IN",
            "NOT_IN",
            "IS_NULL",
            "IS_NOT_NULL",
            "BETWEEN",
        ]

    class COMPLEX_OPERATORS:
        """The operators that join two criteria."""

        AND = "and"
        OR = "or"
        OPERATORS = ["and", "or"]

    __slots__ = ("first_element", "operator", "second_element")

    def __init__(self, first_element: Any, operator: str, second_element: Any = None) -> None:
        if operator in Criterion.SIMPLE_OPERATORS.OPERATORS:
            from contacthub.models.query.entity_field import EntityField

            if not isinstance(first_element, EntityField):
                raise TypeError(
                    f"a {operator} criterion needs a field such as Customer.base.firstName, "
                    f"got {first_element!r}"
                )
            if operator == Criterion.SIMPLE_OPERATORS.BETWEEN:
                if not isinstance(second_element, Sequence) or isinstance(second_element, str):
                    raise TypeError("a BETWEEN criterion needs a pair of values")
                if len(second_element) != 2:
                    raise ValueError(
                        f"a BETWEEN criterion needs exactly two values, got {len(second_element)}"
                    )
                for bound in second_element:
                    _check_range_value(bound, operator, first_element.field)
            elif operator in _RANGE_OPERATORS:
                _check_range_value(second_element, operator, first_element.field)
            second_element = _encode_value(second_element, first_element.field)
        elif operator in Criterion.COMPLEX_OPERATORS.OPERATORS:
            for side in (first_element, second_element):
                if not isinstance(side, Criterion):
                    raise TypeError(f"'{operator}' joins two criteria, got {side!r}")
        else:
            known = Criterion.SIMPLE_OPERATORS.OPERATORS + Criterion.COMPLEX_OPERATORS.OPERATORS
            raise ValueError(f"unknown operator {operator!r}; expected one of {known}")
        self.first_element = first_element
        self.operator = operator
        self.second_element = second_element

    @property
    def is_simple(self) -> bool:
        """Whether this criterion compares a field with a value (not two joined criteria)."""
        return self.operator not in Criterion.COMPLEX_OPERATORS.OPERATORS

    def __and__(self, other: Criterion) -> Criterion:
        return Criterion(self, Criterion.COMPLEX_OPERATORS.AND, _check(other, "&"))

    def __or__(self, other: Criterion) -> Criterion:
        return Criterion(self, Criterion.COMPLEX_OPERATORS.OR, _check(other, "|"))

    def __bool__(self) -> NoReturn:
        raise TypeError(
            "a query criterion has no truth value: combine criteria with & and |, "
            "not with 'and', 'or' or 'if'"
        )

    def to_condition(self) -> dict[str, Any]:
        """The API's JSON condition (contract §5.2): an atomic or a composite condition.

        Nested criteria joined by the same operator are flattened into one composite, so
        ``a & b & c`` gives one ``and`` with three conditions.
        """
        if self.is_simple:
            field: EntityField = self.first_element
            condition: dict[str, Any] = {
                "type": "atomic",
                "attribute": field.field,
                "operator": self.operator,
            }
            if self.operator not in (
                Criterion.SIMPLE_OPERATORS.IS_NULL,
                Criterion.SIMPLE_OPERATORS.IS_NOT_NULL,
            ):
                condition["value"] = self.second_element
            return condition
        conditions: list[dict[str, Any]] = []
        for side in (self.first_element, self.second_element):
            side_condition = side.to_condition()
            if side_condition["type"] == "composite" and side.operator == self.operator:
                conditions.extend(side_condition["conditions"])
            else:
                conditions.append(side_condition)
        return {"type": "composite", "conjunction": self.operator, "conditions": conditions}

    def __repr__(self) -> str:
        if self.is_simple:
            return f"Criterion({self.first_element.field!r}, {self.operator!r}, {self.second_element!r})"
        return f"Criterion({self.first_element!r}, {self.operator!r}, {self.second_element!r})"


def _check(other: Any, symbol: str) -> Criterion:
    if not isinstance(other, Criterion):
        raise TypeError(f"'{symbol}' combines two criteria, got {other!r}")
    return other


_RANGE_OPERATORS = frozenset({"GT", "GTE", "LT", "LTE"})


def _is_date_string(text: str) -> bool:
    """True for a date or date-time text in a form the API reads (the SDK's one parser)."""
    try:
        _wire.parse_instant(text)
    except ValueError:
        return False
    return True


def _check_range_value(value: Any, operator: str, field: str) -> None:
    """A range operator (GT, GTE, LT, LTE, BETWEEN) compares dates or numbers, nothing else.

    Raises:
        TypeError: ``value`` is neither a date, a datetime, a number nor a string.
        ValueError: ``value`` is a string that is not an ISO 8601 date or date-time.
    """
    expected = (
        "a date, a datetime, a number or an ISO 8601 date string such as '1994-06-10' "
        "or '1994-06-10T08:00:00Z'"
    )
    if isinstance(value, date):
        return
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{operator} on {field} compares with a finite number, got {value!r}")
        return
    if isinstance(value, str):
        if _is_date_string(value):
            return
        raise ValueError(
            f"{operator} on {field} compares with {expected}, got the string {value!r}"
        )
    raise TypeError(f"{operator} on {field} compares with {expected}, got {value!r}")


def _encode_value(value: Any, field: str) -> Any:
    """Values as the API reads them: dates as ISO strings, tuples as lists."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_encode_value(item, field) for item in value]
    raise TypeError(
        f"cannot compare {field} with a {type(value).__name__}: use strings, numbers, "
        "booleans, dates, datetimes or lists of them"
    )
