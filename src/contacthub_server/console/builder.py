"""The console's query builder: form rows to the query document, and the same query as SDK code.

A built query is one or more groups; a group is conditions (attribute, operator, value) joined
by ``and`` or ``or``; several groups are combined with INTERSECT, UNION or EXCEPT. The document is
exactly what the SDK sends (``{"name": "query", "query": ...}``), so what the console runs is what
a user's code would run, and the SDK code shown builds that same document.
"""

from __future__ import annotations

import json
import pprint
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from contacthub_server.query import OPERATORS

#: Operators that take no value, and the one that takes two.
NO_VALUE = ("IS_NULL", "IS_NOT_NULL")
LIST_VALUE = ("IN", "NOT_IN")
COMBINATIONS = ("INTERSECT", "UNION", "EXCEPT")
CONJUNCTIONS = ("and", "or")

_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class BuildError(ValueError):
    """A form row that cannot become a condition; ``where`` names the row (e.g. "group 1, row 2")."""

    def __init__(self, message: str, where: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where


@dataclass
class Row:
    """One condition as typed in the form."""

    attribute: str = ""
    operator: str = "EQUALS"
    value: str = ""


@dataclass
class Group:
    """Conditions joined by one conjunction."""

    conjunction: str = "and"
    rows: list[Row] = field(default_factory=list)


@dataclass
class Built:
    """A form's groups and how they combine, as parsed from the request."""

    groups: list[Group]
    combination: str = "INTERSECT"


def parse_form(form: Mapping[str, str]) -> Built:
    """The groups of a builder form: fields ``g{i}.conj``, ``g{i}.r{j}.attr|op|value``, ``combine``."""
    groups: list[Group] = []
    for i in range(_count(form, "g{}.conj")):
        group = Group(conjunction=form.get(f"g{i}.conj", "and"))
        for j in range(_count(form, f"g{i}.r{{}}.attr")):
            prefix = f"g{i}.r{j}."
            row = Row(
                attribute=form.get(prefix + "attr", "").strip(),
                operator=form.get(prefix + "op", "EQUALS"),
                value=form.get(prefix + "value", ""),
            )
            if row.attribute:
                group.rows.append(row)
        if group.rows:
            groups.append(group)
    return Built(groups=groups, combination=form.get("combine", "INTERSECT"))


def _count(form: Mapping[str, str], pattern: str) -> int:
    """How many consecutive indices from 0 have a field named by ``pattern``."""
    n = 0
    while pattern.format(n) in form:
        n += 1
    return n


def typed_value(text: str) -> Any:
    """A value as typed: a number when it reads as one, ``true``/``false``, else the string."""
    stripped = text.strip()
    if _NUMBER.fullmatch(stripped):
        number = float(stripped)
        return int(stripped) if number.is_integer() and "." not in stripped else number
    if stripped in ("true", "false"):
        return stripped == "true"
    return text


def _condition(row: Row, where: str) -> dict[str, Any]:
    if row.operator not in OPERATORS:
        raise BuildError(f"unknown operator {row.operator!r}", where)
    atomic: dict[str, Any] = {
        "type": "atomic",
        "attribute": row.attribute,
        "operator": row.operator,
    }
    if row.operator in NO_VALUE:
        return atomic
    parts = [part.strip() for part in row.value.split(",")]
    if row.operator == "BETWEEN":
        if len(parts) != 2 or not all(parts):
            raise BuildError("BETWEEN takes two values separated by a comma", where)
        atomic["value"] = [typed_value(part) for part in parts]
    elif row.operator in LIST_VALUE and len(parts) > 1:
        atomic["value"] = [typed_value(part) for part in parts]
    else:
        atomic["value"] = typed_value(row.value)
    return atomic


def _simple(group: Group, index: int) -> dict[str, Any]:
    if group.conjunction not in CONJUNCTIONS:
        raise BuildError(f"unknown conjunction {group.conjunction!r}", f"group {index + 1}")
    conditions = [
        _condition(row, f"group {index + 1}, row {n + 1}") for n, row in enumerate(group.rows)
    ]
    condition = (
        conditions[0]
        if len(conditions) == 1
        else {"type": "composite", "conjunction": group.conjunction, "conditions": conditions}
    )
    return {"type": "simple", "name": "query", "are": {"condition": condition}}


def query_document(built: Built) -> dict[str, Any] | None:
    """The ``{"name": "query", "query": ...}`` document of the form, or None when it is empty."""
    if not built.groups:
        return None
    simples = [_simple(group, i) for i, group in enumerate(built.groups)]
    if len(simples) == 1:
        return {"name": "query", "query": simples[0]}
    if built.combination not in COMBINATIONS:
        raise BuildError(f"unknown combination {built.combination!r}", "combine")
    combined = {
        "type": "combined",
        "name": "query",
        "conjunction": built.combination,
        "queries": simples,
    }
    return {"name": "query", "query": combined}


# -- the same query as SDK code ----------------------------------------------------------------

_PY_OPERATORS = {"EQUALS": "==", "NOT_EQUALS": "!=", "GT": ">", "GTE": ">=", "LT": "<", "LTE": "<="}


def _field(attribute: str) -> str:
    """``Customer.base.firstName`` for an attribute path (``getattr`` for unusual segments)."""
    code = "Customer"
    for segment in attribute.split("."):
        code = (
            f"{code}.{segment}"
            if _IDENTIFIER.fullmatch(segment)
            else f"getattr({code}, {segment!r})"
        )
    return code


def _literal(value: Any) -> str:
    return json.dumps(value) if isinstance(value, str) else repr(value)


def _criterion(condition: Mapping[str, Any]) -> str:
    if condition["type"] == "composite":
        joiner = " & " if condition["conjunction"] == "and" else " | "
        return joiner.join(f"({_criterion(c)})" for c in condition["conditions"])
    target = _field(condition["attribute"])
    operator = condition["operator"]
    value: Any = condition.get("value")
    if operator == "IS_NULL":
        return f"{target} == None"
    if operator == "IS_NOT_NULL":
        return f"{target} != None"
    if operator in _PY_OPERATORS:
        return f"{target} {_PY_OPERATORS[operator]} {_literal(value)}"
    if operator == "BETWEEN":
        low, high = value
        return f"between_({target}, {_literal(low)}, {_literal(high)})"
    function = "in_" if operator == "IN" else "not_in_"
    values = value if isinstance(value, list) else [value]
    return " | ".join(f"{function}({_literal(v)}, {target})" for v in values)


def _query_code(query: Mapping[str, Any]) -> str:
    if query["type"] == "simple":
        return f"node.query(Customer).filter({_criterion(query['are']['condition'])})"
    joiner = {"INTERSECT": " & ", "UNION": " | "}.get(query["conjunction"])
    parts = [_query_code(q) for q in query["queries"]]
    if joiner is None:
        return ""
    return "(" + f"){joiner}(".join(parts) + ")"


def sdk_code(document: Mapping[str, Any] | None) -> str:
    """Python that runs the same query with the SDK (``node`` a ``contacthub.Node``)."""
    if document is None:
        return "customers = node.get_customers()"
    body = _query_code(document["query"])
    if not body:
        # The SDK's builder has no EXCEPT: send the document itself (as a Python literal).
        literal = pprint.pformat(dict(document), sort_dicts=False)
        return f"query = {literal}\ncustomers = node.get_customers(query=query)"
    helpers = [name for name in ("between_", "in_", "not_in_") if re.search(rf"\b{name}\(", body)]
    imports = "from contacthub import Customer\n"
    if helpers:
        imports += f"from contacthub.models.query import {', '.join(helpers)}\n"
    return imports + f"\ncustomers = ({body}).all()"


def rows_from_document(document: Mapping[str, Any]) -> Built | None:
    """The form rows that build ``document`` back, or None when the form cannot show it.

    Used to show a query typed as JSON in the builder: only queries of the builder's own shape
    (atomic conditions under one conjunction per group) come back as rows.
    """
    query = document.get("query")
    if not isinstance(query, Mapping):
        return None
    if query.get("type") == "simple":
        simples: Sequence[Any] = [query]
        combination = "INTERSECT"
    elif query.get("type") == "combined":
        simples = query.get("queries") or []
        combination = str(query.get("conjunction", "INTERSECT"))
    else:
        return None
    groups = []
    for simple in simples:
        group = _group_of(simple)
        if group is None:
            return None
        groups.append(group)
    return Built(groups=groups, combination=combination)


def _group_of(simple: Any) -> Group | None:
    if not isinstance(simple, Mapping) or simple.get("type") != "simple":
        return None
    condition = (simple.get("are") or {}).get("condition")
    if not isinstance(condition, Mapping):
        return None
    if condition.get("type") == "atomic":
        atomics, conjunction = [condition], "and"
    elif condition.get("type") == "composite":
        atomics, conjunction = condition.get("conditions") or [], str(condition.get("conjunction"))
    else:
        return None
    rows = []
    for atomic in atomics:
        if not isinstance(atomic, Mapping) or atomic.get("type") != "atomic":
            return None
        value = atomic.get("value", "")
        text = ", ".join(_plain(v) for v in value) if isinstance(value, list) else _plain(value)
        rows.append(Row(str(atomic.get("attribute", "")), str(atomic.get("operator", "")), text))
    return Group(conjunction=conjunction, rows=rows)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
