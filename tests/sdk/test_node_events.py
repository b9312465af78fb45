"""Node's event and session methods against a live hub over HTTP."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from contacthub import APIError, Customer, Event, Node, Properties


@pytest.fixture
def customer(node: Node) -> Customer:
    return node.add_customer(
        base={"contacts": {"email": "events@example.com"}}, externalId="ev-ext"
    )


def page_view(customer_id: str, when: datetime, title: str = "Home") -> dict[str, object]:
    return {
        "customerId": customer_id,
        "type": "viewedPage",
        "context": "WEB",
        "date": when,
        "properties": {"title": title, "url": "https://shop.example/"},
    }


def test_add_get_and_delete_an_event(node: Node, customer: Customer) -> None:
    when = datetime(2026, 3, 1, 10, 30, tzinfo=timezone.utc)
    added = node.add_event(**page_view(customer.id, when))
    assert isinstance(added, Event)
    assert added.id
    fetched = node.get_event(added.id)
    assert fetched.customerId == customer.id
    assert fetched.type == "viewedPage"
    assert fetched.properties.title == "Home"
    assert fetched.date.startswith("2026-03-01T10:30:00")
    node.delete_event(added.id)
    with pytest.raises(APIError) as gone:
        node.get_event(added.id)
    assert gone.value.status_code == 404


def test_get_events_filters_and_pages(node: Node, customer: Customer) -> None:
    start = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
    for day in range(6):
        node.add_event(**page_view(customer.id, start + timedelta(days=day), title=f"d{day}"))
    node.add_event(
        customerId=customer.id,
        type="loggedIn",
        context="MOBILE",
        date=start + timedelta(days=10),
        properties={},
    )
    everything = node.get_events(customer.id)
    assert everything.total_elements == 7
    assert everything[0].type == "loggedIn"  # newest first
    pages = node.get_events(customer_id=customer.id, event_type="viewedPage", size=4)
    assert (len(pages), pages.total_pages) == (4, 2)
    assert [e.properties.title for e in pages.all_pages()] == [f"d{d}" for d in range(5, -1, -1)]
    assert len(pages.next_page()) == 2
    assert [e.type for e in node.get_events(customer.id, context="MOBILE")] == ["loggedIn"]
    assert node.get_events(customer.id, event_type=["viewedPage", "loggedIn"]).total_elements == 7
    assert node.get_events(customer.id, event_mode="ACTIVE").total_elements == 7
    assert node.get_events(customer.id, event_mode="PASSIVE").total_elements == 0
    window = node.get_events(
        customer.id, date_from=start + timedelta(days=1), date_to=start + timedelta(days=3)
    )
    assert sorted(e.properties.title for e in window) == ["d1", "d2", "d3"]
    as_strings = node.get_events(
        customer.id, date_from="2026-01-02T12:00:00.000Z", date_to="2026-01-04T12:00:00.000+0000"
    )
    assert sorted(e.properties.title for e in as_strings) == ["d1", "d2", "d3"]
    with pytest.raises(TypeError, match="date_from"):
        node.get_events(customer.id, date_from=20260101)  # type: ignore[arg-type]


def test_customer_events_shortcut(node: Node, customer: Customer) -> None:
    node.add_event(**page_view(customer.id, datetime(2026, 2, 2)))
    assert [e.type for e in node.get_customer(id=customer.id).get_events()] == ["viewedPage"]


def test_anonymous_session_events_are_reconciled(node: Node, customer: Customer) -> None:
    session_id = node.create_session_id()
    assert uuid.UUID(session_id).version == 4
    event = Event(
        node=node,
        bringBackProperties=Properties(type="SESSION_ID", value=session_id),
        type=Event.TYPES.VIEWED_PAGE,
        context=Event.CONTEXTS.WEB,
        properties=Properties(title="Anonymous"),
    )
    posted = node.add_event(**event.to_dict())
    assert posted.bringBackProperties.nodeId == node.node_id
    assert node.get_events(customer.id).total_elements == 0
    session = node.add_customer_session(customer_id=customer.id, session_id=session_id)
    assert session["value"] == session_id
    assert [e.properties.title for e in node.get_events(customer.id)] == ["Anonymous"]
    assert node.get_customer_sessions(customer.id) == [session]
    assert node.get_customer_session(customer.id, session["id"]) == session
    node.delete_customer_session(customer.id, session["id"])
    assert node.get_customer_sessions(customer.id) == []


def test_external_id_events_reach_the_customer(node: Node, customer: Customer) -> None:
    node.add_event(
        bringBackProperties={"type": "externalId", "value": "ev-ext"},
        type="viewedPage",
        context="WEB",
        properties={"title": "By external id"},
    )
    events = node.get_events(customer.id)
    assert [e.properties.title for e in events] == ["By external id"]
    assert events[0].bringBackProperties.type == "EXTERNAL_ID"


def test_invalid_event_is_a_400(node: Node, customer: Customer) -> None:
    with pytest.raises(APIError) as caught:
        node.add_event(customerId=customer.id, type="notAType", context="WEB", properties={})
    assert caught.value.status_code == 400
    assert caught.value.errors


def test_events_of_the_whole_node(node: Node, customer: Customer) -> None:
    other = node.add_customer(base={"contacts": {"email": "other@example.com"}})
    node.add_event(**page_view(customer.id, datetime(2026, 5, 1), title="first"))
    node.add_event(**page_view(other.id, datetime(2026, 5, 2), title="second"))
    assert [e.properties.title for e in node.get_events(None)] == ["second", "first"]
    assert [e.properties.title for e in node.get_events(other.id)] == ["second"]
