"""Customer sources and event replacement over HTTP (§2.1, §2.4), on every backend."""

from __future__ import annotations

import time
from typing import Any

from hubclient import Api, assert_error

SOURCE_KEYS = {
    "id",
    "externalId",
    "nodeId",
    "base",
    "extended",
    "extra",
    "consents",
    "tags",
    "registeredAt",
    "updatedAt",
}


def page_view(**fields: Any) -> dict[str, Any]:
    """A valid event body: a viewed page, with the given fields added."""
    return {"type": "viewedPage", "context": "WEB", "properties": {"title": "Home"}, **fields}


def post_event(api: Api, **fields: Any) -> str:
    reply = api("POST", "/events", json=page_view(**fields))
    assert reply.status_code == 202, reply.text
    event_id: str = reply.json()["id"]
    return event_id


# -- sources --------------------------------------------------------------------------------
def test_a_customer_has_one_source_its_node(api: Api) -> None:
    customer = api.customer(
        externalId="src-1",
        base={"firstName": "Ada", "contacts": {"email": "ada@example.com"}},
        extended={"tier": "gold"},
        extra="note",
        tags={"auto": ["a"], "manual": ["m"]},
    )
    node_id = api.hub.node_id
    reply = api("GET", f"/customers/{customer['id']}/sources")
    assert reply.status_code == 200, reply.text
    sources = reply.json()
    assert list(sources) == ["elements"]
    [source] = sources["elements"]
    assert set(source) == SOURCE_KEYS
    assert source["id"] == node_id
    assert source["nodeId"] == node_id
    for key in SOURCE_KEYS - {"id"}:
        assert source[key] == customer[key], key
    one = api("GET", f"/customers/{customer['id']}/sources/{node_id}")
    assert one.status_code == 200, one.text
    assert one.json() == source


def test_a_source_follows_the_customer_as_updated(api: Api) -> None:
    customer = api.customer(externalId="src-2", base={"firstName": "Ada"})
    reply = api("PATCH", f"/customers/{customer['id']}", json={"base": {"firstName": "Grace"}})
    assert reply.status_code == 200, reply.text
    updated = reply.json()
    source = api("GET", f"/customers/{customer['id']}/sources/{api.hub.node_id}").json()
    assert source["base"]["firstName"] == "Grace"
    assert source["updatedAt"] == updated["updatedAt"]
    assert source["registeredAt"] == customer["registeredAt"]


def test_sources_of_unknown_customers_and_sources_are_404(api: Api) -> None:
    customer = api.customer(externalId="src-3")
    assert_error(api("GET", "/customers/ghost/sources"), 404, "customer not found: ghost")
    assert_error(api("GET", f"/customers/ghost/sources/{api.hub.node_id}"), 404)
    assert_error(
        api("GET", f"/customers/{customer['id']}/sources/other-node"),
        404,
        "source not found: other-node",
    )
    api("DELETE", f"/customers/{customer['id']}")
    assert_error(api("GET", f"/customers/{customer['id']}/sources"), 404)


def test_sources_are_read_only(api: Api) -> None:
    customer = api.customer(externalId="src-4")
    reply = api("POST", f"/customers/{customer['id']}/sources", json={})
    assert_error(reply, 405)
    assert "GET" in reply.headers["allow"]


# -- PUT /events/{id} -----------------------------------------------------------------------
def test_put_replaces_an_event_keeping_id_and_registered_at(api: Api) -> None:
    customer = api.customer(externalId="ev-1")
    event_id = post_event(api, customerId=customer["id"], date="2026-01-05T10:00:00.000+0000")
    before = api("GET", f"/events/{event_id}").json()
    time.sleep(0.002)  # so that the new updatedAt is visibly later
    body = {
        "customerId": customer["id"],
        "type": "searched",
        "context": "ECOMMERCE",
        "date": "2026-02-01T08:00:00.000+0000",
        "properties": {"keyword": "shoes", "resultCount": 3},
        # read-only fields are accepted and ignored
        "id": "not-this",
        "registeredAt": "2000-01-01T00:00:00.000+0000",
    }
    reply = api("PUT", f"/events/{event_id}", json=body)
    assert reply.status_code == 202, reply.text
    replaced = reply.json()
    assert replaced["id"] == event_id
    assert replaced["registeredAt"] == before["registeredAt"]
    assert replaced["updatedAt"] > before["updatedAt"]
    assert replaced["type"] == "searched"
    assert replaced["context"] == "ECOMMERCE"
    assert replaced["date"] == "2026-02-01T08:00:00.000+0000"
    assert replaced["properties"]["keyword"] == "shoes"
    assert api("GET", f"/events/{event_id}").json() == replaced
    # The lists see the replacement under its new type and date, not the old one.
    listed = api("GET", "/events", params={"customerId": customer["id"], "type": "viewedPage"})
    assert listed.json()["elements"] == []
    listed = api("GET", "/events", params={"customerId": customer["id"], "dateFrom": "2026-01-20"})
    assert [e["id"] for e in listed.json()["elements"]] == [event_id]


def test_put_without_a_date_keeps_the_stored_one(api: Api) -> None:
    customer = api.customer(externalId="ev-2")
    event_id = post_event(api, customerId=customer["id"], date="2025-12-24T18:00:00.000+0000")
    reply = api("PUT", f"/events/{event_id}", json=page_view(customerId=customer["id"]))
    assert reply.status_code == 202, reply.text
    assert reply.json()["date"] == "2025-12-24T18:00:00.000+0000"


def test_put_can_move_an_event_to_another_customer(api: Api) -> None:
    first = api.customer(externalId="ev-3a")
    second = api.customer(externalId="ev-3b")
    event_id = post_event(api, customerId=first["id"])
    reply = api("PUT", f"/events/{event_id}", json=page_view(customerId=second["id"]))
    assert reply.status_code == 202, reply.text
    assert reply.json()["customerId"] == second["id"]
    assert api("GET", "/events", params={"customerId": first["id"]}).json()["elements"] == []
    moved = api("GET", "/events", params={"customerId": second["id"]}).json()["elements"]
    assert [e["id"] for e in moved] == [event_id]


def test_put_resolves_bring_back_owners_as_post_does(api: Api) -> None:
    known = api.customer(externalId="ev-4")
    node = api.hub.node_id
    event_id = post_event(api, customerId=known["id"])
    by_external_id = {"type": "EXTERNAL_ID", "value": "ev-4", "nodeId": node}
    reply = api("PUT", f"/events/{event_id}", json=page_view(bringBackProperties=by_external_id))
    assert reply.status_code == 202, reply.text
    assert reply.json()["customerId"] == known["id"]
    assert reply.json()["bringBackProperties"] == by_external_id

    # An unknown session leaves the event anonymous until a customer links the session.
    by_session = {"type": "SESSION_ID", "value": "sess-put", "nodeId": node}
    reply = api("PUT", f"/events/{event_id}", json=page_view(bringBackProperties=by_session))
    assert reply.status_code == 202, reply.text
    assert reply.json()["customerId"] is None
    later = api.customer(externalId="ev-4-later")
    linked = api("POST", f"/customers/{later['id']}/sessions", json={"value": "sess-put"})
    assert linked.status_code == 201, linked.text
    assert api("GET", f"/events/{event_id}").json()["customerId"] == later["id"]


def test_put_on_an_unknown_event_or_owner_is_404(api: Api) -> None:
    customer = api.customer(externalId="ev-5")
    body = page_view(customerId=customer["id"])
    assert_error(api("PUT", "/events/ghost", json=body), 404, "event not found: ghost")
    event_id = post_event(api, customerId=customer["id"])
    assert_error(
        api("PUT", f"/events/{event_id}", json=page_view(customerId="ghost")),
        404,
        "customer not found: ghost",
    )
    bring_back = {"type": "SESSION_ID", "value": "s", "nodeId": "no-such-node"}
    assert_error(
        api("PUT", f"/events/{event_id}", json=page_view(bringBackProperties=bring_back)), 404
    )
    # A refused replacement changes nothing.
    assert api("GET", f"/events/{event_id}").json()["customerId"] == customer["id"]


def test_put_with_a_bad_body_is_400_with_pointers(api: Api) -> None:
    customer = api.customer(externalId="ev-6")
    event_id = post_event(api, customerId=customer["id"])
    path = f"/events/{event_id}"
    error = assert_error(
        api("PUT", path, json={"customerId": customer["id"], "type": "nope", "context": "WEB"}),
        400,
    )
    pointers = {e["path"] for e in error["errors"]}
    assert {"/type", "/properties"} <= pointers
    error = assert_error(api("PUT", path, json=page_view(customerId=customer["id"], x=1)), 400)
    assert error["errors"][0]["path"] == "/x"
    error = assert_error(api("PUT", path, json=page_view()), 400)  # no owner
    assert error["errors"]
    assert_error(api("PUT", path, json=[1]), 400)
    assert_error(api("PUT", path, data=b"{not json"), 400)
    assert_error(api("PUT", path), 400)
    # The event is untouched.
    assert api("GET", path).json()["type"] == "viewedPage"


def test_put_needs_the_workspace_token(api: Api) -> None:
    customer = api.customer(externalId="ev-7")
    event_id = post_event(api, customerId=customer["id"])
    reply = api.session.put(
        f"{api.url}/events/{event_id}",
        json=page_view(customerId=customer["id"]),
        headers={"Authorization": "Bearer wrong"},
        timeout=30,
    )
    assert_error(reply, 401)
