"""PATCH semantics of the ContactHub API (contract §8).

Objects are merged key by key, recursively; any other value (an array, a string, a number) replaces
the stored one whole, which is how a client removes a tag: it sends the list without it; ``null``
unsets the key. This is JSON Merge Patch (RFC 7396), with one difference kept on purpose: a key set
to ``null`` stays in the result with the value ``null`` (the hub's documents always carry every key,
and the response shape shows unset properties as ``null``).
"""

from __future__ import annotations

from typing import Any

from contacthub_server.schemas.spec import copy_json


def merge_patch(stored: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Return ``stored`` with ``patch`` applied; neither argument is modified.

    - a key of ``patch`` holding an object, where ``stored`` also holds an object: merged recursively;
    - a key holding ``null``: the property is unset (``None`` in the result);
    - any other value (arrays included): replaces the stored value whole;
    - keys absent from ``patch`` keep their stored value.
    """
    result: dict[str, Any] = {}
    for key, value in stored.items():  # stored keys keep their order
        if key not in patch:
            result[key] = copy_json(value)
            continue
        change = patch[key]
        if isinstance(change, dict) and isinstance(value, dict):
            result[key] = merge_patch(value, change)
        else:
            result[key] = copy_json(change)
    for key, change in patch.items():
        if key not in stored:
            result[key] = copy_json(change)
    return result
