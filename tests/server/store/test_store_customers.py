"""Customer storage: CRUD, match-key uniqueness, lookups, listing with sort and paging."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from store_documents import customer, event

from contacthub_server.store import InvalidPath, MatchKeyConflict, Store


def ids(docs: list[dict[str, Any]]) -> list[str]:
    return [doc["id"] for doc in docs]


def test_insert_get_replace_delete_round_trip_the_document(store: Store, ws: str) -> None:
    doc = customer(base={"firstName": "Mario", "contacts": {"email": "m@x.it"}}, extra="ü€")
    with store.write() as tx:
        tx.insert_customer(ws, doc, None)
    with store.read() as tx:
        assert tx.get_customer(ws, doc["id"]) == doc
        assert tx.get_customer(ws, "missing") is None
    replaced = {**doc, "base": {"firstName": "Luigi"}, "updatedAt": "2021-01-01T00:00:00.000+0000"}
    with store.write() as tx:
        assert tx.replace_customer(ws, replaced, None) is True
        assert tx.replace_customer(ws, customer(), None) is False
    with store.read() as tx:
        assert tx.get_customer(ws, doc["id"]) == replaced
    with store.write() as tx:
        assert tx.delete_customer(ws, doc["id"]) == replaced
        assert tx.delete_customer(ws, doc["id"]) is None
    with store.read() as tx:
        assert tx.get_customer(ws, doc["id"]) is None


def test_customers_are_invisible_from_another_workspace(store: Store, ws: str) -> None:
    doc = customer(externalId="e1")
    with store.write() as tx:
        tx.insert_customer(ws, doc, "key")
    other = ws + "-other"
    with store.read() as tx:
        assert tx.get_customer(other, doc["id"]) is None
        assert tx.find_by_match_key(other, "node-a", "key") is None
        assert tx.find_by_external_id(other, "node-a", "e1") == []
        assert tx.search_customers(other, "node-a") == ([], 0)
    with store.write() as tx:
        assert tx.delete_customer(other, doc["id"]) is None


def test_duplicate_match_key_in_a_node_raises_conflict_naming_the_holder(
    store: Store, ws: str
) -> None:
    first = customer()
    with store.write() as tx:
        tx.insert_customer(ws, first, "m@x.it")
    with pytest.raises(MatchKeyConflict) as caught, store.write() as tx:
        tx.insert_customer(ws, customer(), "m@x.it")
    assert caught.value.existing_id == first["id"]
    with store.write() as tx:
        # Another node, or no key at all, does not take part in matching.
        tx.insert_customer(ws, customer(node_id="node-b"), "m@x.it")
        tx.insert_customer(ws, customer(), None)
        tx.insert_customer(ws, customer(), None)
        assert tx.find_by_match_key(ws, "node-a", "m@x.it") == first["id"]
    with store.read() as tx:
        assert tx.search_customers(ws, "node-a")[1] == 3


def test_replace_onto_a_taken_match_key_conflicts_and_keeps_the_transaction_usable(
    store: Store, ws: str
) -> None:
    a, b = customer(), customer()
    with store.write() as tx:
        tx.insert_customer(ws, a, "a@x.it")
        tx.insert_customer(ws, b, "b@x.it")
    with store.write() as tx:
        with pytest.raises(MatchKeyConflict) as caught:
            tx.replace_customer(ws, {**b, "extra": "changed"}, "a@x.it")
        assert caught.value.existing_id == a["id"]
        # The same transaction goes on working after the conflict.
        assert tx.replace_customer(ws, {**b, "extra": "kept"}, "b2@x.it")
    with store.read() as tx:
        assert tx.get_customer(ws, b["id"])["extra"] == "kept"  # type: ignore[index]
        assert tx.find_by_match_key(ws, "node-a", "b2@x.it") == b["id"]
        assert tx.find_by_match_key(ws, "node-a", "b@x.it") is None


def test_concurrent_inserts_of_one_match_key_let_exactly_one_win(store: Store, ws: str) -> None:
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(6)

    def insert() -> None:
        doc = customer()
        barrier.wait()
        try:
            with store.write() as tx:
                tx.insert_customer(ws, doc, "same@x.it")
            result = "inserted"
        except MatchKeyConflict:
            result = "conflict"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=insert) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 5 + ["inserted"]
    with store.read() as tx:
        assert tx.search_customers(ws, "node-a")[1] == 1


def test_delete_customer_removes_its_events_and_sessions_only(store: Store, ws: str) -> None:
    gone, kept = customer(), customer()
    with store.write() as tx:
        tx.insert_customer(ws, gone, None)
        tx.insert_customer(ws, kept, None)
        tx.insert_event(ws, event(gone["id"]), "node-a")
        tx.insert_event(ws, event(kept["id"]), "node-a")
        tx.add_session(ws, gone["id"], "node-a", "r1", "sess-1")
        tx.add_session(ws, kept["id"], "node-a", "r2", "sess-2")
        tx.delete_customer(ws, gone["id"])
    with store.read() as tx:
        assert tx.list_events(ws, customer_id=gone["id"]) == ([], 0)
        assert tx.list_sessions(ws, gone["id"]) == []
        assert tx.session_owner(ws, "node-a", "sess-1") is None
        assert tx.list_events(ws, customer_id=kept["id"])[1] == 1
        assert tx.list_sessions(ws, kept["id"]) == [{"id": "r2", "value": "sess-2"}]


def test_find_by_external_id_returns_every_holder_in_the_node(store: Store, ws: str) -> None:
    first = customer(externalId="ext", registeredAt="2020-01-01T00:00:00.000+0000")
    second = customer(externalId="ext", registeredAt="2020-02-01T00:00:00.000+0000")
    with store.write() as tx:
        tx.insert_customer(ws, second, None)
        tx.insert_customer(ws, first, None)
        tx.insert_customer(ws, customer(node_id="node-b", externalId="ext"), None)
        tx.insert_customer(ws, customer(externalId="other"), None)
    with store.read() as tx:
        assert tx.find_by_external_id(ws, "node-a", "ext") == [first["id"], second["id"]]
        assert tx.find_by_external_id(ws, "node-a", "none") == []
        found, total = tx.search_customers(ws, "node-a", external_id="ext")
    assert (ids(found), total) == ([first["id"], second["id"]], 2)


def test_listing_defaults_to_registration_order_and_pages(store: Store, ws: str) -> None:
    docs = [
        customer(registeredAt=f"2020-01-{day:02d}T00:00:00.000+0000") for day in range(12, 0, -1)
    ]
    with store.write() as tx:
        for doc in docs:
            tx.insert_customer(ws, doc, None)
        tx.insert_customer(ws, customer(node_id="node-b"), None)
    expected = ids(list(reversed(docs)))
    with store.read() as tx:
        page0, total = tx.search_customers(ws, "node-a", size=5)
        page2, _ = tx.search_customers(ws, "node-a", page=2, size=5)
        beyond = tx.search_customers(ws, "node-a", page=3, size=5)
        everyone = tx.search_customers(ws, None, size=50)[1]
    assert (ids(page0), total) == (expected[:5], 12)
    assert ids(page2) == expected[10:]
    assert beyond == ([], 12)
    assert everyone == 13


def test_sort_by_document_paths_orders_numbers_and_strings_alike_on_both_backends(
    store: Store, ws: str
) -> None:
    names = ["b", "B", "a", None, "ä", "a"]
    docs = [
        customer(
            base={"firstName": name},
            extended={"score": score},
            registeredAt=f"2020-01-0{i + 1}T00:00:00.000+0000",
        )
        for i, (name, score) in enumerate(zip(names, [10, 9.5, 100, -1, 2, 10], strict=True))
    ]
    with store.write() as tx:
        for doc in docs:
            tx.insert_customer(ws, doc, None)
    with store.read() as tx:
        by_name = ids(tx.search_customers(ws, "node-a", sort=[("base.firstName", True)])[0])
        by_name_desc = ids(tx.search_customers(ws, "node-a", sort=[("base.firstName", False)])[0])
        by_score = ids(tx.search_customers(ws, "node-a", sort=[("extended.score", True)])[0])
        by_two = ids(
            tx.search_customers(
                ws, "node-a", sort=[("extended.score", False), ("base.firstName", True)]
            )[0]
        )
        newest = ids(tx.search_customers(ws, "node-a", sort=[("registeredAt", False)])[0])
    d = ids(docs)
    # Byte-wise order ("B" < "a" < "b" < "ä"), missing/null last either way; ties by registeredAt.
    assert by_name == [d[1], d[2], d[5], d[0], d[4], d[3]]
    assert by_name_desc == [d[4], d[0], d[2], d[5], d[1], d[3]]
    assert by_score == [d[3], d[4], d[1], d[0], d[5], d[2]]
    assert by_two == [d[2], d[5], d[0], d[1], d[4], d[3]]
    assert newest == list(reversed(d))


def test_a_sort_path_with_sql_characters_is_refused(store: Store, ws: str) -> None:
    with pytest.raises(InvalidPath, match="segment"), store.read() as tx:
        tx.search_customers(ws, "node-a", sort=[("base.firstName') --", True)])


def test_many_threads_write_and_read_at_once_without_errors(store: Store, ws: str) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(15):
                with store.write() as tx:
                    tx.insert_customer(ws, customer(externalId=f"w{n}"), f"key-{n}-{i}")
        except BaseException as exc:  # collected and asserted on below
            errors.append(exc)

    def reader() -> None:
        try:
            barrier.wait()
            for _ in range(15):
                with store.read() as tx:
                    tx.search_customers(
                        ws,
                        "node-a",
                        query={
                            "query": {
                                "type": "simple",
                                "are": {
                                    "condition": {
                                        "type": "atomic",
                                        "attribute": "externalId",
                                        "operator": "IN",
                                        "value": ["w0", "w1"],
                                    }
                                },
                            }
                        },
                    )
        except BaseException as exc:  # collected and asserted on below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    threads += [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with store.read() as tx:
        assert tx.search_customers(ws, "node-a")[1] == 90
        assert tx.find_by_external_id(ws, "node-a", "w3") != []
