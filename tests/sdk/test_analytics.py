"""`workspace.analytics` against the hub over HTTP: each method's parameters and answers.

Customers are registered and deleted at chosen instants by setting the in-process hub's clock
(``schemas.dates.now``); events carry their own dates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime

import pytest

from contacthub import APIError, Node, Workspace
from contacthub.testing import Hub
from contacthub_server.schemas import dates

Clock = Callable[[str], AbstractContextManager[None]]


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Clock:
    @contextmanager
    def clock(instant: str) -> Iterator[None]:
        with monkeypatch.context() as patch:
            patch.setattr(dates, "now", lambda: dates.canonical_datetime(instant))
            yield

    return clock


@pytest.fixture
def workspace(hub: Hub) -> Iterator[Workspace]:
    with hub.workspace() as opened:
        yield opened


def test_customer_count_and_trend(workspace: Workspace, node: Node, at: Clock) -> None:
    with at("2024-05-01T10:00:00Z"):
        first = node.add_customer(externalId="first")
    with at("2024-05-02T10:00:00Z"):
        node.add_customer(externalId="second")
    with at("2024-05-03T10:00:00Z"):
        node.delete_customer(first.id)
    analytics = workspace.analytics
    assert analytics.customer_count() == [{"nodeId": node.node_id, "count": 1}]
    assert analytics.customer_count(start_date=date(2024, 5, 3)) == [
        {"nodeId": node.node_id, "count": 0}
    ]
    [trend] = analytics.customer_trend(date(2024, 5, 1), "2024-05-03")
    assert trend["nodeId"] == node.node_id
    assert [(v["time"], v["new"], v["lost"], v["total"]) for v in trend["values"]] == [
        ("2024-05-01", 1, 0, 1),
        ("2024-05-02", 1, 0, 2),
        ("2024-05-03", 0, 1, 1),
    ]
    [monthly] = analytics.customer_trend(
        datetime(2024, 4, 30, 23, 0), date(2024, 5, 31), mode="MONTHLY", nodes=[node.node_id]
    )
    assert [(v["time"], v["new"], v["total"]) for v in monthly["values"]] == [
        ("2024-04", 0, 0),
        ("2024-05", 2, 1),
    ]
    assert analytics.customer_node_distribution() == [{"nodeId": node.node_id, "count": 2}]
    assert analytics.customer_source_distribution(end_date="2024-05-01") == [
        {"nodeId": node.node_id, "values": [{"sourceId": node.node_id, "count": 1}]}
    ]
    [weekdays] = analytics.customer_time_distribution(mode="DAYOFWEEK")
    assert {v["time"]: v["count"] for v in weekdays["values"] if v["count"]} == {
        "Wed": 1,  # 1 May 2024
        "Thu": 1,
    }


def test_event_methods_filter_by_type_context_and_time_zone(
    workspace: Workspace, node: Node
) -> None:
    customer = node.add_customer(externalId="buyer")
    for when, kind, context in [
        ("2024-02-01T23:30:00Z", "completedOrder", "ECOMMERCE"),  # 2 February in Rome
        ("2024-02-02T10:00:00Z", "viewedPage", "WEB"),
        ("2024-02-03T10:00:00Z", "viewedPage", "WEB"),
    ]:
        node.add_event(customerId=customer.id, type=kind, context=context, date=when, properties={})
    analytics = workspace.analytics
    assert analytics.event_node_distribution() == [{"nodeId": node.node_id, "count": 3}]
    assert analytics.event_node_distribution(event_type="viewedPage") == [
        {"nodeId": node.node_id, "count": 2}
    ]
    assert analytics.event_source_distribution(context="ECOMMERCE") == [
        {"nodeId": node.node_id, "values": [{"sourceId": node.node_id, "count": 1}]}
    ]
    [rome] = analytics.event_trend("2024-02-01", "2024-02-03")
    assert [(v["time"], v["new"], v["total"]) for v in rome["values"]] == [
        ("2024-02-01", 0, 0),
        ("2024-02-02", 2, 2),
        ("2024-02-03", 1, 3),
    ]
    [london] = analytics.event_trend("2024-02-01", "2024-02-01", timezone="Europe/London")
    assert [v["new"] for v in london["values"]] == [1]
    [hours] = analytics.event_time_distribution(event_type="completedOrder")
    assert {v["time"]: v["count"] for v in hours["values"] if v["count"]} == {"0": 1}


def test_compositions(workspace: Workspace, node: Node) -> None:
    today = date.today()
    thirty = date(today.year - 30, today.month, 1).isoformat()  # 29 or 30 years old
    for gender, city, country, dob in [
        ("female", "Turin", "Italy", thirty),
        ("female", "Lyon", "France", None),
        ("male", "Turin", "Italy", "1950-01-01"),
    ]:
        node.add_customer(
            base={"gender": gender, "dob": dob, "address": {"city": city, "country": country}}
        )
    analytics = workspace.analytics
    [genders] = analytics.composition_gender()
    assert genders["distribution"] == [
        {"name": "female", "value": 2},
        {"name": "male", "value": 1},
    ]
    [countries] = analytics.composition_country(nodes=node.node_id)
    assert countries["distribution"] == [
        {"name": "Italy", "value": 2},
        {"name": "France", "value": 1},
    ]
    [cities] = analytics.composition_city(country="France")
    assert cities["distribution"] == [{"name": "Lyon", "value": 1}]
    [ages] = analytics.composition_age_range()
    assert {e["name"]: e["value"] for e in ages["distribution"] if e["value"]} == {
        "> 64": 1,
        "N/A": 1,
        "25-34": 1,
    }


def test_get_answers_the_whole_document(workspace: Workspace, node: Node) -> None:
    answer = workspace.analytics.get("distribution/event/time", mode="DAYOFMONTH")
    assert answer["name"] == "Distribution of events, aggregated for nodes and time"
    assert answer["parameters"]["mode"] == "DAYOFMONTH"
    assert [v["time"] for v in answer["data"][0]["values"]] == [str(d) for d in range(1, 32)]


def test_refusals_are_api_errors(workspace: Workspace, node: Node) -> None:
    with pytest.raises(APIError) as refused:
        workspace.analytics.customer_count(timezone="Nowhere/Land")
    assert refused.value.status_code == 400
    assert [e["path"] for e in refused.value.errors] == ["timezone"]
    with pytest.raises(APIError) as unknown:
        workspace.analytics.customer_count(nodes=["no-such-node"])
    assert unknown.value.status_code == 404
    with pytest.raises(APIError) as backwards:
        workspace.analytics.customer_trend("2024-02-01", "2024-01-01")
    assert [e["path"] for e in backwards.value.errors] == ["endDate"]
    with pytest.raises(TypeError):
        workspace.analytics.customer_count(start_date=20240101)  # type: ignore[arg-type]
