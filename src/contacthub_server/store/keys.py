"""Index keys of the texts the hub looks rows up by: externalIds, bring-back values, session values.

A client may send any length of text there (the API sets no limit), but PostgreSQL refuses to
index an entry of more than about 2,700 bytes: such a write was a 500. So those columns are
indexed by a key of fixed size, the SHA-256 of the text, kept next to the text itself; a lookup
compares both (the key finds the rows through the index, the text confirms them), and a
uniqueness rule on the key is one on the text (no two texts share a SHA-256 in practice).
"""

from __future__ import annotations

import hashlib
from typing import Any

KEY_LENGTH = 64
"""The length of a key: a SHA-256 in hexadecimal."""

#: table -> (text column, key column) for every keyed column of the hub's tables.
KEYED_COLUMNS: dict[str, tuple[str, str]] = {
    "customers": ("external_id", "external_key"),
    "events": ("bbp_value", "bbp_key"),
    "sessions": ("value", "value_key"),
}


def index_key(value: Any) -> str | None:
    """The index key of a text, or None for anything else (null stays null)."""
    if not isinstance(value, str):
        return None
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def with_index_keys(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """``row`` of ``table`` with its key filled in from its text when missing (the rows of a
    snapshot taken before the keys existed)."""
    keyed = KEYED_COLUMNS.get(table)
    if keyed is not None and row.get(keyed[1]) is None:
        row[keyed[1]] = index_key(row.get(keyed[0]))
    return row
