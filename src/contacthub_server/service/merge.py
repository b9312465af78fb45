"""PATCH semantics of the ContactHub API (contract §8).

Objects are merged key by key, recursively; any other value (an array, a string, a number) replaces
the stored one whole, which is how a client removes a tag: it sends the list without it; ``null``
unsets the key. This is JSON Merge Patch (RFC 7396), with one difference kept on purpose: a key set
to ``null`` stays in the result with the value ``null`` (the hub's documents always carry every key,
and the response shape shows unset properties as ``null``).
"""

from __future__ import annotations

import copy
from typing import Any


def merge_patch(stored: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Return ``stored`` with ``patch`` applied; neither argument is modified.

    - a key of ``patch`` holding an object, where ``stored`` also holds an object: merged recursively;
    - a key holding ``null``: the property is unset (``None`` in the result);
    - any other value (arrays included): replaces the stored value whole;
    - keys absent from ``patch`` keep their stored value.
    """
    result = copy.deepcopy(stored)
    for key, value in patch.items():
        current = result.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            result[key] = merge_patch(current, value)
        else:
            result[key] = copy.deepcopy(value)
    return result
