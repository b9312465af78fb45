"""The console's dashboard over HTTP, on both backends: counts and charts of what the API stored."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from conftest import ConsoleHub


def _chart(page: str, name: str) -> list[tuple[str, int]]:
    """The (label, value) bars of the chart named ``name`` in a page."""
    svg = page.split(f'data-chart="{name}"')[1].split("</svg>")[0]
    pairs = re.findall(r'data-label="([^"]*)" data-value="(\d+)"', svg)
    return [(html.unescape(label), int(value)) for label, value in pairs]


def _figure(page: str, ident: str) -> int:
    found = re.search(rf'id="{ident}">([\d,]+)<', page)
    assert found, ident
    return int(found[1].replace(",", ""))


def _people(hub: ConsoleHub) -> list[dict[str, Any]]:
    people = [("male", "Italy"), ("female", "Italy"), ("female", "France"), (None, None)]
    return [
        hub.customer(base={"gender": gender, "address": {"country": country}})
        for gender, country in people
    ]


def test_the_dashboard_counts_customers_by_gender_and_country(console_hub: ConsoleHub) -> None:
    _people(console_hub)
    other = console_hub.server.provision()
    theirs = requests.post(
        f"{console_hub.server.base_url}/workspaces/{other.workspace_id}/customers",
        json={"nodeId": other.node_id, "base": {"gender": "male"}},
        headers={"Authorization": f"Bearer {other.token}"},
        timeout=10,
    )
    assert theirs.status_code == 201
    session = console_hub.signed_in()
    page = session.get(f"{console_hub.url}/console/w/{console_hub.ws}/dashboard")
    assert page.status_code == 200
    assert _figure(page.text, "customer-count") == 4
    assert _chart(page.text, "Customers by gender") == [("female", 2), ("male", 1), ("N/A", 1)]
    assert _chart(page.text, "Customers by country") == [("Italy", 2), ("France", 1), ("N/A", 1)]
    assert "<script" not in page.text.split("<main>")[1].split("</main>")[0]  # drawn server-side
    theirs_page = session.get(f"{console_hub.url}/console/w/{other.workspace_id}/dashboard").text
    assert _figure(theirs_page, "customer-count") == 1
    assert _chart(theirs_page, "Customers by gender") == [("male", 1)]


def test_the_dashboard_trends_count_per_day_month_and_year(console_hub: ConsoleHub) -> None:
    mario = console_hub.customer(base={"firstName": "Mario"})
    now = datetime.now(UTC)
    ago = {days: now - timedelta(days=days) for days in (0, 10, 100, 1200)}
    for moment in ago.values():
        event = {
            "customerId": mario["id"],
            "type": "viewedPage",
            "context": "WEB",
            "date": moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "properties": {},
        }
        assert console_hub.api("POST", "/events", json=event).status_code == 202
    session = console_hub.signed_in()
    dashboard = f"{console_hub.url}/console/w/{console_hub.ws}/dashboard"

    days = session.get(dashboard, params={"period": "30d"}).text
    customers = _chart(days, "New customers")
    events = _chart(days, "Events")
    assert len(customers) == len(events) == 30
    assert customers[-1] == (now.strftime("%m-%d"), 1)
    assert sum(n for _, n in customers) == 1
    assert {label for label, n in events if n} == {
        ago[0].strftime("%m-%d"),
        ago[10].strftime("%m-%d"),
    }
    assert _figure(days, "event-count") == 2

    months = session.get(dashboard, params={"period": "12m"}).text
    month_events = _chart(months, "Events")
    assert len(month_events) == 12
    assert month_events[-1][0] == now.strftime("%Y-%m")
    assert sum(n for _, n in month_events) == 3
    assert _figure(months, "new-count") == 1

    years = session.get(dashboard, params={"period": "all"}).text
    year_events = _chart(years, "Events")
    assert year_events[0] == (str(ago[1200].year), 1)
    assert year_events[-1][0] == str(now.year)
    assert sum(n for _, n in year_events) == 4
    assert len(year_events) == now.year - ago[1200].year + 1
    assert session.get(dashboard, params={"period": "decade"}).status_code == 200


def test_the_dashboard_narrows_to_one_node(console_hub: ConsoleHub) -> None:
    _people(console_hub)
    second = console_hub.server.provision(workspace_id=console_hub.ws)
    added = requests.post(
        f"{console_hub.server.base_url}/workspaces/{console_hub.ws}/customers",
        json={
            "nodeId": second.node_id,
            "base": {"gender": "other", "address": {"country": "Peru"}},
        },
        headers={"Authorization": f"Bearer {second.token}"},
        timeout=10,
    )
    assert added.status_code == 201
    session = console_hub.signed_in()
    dashboard = f"{console_hub.url}/console/w/{console_hub.ws}/dashboard"
    every = session.get(dashboard).text
    assert _figure(every, "customer-count") == 5
    theirs = session.get(dashboard, params={"node": second.node_id}).text
    assert _figure(theirs, "customer-count") == 1
    assert _chart(theirs, "Customers by gender") == [("other", 1)]
    assert _chart(theirs, "Customers by country") == [("Peru", 1)]
    assert _chart(theirs, "New customers")[-1][1] == 1


def test_the_dashboard_needs_a_session_and_a_workspace(console_hub: ConsoleHub) -> None:
    url = f"{console_hub.url}/console/w/{console_hub.ws}/dashboard"
    assert requests.get(url, timeout=10).url.startswith(f"{console_hub.url}/console/login")
    session = console_hub.signed_in()
    assert session.get(f"{console_hub.url}/console/w/nope/dashboard").status_code == 404
    empty = session.get(url)
    assert empty.status_code == 200
    assert _figure(empty.text, "customer-count") == 0
    assert "No customers." in empty.text
