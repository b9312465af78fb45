"""The store's reads for the console: the feed backwards, and the dashboard's grouped counts."""

from __future__ import annotations

from store_documents import customer, event

from contacthub_server.store import Store

DAY_MS = 86_400_000


def test_days_are_utc_days_before_and_after_1970_and_since_a_bound(store: Store, ws: str) -> None:
    dates = [
        "1969-12-31T23:59:59.999+0000",  # day -1, even where division rounds towards zero
        "1970-01-01T00:00:00.000+0000",
        "2020-05-17T23:59:59.999+0000",
        "2020-05-17T00:00:00.000+0000",
        "2020-05-18T00:00:00.000+0000",
    ]
    with store.write() as tx:
        for moment in dates:
            tx.insert_event(ws, event(date=moment), "node-a")
        tx.insert_event(ws, event(date="2020-05-17T12:00:00.000+0000"), "node-b")
    day = 18_399  # 2020-05-17
    with store.read() as tx:
        assert tx.counts_per_day(ws, "events") == {-1: 1, 0: 1, day: 3, day + 1: 1}
        assert tx.counts_per_day(ws, "events", node_id="node-a") == {
            -1: 1,
            0: 1,
            day: 2,
            day + 1: 1,
        }
        assert tx.counts_per_day(ws, "events", since=day * DAY_MS) == {day: 3, day + 1: 1}
        assert tx.counts_per_day(ws, "customers") == {}


def test_values_are_counted_per_customer_with_long_values_and_nodes_apart(
    store: Store, ws: str
) -> None:
    long_name = "L" * 300  # beyond the indexed short strings
    people = [
        ("node-a", "male", "Italy"),
        ("node-a", "female", "Italy"),
        ("node-b", "female", long_name),
        ("node-b", None, ""),
    ]
    with store.write() as tx:
        for node, gender, country in people:
            base = {"gender": gender, "address": {"country": country}}
            tx.insert_customer(ws, customer(node, base=base), None)
        tx.insert_customer(f"{ws}-other", customer("node-a", base={"gender": "male"}), None)
    paths = ["base.gender", "base.address.country"]
    with store.read() as tx:
        assert tx.count_customers(ws) == 4
        assert tx.count_customers(ws, "node-b") == 2
        assert tx.counts_per_value(ws, paths) == {
            "base.gender": {"male": 1, "female": 2},
            "base.address.country": {"Italy": 2, long_name: 1},
        }
        assert tx.counts_per_value(ws, paths, node_id="node-b") == {
            "base.gender": {"female": 1},
            "base.address.country": {long_name: 1},
        }
        days = tx.counts_per_day(ws, "customers")
    assert days == {18_262: 4}  # 2020-01-01, the documents' registeredAt


def test_the_feed_reads_back_newest_first_below_an_offset(store: Store, ws: str) -> None:
    with store.write() as tx:
        first = customer("node-a")
        tx.insert_customer(ws, first, None)
        tx.insert_event(ws, event(first["id"]), "node-a")
        tx.insert_customer(ws, customer("node-b"), None)
    with store.read() as tx:
        entries = tx.read_feed_back(ws)
        assert [(e[0], e[2], e[3], e[4]) for e in entries] == [
            (3, "CREATE", "CUSTOMER", "node-b"),
            (2, "CREATE", "EVENT", "node-a"),
            (1, "CREATE", "CUSTOMER", "node-a"),
        ]
        assert all(isinstance(e[1], int) and e[1] > 0 for e in entries)
        assert first["id"] in entries[2][5]
        assert [e[0] for e in tx.read_feed_back(ws, before=3, size=1)] == [2]
        assert [e[0] for e in tx.read_feed_back(ws, entity="CUSTOMER")] == [3, 1]
        assert [e[0] for e in tx.read_feed_back(ws, node_id="node-a", before=2)] == [1]
        assert tx.read_feed_back(f"{ws}-other") == []
