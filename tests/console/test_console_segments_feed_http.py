"""The console's segment and change feed pages over HTTP, on both backends.

Segments and changes are made through the ContactHub API; the pages must show them, keep each
workspace's apart, page them, and answer bad parameters with a clear page (never a 500).
"""

from __future__ import annotations

import html
import re
from typing import Any

import requests

from conftest import ConsoleHub


def _city(city: str) -> dict[str, Any]:
    condition = {
        "type": "atomic",
        "attribute": "base.address.city",
        "operator": "EQUALS",
        "value": city,
    }
    return {"type": "simple", "name": "query", "are": {"condition": condition}}


def _segment(hub: ConsoleHub, name: str, query: dict[str, Any]) -> dict[str, Any]:
    response = hub.api("POST", "/segments", json={"name": name, "query": query})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()[0]
    return created


def _rows(page: str, attribute: str) -> list[str]:
    return re.findall(rf'<tr {attribute}="([^"]+)"', page)


def test_segments_page_lists_the_workspaces_segments_only_and_finds_by_name(
    console_hub: ConsoleHub,
) -> None:
    romans = _segment(console_hub, "Romans", _city("Rome"))
    milanese = _segment(console_hub, "Milanese", _city("Milan"))
    other = console_hub.server.provision()
    elsewhere = requests.post(
        f"{console_hub.server.base_url}/workspaces/{other.workspace_id}/segments",
        json={"name": "Elsewhere", "query": _city("Rome")},
        headers={"Authorization": f"Bearer {other.token}"},
        timeout=10,
    )
    assert elsewhere.status_code == 201
    session = console_hub.signed_in()
    listing = f"{console_hub.url}/console/w/{console_hub.ws}/segments"
    page = session.get(listing)
    assert page.status_code == 200
    assert _rows(page.text, "data-id") == [romans["id"], milanese["id"]]
    assert "Elsewhere" not in page.text
    assert f'href="/console/w/{console_hub.ws}/segments"' in page.text  # in the navigation
    found = session.get(listing, params={"name": "Milanese"}).text
    assert _rows(found, "data-id") == [milanese["id"]]
    assert _rows(session.get(listing, params={"name": "Milan"}).text, "data-id") == []
    theirs = session.get(f"{console_hub.url}/console/w/{other.workspace_id}/segments").text
    assert _rows(theirs, "data-id") == [elsewhere.json()[0]["id"]]


def test_segments_are_paged_twenty_at_a_time(console_hub: ConsoleHub) -> None:
    made = [_segment(console_hub, f"S{n:02}", _city(f"City{n}"))["id"] for n in range(23)]
    session = console_hub.signed_in()
    listing = f"{console_hub.url}/console/w/{console_hub.ws}/segments"
    first = session.get(listing).text
    second = session.get(listing, params={"page": "1"}).text
    assert _rows(first, "data-id") == made[:20]
    assert _rows(second, "data-id") == made[20:]
    assert "Page 2 of 2 · 23 in all" in second


def test_a_segment_shows_its_query_as_json_and_sdk_code_and_its_customers_now(
    console_hub: ConsoleHub,
) -> None:
    ada = console_hub.customer(base={"firstName": "Ada", "address": {"city": "Rome"}})
    console_hub.customer(base={"firstName": "Bea", "address": {"city": "Milan"}})
    romans = _segment(console_hub, "Romans", _city("Rome"))
    session = console_hub.signed_in()
    url = f"{console_hub.url}/console/w/{console_hub.ws}/segments/{romans['id']}"
    page = session.get(url)
    assert page.status_code == 200
    assert _rows(page.text, "data-id") == [ada["id"]]
    query = html.unescape(page.text.split('id="segment-query">')[1].split("</pre>")[0])
    assert '"attribute": "base.address.city"' in query
    assert '"value": "Rome"' in query
    code = html.unescape(page.text.split('id="sdk-code" class="code">')[1].split("</pre>")[0])
    assert f'node.get_segment("{romans["id"]}")' in code
    assert 'Customer.base.address.city == "Rome"' in code
    # The segment follows the data: a new Roman is in it at once.
    cy = console_hub.customer(base={"firstName": "Cy", "address": {"city": "Rome"}})
    assert sorted(_rows(session.get(url).text, "data-id")) == sorted([ada["id"], cy["id"]])


def test_a_segments_customers_are_paged_and_filtered_by_node(console_hub: ConsoleHub) -> None:
    made = {
        console_hub.customer(base={"firstName": f"R{n}", "address": {"city": "Rome"}})["id"]
        for n in range(21)
    }
    second = console_hub.server.provision(workspace_id=console_hub.ws)
    theirs = requests.post(
        f"{console_hub.server.base_url}/workspaces/{console_hub.ws}/customers",
        json={"nodeId": second.node_id, "base": {"address": {"city": "Rome"}}},
        headers={"Authorization": f"Bearer {second.token}"},
        timeout=10,
    )
    assert theirs.status_code == 201
    romans = _segment(console_hub, "Romans", _city("Rome"))
    session = console_hub.signed_in()
    url = f"{console_hub.url}/console/w/{console_hub.ws}/segments/{romans['id']}"
    node = console_hub.credentials.node_id
    first = session.get(url, params={"node": node}).text
    rest = session.get(url, params={"node": node, "page": "1"}).text
    assert "Page 1 of 2 · 21 in all" in first
    assert set(_rows(first, "data-id")) | set(_rows(rest, "data-id")) == made
    assert len(_rows(rest, "data-id")) == 1
    only_theirs = session.get(url, params={"node": second.node_id}).text
    assert _rows(only_theirs, "data-id") == [theirs.json()["id"]]
    assert "22 in all" in session.get(url).text  # every node


def test_a_segment_of_another_workspace_or_none_is_a_404_page(console_hub: ConsoleHub) -> None:
    other = console_hub.server.provision()
    theirs = requests.post(
        f"{console_hub.server.base_url}/workspaces/{other.workspace_id}/segments",
        json={"name": "Theirs", "query": _city("Rome")},
        headers={"Authorization": f"Bearer {other.token}"},
        timeout=10,
    ).json()[0]
    session = console_hub.signed_in()
    mine = f"{console_hub.url}/console/w/{console_hub.ws}/segments"
    assert session.get(f"{mine}/{theirs['id']}").status_code == 404
    missing = session.get(f"{mine}/nope")
    assert missing.status_code == 404
    assert "There is no segment nope" in missing.text
    assert session.get(f"{console_hub.url}/console/w/nope/segments").status_code == 404


def _event(hub: ConsoleHub, customer_id: str, kind: str = "viewedPage") -> None:
    event = {"customerId": customer_id, "type": kind, "context": "WEB", "properties": {}}
    assert hub.api("POST", "/events", json=event).status_code == 202


def test_the_feed_shows_the_latest_changes_first_with_a_summary(console_hub: ConsoleHub) -> None:
    ada = console_hub.customer(
        externalId="ada-1", base={"firstName": "Ada", "contacts": {"email": "ada@example.com"}}
    )
    _event(console_hub, ada["id"])
    patched = console_hub.api("PATCH", f"/customers/{ada['id']}", json={"base": {"lastName": "L"}})
    assert patched.status_code == 200
    assert console_hub.api("DELETE", f"/customers/{ada['id']}").status_code == 200
    page = console_hub.signed_in().get(f"{console_hub.url}/console/w/{console_hub.ws}/feed")
    assert page.status_code == 200
    rows = re.findall(
        r'<tr data-offset="(\d+)" data-operation="(\w+)" data-entity="(\w+)">', page.text
    )
    # Deleting a customer deletes its event first: both are in the feed.
    assert rows == [
        ("5", "DELETE", "CUSTOMER"),
        ("4", "DELETE", "EVENT"),
        ("3", "UPDATE", "CUSTOMER"),
        ("2", "CREATE", "EVENT"),
        ("1", "CREATE", "CUSTOMER"),
    ]
    assert '<strong id="feed-head">5</strong>' in page.text
    last_offset = console_hub.api("GET", "/updates/last-offset").json()["lastOffset"]
    assert last_offset == 5
    summaries = re.findall(r"<summary>(.*?)</summary>", page.text)
    assert summaries[0] == "Ada L · ada@example.com · externalId ada-1"
    assert summaries[3].startswith("viewedPage · WEB · customer ")
    assert re.search(r"<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000</time>", page.text)


def test_the_feed_filters_by_entity_and_node_and_pages_to_older_entries(
    console_hub: ConsoleHub,
) -> None:
    people = [console_hub.customer(base={"firstName": f"P{n}"}) for n in range(55)]
    for person in people[:3]:
        _event(console_hub, person["id"])
    second = console_hub.server.provision(workspace_id=console_hub.ws)
    theirs = requests.post(
        f"{console_hub.server.base_url}/workspaces/{console_hub.ws}/customers",
        json={"nodeId": second.node_id, "base": {"firstName": "Theirs"}},
        headers={"Authorization": f"Bearer {second.token}"},
        timeout=10,
    )
    assert theirs.status_code == 201
    session = console_hub.signed_in()
    feed = f"{console_hub.url}/console/w/{console_hub.ws}/feed"

    def offsets(page: str) -> list[int]:
        return [int(n) for n in _rows(page, "data-offset")]

    newest = session.get(feed).text
    assert offsets(newest) == list(range(59, 9, -1))
    older_link = html.unescape(re.search(r'id="older" rel="next" href="([^"]+)"', newest)[1])
    older = session.get(f"{console_hub.url}{older_link}").text
    assert offsets(older) == list(range(9, 0, -1))
    assert 'id="older"' not in older
    assert 'id="newest"' in older
    events = session.get(feed, params={"entity": "EVENT"}).text
    assert offsets(events) == [58, 57, 56]
    assert set(re.findall(r'data-entity="(\w+)"', events)) == {"EVENT"}
    assert offsets(session.get(feed, params={"node": second.node_id}).text) == [59]
    customers_before = session.get(feed, params={"entity": "CUSTOMER", "before": "57"}).text
    assert offsets(customers_before)[:2] == [55, 54]


def test_the_feed_keeps_workspaces_apart_and_refuses_bad_parameters(
    console_hub: ConsoleHub,
) -> None:
    console_hub.customer(base={"firstName": "Mine"})
    other = console_hub.server.provision()
    session = console_hub.signed_in()
    theirs = session.get(f"{console_hub.url}/console/w/{other.workspace_id}/feed")
    assert theirs.status_code == 200
    assert _rows(theirs.text, "data-offset") == []
    assert "No changes." in theirs.text
    feed = f"{console_hub.url}/console/w/{console_hub.ws}/feed"
    bad_entity = session.get(feed, params={"entity": "SEGMENT"})
    bad_offset = session.get(feed, params={"before": "ten"})
    assert (bad_entity.status_code, bad_offset.status_code) == (400, 400)
    assert "CUSTOMER or EVENT" in bad_entity.text
    assert "a whole number" in bad_offset.text
    assert session.get(f"{console_hub.url}/console/w/nope/feed").status_code == 404
    anonymous = requests.get(feed, timeout=10)
    assert anonymous.url.startswith(f"{console_hub.url}/console/login")
