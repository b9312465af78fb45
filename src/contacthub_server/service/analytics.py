"""The analytics (`…/analytics/…`): counts of customers and events per node, per period, per value.

Each endpoint answers ``{name, headers, parameters, data}``: ``data`` holds one entry per node
(every node of the workspace, or those ``nodes`` names, in that order), ``parameters`` repeats
what the request asked (absent ones as null, defaults filled in) and ``headers`` describes one
entry of ``data`` as a JSON schema. The counting is done by the store in SQL (`Tx.count_by_*`).

Decisions where the reference is silent (also in docs/hub.md):
- ``startDate``/``endDate`` are whole days (``YYYY-MM-DD``, both inclusive) in the time zone of
  the request: ``timezone`` (a hub extension; one of `TIMEZONES`), else `DEFAULT_TIMEZONE`, the
  reference's default time zone of a workspace. Buckets (days, ISO weeks, months, hours,
  weekdays) are local times in that zone, daylight saving time included.
- "New" customers are those registered in the period, counting those deleted since; "lost" ones
  are those deleted in it; a trend's ``total`` is how many the node held at the end of each
  bucket. ``customer/count`` and the compositions count the customers stored now (registered in
  the period when dates are given). A node's one source is the node itself.
- Compositions count customers by the value they hold (as stored, compared byte-wise); ``N/A``
  counts those without one (missing, null or ""). Age is reckoned on today's date in the zone.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from contacthub_server.schemas import dates, local_time
from contacthub_server.schemas.analytics import (
    AGE_RANGES,
    DATA_SCHEMAS,
    DEFAULT_TIMEZONE,
    ENDPOINTS,
    MAX_BUCKETS,
    NOT_AVAILABLE,
    TREND_MODES,
    WEEKDAYS,
    AnalyticsEndpoint,
)
from contacthub_server.schemas.event_catalog import CONTEXTS, EVENT_TYPES
from contacthub_server.schemas.timezones import TIMEZONES
from contacthub_server.service.customers import node_not_found
from contacthub_server.service.errors import BadRequest
from contacthub_server.service.registry import Registry
from contacthub_server.store import Tx
from contacthub_server.store.analytics import Scope, Source, Unit

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_GENDER, _DOB = "base.gender", "base.dob"
_COUNTRY, _CITY = "base.address.country", "base.address.city"


@dataclass(frozen=True)
class Request:
    """The validated parameters of one analytics request."""

    nodes: tuple[str, ...] | None
    start: date | None
    end: date | None
    timezone: str
    mode: str | None = None
    context: str | None = None
    event_type: str | None = None
    country: str | None = None
    echo: dict[str, Any] = field(default_factory=dict)


# -- parameters -------------------------------------------------------------------------------


def _day(raw: Mapping[str, str | None], name: str) -> date | None:
    text = raw.get(name)
    if text is None:
        return None
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise BadRequest.field(
            name, f"not a date (YYYY-MM-DD, e.g. 2017-03-08): {text!r}"
        ) from None


def _choice(raw: Mapping[str, str | None], name: str, allowed: Any, what: str) -> str | None:
    value = raw.get(name)
    if value is not None and value not in allowed:
        raise BadRequest.field(name, f"unknown {what} {value!r}")
    return value


def _nodes(raw: Mapping[str, str | None]) -> tuple[str, ...] | None:
    text = raw.get("nodes")
    if text is None:
        return None
    names = [part.strip() for part in text.split(",")]
    unique = tuple(dict.fromkeys(name for name in names if name))
    return unique or None


def parse(endpoint: AnalyticsEndpoint, raw: Mapping[str, str | None]) -> Request:
    """The endpoint's parameters from ``raw`` (query parameter -> text, None when absent);
    400 naming the parameter when one is missing or invalid."""
    for name in endpoint.required:
        if raw.get(name) is None:
            raise BadRequest.field(name, f"the {name} query parameter is required")
    start, end = _day(raw, "startDate"), _day(raw, "endDate")
    if start is not None and end is not None and end < start:
        raise BadRequest.field("endDate", f"must not be before startDate ({start.isoformat()})")
    zone = _choice(raw, "timezone", TIMEZONES, "time zone") or DEFAULT_TIMEZONE
    try:
        local_time.zone(zone)
    except local_time.UnknownZone as exc:
        raise BadRequest.field("timezone", str(exc)) from None
    mode = None
    if endpoint.modes:
        mode = _choice(raw, "mode", endpoint.modes, "mode") or endpoint.default_mode
    request = Request(
        nodes=_nodes(raw),
        start=start,
        end=end,
        timezone=zone,
        mode=mode,
        context=_choice(raw, "context", CONTEXTS, "context"),
        event_type=_choice(raw, "eventType", EVENT_TYPES, "event type"),
        country=raw.get("country"),
    )
    if endpoint.modes == TREND_MODES:
        assert start is not None  # required, as are end and mode
        assert end is not None
        assert mode is not None
        count = _bucket_count(mode, start, end)
        if count > MAX_BUCKETS:
            raise BadRequest.field(
                "endDate", f"a {mode} trend has at most {MAX_BUCKETS} buckets; this one has {count}"
            )
    echo = {
        "nodes": ",".join(request.nodes) if request.nodes else None,
        "startDate": raw.get("startDate"),
        "endDate": raw.get("endDate"),
        "mode": mode,
        "context": request.context,
        "eventType": request.event_type,
        "country": request.country,
        "timezone": zone,
    }
    return replace(request, echo={name: echo[name] for name in endpoint.parameters})


# -- periods ----------------------------------------------------------------------------------


def _bucket_count(mode: str, start: date, end: date) -> int:
    if mode == "DAILY":
        return (end - start).days + 1
    if mode == "WEEKLY":
        return (end - (start - timedelta(days=start.weekday()))).days // 7 + 1
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _buckets(mode: str, start: date, end: date) -> list[tuple[str, int]]:
    """The trend's buckets ``(label, first local day number)`` covering ``start`` to ``end``;
    the first and last are cut to the range."""
    found: list[tuple[str, int]] = []
    day: date | None = start
    while day is not None and day <= end:
        if mode == "DAILY":
            label, days = day.isoformat(), 1
        elif mode == "WEEKLY":
            year, week, weekday = day.isocalendar()
            label, days = f"{year}-W{week:02d}", 8 - weekday
        else:
            label = f"{day.year:04d}-{day.month:02d}"
            days = (_month_after(day) - day).days if day < date(9999, 12, 1) else 31
        found.append((label, local_time.day_number(day)))
        day = day + timedelta(days=days) if date.max - day >= timedelta(days=days) else None
    return found


def _month_after(day: date) -> date:
    """The first day of the month after ``day``'s (``day`` before December 9999)."""
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def _scope(tx: Tx, ws: str, request: Request) -> Scope:
    """The request's nodes (404 for one the workspace lacks) and its dates as instants."""
    if request.nodes is None:
        nodes = tuple(tx.list_nodes(ws))
    else:
        for node_id in request.nodes:
            if tx.node_settings(ws, node_id) is None:
                raise node_not_found(node_id)
        nodes = request.nodes
    zone = request.timezone
    start = None if request.start is None else _day_start(zone, request.start)
    end = None if request.end is None else _day_start(zone, request.end, after=True)
    return Scope(ws, nodes, start, end, _one(request.event_type), _one(request.context))


def _day_start(zone: str, day: date, *, after: bool = False) -> int:
    return local_time.day_start(zone, local_time.day_number(day) + (1 if after else 0))


def _one(value: str | None) -> tuple[str, ...] | None:
    return None if value is None else (value,)


def _trend(tx: Tx, request: Request, scope: Scope, *, events: bool) -> list[dict[str, Any]]:
    assert request.start is not None
    assert request.end is not None
    assert request.mode is not None
    buckets = _buckets(request.mode, request.start, request.end)
    starts = [first for _label, first in buckets]

    def by_bucket(source: Source) -> dict[tuple[str, int], int]:
        grouped: dict[tuple[str, int], int] = {}
        days = tx.count_by_local_time(source, scope, request.timezone, "day")
        for (node_id, day), count in days.items():
            # A row of the range whose local day is outside it (a fall-back at midnight
            # repeats the last hour of the day before) counts in the nearest bucket.
            index = max(bisect.bisect_right(starts, day) - 1, 0)
            grouped[(node_id, index)] = grouped.get((node_id, index), 0) + count
        return grouped

    before = scope.between(None, scope.start)
    if events:
        added, removed = by_bucket("events"), {}
        held = tx.count_by_node("events", before)
    else:
        added, removed = by_bucket("created"), by_bucket("deleted")
        gone = tx.count_by_node("deleted", before)
        held = {n: c - gone.get(n, 0) for n, c in tx.count_by_node("created", before).items()}
    data = []
    for node_id in scope.nodes:
        total = held.get(node_id, 0)
        values = []
        for index, (label, _first) in enumerate(buckets):
            new, lost = added.get((node_id, index), 0), removed.get((node_id, index), 0)
            total += new - lost
            if events:
                values.append({"time": label, "new": new, "total": total})
            else:
                values.append({"time": label, "new": new, "lost": lost, "total": total})
        data.append({"nodeId": node_id, "values": values})
    return data


def _customer_trend(tx: Tx, request: Request, scope: Scope) -> list[dict[str, Any]]:
    return _trend(tx, request, scope, events=False)


def _event_trend(tx: Tx, request: Request, scope: Scope) -> list[dict[str, Any]]:
    return _trend(tx, request, scope, events=True)


# -- counts and distributions -----------------------------------------------------------------


def _per_node(source: Source) -> Callable[[Tx, Request, Scope], list[dict[str, Any]]]:
    def compute(tx: Tx, request: Request, scope: Scope) -> list[dict[str, Any]]:
        counts = tx.count_by_node(source, scope)
        return [{"nodeId": n, "count": counts.get(n, 0)} for n in scope.nodes]

    return compute


def _per_source(source: Source) -> Callable[[Tx, Request, Scope], list[dict[str, Any]]]:
    def compute(tx: Tx, request: Request, scope: Scope) -> list[dict[str, Any]]:
        counts = tx.count_by_node(source, scope)
        return [
            {"nodeId": n, "values": [{"sourceId": n, "count": counts[n]}] if n in counts else []}
            for n in scope.nodes
        ]

    return compute


def _time_labels(mode: str) -> list[str]:
    if mode == "HOUROFDAY":
        return [str(hour) for hour in range(24)]
    if mode == "DAYOFWEEK":
        return list(WEEKDAYS)
    return [str(day) for day in range(1, 32)]


def _per_time(source: Source) -> Callable[[Tx, Request, Scope], list[dict[str, Any]]]:
    def compute(tx: Tx, request: Request, scope: Scope) -> list[dict[str, Any]]:
        assert request.mode is not None
        unit: Unit = "hour" if request.mode == "HOUROFDAY" else "day"
        if request.mode == "DAYOFWEEK":
            unit = "weekday"
        grouped = tx.count_by_local_time(source, scope, request.timezone, unit)
        labels = _time_labels(request.mode)
        counts: dict[tuple[str, int], int] = {}
        for (node_id, key), count in grouped.items():
            slot = local_time.day_of(key).day - 1 if unit == "day" else key
            counts[(node_id, slot)] = counts.get((node_id, slot), 0) + count
        return [
            {
                "nodeId": n,
                "values": [
                    {"time": label, "count": counts.get((n, slot), 0)}
                    for slot, label in enumerate(labels)
                ],
            }
            for n in scope.nodes
        ]

    return compute


# -- compositions -----------------------------------------------------------------------------


def _by_value(path: str) -> Callable[[Tx, Request, Scope], list[dict[str, Any]]]:
    def compute(tx: Tx, request: Request, scope: Scope) -> list[dict[str, Any]]:
        having = None if request.country is None else (_COUNTRY, request.country)
        named, totals = tx.count_by_value(scope, path, having=having)
        data = []
        for node_id in scope.nodes:
            counts = {name: count for (n, name), count in named.items() if n == node_id}
            missing = totals.get(node_id, 0) - sum(counts.values())
            if missing > 0:
                counts[NOT_AVAILABLE] = missing
            # Largest first, then by name (byte-wise, as the store compares strings).
            ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0].encode()))
            distribution = [{"name": name, "value": count} for name, count in ordered]
            data.append({"nodeId": node_id, "distribution": distribution})
        return data

    return compute


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February, in a year that has none
        return day.replace(year=day.year - years, day=28)


def _age_ranges(tx: Tx, request: Request, scope: Scope) -> list[dict[str, Any]]:
    today = local_time.today(request.timezone, dates.parse_datetime(dates.now()))
    youngest_first = AGE_RANGES[::-1]
    # Group 0: born after today (no age yet: N/A). Group i: born after the day, i ranges ago,
    # on which one turned the youngest age of the next range: younger than that age.
    cutoffs = [local_time.day_number(today) * local_time.DAY_MS]
    for _label, age in youngest_first[1:]:
        born = _years_before(today, age) if today.year - age >= 1 else date.min
        cutoffs.append(local_time.day_number(born) * local_time.DAY_MS)
    grouped = tx.count_by_date_range(scope, _DOB, cutoffs)
    totals = tx.count_by_node("customers", scope)
    data = []
    for node_id in scope.nodes:
        counts = {
            label: grouped.get((node_id, index + 1), 0)
            for index, (label, _age) in enumerate(youngest_first)
        }
        counts[NOT_AVAILABLE] = totals.get(node_id, 0) - sum(counts.values())
        order = [label for label, _age in AGE_RANGES] + [NOT_AVAILABLE]
        distribution = [{"name": label, "value": counts[label]} for label in order]
        data.append({"nodeId": node_id, "distribution": distribution})
    return data


# -- the endpoints ----------------------------------------------------------------------------

Compute = Callable[[Tx, Request, Scope], list[dict[str, Any]]]
_COMPUTE: dict[str, Compute] = {
    "customer/count": _per_node("customers"),
    "trend/customer": _customer_trend,
    "trend/event": _event_trend,
    "composition/gender": _by_value(_GENDER),
    "composition/age-range": _age_ranges,
    "composition/geo/country": _by_value(_COUNTRY),
    "composition/geo/city": _by_value(_CITY),
    "distribution/customer/node": _per_node("created"),
    "distribution/customer/source": _per_source("created"),
    "distribution/customer/time": _per_time("created"),
    "distribution/event/node": _per_node("events"),
    "distribution/event/source": _per_source("events"),
    "distribution/event/time": _per_time("events"),
}
assert set(_COMPUTE) == set(ENDPOINTS)


def answer(registry: Registry, ws: str, path: str, raw: Mapping[str, str | None]) -> dict[str, Any]:
    """The answer of ``GET …/analytics/{path}`` with query parameters ``raw``."""
    endpoint = ENDPOINTS[path]
    request = parse(endpoint, raw)
    with registry.store.read() as tx:
        scope = _scope(tx, ws, request)
        data = _COMPUTE[path](tx, request, scope)
    return {
        "name": endpoint.name,
        "headers": DATA_SCHEMAS[endpoint.shape],
        "parameters": request.echo,
        "data": data,
    }
