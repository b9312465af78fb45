"""The rows of the value index (`tables.customer_values`) for one customer document.

An attribute path names the values found by walking the document key by key; a list met on the
way contributes every element (so `base.jobs.companyName` holds the company of every job, and
`tags.auto` holds every tag). `null` is no value. An object is recorded as present (kind "o") so
that IS_NULL can tell "an object" from "nothing"; its own keys are walked in turn. Keys that
cannot appear in a query path (see `ordering.split_path`) are not indexed.
"""

from __future__ import annotations

import math
from typing import Any

from contacthub_server.schemas.instants import parse_instant, to_millis
from contacthub_server.schemas.paths import MAX_PATH_LENGTH, SEGMENT

from .tables import SHORT_STRING_MAX

# Longer strings are never dates: skip the date parser for them.
_MAX_DATE_LENGTH = 40

Row = tuple[str, str, float | None, str | None, str | None, int | None]


def scalar_row(path: str, value: Any) -> Row | None:
    """The index row of one scalar value at `path`, or None for a value we do not index."""
    if isinstance(value, bool):
        return (path, "b", 1.0 if value else 0.0, None, None, None)
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond a double: not comparable as a number
            return None
        return (path, "n", number, None, None, None) if math.isfinite(number) else None
    if isinstance(value, str):
        instant = None
        if len(value) <= _MAX_DATE_LENGTH:
            parsed = parse_instant(value)
            instant = None if parsed is None else to_millis(parsed)
        if len(value) <= SHORT_STRING_MAX:
            return (path, "s", None, value, None, instant)
        return (path, "s", None, None, value, instant)
    return None


# Whether a key can appear in a query path, for the keys met so far (documents repeat the same
# few dozen keys; a regular expression match costs ~0.7 µs, a look-up ~0.1 µs). Bounded: keys
# beyond it are matched each time.
_SEGMENT_KEYS: dict[str, bool] = {}
_SEGMENT_KEYS_MAX = 4096


def _indexable_key(key: str) -> bool:
    known = _SEGMENT_KEYS.get(key)
    if known is None:
        known = SEGMENT.fullmatch(key) is not None
        if len(_SEGMENT_KEYS) < _SEGMENT_KEYS_MAX:
            _SEGMENT_KEYS[key] = known
    return known


def document_values(doc: dict[str, Any]) -> list[Row]:
    """Every (path, kind, num, str, long_str, instant) row of a customer document, without repeats."""
    rows: dict[Row, None] = {}

    def visit(value: Any, path: str) -> None:
        # `null` is no value: skipped before the call (documents hold many null placeholders).
        if isinstance(value, dict):
            if path:
                rows[(path, "o", None, None, None, None)] = None
            for key, item in value.items():
                if item is not None and isinstance(key, str) and _indexable_key(key):
                    child = f"{path}.{key}" if path else key
                    if len(child) <= MAX_PATH_LENGTH:
                        visit(item, child)
            return
        if isinstance(value, list):
            for item in value:
                if item is not None:
                    visit(item, path)
            return
        row = scalar_row(path, value)
        if row is not None:
            rows[row] = None

    if doc is not None:
        visit(doc, "")
    return list(rows)
