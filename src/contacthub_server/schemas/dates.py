"""Dates and date-times as the hub reads and writes them.

The hub writes one form only: ``2017-03-08T10:18:17.000+0000`` for date-times (UTC, milliseconds,
offset without a colon) and ``2017-03-08`` for dates. It reads every form the official clients
sent: ``Z``, ``+0000``, ``+00:00`` or ``+00`` offsets (or any other offset, converted to UTC),
with or without a fraction of a second (any number of digits), a space instead of the ``T``, no
offset at all (taken as UTC) and a bare date (midnight UTC). Every RFC 3339 form is among them,
a leap second included (``23:59:60`` UTC, read as its last millisecond before the next minute,
``23:59:59.999``: the hub's instants, like the API's, have no 61st second).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

_DATE_TIME = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"(?:[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?"
    r"(?P<offset>[Zz]|[+-]\d{2}(?::?\d{2})?)?)?"
)
_DATE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})")


def _offset(text: str | None) -> timezone:
    if text is None or text in ("Z", "z"):
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or "0")
    if hours > 23 or minutes > 59:
        raise ValueError(f"invalid UTC offset {text!r}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_datetime(text: str) -> datetime:
    """Read a date-time in any accepted form and return it as an aware UTC ``datetime``.

    Raises ``ValueError`` (with a message naming the expected form) when ``text`` is not a
    date-time or names an impossible instant (month 13, 25 o'clock, ...).
    """
    if not isinstance(text, str):
        raise ValueError(f"expected a date-time string, got {type(text).__name__}")
    match = _DATE_TIME.fullmatch(text.strip())
    if match is None:
        raise ValueError(
            f"invalid date-time {text!r}: expected a form such as 2017-03-08T10:18:17.000+0000"
        )
    parts = match.groupdict()
    fraction = (parts["fraction"] or "0")[:6].ljust(6, "0")
    second = int(parts["second"] or 0)
    leap = second == 60
    try:
        moment = datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            59 if leap else second,
            int(fraction),
            tzinfo=_offset(parts["offset"]),
        ).astimezone(timezone.utc)
    except (ValueError, OverflowError) as exc:
        # An offset can push year 1 or year 9999 out of range: still the sender's mistake.
        raise ValueError(f"invalid date-time {text!r}: {exc}") from None
    if leap:
        # A leap second is always 23:59:60 UTC (RFC 3339 §5.7), whatever the offset written.
        if (moment.hour, moment.minute) != (23, 59):
            raise ValueError(f"invalid date-time {text!r}: a leap second is 23:59:60 UTC")
        moment = moment.replace(microsecond=999_000)
    return moment


def format_datetime(moment: datetime) -> str:
    """Write ``moment`` in the hub's one form, e.g. ``2017-03-08T10:18:17.000+0000``.

    A naive ``datetime`` is taken as UTC; an aware one is converted to UTC. The fraction of a
    second is cut to milliseconds (never rounded up, so the second never changes).
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    # Formatted by hand: strftime does not zero-pad years before 1000 on every platform.
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}."
        f"{moment.microsecond // 1000:03d}+0000"
    )


def canonical_datetime(text: str) -> str:
    """Rewrite a date-time given in any accepted form in the hub's form; ``ValueError`` if invalid."""
    return format_datetime(parse_datetime(text))


def parse_date(text: str) -> date:
    """Read a date (``YYYY-MM-DD``).

    A full date-time is accepted too (clients that encode a ``datetime`` where a date is meant):
    its calendar date is taken as written, before any conversion to UTC, because that is the day
    the sender meant (``1980-05-10T00:00:00+02:00`` is 10 May, not 9 May). Raises ``ValueError``.
    """
    if not isinstance(text, str):
        raise ValueError(f"expected a date string, got {type(text).__name__}")
    stripped = text.strip()
    match = _DATE.fullmatch(stripped)
    if match is None:
        if _DATE_TIME.fullmatch(stripped) is None:
            raise ValueError(f"invalid date {text!r}: expected YYYY-MM-DD")
        parse_datetime(stripped)  # the whole date-time must be valid, not just its date
        match = _DATE.match(stripped)
        assert match is not None  # the date-time pattern starts with the date pattern
    try:
        return date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError as exc:
        raise ValueError(f"invalid date {text!r}: {exc}") from None


def format_date(day: date) -> str:
    """Write a date as ``YYYY-MM-DD`` (a ``datetime`` is reduced to its own calendar date)."""
    if isinstance(day, datetime):
        day = day.date()
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def canonical_date(text: str) -> str:
    """Rewrite a date given in any accepted form as ``YYYY-MM-DD``; ``ValueError`` if invalid."""
    return format_date(parse_date(text))


def now() -> str:
    """The current instant in the hub's date-time form."""
    return format_datetime(datetime.now(timezone.utc))
