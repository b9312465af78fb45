"""`Workspace.iter_updates` and `Node.get_consent_logs` against the hub over HTTP."""

from __future__ import annotations

import threading

from contacthub import Node
from contacthub.testing import Hub


def test_iter_updates_walks_every_page_and_tells_where_to_resume(hub: Hub, node: Node) -> None:
    workspace = hub.workspace()
    ids = [node.add_customer(externalId=f"c{i}").id for i in range(5)]
    feed = workspace.iter_updates(size=2)
    seen = [update["entity"]["data"]["id"] for update in feed]
    assert seen == ids
    assert feed.offset == 5
    assert workspace.last_update_offset() == 5
    node.delete_customer(ids[0])
    later = list(workspace.iter_updates(offset=feed.offset))
    assert [(u["operation"], u["entity"]["data"]["id"]) for u in later] == [("DELETE", ids[0])]


def test_iter_updates_offset_moves_only_when_a_page_is_done(hub: Hub, node: Node) -> None:
    for i in range(3):
        node.add_customer(externalId=f"p{i}")
    feed = hub.workspace().iter_updates(size=2)
    next(feed)
    assert (feed.offset, feed.page_done) == (0, False)
    next(feed)
    assert (feed.offset, feed.page_done) == (2, True)


def test_follow_waits_for_changes_written_later(hub: Hub, node: Node) -> None:
    feed = hub.workspace().iter_updates(follow=True)
    got: list[str] = []

    def read_two() -> None:
        for update in feed:
            got.append(update["entity"]["data"]["externalId"])
            if len(got) == 2:
                return

    reader = threading.Thread(target=read_two)
    reader.start()
    node.add_customer(externalId="late-1")
    node.add_customer(externalId="late-2")
    reader.join(timeout=30)
    assert got == ["late-1", "late-2"]


def test_entity_filter_keeps_only_events(hub: Hub, node: Node) -> None:
    customer = node.add_customer(externalId="e")
    node.add_event(customerId=customer.id, type="loggedIn", context="WEB", properties={})
    updates = list(hub.workspace().iter_updates(entity="EVENT"))
    assert [u["entity"]["type"] for u in updates] == ["EVENT"]


def test_get_consent_logs_lists_every_change_of_a_customer(hub: Hub, node: Node) -> None:
    consents = {"softSpam": {"email": {"status": True, "limitation": None, "objection": None}}}
    customer = node.add_customer(externalId="g", consents=consents)
    for i in range(60):  # more than one page of the register (50 an API page)
        status = i % 2 == 0
        node.update_customer(customer.id, consents={"softSpam": {"email": {"status": status}}})
    logs = node.get_consent_logs(customer_id=customer.id)
    assert len(logs) == 60  # the first update sets the status it already had: no entry
    assert [log["value"] for log in logs[:3]] == ["true", "false", "true"]
    assert {log["property"] for log in logs} == {"consents.softSpam.email.status"}
    newest = node.get_consent_logs(customer_id=customer.id, descending=True)
    assert newest[0]["id"] == logs[-1]["id"]
    assert node.get_consent_logs(customer_id="nobody") == []
