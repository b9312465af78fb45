"""A workspace's analytics (`GET …/analytics/…`): `Analytics`, as ``workspace.analytics``.

Each method asks one endpoint and returns its ``data``: one entry per node (every node of the
workspace unless ``nodes`` names some, in that order). `Analytics.get` returns a whole answer
(``name``, ``parameters``, ``headers``, ``data``) of any of them.

Dates are whole days (``start_date`` and ``end_date`` both included), given as ``date`` or
``datetime`` objects (whose calendar date is taken as written) or ``"YYYY-MM-DD"`` text.
``timezone`` names the IANA time zone of dates and buckets (one of ``Customer.TIMEZONES``); the
default is the workspace's (``Europe/Rome`` on the local hub).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from contacthub._http import Transport

DateArg = date | datetime | str
Nodes = str | Iterable[str]

__all__ = ["Analytics"]


def _day(value: DateArg | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"a date must be a date, a datetime or 'YYYY-MM-DD' text, not {value!r}")


def _nodes(nodes: Nodes | None) -> str | None:
    if nodes is None or isinstance(nodes, str):
        return nodes
    names = list(nodes)
    if not all(isinstance(name, str) for name in names):
        raise TypeError(f"nodes must be node ids (strings), not {names!r}")
    return ",".join(names)


class Analytics:
    """The analytics of one workspace: counts of customers and events per node.

    Every method takes ``nodes`` (a node id or several; default every node), ``start_date``,
    ``end_date`` and ``timezone`` (see the module's docstring), raises
    :class:`~contacthub.errors.APIError` for what the API refuses (400 for a bad parameter, 404
    for an unknown node) and returns the answer's ``data`` list.
    """

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        """The whole answer of ``GET …/analytics/{path}`` (e.g. ``"trend/customer"``) with these
        query parameters (None values are left out)."""
        answer: dict[str, Any] = self._transport.request("GET", f"/analytics/{path}", params=params)
        return answer

    def _data(
        self,
        path: str,
        nodes: Nodes | None,
        start_date: DateArg | None,
        end_date: DateArg | None,
        timezone: str | None,
        **more: Any,
    ) -> list[dict[str, Any]]:
        answer = self.get(
            path,
            nodes=_nodes(nodes),
            startDate=_day(start_date),
            endDate=_day(end_date),
            timezone=timezone,
            **more,
        )
        data: list[dict[str, Any]] = answer["data"]
        return data

    # -- counts and trends ----------------------------------------------------------------

    def customer_count(
        self,
        nodes: Nodes | None = None,
        start_date: DateArg | None = None,
        end_date: DateArg | None = None,
        timezone: str | None = None,
    ) -> list[dict[str, Any]]:
        """``[{"nodeId", "count"}]``: the customers each node holds (those registered in the
        period, when dates are given)."""
        return self._data("customer/count", nodes, start_date, end_date, timezone)

    def customer_trend(
        self,
        start_date: DateArg,
        end_date: DateArg,
        mode: str = "DAILY",
        nodes: Nodes | None = None,
        timezone: str | None = None,
    ) -> list[dict[str, Any]]:
        """``[{"nodeId", "values": [{"time", "new", "lost", "total"}]}]``: per day, ISO week or
        month (``mode`` DAILY, WEEKLY or MONTHLY) the customers registered, deleted, and held
        at its end."""
        return self._data("trend/customer", nodes, start_date, end_date, timezone, mode=mode)

    def event_trend(
        self,
        start_date: DateArg,
        end_date: DateArg,
        mode: str = "DAILY",
        nodes: Nodes | None = None,
        context: str | None = None,
        event_type: str | None = None,
        timezone: str | None = None,
    ) -> list[dict[str, Any]]:
        """``[{"nodeId", "values": [{"time", "new", "total"}]}]``: per day, ISO week or month
        the events (of ``event_type`` in ``context``, when given) and their running total."""
        return self._data(
            "trend/event",
            nodes,
            start_date,
            end_date,
            timezone,
            mode=mode,
            context=context,
            eventType=event_type,
        )

    # -- compositions -----------------------------------------------------------------------

    def composition_gender(
        self,
        nodes: Nodes | None = None,
        start_date: DateArg | None = None,
        end_date: DateArg | None = None,
        timezone: str | None = None,
    ) -> list[dict[str, Any]]:
        """``[{"nodeId", "distribution": [{"name", "value"}]}]``: customers per gender (``N/A``
        for none), the most frequent first."""
        return self._data("composition/gender", nodes, start_date, end_date, timezone)

    def composition_age_range(
        self,
        nodes: Nodes | None = None,
        start_date: DateArg | None = None,
        end_date: DateArg | None = None,
        timezone: str | None = None,
    ) -> list[dict[str, Any]]:
        """Customers per age range (``> 64``, ``55-64`` … ``< 18``, then ``N/A``), in that
        order, every range present."""
        return self._data("composition/age-range", nodes, start_date, end_date, timezone)

    def composition_country(
        self,
        nodes: Nodes | None = None,
        start_date: DateArg | None = None,
        end_date: DateArg | None = None,
        timezone: str | None = None,
    ) -> list[dict[str, Any]]:
        """Customers per ``base.address.country``, the most frequent first."""
        return self._data("composition/geo/country", nodes, start_date, end_date, timezone)

    def composition_city(
        self,
        country: str | None = None,
        nodes: Nodes | None = None,
        start_date: DateArg | None = None,
        end_date: DateArg | None = None,
        timezone: str | None = None,
    ) -> list[dict[str, Any]]:
        """Customers per ``base.address.city`` (of those whose country is ``country``)."""
        return self._data(
            "composition/geo/city", nodes, start_date, end_date, timezone, country=country
        )

    # -- distributions ----------------------------------------------------------------------

    def customer_node_distribution(
        self,
        nodes: Nodes | None = None,
        start_date: DateArg | None = None,
        end_date: DateArg | None = None,
        timezone: str | None = None,
    ) -> list[dict[str, Any]]:
        """``[{"nodeId", "count"}]``: the customers each node registered in the period,
        including those deleted since."""
        return self._data("distribution/customer/node", nodes, start_date, end_date, timezone)

    def customer_source_distribution(
        self,
        nodes: Nodes | None = None,
        start_date: DateArg | None = None,
        end_date: DateArg | None = None,
        timezone: str | None = None,
    ) -> list[dict[str, Any]]:
        """``[{"nodeId", "values": [{"sourceId", "count"}]}]``: the customers registered in the
        period, per source that registered them."""
        return self._data("distribution/customer/source", nodes, start_date, end_date, timezone)

    def customer_time_distribution(
        self,
        mode: str | None = None,
        nodes: Nodes | None = None,
        start_date: DateArg | None = None,
        end_date: DateArg | None = None,
        timezone: str | None = None,
    ) -> list[dict[str, Any]]:
        """``[{"nodeId", "values": [{"time", "count"}]}]``: the customers registered per local
        hour (``mode`` HOUROFDAY, the default), weekday (DAYOFWEEK) or day of the month
        (DAYOFMONTH)."""
        return self._data(
            "distribution/customer/time", nodes, start_date, end_date, timezone, mode=mode
        )

    def event_node_distribution(
        self,
        nodes: Nodes | None = None,
        start_date: DateArg | None = None,
        end_date: DateArg | None = None,
        context: str | None = None,
        event_type: str | None = None,
        timezone: str | None = None,
    ) -> list[dict[str, Any]]:
        """``[{"nodeId", "count"}]``: the events of each node in the period."""
        return self._data(
            "distribution/event/node",
            nodes,
            start_date,
            end_date,
            timezone,
            context=context,
            eventType=event_type,
        )

    def event_source_distribution(
        self,
        nodes: Nodes | None = None,
        start_date: DateArg | None = None,
        end_date: DateArg | None = None,
        context: str | None = None,
        event_type: str | None = None,
        timezone: str | None = None,
    ) -> list[dict[str, Any]]:
        """``[{"nodeId", "values": [{"sourceId", "count"}]}]``: the events per source."""
        return self._data(
            "distribution/event/source",
            nodes,
            start_date,
            end_date,
            timezone,
            context=context,
            eventType=event_type,
        )

    def event_time_distribution(
        self,
        mode: str | None = None,
        nodes: Nodes | None = None,
        start_date: DateArg | None = None,
        end_date: DateArg | None = None,
        context: str | None = None,
        event_type: str | None = None,
        timezone: str | None = None,
    ) -> list[dict[str, Any]]:
        """``[{"nodeId", "values": [{"time", "count"}]}]``: the events per local hour, weekday
        or day of the month (``mode`` as for `customer_time_distribution`)."""
        return self._data(
            "distribution/event/time",
            nodes,
            start_date,
            end_date,
            timezone,
            mode=mode,
            context=context,
            eventType=event_type,
        )
