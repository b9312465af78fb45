"""Sessions and events: storage, filters, ordering, paging and reconciliation."""

from __future__ import annotations

from datetime import datetime, timezone

from store_documents import customer, event

from contacthub_server.store import Store


def test_sessions_add_list_get_delete_and_owner(store: Store, ws: str) -> None:
    owner = customer()
    with store.write() as tx:
        tx.insert_customer(ws, owner, None)
        tx.add_session(ws, owner["id"], "node-a", "r2", "s-2")
        tx.add_session(ws, owner["id"], "node-a", "r1", "s-1")
    with store.read() as tx:
        assert tx.list_sessions(ws, owner["id"]) == [
            {"id": "r2", "value": "s-2"},
            {"id": "r1", "value": "s-1"},
        ]
        assert tx.get_session(ws, owner["id"], "r1") == {"id": "r1", "value": "s-1"}
        assert tx.get_session(ws, owner["id"], "nope") is None
        assert tx.session_owner(ws, "node-a", "s-1") == owner["id"]
        assert tx.session_owner(ws, "node-b", "s-1") is None
        assert tx.session_owner(ws + "x", "node-a", "s-1") is None
    with store.write() as tx:
        assert tx.delete_session(ws, owner["id"], "r1") is True
        assert tx.delete_session(ws, owner["id"], "r1") is False
    with store.read() as tx:
        assert tx.list_sessions(ws, owner["id"]) == [{"id": "r2", "value": "s-2"}]


def test_event_get_and_delete(store: Store, ws: str) -> None:
    doc = event("c1", properties={"category": "shoes", "extraProperties": {"a": "b"}})
    with store.write() as tx:
        tx.insert_event(ws, doc, "node-a")
    with store.read() as tx:
        assert tx.get_event(ws, doc["id"]) == doc
        assert tx.get_event(ws + "x", doc["id"]) is None
    with store.write() as tx:
        assert tx.delete_event(ws, doc["id"]) is True
        assert tx.delete_event(ws, doc["id"]) is False
    with store.read() as tx:
        assert tx.get_event(ws, doc["id"]) is None


def test_events_list_newest_first_with_filters_and_paging(store: Store, ws: str) -> None:
    docs = [
        event("c1", type="viewedPage", context="WEB", date="2020-01-01T10:00:00.000+0000"),
        event("c1", type="loggedIn", context="WEB", date="2020-01-02T10:00:00.000+0000"),
        event("c1", type="viewedPage", context="ECOMMERCE", date="2020-01-03T10:00:00.000+0000"),
        event("c2", type="viewedPage", context="WEB", date="2020-01-04T10:00:00.000+0000"),
    ]
    with store.write() as tx:
        for doc in docs:
            tx.insert_event(ws, doc, "node-a")
        tx.insert_event(ws, event("c1"), "node-b")
    d = [doc["id"] for doc in docs]
    with store.read() as tx:

        def listed(**filters: object) -> tuple[list[str], int]:
            found, total = tx.list_events(ws, node_id="node-a", **filters)  # type: ignore[arg-type]
            return [doc["id"] for doc in found], total

        assert listed() == ([d[3], d[2], d[1], d[0]], 4)
        assert listed(customer_id="c1") == ([d[2], d[1], d[0]], 3)
        assert listed(types=["viewedPage"]) == ([d[3], d[2], d[0]], 3)
        assert listed(types=["viewedPage", "loggedIn"], contexts=["WEB"]) == (
            [d[3], d[1], d[0]],
            3,
        )
        # Bounds are inclusive, and every date form means the same instant.
        assert listed(date_from="2020-01-02T10:00:00Z", date_to="2020-01-03T11:00:00+01:00") == (
            [d[2], d[1]],
            2,
        )
        assert listed(date_from=datetime(2020, 1, 3, 10, tzinfo=timezone.utc)) == (
            [d[3], d[2]],
            2,
        )
        assert listed(date_to="2020-01-01") == ([], 0)
        assert listed(size=3, page=1) == ([d[0]], 4)
        assert listed(size=3, page=2) == ([], 4)
        assert tx.list_events(ws, customer_id="c1")[1] == 4


def test_session_events_are_attached_to_the_customer_on_reconciliation(
    store: Store, ws: str
) -> None:
    def anonymous(kind: str, value: str, node: str = "node-a") -> dict[str, object]:
        return event(None, bringBackProperties={"type": kind, "value": value, "nodeId": node})

    mine = [anonymous("SESSION_ID", "sess"), anonymous("SESSION_ID", "sess")]
    others = [
        anonymous("SESSION_ID", "other"),
        anonymous("SESSION_ID", "sess", node="node-b"),
        anonymous("EXTERNAL_ID", "sess"),
    ]
    with store.write() as tx:
        for doc in mine + others:
            tx.insert_event(ws, doc, "node-a")
        assert tx.attach_session_events(ws, "node-a", "sess", "cust-1") == 2
        assert tx.attach_session_events(ws, "node-a", "sess", "cust-1") == 0
    with store.read() as tx:
        found, total = tx.list_events(ws, customer_id="cust-1")
        assert total == 2
        assert {doc["id"] for doc in found} == {doc["id"] for doc in mine}
        assert all(doc["customerId"] == "cust-1" for doc in found)
        assert tx.get_event(ws, others[0]["id"])["customerId"] is None  # type: ignore[arg-type,index]


def test_external_id_events_are_attached_to_the_customer(store: Store, ws: str) -> None:
    doc = event(
        None, bringBackProperties={"type": "EXTERNAL_ID", "value": "e1", "nodeId": "node-a"}
    )
    with store.write() as tx:
        tx.insert_event(ws, doc, "node-a")
        assert tx.attach_external_id_events(ws, "node-a", "e1", "cust-9") == 1
    with store.read() as tx:
        assert tx.get_event(ws, doc["id"]) == {**doc, "customerId": "cust-9"}


def test_replace_event_keeps_the_index_columns_in_step(store: Store, ws: str) -> None:
    doc = event("c1", type="viewedPage", context="WEB", date="2020-01-01T10:00:00.000+0000")
    with store.write() as tx:
        tx.insert_event(ws, doc, "node-a")
    anonymous = event(
        None,
        id=doc["id"],
        type="loggedIn",
        context="ECOMMERCE",
        date="2021-06-01T10:00:00.000+0000",
        bringBackProperties={"type": "SESSION_ID", "value": "sess", "nodeId": "node-b"},
    )
    with store.write() as tx:
        assert tx.replace_event(ws, anonymous, "node-b") is True
        assert tx.replace_event(ws + "x", anonymous, "node-b") is False
        assert tx.replace_event(ws, {**anonymous, "id": "missing"}, "node-b") is False
    with store.read() as tx:
        assert tx.get_event(ws, doc["id"]) == anonymous
        # Every filter now sees the replacement, none the old event.
        assert tx.list_events(ws, customer_id="c1", page=0, size=10) == ([], 0)
        assert tx.list_events(ws, node_id="node-a", page=0, size=10) == ([], 0)
        assert tx.list_events(ws, node_id="node-b", page=0, size=10)[1] == 1
        assert tx.list_events(ws, types=["loggedIn"], contexts=["ECOMMERCE"], page=0, size=10)[
            0
        ] == [anonymous]
        late = tx.list_events(ws, date_from="2021-01-01", page=0, size=10)
        assert late == ([anonymous], 1)
    # The anonymous replacement joins the customer who links its session.
    with store.write() as tx:
        assert tx.attach_session_events(ws, "node-b", "sess", "c2") == 1
    with store.read() as tx:
        assert tx.list_events(ws, customer_id="c2", page=0, size=10)[1] == 1
