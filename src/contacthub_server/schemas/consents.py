"""Which changes of a customer's ``consents`` the consent register records, and how.

Each leaf of the consents section (§6.4) is one property of the register, named by its dotted
path from the customer (``consents.marketing.automatic.email.status``). The kind of a change
follows the leaf: ``status`` is CONSENT_CHANGED, ``limitation`` CONSENT_RESTRICTED,
``objection`` CONSENT_OBJECTED, and the disclaimer's ``date``/``version`` DISCLAIMER_READ.
"""

from __future__ import annotations

from typing import Any

#: The kinds of register entries, as the API names them.
CONSENT_LOG_TYPES = (
    "DISCLAIMER_READ",
    "CONSENT_CHANGED",
    "CONSENT_RESTRICTED",
    "CONSENT_OBJECTED",
    "DATA_PORTABILITY_REQUESTED",
    "FORCED_DELETE",
)
#: The keys of a register entry as answered, in order.
CONSENT_LOG_KEYS = ("id", "customerId", "date", "type", "property", "value", "sourceId", "userId")
_LEAF_TYPES = {
    "status": "CONSENT_CHANGED",
    "limitation": "CONSENT_RESTRICTED",
    "objection": "CONSENT_OBJECTED",
}


def _leaves(value: Any, path: str, out: dict[str, Any]) -> dict[str, Any]:
    if isinstance(value, dict):
        for key, inner in value.items():
            _leaves(inner, f"{path}.{key}", out)
    elif value is not None:
        out[path] = value
    return out


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def consent_changes(before: Any, after: Any) -> list[tuple[str, str, str | None]]:
    """``(type, property, value)`` for every consent leaf whose value differs, in path order.

    ``before``/``after`` are the ``consents`` sections (None for a customer without one, or not
    yet created); a leaf that disappears is recorded with the value None.
    """
    old = _leaves(before, "consents", {})
    new = _leaves(after, "consents", {})
    changes: list[tuple[str, str, str | None]] = []
    for path in sorted(old.keys() | new.keys()):
        if old.get(path) == new.get(path):
            continue
        leaf = path.rsplit(".", 1)[1]
        kind = (
            "DISCLAIMER_READ"
            if path.startswith("consents.disclaimer.")
            else _LEAF_TYPES.get(leaf, "CONSENT_CHANGED")
        )
        changes.append((kind, path, _as_text(new.get(path))))
    return changes
