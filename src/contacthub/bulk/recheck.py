"""Re-checking what the hub stored against what was sent (after an unknown outcome)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from contacthub._wire import encode_date, instant_of, parse_day


def holds(stored: Any, sent: Any) -> bool:
    """True when the stored document carries every value that was sent.

    The hub normalises what it stores (every base key present, dates in one format), so this is
    "sent is contained in stored": missing keys of ``sent`` are fine, a null sent matches a
    missing or empty stored value, date-times compare as instants and dates as calendar dates
    (whatever form they were written in), a string of digits matches the integer it became.
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
    return _same_value(stored, sent)


def _same_value(stored: Any, sent: Any) -> bool:
    """Whether a stored scalar is how the API stores the different-looking one that was sent.

    Dates are read with the one parser of ``contacthub._wire``, so every form a client writes
    (``Z``, ``+01``, ``+01:00``, a space for the ``T``, any fraction) compares as its instant,
    and a date field that was sent a date-time holds the calendar date it was written with.
    """
    if isinstance(sent, date):  # a datetime or date object travelled as its JSON text
        sent = encode_date(sent)
        if stored == sent:
            return True
    if isinstance(stored, str):
        if _is_day(stored):
            day = _day_of(sent)
            return day is not None and day == _day_of(stored)
        moment = instant_of(stored)
        return moment is not None and moment == instant_of(sent)
    # An integer field given a string of digits (the guide's ``startYear='1994'``).
    if isinstance(stored, int) and not isinstance(stored, bool) and isinstance(sent, str):
        return sent.strip().isdigit() and int(sent) == stored
    return False


def _is_day(text: str) -> bool:
    return len(text) == 10 and _day_of(text) is not None


def _day_of(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_day(value)
    except ValueError:
        return None


def to_millis(moment: datetime | None) -> datetime | None:
    """``moment`` cut to whole milliseconds, the precision the API stores."""
    if moment is None:
        return None
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


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
