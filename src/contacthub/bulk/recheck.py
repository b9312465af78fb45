"""Re-checking what the hub stored against what was sent (after an unknown outcome)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from contacthub.errors import APIError

# The date-time forms the API and its clients write: `Z`, `+0000` or `+00:00`, any fraction.
_INSTANT = re.compile(
    r"(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?"
)


def instant(value: Any) -> datetime | None:
    """The datetime a string names, in UTC; None when it is not a date-time.

    Parsed by hand: ``datetime.fromisoformat`` of Python 3.10 refuses ``Z`` and ``+0000``.
    """
    if not isinstance(value, str):
        return None
    match = _INSTANT.fullmatch(value.strip())
    if match is None:
        return None
    day, hour, minute, second, fraction, offset = match.groups()
    try:
        moment = datetime.fromisoformat(f"{day}T{hour}:{minute}:{second or '00'}")
    except ValueError:
        return None
    if fraction:
        moment = moment.replace(microsecond=int(fraction[:6].ljust(6, "0")))
    zone = timezone.utc
    if offset and offset != "Z":
        digits = offset[1:].replace(":", "")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        zone = timezone(delta if offset[0] == "+" else -delta)
    return moment.replace(tzinfo=zone).astimezone(timezone.utc)


def holds(stored: Any, sent: Any) -> bool:
    """True when the stored document carries every value that was sent.

    The hub normalises what it stores (every base key present, dates in one format), so this is
    "sent is contained in stored": missing keys of ``sent`` are fine, a null sent matches a
    missing or empty stored value, date-times compare as instants.
    """
    if isinstance(sent, Mapping):
        if not isinstance(stored, Mapping):
            return not sent and stored is None
        return all(holds(stored.get(key), value) for key, value in sent.items())
    if isinstance(sent, list):
        if not isinstance(stored, list):
            return not sent and stored is None
        return len(sent) == len(stored) and all(
            holds(a, b) for a, b in zip(stored, sent, strict=False)
        )
    if sent is None:
        return stored in (None, [], {})
    if stored == sent:
        return True
    sent_instant = instant(sent)
    return sent_instant is not None and sent_instant == instant(stored)


def conflict(customer_id: str) -> APIError:
    return APIError(
        f"Conflict with existing customer {customer_id}",
        status_code=409,
        data={"customer": {"id": customer_id}},
    )


def to_millis(moment: datetime | None) -> datetime | None:
    """``moment`` cut to whole milliseconds, the precision the API stores."""
    if moment is None:
        return None
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def format_instant(moment: datetime) -> str:
    """A date-time as the API writes it, in UTC with milliseconds: ``2024-05-01T10:00:00.123Z``."""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def customer_keys(body: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The customer's external id and email: what it can be looked up by."""
    external_id = body.get("externalId")
    base = body.get("base")
    contacts = base.get("contacts") if isinstance(base, Mapping) else None
    email = contacts.get("email") if isinstance(contacts, Mapping) else None
    return (
        external_id if isinstance(external_id, str) and external_id else None,
        email if isinstance(email, str) and email else None,
    )


def without_node(body: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != "nodeId"}


def conflict_id(error: APIError) -> str | None:
    data = error.data
    if isinstance(data, Mapping):
        customer = data.get("customer")
        if isinstance(customer, Mapping) and customer.get("id"):
            return str(customer["id"])
    return None
