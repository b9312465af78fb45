"""Event sections over HTTP (§10.14, issue 8): the vendor's schemas by default, relaxed per node.

``properties`` follow the schema of the event's type, ``contextInfo`` the schema of its context
and ``tracking`` the tracking schema: unknown keys of closed objects, nulls the schemas do not
allow, wrong types, formats, enums and missing required keys are a 400 naming each by JSON
pointer. A node with ``events.strictProperties = false`` keeps the lenient checks. The node is
the event's: its customer's, or the one its ``bringBackProperties`` names.
"""

from __future__ import annotations

from typing import Any

import pytest
from hubclient import Api, assert_error

from contacthub.testing import Hub


def relaxed_api(hub: Hub) -> Api:
    """A client of a fresh node of the test's workspace whose event rules are relaxed."""
    creds = hub.server.provision(
        workspace_id=hub.workspace_id,
        token=hub.token,
        node_settings={"events": {"strictProperties": False}},
    )
    api = Api(hub)
    api.hub = Hub(hub.server, creds.workspace_id, creds.node_id, creds.token)
    return api


def page_view(**fields: Any) -> dict[str, Any]:
    return {"type": "viewedPage", "context": "WEB", "properties": {"title": "Home"}, **fields}


def errors_of(reply: Any) -> dict[str, str]:
    body = assert_error(reply, 400)
    return {error["path"]: error["message"] for error in body["errors"]}


def test_an_unknown_property_is_refused_naming_its_pointer(api: Api) -> None:
    customer = api.customer(externalId="strict-1")
    body = page_view(customerId=customer["id"], properties={"title": "Home", "colour": "red"})
    assert errors_of(api("POST", "/events", json=body)) == {
        "/properties/colour": "unknown property 'colour'"
    }


def test_every_bad_field_is_named_in_one_answer(api: Api) -> None:
    customer = api.customer(externalId="strict-2")
    body = {
        "customerId": customer["id"],
        "type": "completedOrder",
        "context": "ECOMMERCE",
        "properties": {
            "orderId": None,
            "paymentMethod": "bitcoin",
            "products": [{"id": "p1", "orderLineId": "3", "linkUrl": "not a uri", "size": "M"}],
            "amount": {"total": 10, "currency": "EUR"},
        },
        "contextInfo": {
            "client": {"ip": "::1"},
            "user": {"firstName": "Ada"},
            "store": {"type": "KIOSK"},
            "device": {},
        },
        "tracking": {"ga": {"utm_source": 7}},
    }
    found = errors_of(api("POST", "/events", json=body))
    assert set(found) == {
        "/properties/orderId",
        "/properties/paymentMethod",
        "/properties/products/0/orderLineId",
        "/properties/products/0/linkUrl",
        "/properties/products/0/size",
        "/properties/amount/currency",
        "/contextInfo/client/ip",
        "/contextInfo/user/id",
        "/contextInfo/store/type",
        "/contextInfo/device",
        "/tracking/ga/utm_source",
    }
    assert "not null" in found["/properties/orderId"]
    assert "integer" in found["/properties/products/0/orderLineId"]
    assert "ipv4" in found["/contextInfo/client/ip"]


def test_an_event_valid_by_the_vendors_schemas_is_stored_as_sent(api: Api) -> None:
    customer = api.customer(externalId="strict-3")
    body = {
        "customerId": customer["id"],
        "type": "completedOrder",
        "context": "RETAIL",
        "date": "2024-05-01T10:00:00Z",
        "properties": {
            "orderId": "o-1",
            "type": "sale",
            "amount": {"total": 25.5, "local": {"currency": "EUR", "exchangeRate": 1}},
            "products": [
                {"id": "p1", "orderLineId": 1, "weight": None, "classifications": []},
            ],
            "extraProperties": {"anything": [1, {"goes": None}]},
        },
        "contextInfo": {
            "client": {"ip": "192.0.2.1", "userAgent": None, "newKey": "kept"},
            "store": {"id": "s1", "type": "OUTLET", "geo": {"lat": 45.4, "lon": 9.2}},
            "salesAssistant": {"id": "a1", "firstName": None},
        },
        "tracking": {"ga": {"utm_source": "newsletter"}},
    }
    reply = api("POST", "/events", json=body)
    assert reply.status_code == 202, reply.text
    stored = api("GET", f"/events/{reply.json()['id']}").json()
    assert stored["properties"] == body["properties"]
    assert stored["contextInfo"] == body["contextInfo"]  # client is an open object
    assert stored["tracking"] == body["tracking"]


def test_a_relaxed_node_keeps_unknown_keys(hub: Hub) -> None:
    api = relaxed_api(hub)
    customer = api.customer(externalId="relaxed-1")
    body = page_view(
        customerId=customer["id"],
        properties={"title": "Home", "colour": "red", "url": None},
        contextInfo={"custom": {"x": 1}, "client": {"ip": "::1"}},
        tracking={"ga": {"utm_id": "7"}, "fb": {}},
    )
    reply = api("POST", "/events", json=body)
    assert reply.status_code == 202, reply.text
    stored = api("GET", f"/events/{reply.json()['id']}").json()
    assert stored["properties"] == {"title": "Home", "colour": "red", "url": None}
    assert stored["contextInfo"] == {"custom": {"x": 1}, "client": {"ip": "::1"}}
    assert stored["tracking"] == {"ga": {"utm_id": "7"}, "fb": {}}


def test_a_relaxed_node_still_checks_the_keys_it_knows(hub: Hub) -> None:
    api = relaxed_api(hub)
    customer = api.customer(externalId="relaxed-2")
    body = page_view(customerId=customer["id"], properties={"url": 5, "colour": "red"})
    assert set(errors_of(api("POST", "/events", json=body))) == {"/properties/url"}


def test_the_rules_of_the_node_named_by_a_bring_back_apply(hub: Hub, api: Api) -> None:
    relaxed = relaxed_api(hub)
    properties = {"title": "Anonymous", "colour": "red"}

    def anonymous(node_id: str) -> dict[str, Any]:
        bring_back = {"type": "SESSION_ID", "value": "s-1", "nodeId": node_id}
        return page_view(bringBackProperties=bring_back, properties=properties)

    # The same workspace, token and body: only the node differs.
    assert api("POST", "/events", json=anonymous(relaxed.hub.node_id)).status_code == 202
    found = errors_of(api("POST", "/events", json=anonymous(hub.node_id)))
    assert found == {"/properties/colour": "unknown property 'colour'"}


def test_a_problem_of_the_envelope_is_a_400_whatever_the_node(hub: Hub) -> None:
    api = relaxed_api(hub)
    customer = api.customer(externalId="relaxed-3")
    body = page_view(customerId=customer["id"], date="2024-05-01", properties={"colour": "red"})
    found = errors_of(api("POST", "/events", json=body))
    assert set(found) == {"/date"}
    assert "a date, not a date-time" in found["/date"]


def test_a_strict_only_problem_of_an_unknown_customer_is_its_404(api: Api) -> None:
    body = page_view(customerId="no-such-customer", properties={"colour": "red"})
    assert_error(api("POST", "/events", json=body), 404)


def test_put_follows_the_rules_of_the_events_node(hub: Hub, api: Api) -> None:
    customer = api.customer(externalId="put-strict")
    event_id = api("POST", "/events", json=page_view(customerId=customer["id"])).json()["id"]
    body = page_view(customerId=customer["id"], properties={"title": "New", "colour": "red"})
    assert errors_of(api("PUT", f"/events/{event_id}", json=body)) == {
        "/properties/colour": "unknown property 'colour'"
    }
    relaxed = relaxed_api(hub)
    other = relaxed.customer(externalId="put-relaxed")
    body["customerId"] = other["id"]
    reply = api("PUT", f"/events/{event_id}", json=body)
    assert reply.status_code == 202, reply.text
    assert reply.json()["properties"] == {"title": "New", "colour": "red"}


@pytest.mark.parametrize(
    ("event_type", "properties", "pointer"),
    [
        ("searched", {"resultCount": 2.5, "keyword": None}, "/properties/keyword"),
        ("orderShipped", {"packages": "2"}, "/properties/packages"),
        ("addedReward", {"rewardTypeId": "t", "rewardAmount": -1}, "/properties/rewardAmount"),
        ("grantedCoupon", {"totalAmount": 1}, "/properties/startValidityDate"),
        ("serviceSubscribed", {"startDate": "2024-01-01"}, "/properties/startDate"),
        ("campaignOpened", {"userdbId": 4}, "/properties/userdbId"),
        ("eventInvited", {"eventLocation": {"type": None}}, "/properties/eventLocation/type"),
    ],
)
def test_vendor_rules_of_several_types(
    api: Api, event_type: str, properties: dict[str, Any], pointer: str
) -> None:
    customer = api.customer(externalId=f"types-{event_type}")
    body = {"customerId": customer["id"], "type": event_type, "context": "OTHER"}
    found = errors_of(api("POST", "/events", json={**body, "properties": properties}))
    assert list(found) == [pointer]


def test_a_node_setting_is_refused_when_it_is_not_a_boolean(hub: Hub) -> None:
    with pytest.raises(ValueError, match="strictProperties"):
        hub.server.provision(node_settings={"events": {"strictProperties": "no"}})


def test_context_info_over_64_kb_is_refused_as_properties_are(hub: Hub) -> None:
    # Reference changelog 1.31: properties and contextInfo are limited to 64 KB each.
    api = relaxed_api(hub)
    customer = api.customer(externalId="big-context")
    big = {"client": {"ip": "192.0.2.1", "note": "x" * (64 * 1024)}}
    body = page_view(customerId=customer["id"], contextInfo=big)
    found = errors_of(api("POST", "/events", json=body))
    assert found == {"/contextInfo": "is larger than 64 KB"}
