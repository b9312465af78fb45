"""The console's dashboard: a workspace's customer count, customers and events over time, and its
customers by gender and by country, as charts drawn on the server (`console.charts`).

The counts come from the store in one read transaction (`Tx.count_customers`,
`Tx.counts_per_day`, `Tx.counts_per_value`): grouped statements, whatever the number of
customers. Time is counted in UTC days, folded here into the period's buckets: the last 30 days
(per day), the last 12 months (per month), or every year with data (per year). New customers are
those stored now, by ``registeredAt`` (a deleted customer no longer counts); events by their
``date``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from contacthub_server.console import charts
from contacthub_server.console.pages import Console
from contacthub_server.store.summary import DAY_MS

#: The periods of the trend charts: name -> what the page calls it.
PERIODS = {"30d": "the last 30 days", "12m": "the last 12 months", "all": "every year"}
#: Countries shown by name; the others are summed as one bar.
TOP_COUNTRIES = 10
#: The label of the customers without a value.
NOT_AVAILABLE = "N/A"
_EPOCH = date(1970, 1, 1)
_GENDER, _COUNTRY = "base.gender", "base.address.country"


@dataclass(frozen=True)
class Trend:
    """The labels of a period's buckets and their counts, in order."""

    labels: list[str]
    counts: list[int]


def _day_number(day: date) -> int:
    return (day - _EPOCH).days


def period_start(period: str, today: date) -> date | None:
    """The first day a period counts (None for every year)."""
    if period == "30d":
        return today - timedelta(days=29)
    if period == "12m":
        month = today.month - 11
        year = today.year + (month - 1) // 12
        return date(year, (month - 1) % 12 + 1, 1)
    return None


def fold(period: str, days: dict[int, int], today: date) -> Trend:
    """Per-day counts into the period's buckets, in order, empty buckets included."""
    if period == "30d":
        first = _day_number(today) - 29
        labels = [(_EPOCH + timedelta(days=first + i)).strftime("%m-%d") for i in range(30)]
        counts = [days.get(first + i, 0) for i in range(30)]
        return Trend(labels, counts)
    if period == "12m":
        start = period_start(period, today)
        assert start is not None
        months = [
            (start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1)
            for i in range(12)
        ]
        index = {month: i for i, month in enumerate(months)}
        counts = [0] * 12
        for day, n in days.items():
            when = _EPOCH + timedelta(days=day)
            slot = index.get((when.year, when.month))
            if slot is not None:
                counts[slot] += n
        return Trend([f"{y}-{m:02}" for y, m in months], counts)
    years: dict[int, int] = {}
    for day, n in days.items():
        year = (_EPOCH + timedelta(days=day)).year
        years[year] = years.get(year, 0) + n
    first_year = min([*years, today.year])
    last_year = max([*years, today.year])
    span = range(first_year, last_year + 1)
    return Trend([str(y) for y in span], [years.get(y, 0) for y in span])


def composition(
    counts: dict[str, int], total: int, *, top: int | None = None
) -> list[tuple[str, int]]:
    """The bars of a composition: values by count (then name), the rest summed, then N/A."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    shown = ranked if top is None else ranked[:top]
    rest = ranked[len(shown) :]
    bars = list(shown)
    if rest:
        bars.append((f"{len(rest)} others", sum(n for _, n in rest)))
    missing = total - sum(counts.values())
    if missing > 0:
        bars.append((NOT_AVAILABLE, missing))
    return bars


class DashboardPage:
    """The handler of the dashboard (guarded by the console's session)."""

    def __init__(self, console: Console) -> None:
        self.console = console

    async def dashboard(self, request: Request) -> Response:
        """Counts and charts of the workspace (``node`` narrows to one node, ``period``)."""
        ws = await self.console._workspace_or_404(request)
        if isinstance(ws, Response):
            return ws
        params = request.query_params
        node = params.get("node") or None
        period = params.get("period") or "30d"
        if period not in PERIODS:
            period = "30d"
        today = datetime.now(UTC).date()
        start = period_start(period, today)
        since = None if start is None else _day_number(start) * DAY_MS

        def read(tx: Any) -> dict[str, Any]:
            return {
                "nodes": tx.list_nodes(ws),
                "customers": tx.count_customers(ws, node),
                "new": tx.counts_per_day(ws, "customers", node_id=node, since=since),
                "events": tx.counts_per_day(ws, "events", node_id=node, since=since),
                "values": tx.counts_per_value(ws, [_GENDER, _COUNTRY], node_id=node),
            }

        found = await self.console._read(read)
        total = found["customers"]
        new = fold(period, found["new"], today)
        happened = fold(period, found["events"], today)
        genders = composition(found["values"][_GENDER], total)
        countries = composition(found["values"][_COUNTRY], total, top=TOP_COUNTRIES)
        shown: dict[str, Markup] = {
            "customers": charts.columns(
                list(zip(new.labels, new.counts, strict=True)), label="New customers"
            ),
            "events": charts.columns(
                list(zip(happened.labels, happened.counts, strict=True)),
                label="Events",
                color=charts.SECOND,
            ),
            "gender": charts.bars(genders, label="Customers by gender"),
            "country": charts.bars(countries, label="Customers by country"),
        }
        return self.console.render(
            request,
            "dashboard.html",
            nodes=found["nodes"],
            node=node or "",
            period=period,
            periods=PERIODS,
            total=total,
            new_total=sum(new.counts),
            events_total=sum(happened.counts),
            charts=shown,
            tables={
                "customers": list(zip(new.labels, new.counts, strict=True)),
                "events": list(zip(happened.labels, happened.counts, strict=True)),
                "gender": genders,
                "country": countries,
            },
        )
