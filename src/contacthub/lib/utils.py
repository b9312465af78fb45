"""JSON encoding of dates and models, and helpers for nested dictionaries and mutation trackers.

The helpers work on plain JSON-like data: dictionaries, lists and scalars. Models
(:class:`~contacthub.models.properties.Properties`, customers, events, items) are turned into
their dictionaries wherever they appear.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from contacthub import _wire

__all__ = [
    "DateEncoder",
    "convert_properties_obj_in_prop",
    "copy_plain",
    "diff_documents",
    "format_date",
    "format_datetime",
    "generate_mutation_tracker",
    "get_dictionary_paths",
    "remove_empty_attributes",
    "resolve_mutation_tracker",
]


def format_datetime(value: datetime) -> str:
    """Write a datetime the way the API writes it: UTC with milliseconds, ``+0000``.

    ``2011-12-11T00:00:00.000+0000``. A naive datetime is local time, as Python's own
    ``value.astimezone()`` reads it (so ``datetime.now()`` is written as now); an aware one is
    converted to UTC.
    """
    return _wire.format_instant(value)


def format_date(value: date) -> str:
    """Write a date as ``YYYY-MM-DD`` (a datetime is written with :func:`format_datetime`)."""
    return _wire.encode_date(value)


def _model_dict(value: Any) -> dict[str, Any] | None:
    # Properties and every entity (Customer, Event, items) keep their document in a Properties
    # tree; imported lazily because the models import this module.
    from contacthub.models.properties import AttributeHolder, Properties

    if isinstance(value, Properties):
        return value.to_dict()
    if isinstance(value, AttributeHolder):
        return value.to_dict()
    return None


class DateEncoder(json.JSONEncoder):
    """A JSON encoder for request bodies and queries.

    Datetimes become the API's date-time form, ``2011-12-11T00:00:00.000+0000`` (UTC; a naive
    datetime is local time, as ``datetime.astimezone()`` reads it), dates become ``YYYY-MM-DD``,
    UUIDs strings, decimals numbers, and Properties, customers, events and items become their
    dictionaries. Use it as ``json.dumps(body, cls=DateEncoder)``.
    """

    def __init__(self, *args: Any, encoding: str = "utf-8", **kwargs: Any) -> None:
        # The guide documents an ``encoding`` argument (json's, in Python 2); text is always
        # Unicode here, so it is accepted and has no effect.
        super().__init__(*args, **kwargs)

    def default(self, obj: Any) -> Any:
        """Return a JSON-serialisable form of ``obj``, or raise :class:`TypeError` as json does."""
        o = obj
        if isinstance(o, date):
            return _wire.encode_date(o)
        if isinstance(o, UUID):
            return str(o)
        if isinstance(o, Decimal):
            # JSON has one number type: integral decimals stay integers.
            return int(o) if o == o.to_integral_value() else float(o)
        as_dict = _model_dict(o)
        if as_dict is not None:
            return as_dict
        return super().default(o)


def copy_plain(value: Any) -> Any:
    """Deep-copy JSON-like data: new dictionaries and lists, scalars shared.

    Models found inside are replaced by copies of their dictionaries, tuples become lists.
    """
    kind = type(value)
    if kind is dict:
        return _copy_dict(value)
    if kind is list:
        return _copy_list(value)
    return _copy_other(value)


# Values shared as they are by copies: immutable, and never models.
_SHARED_TYPES = frozenset({str, int, float, bool, type(None), datetime, date})


def _copy_dict(source: dict[str, Any]) -> dict[str, Any]:
    # A shallow copy first, then only the containers are replaced: most values of a customer
    # document are scalars, and this is the hot path of every to_dict().
    result = source.copy()
    for key, value in source.items():
        kind = type(value)
        if kind is dict:
            result[key] = _copy_dict(value)
        elif kind is list:
            result[key] = _copy_list(value)
        elif kind not in _SHARED_TYPES:
            result[key] = _copy_other(value)
    return result


def _copy_list(source: list[Any]) -> list[Any]:
    return [
        _copy_dict(item)
        if type(item) is dict
        else item
        if type(item) is str or item is None
        else copy_plain(item)
        for item in source
    ]


def _copy_other(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [copy_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: copy_plain(item) for key, item in value.items()}
    as_dict = _model_dict(value)
    if as_dict is not None:
        return as_dict
    return value


def diff_documents(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The changes that turn ``old`` into ``new``, as a PATCH body reads them.

    Changed and added keys carry their new value, keys missing from ``new`` carry ``None``
    (the API deletes a property set to null), nested dictionaries are compared key by key, and a
    list that changed in any way is given whole (the API replaces lists). Unchanged parts are
    left out, so two equal documents give ``{}``. Subtrees shared by both documents (the same
    object) are skipped without being walked, which keeps the diff of a lightly edited
    document cheap.
    """
    changes: dict[str, Any] = {}
    for key, value in new.items():
        if key in old:
            before = old[key]
            if before is value:
                continue
            if type(value) is dict and type(before) is dict:
                nested = diff_documents(before, value)
                if nested:
                    changes[key] = nested
                continue
            if type(before) is type(value) and before == value:
                continue
        elif value is None:
            # Setting an absent key to None changes nothing on the server.
            continue
        changes[key] = copy_plain(value)
    for key, before in old.items():
        if key not in new and before is not None:
            changes[key] = None
    return changes


def convert_properties_obj_in_prop(properties: Any, properties_class: type) -> Any:
    """Replace every ``properties_class`` object inside ``properties`` by its dictionary.

    ``properties`` is a dictionary (changed in place and returned) or a list (a converted copy
    is returned); objects of ``properties_class`` nested at any depth, also inside lists, become
    plain dictionaries, so the result can be sent to the API as JSON.
    """
    if isinstance(properties, dict):
        for key, value in properties.items():
            properties[key] = _convert(value, properties_class)
        return properties
    return _convert(properties, properties_class)


def _convert(value: Any, properties_class: type) -> Any:
    if isinstance(value, properties_class):
        value = value.to_dict()  # type: ignore[attr-defined]
    if isinstance(value, dict):
        return {key: _convert(item, properties_class) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_convert(item, properties_class) for item in value]
    return value


def generate_mutation_tracker(old_attributes: Any, new_attributes: Any) -> dict[str, Any]:
    """Build the whole updated document from ``old_attributes`` and ``new_attributes``.

    Starting from every key of ``old_attributes``: keys present in ``new_attributes`` take its
    value (nested dictionaries are merged the same way), keys absent from it become ``None``
    (deleted), and keys only in ``new_attributes`` are added. Either side may be a dictionary
    or a Properties object. For only the changes, see :func:`diff_documents`.
    """
    old = _as_dict(old_attributes)
    new = _as_dict(new_attributes)
    result: dict[str, Any] = {}
    for key, before in old.items():
        if key not in new:
            result[key] = None
            continue
        after = new[key]
        if isinstance(before, dict) and isinstance(after, dict):
            result[key] = generate_mutation_tracker(before, after)
        else:
            result[key] = copy_plain(after)
    for key, after in new.items():
        if key not in old:
            result[key] = copy_plain(after)
    return result


def _as_dict(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    as_dict = _model_dict(value)
    if as_dict is None:
        raise TypeError(f"expected a dictionary or a Properties object, got {type(value).__name__}")
    return as_dict


def get_dictionary_paths(d: dict[str, Any], main_list: list[list[str]]) -> None:
    """Append to ``main_list`` the key path of every leaf of the nested dictionary ``d``.

    For ``{'a': {'b': {'c': 1, 'd': 2}, 'e': 3}}`` it appends ``['a', 'b', 'c']``,
    ``['a', 'b', 'd']`` and ``['a', 'e']``. A leaf is any value that is not a non-empty
    dictionary.
    """
    _collect_paths(d, [], main_list)


def _collect_paths(d: dict[str, Any], prefix: list[str], out: list[list[str]]) -> None:
    for key, value in d.items():
        path = [*prefix, key]
        if isinstance(value, dict) and value:
            _collect_paths(value, path, out)
        else:
            out.append(path)


def remove_empty_attributes(body: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``body`` without empty attributes, at any depth.

    ``None`` values, empty lists and empty dictionaries (also those left empty once their own
    empty attributes are gone) are dropped; ``0``, ``False`` and ``''`` are values and stay.
    Use it to send only what was set when creating an entity.
    """
    cleaned: dict[str, Any] = {}
    for key, value in _as_dict(body).items():
        if isinstance(value, dict) or _model_dict(value) is not None:
            value = remove_empty_attributes(value)
        elif isinstance(value, (list, tuple)):
            value = [
                remove_empty_attributes(item) if isinstance(item, dict) else item for item in value
            ]
        if value is None or (isinstance(value, (dict, list)) and not value):
            continue
        cleaned[key] = value
    return cleaned


def resolve_mutation_tracker(mutation_tracker: dict[str, Any]) -> dict[str, Any]:
    """Turn dotted keys into nested dictionaries.

    ``{'a.b.c.d': 'e', 'a.x': 1}`` becomes ``{'a': {'b': {'c': {'d': 'e'}}, 'x': 1}}``. Raises
    :class:`ValueError` when a key needs a value to be both a leaf and a dictionary.
    """
    result: dict[str, Any] = {}
    for dotted, value in mutation_tracker.items():
        *parents, leaf = dotted.split(".")
        node = result
        for depth, part in enumerate(parents):
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                where = ".".join(parents[: depth + 1])
                raise ValueError(f"conflicting keys: {where!r} is a value and a dictionary")
            node = child
        if isinstance(node.get(leaf), dict) and not isinstance(value, dict):
            raise ValueError(f"conflicting keys: {dotted!r} is a value and a dictionary")
        node[leaf] = value
    return result
