"""Events and sessions over HTTP (§2.3, §2.4, §7.5): recording, filters, reconciliation."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hubclient import Api, assert_error


def event(**fields: Any) -> dict[str, Any]:
    """A valid event body: a viewed page, with the given fields added."""
    return {"type": "viewedPage", "context": "WEB", "properties": {"title": "Home"}, **fields}


def post_event(api: Api, **fields: Any) -> str:
    reply = api("POST", "/events", json=event(**fields))
    assert reply.status_code == 202, reply.text
    event_id: str = reply.json()["id"]
    return event_id


def events_of(api: Api, **params: Any) -> dict[str, Any]:
    reply = api("GET", "/events", params=params)
    assert reply.status_code == 200, reply.text
    page: dict[str, Any] = reply.json()
    return page


# -- sessions -------------------------------------------------------------------------------
def test_session_lifecycle(api: Api) -> None:
    customer = api.customer(externalId="s")
    path = f"/customers/{customer['id']}/sessions"
    value = str(uuid.uuid4())
    reply = api("POST", path, json={"value": value})
    assert reply.status_code == 201
    session = reply.json()
    assert session["value"] == value
    assert session["id"] != value
    assert api("GET", path).json() == {"elements": [session]}
    assert api("GET", f"{path}/{session['id']}").json() == session
    reply = api("DELETE", f"{path}/{session['id']}")
    assert reply.status_code == 200
    assert api("GET", path).json() == {"elements": []}
    assert_error(api("GET", f"{path}/{session['id']}"), 404)
    assert_error(api("DELETE", f"{path}/{session['id']}"), 404)


def test_posting_the_same_session_again_is_idempotent(api: Api) -> None:
    customer = api.customer(externalId="s")
    path = f"/customers/{customer['id']}/sessions"
    first = api("POST", path, json={"value": "v"}).json()
    again = api("POST", path, json={"value": "v"})
    assert again.status_code == 201
    assert again.json() == first
    assert len(api("GET", path).json()["elements"]) == 1


def test_a_session_of_another_customer_is_409(api: Api) -> None:
    a = api.customer(externalId="a")
    b = api.customer(externalId="b")
    api("POST", f"/customers/{a['id']}/sessions", json={"value": "shared"})
    assert_error(api("POST", f"/customers/{b['id']}/sessions", json={"value": "shared"}), 409)


def test_session_errors(api: Api) -> None:
    customer = api.customer(externalId="s")
    assert_error(api("POST", "/customers/ghost/sessions", json={"value": "v"}), 404)
    assert_error(api("GET", "/customers/ghost/sessions"), 404)
    error = assert_error(api("POST", f"/customers/{customer['id']}/sessions", json={}), 400)
    assert error["errors"][0]["path"] == "/value"


# -- events ---------------------------------------------------------------------------------
def test_event_of_a_customer_is_stored_and_readable(api: Api) -> None:
    customer = api.customer(externalId="e")
    event_id = post_event(api, customerId=customer["id"], date="2020-05-01T10:00:00Z")
    doc = api("GET", f"/events/{event_id}").json()
    assert doc["id"] == event_id
    assert doc["customerId"] == customer["id"]
    assert doc["date"] == "2020-05-01T10:00:00.000+0000"
    assert doc["bringBackProperties"] is None
    assert doc["properties"]["title"] == "Home"
    assert doc["registeredAt"].endswith("+0000")


def test_delete_event_is_204_then_404(api: Api) -> None:
    customer = api.customer(externalId="e")
    event_id = post_event(api, customerId=customer["id"])
    reply = api("DELETE", f"/events/{event_id}")
    assert reply.status_code == 204
    assert reply.content == b""
    assert_error(api("GET", f"/events/{event_id}"), 404, f"event not found: {event_id}")
    assert_error(api("DELETE", f"/events/{event_id}"), 404)


def test_anonymous_session_events_are_reconciled_when_the_session_is_linked(api: Api) -> None:
    session = str(uuid.uuid4())
    bring_back = {"type": "SESSION_ID", "value": session, "nodeId": api.hub.node_id}
    first = post_event(api, bringBackProperties=bring_back)
    assert api("GET", f"/events/{first}").json()["customerId"] is None
    customer = api.customer(externalId="later")
    assert events_of(api, customerId=customer["id"])["elements"] == []

    api("POST", f"/customers/{customer['id']}/sessions", json={"value": session})
    assert api("GET", f"/events/{first}").json()["customerId"] == customer["id"]
    # once the session is known, new events are attached at once
    second = post_event(api, bringBackProperties=bring_back)
    assert api("GET", f"/events/{second}").json()["customerId"] == customer["id"]
    ids = {e["id"] for e in events_of(api, customerId=customer["id"])["elements"]}
    assert ids == {first, second}


def anonymous_event(api: Api, session: str) -> str:
    """An event of a session not linked to anyone yet (its customerId is null)."""
    bring_back = {"type": "SESSION_ID", "value": session, "nodeId": api.hub.node_id}
    event_id = post_event(api, bringBackProperties=bring_back)
    assert api("GET", f"/events/{event_id}").json()["customerId"] is None
    return event_id


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_the_session_id_parameter_of_a_customer_write_links_the_session(
    api: Api, method: str
) -> None:
    # The reference's `sessionId` query parameter of POST/PUT/PATCH customers: the session is
    # linked to the customer written, and its anonymous events join it, as POST …/sessions does.
    session = str(uuid.uuid4())
    waiting = anonymous_event(api, session)
    body = {"nodeId": api.hub.node_id, "externalId": f"by-{method}"}
    if method == "POST":
        reply = api("POST", "/customers", json=body, params={"sessionId": session})
    else:
        url = f"/customers/{api.customer(externalId='before')['id']}"
        reply = api(method, url, json=body, params={"sessionId": session})
    assert reply.status_code in (200, 201), reply.text
    customer = reply.json()
    assert customer["externalId"] == f"by-{method}"
    sessions = api("GET", f"/customers/{customer['id']}/sessions").json()["elements"]
    assert [s["value"] for s in sessions] == [session]
    assert api("GET", f"/events/{waiting}").json()["customerId"] == customer["id"]
    # Linking it again is idempotent, as POST …/sessions is.
    url = f"/customers/{customer['id']}"
    again = api("PATCH", url, json={"extra": "x"}, params={"sessionId": session})
    assert again.status_code == 200, again.text
    assert len(api("GET", f"{url}/sessions").json()["elements"]) == 1


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_a_session_id_parameter_of_another_customer_is_409_and_nothing_is_written(
    api: Api, method: str
) -> None:
    owner = api.customer(externalId="owner")
    api("POST", f"/customers/{owner['id']}/sessions", json={"value": "taken"})
    target = api.customer(externalId="target")
    body = {"nodeId": api.hub.node_id, "externalId": "changed"}
    url = "/customers" if method == "POST" else f"/customers/{target['id']}"
    assert_error(api(method, url, json=body, params={"sessionId": "taken"}), 409)
    assert api("GET", f"/customers/{target['id']}").json()["externalId"] == "target"
    listed = api("GET", "/customers", params={"nodeId": api.hub.node_id, "externalId": "changed"})
    assert listed.json()["elements"] == []
    assert api("GET", f"/customers/{target['id']}/sessions").json()["elements"] == []


def test_a_session_id_parameter_of_any_length_is_linked(api: Api) -> None:
    # The vendor's schemas bound no session value (see docs/hub.md, what the hub accepts).
    body = {"nodeId": api.hub.node_id, "externalId": "x"}
    value = "s" * 513
    created = api("POST", "/customers", json=body, params={"sessionId": value})
    assert created.status_code == 201, created.text
    sessions = api("GET", f"/customers/{created.json()['id']}/sessions").json()
    assert [s["value"] for s in sessions["elements"]] == [value]


def test_external_id_events_attach_to_the_customer_now_or_when_created(api: Api) -> None:
    known = api.customer(externalId="known")
    bring_back = {"type": "EXTERNAL_ID", "value": "known", "nodeId": api.hub.node_id}
    now_id = post_event(api, bringBackProperties=bring_back)
    assert api("GET", f"/events/{now_id}").json()["customerId"] == known["id"]

    later_bb = {"type": "EXTERNAL_ID", "value": "not-yet", "nodeId": api.hub.node_id}
    later_id = post_event(api, bringBackProperties=later_bb)
    assert api("GET", f"/events/{later_id}").json()["customerId"] is None
    created = api.customer(externalId="not-yet")
    assert api("GET", f"/events/{later_id}").json()["customerId"] == created["id"]


def test_external_id_given_by_patch_claims_waiting_events(api: Api) -> None:
    customer = api.customer(base={"firstName": "Ada"})
    bring_back = {"type": "EXTERNAL_ID", "value": "ext-9", "nodeId": api.hub.node_id}
    event_id = post_event(api, bringBackProperties=bring_back)
    api("PATCH", f"/customers/{customer['id']}", json={"externalId": "ext-9"})
    assert api("GET", f"/events/{event_id}").json()["customerId"] == customer["id"]


def test_deleting_a_customer_deletes_its_events(api: Api) -> None:
    customer = api.customer(externalId="gone")
    event_id = post_event(api, customerId=customer["id"])
    api("DELETE", f"/customers/{customer['id']}")
    assert_error(api("GET", f"/events/{event_id}"), 404)


def test_event_filters(api: Api) -> None:
    customer = api.customer(externalId="f")
    cid = customer["id"]
    viewed = post_event(api, customerId=cid, date="2020-01-01T00:00:00Z")
    ordered = post_event(
        api,
        customerId=cid,
        type="completedOrder",
        context="ECOMMERCE",
        date="2020-02-01T00:00:00+00:00",
        properties={
            "orderId": "o1",
            "type": "sale",
            "storeCode": "s",
            "amount": {"total": 10, "revenue": 10, "local": {"currency": "EUR"}},
            "products": [],
        },
    )
    sent = post_event(
        api,
        customerId=cid,
        type="campaignSent",
        context="DIGITAL_CAMPAIGN",
        date="2020-03-01T00:00:00.000+0000",
        properties={},
    )

    def ids(**params: Any) -> list[str]:
        return [e["id"] for e in events_of(api, customerId=cid, **params)["elements"]]

    assert ids() == [sent, ordered, viewed]  # newest first
    assert ids(type="viewedPage") == [viewed]
    assert ids(type="viewedPage,campaignSent") == [sent, viewed]
    assert ids(context="ECOMMERCE") == [ordered]
    assert ids(mode="PASSIVE") == [sent]
    assert ids(mode="active") == [ordered, viewed]
    assert ids(mode="ACTIVE", type="campaignSent") == []
    assert ids(dateFrom="2020-01-15T00:00:00Z", dateTo="2020-02-01T00:00:00.000Z") == [ordered]
    assert ids(dateFrom="2020-02-01") == [sent, ordered]
    assert ids(nodeId=api.hub.node_id) == [sent, ordered, viewed]
    page = events_of(api, customerId=cid, size=2, page=1)
    assert [e["id"] for e in page["elements"]] == [viewed]
    assert page["page"] == {
        "size": 2,
        "totalElements": 3,
        "totalUnfilteredElements": 0,
        "totalPages": 2,
        "number": 1,
    }


def test_event_filter_errors_are_400(api: Api) -> None:
    assert_error(api("GET", "/events", params={"mode": "SIDEWAYS"}), 400)
    assert_error(api("GET", "/events", params={"type": "notAType"}), 400)
    assert_error(api("GET", "/events", params={"context": "MOON"}), 400)
    error = assert_error(api("GET", "/events", params={"dateFrom": "last tuesday"}), 400)
    assert error["errors"][0]["path"] == "dateFrom"
    assert_error(api("GET", "/events", params={"nodeId": "nope"}), 404, "node not found nope")


def test_invalid_events_are_400_with_pointers(api: Api) -> None:
    reply = api("POST", "/events", json={"type": "nope", "context": "WEB", "properties": {}})
    error = assert_error(reply, 400)
    assert "/type" in {e["path"] for e in error["errors"]}
    # no owner at all
    assert_error(api("POST", "/events", json=event()), 400)
    # incomplete bring-back properties
    reply = api("POST", "/events", json=event(bringBackProperties={"type": "SESSION_ID"}))
    assert_error(reply, 400)


def test_event_owners_must_exist(api: Api) -> None:
    assert_error(api("POST", "/events", json=event(customerId="ghost")), 404)
    bring_back = {"type": "SESSION_ID", "value": "v", "nodeId": "nowhere"}
    reply = api("POST", "/events", json=event(bringBackProperties=bring_back))
    assert_error(reply, 404, "node not found nowhere")
