"""Local time in an IANA time zone, for instants kept as epoch milliseconds (UTC).

The analytics count rows by local day, hour or weekday. A zone's offset from UTC changes at its
transitions (daylight saving time, changes of rule), so the local time of an instant is the
instant plus the offset in force at that instant. `offsets_between` lists those offsets for a
span of instants, which the store turns into SQL; `day_start` gives the first instant of a local
day, which bounds a range of dates. Everything here is integer arithmetic on milliseconds, so
instants near the years 1 and 9999 (where a ``datetime`` in another zone would overflow) are safe.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DAY = date(1970, 1, 1).toordinal()
# Instants whose local time exists as a datetime in every zone (offsets stay within a day).
_FIRST_MS = (date(1, 1, 3).toordinal() - _EPOCH_DAY) * DAY_MS
_LAST_MS = (date(9999, 12, 29).toordinal() - _EPOCH_DAY) * DAY_MS
# A zone's offset is read every 14 days, and each change found is pinned to the millisecond.
# Two transitions that cancel out within 14 days would be missed: no zone has had such (the
# shortest periods of a different offset, Ramadan suspensions of summer time, last a month).
_PROBE_MS = 14 * DAY_MS


class UnknownZone(ValueError):
    """The zone is not in this machine's time zone database (install the ``tzdata`` package)."""


@lru_cache(maxsize=512)
def zone(name: str) -> tzinfo:
    """The zone named ``name``; raises `UnknownZone` when the time zone database lacks it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownZone(f"no time zone data for {name!r} on this machine") from None


def offset_at(name: str, instant: int) -> int:
    """The offset from UTC, in ms, in force in zone ``name`` at ``instant`` (epoch ms)."""
    moment = _EPOCH + timedelta(milliseconds=min(max(instant, _FIRST_MS), _LAST_MS))
    offset = moment.astimezone(zone(name)).utcoffset()
    assert offset is not None  # an aware datetime in a ZoneInfo always has one
    return (offset.days * 86_400 + offset.seconds) * 1000 + offset.microseconds // 1000


def _first_change(name: str, low: int, high: int, before: int) -> int:
    """The first instant in (low, high] whose offset differs from ``before`` (the offset at
    ``low``), given that the offset at ``high`` differs."""
    while high - low > 1:
        middle = (low + high) // 2
        if offset_at(name, middle) == before:
            low = middle
        else:
            high = middle
    return high


@lru_cache(maxsize=65_536)
def _year_transitions(name: str, year: int) -> tuple[tuple[int, int], ...]:
    """The transitions ``(instant, offset from then on)`` of zone ``name`` during UTC year
    ``year`` (cached: a zone's history does not change while the hub runs)."""
    start = (date(year, 1, 1).toordinal() - _EPOCH_DAY) * DAY_MS
    end = (date(year + 1, 1, 1).toordinal() - _EPOCH_DAY) * DAY_MS if year < 9999 else _LAST_MS
    found: list[tuple[int, int]] = []
    cursor = start - 1
    current = offset_at(name, cursor)
    while cursor < end - 1:
        probe = min(cursor + _PROBE_MS, end - 1)
        if offset_at(name, probe) == current:
            cursor = probe
            continue
        cursor = _first_change(name, cursor, probe, current)
        current = offset_at(name, cursor)
        found.append((cursor, current))
    return tuple(found)


def _utc_year(instant: int) -> int:
    clamped = min(max(instant, _FIRST_MS), _LAST_MS)
    return (_EPOCH + timedelta(milliseconds=clamped)).year


def offsets_between(name: str, low: int, high: int) -> tuple[int, list[tuple[int, int]]]:
    """The offsets of zone ``name`` for instants from ``low`` to ``high`` (epoch ms, inclusive):
    the offset at ``low``, and each transition ``(instant, offset from then on)`` after it."""
    first = offset_at(name, low)
    changes = [
        change
        for year in range(_utc_year(low), _utc_year(high) + 1)
        for change in _year_transitions(name, year)
        if low < change[0] <= high
    ]
    return first, changes


def day_number(day: date) -> int:
    """Days from 1970-01-01 to ``day`` (negative before)."""
    return day.toordinal() - _EPOCH_DAY


def day_of(number: int) -> date:
    """The date ``number`` days after 1970-01-01."""
    return date.fromordinal(number + _EPOCH_DAY)


def local_day(name: str, instant: int) -> int:
    """The number (see `day_number`) of the local day of ``instant`` in zone ``name``."""
    return (instant + offset_at(name, instant)) // DAY_MS


def day_start(name: str, number: int) -> int:
    """The first instant (epoch ms) whose local day in zone ``name`` is day ``number`` or later.

    Local midnight, unless midnight does not exist that day (clocks moved past it): then the
    instant of the transition.
    """
    midnight = number * DAY_MS
    # Every offset is within 15 hours of UTC: the answer lies in this window, where "the local
    # time has reached midnight" turns true once (twice at most, on a fall-back at midnight:
    # the bisection then gives one of the two, both are starts of the day).
    low, high = midnight - 16 * HOUR_MS, midnight + 16 * HOUR_MS
    while high - low > 1:
        middle = (low + high) // 2
        if middle + offset_at(name, middle) >= midnight:
            high = middle
        else:
            low = middle
    return high


def today(name: str, now: datetime) -> date:
    """The local date of the instant ``now`` in zone ``name``."""
    return now.astimezone(zone(name)).date()
