"""Answers the real ContactHub gives that our hub does not: empty DELETE and POST /events bodies.

Our hub answers a customer DELETE with the deleted document and an event POST with its id; the
real API has answered both with an empty body. A scripted session plays those answers.
"""

from __future__ import annotations

from _fault_injection import Reply, scripted_session

from contacthub import Customer, Event, Workspace


def test_delete_customer_tolerates_an_empty_body() -> None:
    session, adapter = scripted_session(Reply(200))
    with Workspace("ws", "tok", base_url="http://hub.invalid/hub/v1", session=session) as ws:
        deleted = ws.get_node("n1").delete_customer(id="c1", base={"firstName": "Ada"})
    assert isinstance(deleted, Customer)
    assert deleted.id == "c1"
    assert deleted.base.firstName == "Ada"
    assert adapter.sent[0].method == "DELETE"
    assert adapter.sent[0].url == "http://hub.invalid/hub/v1/workspaces/ws/customers/c1"


def test_add_event_tolerates_an_empty_body() -> None:
    session, adapter = scripted_session(Reply(202))
    with Workspace("ws", "tok", base_url="http://hub.invalid/hub/v1", session=session) as ws:
        event = ws.get_node("n1").add_event(
            bringBackProperties={"type": "SESSION_ID", "value": "s1"},
            type="loggedIn",
            context="WEB",
            properties={},
        )
    assert isinstance(event, Event)
    assert event.type == "loggedIn"
    assert b'"nodeId": "n1"' in (adapter.sent[0].body or b"")


def test_ids_are_percent_encoded_in_paths() -> None:
    session, adapter = scripted_session(Reply(200, {"id": "a/b?c"}))
    with Workspace("ws", "tok", base_url="http://hub.invalid/hub/v1", session=session) as ws:
        ws.get_node("n1").get_customer(id="a/b?c")
    assert adapter.sent[0].url.endswith("/customers/a%2Fb%3Fc")
