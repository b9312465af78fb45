"""The analytics endpoints over HTTP, on every backend: exact counts per node, buckets in a time
zone, the reference's answer shapes, workspace isolation and validated parameters.

Customers are registered (and deleted) at chosen instants by setting the hub's clock, which the
in-process hub reads through ``schemas.dates.now``; events carry their own ``date``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests
from hubclient import Api, assert_error

from contacthub_server.schemas import dates

Clock = Callable[[str], Any]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """``clock(instant)``: a context in which the hub's "now" is ``instant``."""

    @contextmanager
    def at(instant: str) -> Iterator[None]:
        with monkeypatch.context() as patch:
            patch.setattr(dates, "now", lambda: dates.canonical_datetime(instant))
            yield

    return at


class Analytics:
    """A workspace's analytics over raw HTTP, and helpers to fill it at chosen instants."""

    def __init__(self, api: Api, clock: Clock) -> None:
        self.api = api
        self.clock = clock
        self.node = api.hub.node_id

    def other_node(self) -> str:
        """A second node of the workspace."""
        hub = self.api.hub
        return hub.server.provision(workspace_id=hub.workspace_id, token=hub.token).node_id

    def customer(self, at: str, node: str | None = None, **fields: Any) -> str:
        if not fields:
            fields = {"externalId": f"registered {at}"}
        with self.clock(at):
            reply = self.api("POST", "/customers", json={"nodeId": node or self.node, **fields})
        assert reply.status_code == 201, reply.text
        return str(reply.json()["id"])

    def delete(self, customer_id: str, at: str) -> None:
        with self.clock(at):
            assert self.api("DELETE", f"/customers/{customer_id}").status_code == 200

    def event(
        self, customer_id: str, date: str, kind: str = "viewedPage", context: str = "WEB"
    ) -> None:
        body = {"customerId": customer_id, "type": kind, "context": context, "date": date}
        reply = self.api("POST", "/events", json={**body, "properties": {}})
        assert reply.status_code == 202, reply.text

    def get(self, path: str, **params: str) -> dict[str, Any]:
        reply = self.api("GET", f"/analytics/{path}", params=params)
        assert reply.status_code == 200, reply.text
        body: dict[str, Any] = reply.json()
        assert set(body) == {"name", "headers", "parameters", "data"}
        return body

    def data(self, path: str, **params: str) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = self.get(path, **params)["data"]
        return data


@pytest.fixture
def analytics(api: Api, clock: Clock) -> Analytics:
    return Analytics(api, clock)


def by_node(data: list[dict[str, Any]], key: str = "count") -> dict[str, Any]:
    return {entry["nodeId"]: entry[key] for entry in data}


def test_customer_count_counts_the_customers_each_node_holds(analytics: Analytics) -> None:
    other = analytics.other_node()
    analytics.customer("2024-01-10T10:00:00Z")
    gone = analytics.customer("2024-02-10T10:00:00Z")
    analytics.customer("2024-03-10T10:00:00Z")
    analytics.customer("2024-02-20T10:00:00Z", node=other)
    analytics.delete(gone, "2024-03-01T10:00:00Z")
    node = analytics.node
    body = analytics.get("customer/count")
    assert body["name"] == "customer count"
    assert body["data"] == [{"nodeId": node, "count": 2}, {"nodeId": other, "count": 1}]
    assert body["parameters"] == {
        "nodes": None,
        "startDate": None,
        "endDate": None,
        "timezone": "Europe/Rome",
    }
    # Registered in the period (whole days, both inclusive), stored now.
    february = analytics.data("customer/count", startDate="2024-02-01", endDate="2024-02-29")
    assert by_node(february) == {node: 0, other: 1}
    assert by_node(analytics.data("customer/count", startDate="2024-03-10")) == {node: 1, other: 0}
    assert by_node(analytics.data("customer/count", endDate="2024-01-10")) == {node: 1, other: 0}
    # `nodes` chooses the nodes and their order.
    chosen = analytics.data("customer/count", nodes=f"{other}, {node}")
    assert [entry["nodeId"] for entry in chosen] == [other, node]


def test_node_distribution_counts_new_customers_including_deleted_ones(
    analytics: Analytics,
) -> None:
    first = analytics.customer("2024-05-01T08:00:00Z")
    analytics.customer("2024-05-02T08:00:00Z")
    analytics.delete(first, "2024-05-03T08:00:00Z")
    node = analytics.node
    body = analytics.get("distribution/customer/node", startDate="2024-05-01")
    assert body["name"] == "Distribution of new customers, aggregated for nodes"
    assert body["data"] == [{"nodeId": node, "count": 2}]
    assert analytics.data("customer/count") == [{"nodeId": node, "count": 1}]
    sources = analytics.data("distribution/customer/source", endDate="2024-05-01")
    assert sources == [{"nodeId": node, "values": [{"sourceId": node, "count": 1}]}]
    assert analytics.data("distribution/customer/source", startDate="2024-06-01") == [
        {"nodeId": node, "values": []}
    ]


def test_customer_trend_tells_new_lost_and_total_day_by_day(analytics: Analytics) -> None:
    old = analytics.customer("2024-03-01T10:00:00Z")  # before the range: counted in totals
    a = analytics.customer("2024-03-05T10:00:00Z")
    analytics.customer("2024-03-05T11:00:00Z")
    analytics.customer("2024-03-07T10:00:00Z")
    analytics.delete(a, "2024-03-06T10:00:00Z")
    analytics.delete(old, "2024-03-07T12:00:00Z")
    body = analytics.get(
        "trend/customer", mode="DAILY", startDate="2024-03-04", endDate="2024-03-08"
    )
    assert body["name"] == "analytics trend"
    assert body["parameters"]["mode"] == "DAILY"
    [entry] = body["data"]
    assert entry["nodeId"] == analytics.node
    rows = [(v["time"], v["new"], v["lost"], v["total"]) for v in entry["values"]]
    assert rows == [
        ("2024-03-04", 0, 0, 1),
        ("2024-03-05", 2, 0, 3),
        ("2024-03-06", 0, 1, 2),
        ("2024-03-07", 1, 1, 2),
        ("2024-03-08", 0, 0, 2),
    ]


def test_weekly_and_monthly_trends_use_iso_weeks_and_months_cut_to_the_range(
    analytics: Analytics,
) -> None:
    for day in ("2024-01-31", "2024-02-04", "2024-02-05", "2024-02-29", "2024-03-02"):
        analytics.customer(f"{day}T12:00:00Z")
    weekly = analytics.data(
        "trend/customer", mode="WEEKLY", startDate="2024-02-01", endDate="2024-02-12"
    )
    assert [(v["time"], v["new"], v["total"]) for v in weekly[0]["values"]] == [
        ("2024-W05", 1, 2),  # Thursday 1 to Sunday 4 February
        ("2024-W06", 1, 3),
        ("2024-W07", 0, 3),  # Monday 12 February only
    ]
    monthly = analytics.data(
        "trend/customer", mode="MONTHLY", startDate="2024-01-15", endDate="2024-03-01"
    )
    assert [(v["time"], v["new"], v["total"]) for v in monthly[0]["values"]] == [
        ("2024-01", 1, 1),
        ("2024-02", 3, 4),
        ("2024-03", 0, 4),  # 2 March is after the range
    ]


def test_dates_and_buckets_are_local_days_of_the_time_zone(analytics: Analytics) -> None:
    # 23:30 UTC on 30 March 2024 is already 31 March in Rome (UTC+1), still the 30th in New York.
    analytics.customer("2024-03-30T23:30:00Z")
    rome = analytics.data(
        "trend/customer", mode="DAILY", startDate="2024-03-30", endDate="2024-03-31"
    )
    assert [(v["time"], v["new"]) for v in rome[0]["values"]] == [
        ("2024-03-30", 0),
        ("2024-03-31", 1),
    ]
    york = analytics.get(
        "trend/customer",
        mode="DAILY",
        startDate="2024-03-30",
        endDate="2024-03-31",
        timezone="America/New_York",
    )
    assert york["parameters"]["timezone"] == "America/New_York"
    assert [(v["time"], v["new"]) for v in york["data"][0]["values"]] == [
        ("2024-03-30", 1),
        ("2024-03-31", 0),
    ]
    node = analytics.node
    assert by_node(analytics.data("customer/count", endDate="2024-03-30")) == {node: 0}
    assert by_node(
        analytics.data("customer/count", endDate="2024-03-30", timezone="America/New_York")
    ) == {node: 1}


def test_hours_follow_daylight_saving_time(analytics: Analytics) -> None:
    cid = analytics.customer("2024-03-01T00:00:00Z")
    # Noon UTC is 13:00 in Rome on 30 March (CET) and 14:00 on 31 March (CEST, from 01:00 UTC).
    analytics.event(cid, "2024-03-30T12:00:00Z")
    analytics.event(cid, "2024-03-31T12:00:00Z")
    analytics.event(cid, "2024-03-31T00:30:00Z")  # 01:30 CET, before the change
    analytics.event(cid, "2024-03-31T01:30:00Z")  # 03:30 CEST, after it
    [entry] = analytics.data("distribution/event/time")
    counts = {v["time"]: v["count"] for v in entry["values"]}
    assert [v["time"] for v in entry["values"]] == [str(hour) for hour in range(24)]
    assert {hour: n for hour, n in counts.items() if n} == {"1": 1, "3": 1, "13": 1, "14": 1}
    [utc_like] = analytics.data("distribution/event/time", timezone="Africa/Abidjan")  # UTC+0
    assert {v["time"]: v["count"] for v in utc_like["values"] if v["count"]} == {
        "0": 1,
        "1": 1,
        "12": 2,
    }


def test_time_distributions_by_weekday_and_day_of_month(analytics: Analytics) -> None:
    analytics.customer("2024-07-01T09:00:00Z")  # a Monday
    analytics.customer("2024-07-07T21:00:00Z")  # Sunday 23:00 in Rome
    analytics.customer("2024-07-31T22:30:00Z")  # 1 August, 00:30 in Rome
    body = analytics.get("distribution/customer/time", mode="DAYOFWEEK")
    assert body["name"] == "Distribution of new customers, aggregated for nodes and time"
    values = body["data"][0]["values"]
    assert [v["time"] for v in values] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert [v["count"] for v in values] == [1, 0, 0, 1, 0, 0, 1]  # 1 August 2024 is a Thursday
    [days] = analytics.data("distribution/customer/time", mode="DAYOFMONTH")
    assert [v["time"] for v in days["values"]] == [str(day) for day in range(1, 32)]
    assert {v["time"]: v["count"] for v in days["values"] if v["count"]} == {"1": 2, "7": 1}
    [hours] = analytics.data("distribution/customer/time")  # HOUROFDAY by default
    assert {v["time"]: v["count"] for v in hours["values"] if v["count"]} == {
        "0": 1,
        "11": 1,
        "23": 1,
    }


def test_event_analytics_filter_by_type_context_node_and_dates(analytics: Analytics) -> None:
    other = analytics.other_node()
    mine = analytics.customer("2024-01-01T00:00:00Z")
    theirs = analytics.customer("2024-01-01T00:00:00Z", node=other)
    analytics.event(mine, "2024-02-01T10:00:00Z", "viewedPage", "WEB")
    analytics.event(mine, "2024-02-02T10:00:00Z", "completedOrder", "ECOMMERCE")
    analytics.event(mine, "2024-03-05T10:00:00Z", "viewedPage", "MOBILE")
    analytics.event(theirs, "2024-02-03T10:00:00Z", "viewedPage", "WEB")
    node = analytics.node
    assert by_node(analytics.data("distribution/event/node")) == {node: 3, other: 1}
    assert by_node(analytics.data("distribution/event/node", eventType="viewedPage")) == {
        node: 2,
        other: 1,
    }
    assert by_node(analytics.data("distribution/event/node", context="WEB")) == {node: 1, other: 1}
    february = analytics.data(
        "distribution/event/source", startDate="2024-02-01", endDate="2024-02-29", nodes=node
    )
    assert february == [{"nodeId": node, "values": [{"sourceId": node, "count": 2}]}]
    body = analytics.get(
        "trend/event", mode="MONTHLY", startDate="2024-02-01", endDate="2024-03-31", nodes=node
    )
    assert body["name"] == "Events trend analytics"
    assert body["data"] == [
        {
            "nodeId": node,
            "values": [
                {"time": "2024-02", "new": 2, "total": 2},
                {"time": "2024-03", "new": 1, "total": 3},
            ],
        }
    ]
    orders = analytics.get(
        "trend/event",
        mode="DAILY",
        startDate="2024-02-02",
        endDate="2024-02-03",
        eventType="completedOrder",
    )
    assert orders["parameters"]["eventType"] == "completedOrder"
    assert [[(v["new"], v["total"]) for v in e["values"]] for e in orders["data"]] == [
        [(1, 1), (0, 1)],
        [(0, 0), (0, 0)],
    ]


def test_gender_country_and_city_compositions(analytics: Analytics) -> None:
    people = [
        ("male", "Italy", "Rome"),
        ("male", "Italy", "Milan"),
        ("female", "Italy", "Rome"),
        (None, "France", "Paris"),
        ("", None, None),
    ]
    for gender, country, city in people:
        base = {"gender": gender, "address": {"country": country, "city": city}}
        analytics.customer("2024-01-01T00:00:00Z", base=base)
    analytics.customer("2024-01-01T00:00:00Z", externalId="no base at all")
    node = analytics.node
    body = analytics.get("composition/gender")
    assert body["name"] == "analytics gender"
    assert body["data"] == [
        {
            "nodeId": node,
            "distribution": [
                {"name": "N/A", "value": 3},  # null, "" and missing
                {"name": "male", "value": 2},
                {"name": "female", "value": 1},
            ],
        }
    ]
    countries = analytics.data("composition/geo/country")[0]["distribution"]
    assert countries == [
        {"name": "Italy", "value": 3},
        {"name": "N/A", "value": 2},
        {"name": "France", "value": 1},
    ]
    italy = analytics.get("composition/geo/city", country="Italy")
    assert italy["parameters"]["country"] == "Italy"
    assert italy["data"][0]["distribution"] == [
        {"name": "Rome", "value": 2},
        {"name": "Milan", "value": 1},
    ]
    assert analytics.data("composition/geo/city", country="italy")[0]["distribution"] == []


def test_age_ranges_are_reckoned_on_today_in_the_time_zone(
    analytics: Analytics, clock: Clock
) -> None:
    dobs = [
        "2008-06-16",  # 16 on 15 June 2025
        "2007-06-15",  # 18 that day
        "2000-01-01",  # 25
        "1960-06-16",  # 64
        "1960-06-15",  # 65
        "2026-01-01",  # not born yet: no age
    ]
    for dob in dobs:
        analytics.customer("2024-01-01T00:00:00Z", base={"dob": dob})
    analytics.customer("2024-01-01T00:00:00Z", base={"firstName": "no dob"})
    with clock("2025-06-15T10:00:00Z"):
        body = analytics.get("composition/age-range")
    assert body["name"] == "analytics age-range"
    assert body["data"][0]["distribution"] == [
        {"name": "> 64", "value": 1},
        {"name": "55-64", "value": 1},
        {"name": "45-54", "value": 0},
        {"name": "35-44", "value": 0},
        {"name": "25-34", "value": 1},
        {"name": "18-24", "value": 1},
        {"name": "< 18", "value": 1},
        {"name": "N/A", "value": 2},
    ]
    # 02:00 UTC on 15 June is the 15th in Rome, still the 14th in New York: there, the one
    # born on 15 June 2007 is not 18 yet.
    with clock("2025-06-15T02:00:00Z"):
        rome = analytics.data("composition/age-range")
        york = analytics.data("composition/age-range", timezone="America/New_York")
    young = {e["name"]: e["value"] for e in rome[0]["distribution"]}
    assert (young["18-24"], young["< 18"]) == (1, 1)
    young = {e["name"]: e["value"] for e in york[0]["distribution"]}
    assert (young["18-24"], young["< 18"]) == (0, 2)


def test_every_endpoint_answers_its_shape_for_a_node_without_data(analytics: Analytics) -> None:
    node = analytics.node
    dated = {"startDate": "2024-01-01", "endDate": "2024-01-02"}
    assert analytics.data("customer/count") == [{"nodeId": node, "count": 0}]
    assert analytics.data("distribution/event/node") == [{"nodeId": node, "count": 0}]
    assert analytics.data("distribution/event/source") == [{"nodeId": node, "values": []}]
    for path in ("composition/gender", "composition/geo/country", "composition/geo/city"):
        assert analytics.data(path) == [{"nodeId": node, "distribution": []}]
    ages = analytics.data("composition/age-range")[0]["distribution"]
    assert [entry["value"] for entry in ages] == [0] * 8
    for path in ("trend/customer", "trend/event"):
        values = analytics.data(path, mode="DAILY", **dated)[0]["values"]
        assert [v["time"] for v in values] == ["2024-01-01", "2024-01-02"]
        assert all(v["new"] == v["total"] == 0 for v in values)
    times = analytics.data("distribution/event/time", mode="DAYOFWEEK")[0]["values"]
    assert [v["count"] for v in times] == [0] * 7


def test_the_answer_repeats_the_parameters_and_describes_its_data(analytics: Analytics) -> None:
    body = analytics.get(
        "distribution/event/time", mode="DAYOFWEEK", context="WEB", nodes=analytics.node
    )
    assert body["parameters"] == {
        "context": "WEB",
        "eventType": None,
        "mode": "DAYOFWEEK",
        "nodes": analytics.node,
        "startDate": None,
        "endDate": None,
        "timezone": "Europe/Rome",
    }
    headers = body["headers"]
    assert headers["type"] == "object"
    assert set(headers["properties"]) == {"nodeId", "values"}
    assert set(headers["properties"]["values"]["items"]["properties"]) == {"time", "count"}
    assert analytics.get("distribution/customer/time")["parameters"]["mode"] == "HOUROFDAY"


def test_analytics_see_only_the_workspace_of_the_token(analytics: Analytics, api: Api) -> None:
    hub = api.hub
    stranger = hub.server.provision()
    with requests.Session() as theirs:
        theirs.headers["Authorization"] = f"Bearer {stranger.token}"
        url = f"{hub.base_url}/workspaces/{stranger.workspace_id}"
        reply = theirs.post(
            url + "/customers", json={"nodeId": stranger.node_id, "externalId": "x"}
        )
        assert reply.status_code == 201
        # Their token on our workspace: 403; our node named in their workspace: 404.
        assert_error(theirs.get(f"{hub.workspace_url}/analytics/customer/count"), 403)
        reply = theirs.get(url + "/analytics/customer/count", params={"nodes": hub.node_id})
        assert_error(reply, 404, f"node not found {hub.node_id}")
        assert theirs.get(url + "/analytics/customer/count").json()["data"] == [
            {"nodeId": stranger.node_id, "count": 1}
        ]
    assert analytics.data("customer/count") == [{"nodeId": hub.node_id, "count": 0}]
    reply = api("GET", "/analytics/customer/count", params={"nodes": stranger.node_id})
    assert_error(reply, 404)
    reply = requests.get(f"{hub.workspace_url}/analytics/customer/count", timeout=30)
    assert_error(reply, 401)


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("customer/count", {"startDate": "2024-13-01"}, "startDate"),
        ("customer/count", {"endDate": "2024-02-30"}, "endDate"),
        ("customer/count", {"startDate": "2024-01-01T00:00:00Z"}, "startDate"),
        ("customer/count", {"startDate": "2024-02-01", "endDate": "2024-01-31"}, "endDate"),
        ("customer/count", {"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ("customer/count", {"timezone": "europe/rome"}, "timezone"),
        ("trend/customer", {"startDate": "2024-01-01", "endDate": "2024-01-02"}, "mode"),
        ("trend/customer", {"mode": "DAILY", "endDate": "2024-01-02"}, "startDate"),
        ("trend/customer", {"mode": "DAILY", "startDate": "2024-01-02"}, "endDate"),
        (
            "trend/customer",
            {"mode": "HOURLY", "startDate": "2024-01-01", "endDate": "2024-01-02"},
            "mode",
        ),
        (
            "trend/event",
            {"mode": "DAILY", "startDate": "1990-01-01", "endDate": "2024-01-02"},
            "endDate",
        ),
        ("distribution/customer/time", {"mode": "DAILY"}, "mode"),
        ("distribution/event/node", {"eventType": "boughtEverything"}, "eventType"),
        ("distribution/event/time", {"context": "SPACE"}, "context"),
        ("composition/gender", {"nodes": "a\x00b"}, "nodes"),
    ],
)
def test_invalid_parameters_are_refused_naming_the_parameter(
    api: Api, path: str, params: dict[str, str], parameter: str
) -> None:
    body = assert_error(api("GET", f"/analytics/{path}", params=params), 400)
    assert [error["path"] for error in body["errors"]] == [parameter]


def test_a_long_trend_within_the_limit_is_served(analytics: Analytics) -> None:
    analytics.customer("2011-06-01T12:00:00Z")
    monthly = analytics.data(
        "trend/customer", mode="MONTHLY", startDate="1990-01-01", endDate="2024-12-31"
    )
    values = monthly[0]["values"]
    assert len(values) == 35 * 12
    assert [v["time"] for v in values if v["new"]] == ["2011-06"]
    assert values[-1]["total"] == 1
