"""``import --check``: the hub's email and date rules, applied to a row before anything is sent.

The command must work without the hub installed, so the rules are restated here and
``tests/test_shared_lists.py`` holds them against the hub's own (``contacthub_server.schemas``):
an email is one ``@`` between two runs of characters that are neither ``@`` nor blank, or an
RFC 5322 quoted local part (``"mario rossi"@example.com``) before such a run; a
date-time is ``YYYY-MM-DD`` optionally followed by ``T`` (or a space) and ``hh:mm``, seconds, a
fraction of any length and an offset (``Z``, ``+hh``, ``+hhmm``, ``+hh:mm``), naming a real
instant (a leap second only as 23:59:60 UTC); a date is ``YYYY-MM-DD`` or such a date-time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from typing import Any, Literal

Rule = Literal["email", "date", "datetime"]

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
# An RFC 5322 quoted local part ("mario rossi"@example.com) may hold blanks and "@".
_QUOTED_EMAIL = re.compile(r'"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"@[^@\s"]+')
_SHAPE = re.compile(
    r"\d{4}-\d{2}-\d{2}"
    r"(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?)?"
)
_FRACTION = re.compile(r"[.,](\d{1,6})\d*")
_LEAP_SECOND = re.compile(r"(?<=:\d{2}:)60")

#: Where a customer holds emails and dates; ``[]`` steps into each element of a list.
CUSTOMER_RULES: dict[str, Rule] = {
    "base.contacts.email": "email",
    "base.dob": "date",
    "base.jobs[].startDate": "date",
    "base.jobs[].endDate": "date",
    "base.likes[].createdTime": "datetime",
    "base.subscriptions[].startDate": "datetime",
    "base.subscriptions[].endDate": "datetime",
    "base.subscriptions[].registeredAt": "datetime",
    "base.subscriptions[].updatedAt": "datetime",
    "consents.disclaimer.date": "datetime",
}
#: Where an event holds dates (its properties are checked by the hub, per event type).
EVENT_RULES: dict[str, Rule] = {"date": "datetime"}


def is_email(text: str) -> bool:
    """True when the hub takes ``text`` as an email address."""
    return _EMAIL.fullmatch(text) is not None or _QUOTED_EMAIL.fullmatch(text) is not None


def is_datetime(text: str) -> bool:
    """True when the hub takes ``text`` as a date-time."""
    stripped = text.strip()
    if _SHAPE.fullmatch(stripped) is None:
        return False
    # Python reads six digits of fraction and no 61st second: cut the one, pull the other back.
    normal = stripped[:10] + _FRACTION.sub(r".\1", stripped[10:]).upper()
    leap = _LEAP_SECOND.search(normal) is not None
    try:
        moment = datetime.fromisoformat(_LEAP_SECOND.sub("59", normal)).astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return False
    return not leap or (moment.hour, moment.minute) == (23, 59)


def is_date(text: str) -> bool:
    """True when the hub takes ``text`` as a date (a valid date-time is reduced to its date)."""
    return is_datetime(text)


_CHECKS = {"email": is_email, "date": is_date, "datetime": is_datetime}
_EXPECTED = {
    "email": "is not a valid email",
    "date": "is not a date (YYYY-MM-DD)",
    "datetime": "is not a date-time (such as 2017-03-08T10:18:17.000+0000)",
}


def _values(document: Any, parts: list[str], where: str) -> Iterator[tuple[str, Any]]:
    if not parts:
        yield where, document
        return
    head, rest = parts[0], parts[1:]
    if not isinstance(document, Mapping):
        return
    many = head.endswith("[]")
    name = head.removesuffix("[]")
    value = document.get(name)
    at = f"{where}.{name}" if where else name
    if many:
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield from _values(item, rest, f"{at}[{index}]")
    elif value is not None:
        yield from _values(value, rest, at)


def first_problem(document: Mapping[str, Any], rules: Mapping[str, Rule]) -> tuple[str, str] | None:
    """The first ``(field, message)`` of the document that breaks a rule, or None."""
    for path, rule in rules.items():
        for where, value in _values(document, path.split("."), ""):
            if not isinstance(value, str):
                continue  # a wrong type is the hub's to refuse; these rules are about text
            if not _CHECKS[rule](value):
                return where, f"{value!r} {_EXPECTED[rule]}"
    return None
