"""The analytics endpoints as data: their paths, parameters, modes and the shape of their answers.

Shared by the rules (`service.analytics`) and the OpenAPI document, so that the two cannot drift.
Every answer is ``{name, headers, parameters, data}``; `DATA_SCHEMAS` gives the JSON schema of
one entry of ``data`` for each shape, which is also what an answer's ``headers`` holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The time zone of dates and buckets when a request names none: the reference's default time
#: zone of a workspace (its configuration's ``timezone``).
DEFAULT_TIMEZONE = "Europe/Rome"
#: How a trend groups days, and how a time distribution groups instants (with its default).
TREND_MODES = ("DAILY", "WEEKLY", "MONTHLY")
TIME_MODES = ("HOUROFDAY", "DAYOFWEEK", "DAYOFMONTH")
DEFAULT_TIME_MODE = "HOUROFDAY"
#: The most buckets one trend answers per node (a DAILY trend of 13 years).
MAX_BUCKETS = 5000
#: The age ranges of the age composition, in the answer's order, with the youngest age of each.
AGE_RANGES: tuple[tuple[str, int], ...] = (
    ("> 64", 65),
    ("55-64", 55),
    ("45-54", 45),
    ("35-44", 35),
    ("25-34", 25),
    ("18-24", 18),
    ("< 18", 0),
)
#: The name under which a composition counts customers without a value.
NOT_AVAILABLE = "N/A"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class AnalyticsEndpoint:
    """One endpoint under ``…/analytics/``: what it answers and which parameters it reads."""

    name: str
    """The answer's ``name``."""
    summary: str
    shape: str
    """The shape of an entry of ``data``: a key of `DATA_SCHEMAS`."""
    parameters: tuple[str, ...]
    """The query parameters it reads, as its answer's ``parameters`` repeats them."""
    required: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    default_mode: str | None = None


_DATES = ("startDate", "endDate")
_EVENTS = ("context", "eventType")
_COMMON = ("nodes", *_DATES, "timezone")

ENDPOINTS: dict[str, AnalyticsEndpoint] = {
    "customer/count": AnalyticsEndpoint(
        "customer count",
        "How many customers each node holds (registered in the period)",
        "count",
        _COMMON,
    ),
    "trend/customer": AnalyticsEndpoint(
        "analytics trend",
        "New, lost and total customers of each node, day by day, week by week or month by month",
        "trend",
        ("nodes", "mode", *_DATES, "timezone"),
        required=("mode", *_DATES),
        modes=TREND_MODES,
    ),
    "trend/event": AnalyticsEndpoint(
        "Events trend analytics",
        "New and total events of each node, day by day, week by week or month by month",
        "event-trend",
        ("nodes", "mode", *_DATES, *_EVENTS, "timezone"),
        required=("mode", *_DATES),
        modes=TREND_MODES,
    ),
    "composition/gender": AnalyticsEndpoint(
        "analytics gender", "The customers of each node by gender", "composition", _COMMON
    ),
    "composition/age-range": AnalyticsEndpoint(
        "analytics age-range", "The customers of each node by age range", "composition", _COMMON
    ),
    "composition/geo/country": AnalyticsEndpoint(
        "analytics geo-country", "The customers of each node by country", "composition", _COMMON
    ),
    "composition/geo/city": AnalyticsEndpoint(
        "analytics geo-city",
        "The customers of each node by city (of one country)",
        "composition",
        ("nodes", *_DATES, "country", "timezone"),
    ),
    "distribution/customer/node": AnalyticsEndpoint(
        "Distribution of new customers, aggregated for nodes",
        "How many customers each node registered in the period",
        "count",
        _COMMON,
    ),
    "distribution/customer/source": AnalyticsEndpoint(
        "Distribution of new customers, aggregated for nodes and sources",
        "How many customers each source of each node registered in the period",
        "sources",
        _COMMON,
    ),
    "distribution/customer/time": AnalyticsEndpoint(
        "Distribution of new customers, aggregated for nodes and time",
        "When (hour, weekday or day of the month) each node registered its customers",
        "times",
        ("mode", *_COMMON),
        modes=TIME_MODES,
        default_mode=DEFAULT_TIME_MODE,
    ),
    "distribution/event/node": AnalyticsEndpoint(
        "Distribution of new events, aggregated for nodes",
        "How many events each node received in the period",
        "count",
        (*_EVENTS, *_COMMON),
    ),
    "distribution/event/source": AnalyticsEndpoint(
        "Distribution of events, aggregated for nodes and sources",
        "How many events each source of each node sent in the period",
        "sources",
        (*_EVENTS, *_COMMON),
    ),
    "distribution/event/time": AnalyticsEndpoint(
        "Distribution of events, aggregated for nodes and time",
        "When (hour, weekday or day of the month) the events of each node happened",
        "times",
        (*_EVENTS, "mode", *_COMMON),
        modes=TIME_MODES,
        default_mode=DEFAULT_TIME_MODE,
    ),
}
"""Every analytics endpoint, by its path under ``…/analytics/``."""

#: Every query parameter some analytics endpoint reads.
PARAMETERS = (
    "nodes",
    "startDate",
    "endDate",
    "mode",
    "context",
    "eventType",
    "country",
    "timezone",
)


def _object(description: str, **properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "required": list(properties),
        "properties": properties,
    }


def _text(description: str) -> dict[str, Any]:
    return {"type": "string", "description": description}


def _count(description: str) -> dict[str, Any]:
    return {"type": "integer", "minimum": 0, "description": description}


def _list(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


_NODE = _text("the node's id")
_BUCKET = _text("the bucket: YYYY-MM-DD (DAILY), YYYY-Www (WEEKLY, ISO week), YYYY-MM (MONTHLY)")

DATA_SCHEMAS: dict[str, dict[str, Any]] = {
    "count": _object(
        "what a node counts", nodeId=_NODE, count=_count("customers or events of the node")
    ),
    "trend": _object(
        "a node's customers, bucket by bucket",
        nodeId=_NODE,
        values=_list(
            _object(
                "one bucket",
                time=_BUCKET,
                new=_count("customers registered in the bucket"),
                lost=_count("customers deleted in the bucket"),
                total=_count("customers of the node at the end of the bucket"),
            )
        ),
    ),
    "event-trend": _object(
        "a node's events, bucket by bucket",
        nodeId=_NODE,
        values=_list(
            _object(
                "one bucket",
                time=_BUCKET,
                new=_count("events in the bucket"),
                total=_count("events of the node up to the end of the bucket"),
            )
        ),
    ),
    "composition": _object(
        "a node's customers by one property",
        nodeId=_NODE,
        distribution=_list(
            _object(
                "one value of the property",
                name=_text(f"the value ({NOT_AVAILABLE}: none)"),
                value=_count("customers with that value"),
            )
        ),
    ),
    "sources": _object(
        "a node's count by source",
        nodeId=_NODE,
        values=_list(
            _object("one source", sourceId=_text("the source's id"), count=_count("its count"))
        ),
    ),
    "times": _object(
        "a node's count by local time",
        nodeId=_NODE,
        values=_list(
            _object(
                "one hour (0-23), weekday (Mon-Sun) or day of the month (1-31)",
                time=_text("the hour, weekday or day"),
                count=_count("the count at that time"),
            )
        ),
    ),
}
"""The JSON schema of one entry of ``data``, for each shape of answer."""
