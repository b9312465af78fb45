"""Customer objects against a live hub over HTTP: post, put, patch, delete, events."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from contacthub import APIError, Node
from contacthub.models import Customer, Event, Properties


def new_customer(node: Node, email: str) -> Customer:
    customer = Customer(node=node)
    customer.base.firstName = "Bruce"
    customer.base.lastName = "Wayne"
    customer.base.contacts.email = email
    customer.extended.points = 10
    customer.tags.manual = ["vip"]
    return customer


def test_post_stores_the_customer_and_takes_the_servers_answer(node: Node) -> None:
    customer = new_customer(node, "bruce@example.com")
    customer.base.address = Properties(city="Gotham", geo=Properties(lat=40, lon=100))
    customer.consents = {"softSpam": {"email": {"status": True, "limitation": False}}}
    assert customer.post() is customer
    assert customer.id
    assert customer.registeredAt
    assert customer.get_mutation_tracker() == {"id": customer.id}
    stored = node.get_customer(id=customer.id)
    assert stored.base.contacts.email == "bruce@example.com"
    assert stored.base.address.geo.lat == 40
    assert stored.extended.points == 10
    assert stored.tags.manual == ["vip"]
    assert stored.consents.softSpam.email.status is True


def test_post_of_a_duplicate_fails_unless_forced(node: Node) -> None:
    first = new_customer(node, "dup@example.com")
    first.post()
    second = new_customer(node, "dup@example.com")
    second.base.firstName = "Thomas"
    with pytest.raises(APIError) as conflict:
        second.post()
    assert conflict.value.status_code == 409
    second.post(forceUpdate=True)
    assert second.id == first.id
    assert node.get_customer(id=first.id).base.firstName == "Thomas"
    third = new_customer(node, "dup@example.com")
    third.base.firstName = "Martha"
    third.post(force_update=True)
    assert node.get_customer(id=first.id).base.firstName == "Martha"


def test_patch_sends_only_the_changes_and_keeps_the_rest(node: Node) -> None:
    customer = new_customer(node, "patch@example.com")
    customer.post()
    fetched = node.get_customer(id=customer.id)
    fetched.base.contacts.email = "patched@example.com"
    fetched.tags.manual += ["gold"]
    del fetched.extended.points
    assert fetched.get_mutation_tracker() == {
        "id": customer.id,
        "base": {"contacts": {"email": "patched@example.com"}},
        "tags": {"manual": ["vip", "gold"]},
        "extended": {"points": None},
    }
    before = fetched.updatedAt
    fetched.patch()
    assert fetched.get_mutation_tracker() == {"id": customer.id}
    assert fetched.updatedAt >= before
    stored = node.get_customer(id=customer.id)
    assert stored.base.contacts.email == "patched@example.com"
    assert stored.base.firstName == "Bruce"
    assert stored.tags.manual == ["vip", "gold"]
    # The hub keeps a key set to null (as null), so the document keeps its shape.
    assert stored.extended.points is None


def test_the_tracker_works_with_node_update_customer(node: Node) -> None:
    customer = new_customer(node, "tracker@example.com")
    customer.post()
    customer.base.lastName = "Kane"
    updated = node.update_customer(**customer.get_mutation_tracker())
    assert updated.base.lastName == "Kane"
    assert updated.base.contacts.email == "tracker@example.com"


def test_put_replaces_the_whole_customer(node: Node) -> None:
    customer = new_customer(node, "put@example.com")
    customer.externalId = "e-1"
    customer.post()
    replacement = node.get_customer(id=customer.id)
    replacement.base = Properties(firstName="Only", contacts=Properties(email="put@example.com"))
    replacement.externalId = None
    replacement.put()
    stored = node.get_customer(id=customer.id)
    assert stored.base.firstName == "Only"
    assert stored.base.lastName is None
    assert stored.externalId is None
    assert replacement.get_mutation_tracker() == {"id": customer.id}


def test_delete_removes_the_customer(node: Node) -> None:
    customer = new_customer(node, "delete@example.com")
    customer.post()
    customer.delete()
    with pytest.raises(APIError) as missing:
        node.get_customer(id=customer.id)
    assert missing.value.status_code == 404


def test_get_events_lists_every_event_of_the_customer(node: Node) -> None:
    customer = new_customer(node, "events@example.com")
    customer.post()
    for number in range(53):  # more than one page of 50
        Event(
            node=node,
            customerId=customer.id,
            type=Event.TYPES.VIEWED_PAGE,
            context=Event.CONTEXTS.WEB,
            date=datetime(2020, 1, 1, 0, number),
            properties=Properties(url=f"https://example.com/{number}"),
        ).post()
    deadline = time.monotonic() + 10
    events = customer.get_events()
    while len(events) < 53 and time.monotonic() < deadline:  # the API may queue events
        time.sleep(0.1)
        events = customer.get_events()
    assert len(events) == 53
    assert all(isinstance(event, Event) for event in events)
    assert {event.properties.url for event in events} == {
        f"https://example.com/{n}" for n in range(53)
    }
    with pytest.raises(ValueError, match="read-only"):
        events.append(events[0])


def test_list_additions_with_plus_equals_are_patched_as_the_guide_shows(node: Node) -> None:
    customer = new_customer(node, "subs@example.com")
    customer.post()
    customer.base.subscriptions += [
        Properties(id="s1", name="news", type="mail", kind=Customer.SUBSCRPTION_KINDS.SERVICE)
    ]
    customer.base.contacts.otherContacts += [
        Properties(name="office", type=Customer.OTHER_CONTACT_TYPES.PHONE, value="02 1234")
    ]
    customer.patch()
    stored = node.get_customer(id=customer.id)
    assert stored.base.subscriptions[0].name == "news"
    assert stored.base.subscriptions[0].kind == "SERVICE"
    assert stored.base.contacts.otherContacts[0].value == "02 1234"
    assert stored.base.contacts.email == "subs@example.com"


def test_customers_from_a_query_page_can_be_patched(node: Node) -> None:
    for number in range(3):
        new_customer(node, f"page{number}@example.com").post()
    for customer in node.query(Customer).filter(Customer.base.lastName == "Wayne").all():
        customer.extended.points = 99
        customer.patch()
    points = {c.extended.points for c in node.get_customers(size=10)}
    assert points == {99}
