"""Node's customer-source reads and event replacement against a live hub over HTTP."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from contacthub import APIError, Customer, Event, Node, Properties


@pytest.fixture
def customer(node: Node) -> Customer:
    return node.add_customer(
        base={"firstName": "Ada", "contacts": {"email": "sources@example.com"}},
        externalId="src-ext",
        extended={},
    )


def test_a_customer_has_one_source_its_node(node: Node, customer: Customer) -> None:
    sources = node.get_customer_sources(customer.id)
    assert isinstance(sources, list)
    [source] = sources
    assert source["id"] == node.node_id
    assert source["nodeId"] == node.node_id
    assert source["externalId"] == "src-ext"
    assert source["base"]["firstName"] == "Ada"
    assert source["registeredAt"] == customer.registeredAt
    assert node.get_customer_source(customer.id, source["id"]) == source


def test_unknown_customers_and_sources_are_404(node: Node, customer: Customer) -> None:
    with pytest.raises(APIError) as caught:
        node.get_customer_sources("ghost")
    assert caught.value.status_code == 404
    with pytest.raises(APIError) as caught:
        node.get_customer_source(customer.id, "another-node")
    assert caught.value.status_code == 404
    with pytest.raises(ValueError, match="non-empty"):
        node.get_customer_source(customer.id, "")


def test_update_event_replaces_it(node: Node, customer: Customer) -> None:
    added = node.add_event(
        customerId=customer.id,
        type="viewedPage",
        context="WEB",
        date=datetime(2026, 3, 1, 10, 30, tzinfo=timezone.utc),
        properties={"title": "Home"},
    )
    before = node.get_event(added.id)
    updated = node.update_event(
        added.id,
        customerId=customer.id,
        type=Event.TYPES.SEARCHED,
        context=Event.CONTEXTS.ECOMMERCE,
        date=datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc),
        properties=Properties(keyword="boots", resultCount=4),
    )
    assert isinstance(updated, Event)
    assert updated.id == added.id
    assert updated.type == "searched"
    assert updated.properties.keyword == "boots"
    assert updated.date.startswith("2026-03-02T09:00:00")
    assert updated.registeredAt == before.registeredAt
    assert updated.updatedAt >= before.updatedAt
    assert node.get_event(added.id).to_dict() == updated.to_dict()
    assert [e.type for e in node.get_events(customer.id)] == ["searched"]


def test_update_event_with_bring_back_properties(node: Node, customer: Customer) -> None:
    added = node.add_event(
        customerId=customer.id, type="viewedPage", context="WEB", properties={"title": "A"}
    )
    # The guide's spelling of the type, and no nodeId: filled as add_event does.
    updated = node.update_event(
        added.id,
        bringBackProperties={"type": "externalId", "value": "src-ext"},
        type="viewedPage",
        context="WEB",
        properties={"title": "B"},
    )
    assert updated.bringBackProperties.type == "EXTERNAL_ID"
    assert updated.bringBackProperties.nodeId == node.node_id
    assert updated.customerId == customer.id


def test_update_event_errors(node: Node, customer: Customer) -> None:
    body = {"customerId": customer.id, "type": "viewedPage", "context": "WEB", "properties": {}}
    with pytest.raises(APIError) as caught:
        node.update_event("ghost", **body)
    assert caught.value.status_code == 404
    added = node.add_event(**body)
    with pytest.raises(APIError) as caught:
        node.update_event(added.id, **{**body, "type": "notAType"})
    assert caught.value.status_code == 400
    assert caught.value.errors
    assert node.get_event(added.id).type == "viewedPage"
