"""Bulk import and export on a node, against the hub over real HTTP.

Faults the live hub cannot produce on demand (a POST processed but its answer lost, at a chosen
moment) are injected by wrapping the transport; everything else is the real thing.
"""

from __future__ import annotations

import itertools
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from contacthub._http import NO_RETRY
from contacthub.bulk import BulkItem, BulkOutcome, holds
from contacthub.errors import OutcomeUnknownError
from contacthub.node import Node
from contacthub.testing import Hub
from contacthub.workspace import Workspace


def _customers(count: int, start: int = 0) -> Iterator[dict[str, Any]]:
    for i in range(start, start + count):
        yield {
            "externalId": f"ext-{i}",
            "base": {"firstName": f"Name{i}", "contacts": {"email": f"user{i}@example.com"}},
            "tags": {"manual": ["bulk"]},
        }


def _all(node: Node) -> list[dict[str, Any]]:
    return list(node.export_customers())


def test_bulk_add_customers_creates_each_once_with_an_outcome_per_item(node: Node) -> None:
    run = node.bulk_add_customers(_customers(120), concurrency=8)
    outcomes = sorted(run, key=lambda o: o.index)
    assert [o.index for o in outcomes] == list(range(120))
    assert {o.status for o in outcomes} == {"created"}
    assert all(o.id for o in outcomes)
    assert (run.summary.total, run.summary.created, run.summary.failed) == (120, 120, 0)
    assert run.summary.rate > 0

    stored = _all(node)
    assert len(stored) == 120
    assert sorted(c["externalId"] for c in stored) == sorted(f"ext-{i}" for i in range(120))
    assert {o.id for o in outcomes} == {c["id"] for c in stored}


def test_failures_carry_the_api_error_and_do_not_stop_the_others(node: Node) -> None:
    node.bulk_add_customers(_customers(1)).run()
    rows: list[dict[str, Any]] = [
        {"externalId": "new-1", "base": {"contacts": {"email": "new1@example.com"}}},
        {"base": {"contacts": {"email": "user0@example.com"}}},  # conflicts with user0
        {"base": {"dob": "not a date"}},  # invalid
        {"externalId": "new-2"},
    ]
    outcomes = {o.index: o for o in node.bulk_add_customers(rows, concurrency=2)}
    assert outcomes[0].status == "created"
    assert outcomes[3].status == "created"
    conflict = outcomes[1]
    assert (conflict.status, conflict.status_code) == ("failed", 409)
    assert conflict.message is not None
    assert "Conflict" in conflict.message
    invalid = outcomes[2]
    assert (invalid.status, invalid.status_code) == ("failed", 400)
    assert any("dob" in str(error.get("path")) for error in invalid.errors)
    assert len(_all(node)) == 3


def test_a_document_that_cannot_be_sent_fails_alone(node: Node) -> None:
    rows: list[dict[str, Any]] = [{"externalId": "fine"}, {"externalId": "bad", "extra": {1, 2}}]
    outcomes = sorted(node.bulk_add_customers(rows), key=lambda o: o.index)
    assert outcomes[0].status == "created"
    assert outcomes[1].status == "failed"
    assert outcomes[1].message is not None
    assert "not JSON serializable" in outcomes[1].message


def test_force_update_patches_the_existing_customer(node: Node) -> None:
    node.bulk_add_customers(_customers(3)).run()
    changed = [
        {"base": {"lastName": f"Updated{i}", "contacts": {"email": f"user{i}@example.com"}}}
        for i in range(3)
    ]
    run = node.bulk_add_customers(changed, force_update=True)
    assert {o.status for o in run} == {"updated"}
    assert run.summary.updated == 3
    stored = _all(node)
    assert len(stored) == 3
    # PATCH merges: the first name of the first import is kept, the last name is added.
    assert {(c["base"]["firstName"], c["base"]["lastName"]) for c in stored} == {
        (f"Name{i}", f"Updated{i}") for i in range(3)
    }


def test_input_is_read_lazily_with_a_bounded_window(node: Node) -> None:
    pulled = 0
    in_flight_when_first_done: list[int] = []

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal pulled
        for row in _customers(200):
            pulled += 1
            yield row

    run = node.bulk_add_customers(rows(), concurrency=4)
    for _outcome in run:
        if not in_flight_when_first_done:
            in_flight_when_first_done.append(pulled - run.summary.total)
        assert pulled - run.summary.total <= 4 * 4  # never more than the window ahead
    assert in_flight_when_first_done[0] <= 16
    assert pulled == 200
    assert run.summary.created == 200


class _LoseAnswers:
    """Wraps a transport: the POSTs of every other item lose their answer, ``times`` times each.

    With ``before``, the request never reaches the hub (dropped before processing); otherwise
    the hub applies it and the answer is lost (dropped after processing).
    """

    def __init__(self, node: Node, *, lose: int, before: bool = False, times: int = 1) -> None:
        self.transport = node.workspace.transport
        self.real = self.transport.request
        self.lose = lose
        self.before = before
        self.times = times
        self.posts = 0
        self.lost = 0
        self.seen: set[str] = set()
        self.lost_items: dict[str, int] = {}
        self.lock = threading.Lock()

    def __call__(self, method: str, path: str, **kwargs: Any) -> Any:
        if method == "POST":
            body = kwargs["json"]
            item = str(body.get("externalId") or body.get("properties"))
            with self.lock:
                self.posts += 1
                if item not in self.seen:
                    self.seen.add(item)
                    if len(self.seen) % 2 == 1 and len(self.lost_items) < self.lose:
                        self.lost_items[item] = 0
                lose = item in self.lost_items and self.lost_items[item] < self.times
                if lose:
                    self.lost_items[item] += 1
                    self.lost += 1
            if lose:
                if not self.before:
                    self.real(method, path, **kwargs)  # the hub applies it ...
                raise OutcomeUnknownError("connection reset after sending (injected)")
        return self.real(method, path, **kwargs)


@pytest.mark.parametrize("before", [False, True], ids=["processed", "not-processed"])
def test_unknown_outcomes_of_customers_are_settled_without_duplicates(
    node: Node, monkeypatch: pytest.MonkeyPatch, before: bool
) -> None:
    faults = _LoseAnswers(node, lose=20, before=before)
    monkeypatch.setattr(faults.transport, "request", faults)
    run = node.bulk_add_customers(_customers(40), concurrency=4)
    outcomes = list(run)
    assert faults.lost == 20
    assert {o.status for o in outcomes} == {"created"}
    assert run.summary.resolved == len(faults.lost_items)
    stored = _all(node)
    assert len(stored) == 40
    assert len({c["externalId"] for c in stored}) == 40


def test_an_item_whose_answers_are_lost_again_and_again_is_stored_once(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    faults = _LoseAnswers(node, lose=1, times=3, before=True)
    monkeypatch.setattr(faults.transport, "request", faults)
    (outcome,) = node.bulk_add_customers(_customers(1))
    assert faults.lost == 3
    assert (outcome.status, outcome.resolved) == ("created", True)
    assert len(_all(node)) == 1


def test_a_customer_that_cannot_be_looked_up_is_not_resent(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    faults = _LoseAnswers(node, lose=1)
    monkeypatch.setattr(faults.transport, "request", faults)
    (outcome,) = node.bulk_add_customers([{"base": {"firstName": "Anonymous"}}])
    assert outcome.status == "failed"
    assert isinstance(outcome.error, OutcomeUnknownError)
    assert outcome.message is not None
    assert "not sent again" in outcome.message
    assert faults.posts == 1
    assert len(_all(node)) == 1  # it did land once; never twice


def test_recheck_items_are_not_created_twice(node: Node) -> None:
    node.bulk_add_customers(_customers(5)).run()
    items = [BulkItem(row, key=f"row-{n}", recheck=True) for n, row in enumerate(_customers(8))]
    run = node.bulk_add_customers(items)
    outcomes = {o.key: o for o in run}
    # The five stored before are found as they are ("present": nothing sent); three are new.
    statuses = [outcomes[f"row-{n}"].status for n in range(8)]
    assert statuses == ["present"] * 5 + ["created"] * 3
    assert [outcomes[f"row-{n}"].resolved for n in range(8)] == [True] * 8
    assert (run.summary.present, run.summary.created) == (5, 3)
    assert len(_all(node)) == 8


def _events(customer_ids: list[str], per_customer: int) -> Iterator[dict[str, Any]]:
    counter = itertools.count()
    for customer_id in customer_ids:
        for _ in range(per_customer):
            n = next(counter)
            yield {
                "customerId": customer_id,
                "type": "viewedPage",
                "context": "WEB",
                "properties": {"title": f"page {n}", "url": f"https://example.com/{n}"},
            }


def test_bulk_add_events_and_export_them(node: Node) -> None:
    ids = [o.id for o in node.bulk_add_customers(_customers(3)) if o.id]
    run = node.bulk_add_events(_events(ids, 30), concurrency=8)
    assert {o.status for o in run} == {"created"}
    assert run.summary.created == 90
    exported = list(node.export_events())
    assert len(exported) == 90
    assert len({e["properties"]["title"] for e in exported}) == 90
    one = list(node.export_events([ids[0]]))
    assert len(one) == 30
    assert {e["customerId"] for e in one} == {ids[0]}


@pytest.mark.parametrize("before", [False, True], ids=["processed", "not-processed"])
def test_unknown_outcomes_of_events_are_settled_without_duplicates(
    node: Node, monkeypatch: pytest.MonkeyPatch, before: bool
) -> None:
    ids = [o.id for o in node.bulk_add_customers(_customers(2)) if o.id]
    faults = _LoseAnswers(node, lose=10, before=before)
    monkeypatch.setattr(faults.transport, "request", faults)
    outcomes: list[BulkOutcome] = list(node.bulk_add_events(_events(ids, 15), concurrency=4))
    assert {o.status for o in outcomes} == {"created"}
    assert sum(o.resolved for o in outcomes) == len(faults.lost_items)
    exported = list(node.export_events())
    assert len(exported) == 30
    assert len({e["properties"]["title"] for e in exported}) == 30


def test_recheck_events_are_not_created_twice(node: Node) -> None:
    (owner,) = node.bulk_add_customers(_customers(1))
    dated = [
        {**event, "date": f"2024-02-03T04:05:{n:02d}.000Z"}
        for n, event in enumerate(_events([str(owner.id)], 10))
    ]
    assert node.bulk_add_events(dated[:6]).run().created == 6
    items = [BulkItem(event, key=n, recheck=True) for n, event in enumerate(dated)]
    outcomes = {o.key: o for o in node.bulk_add_events(items)}
    assert [outcomes[n].status for n in range(10)] == ["present"] * 6 + ["created"] * 4
    assert all(o.resolved for o in outcomes.values())
    exported = list(node.export_events())
    assert sorted(e["properties"]["title"] for e in exported) == sorted(
        e["properties"]["title"] for e in dated
    )


def test_export_customers_pages_through_a_query(node: Node) -> None:
    node.bulk_add_customers(_customers(130)).run()
    node.bulk_add_customers(
        {"externalId": f"other-{i}", "base": {"firstName": "Other"}} for i in range(10)
    ).run()
    query = {
        "name": "query",
        "query": {
            "type": "simple",
            "name": "query",
            "are": {
                "condition": {
                    "type": "atomic",
                    "attribute": "tags.manual",
                    "operator": "IN",
                    "value": "bulk",
                }
            },
        },
    }
    export = node.export_customers(query)
    found = list(export)
    assert export.total == 130
    assert len(found) == 130
    assert len({c["id"] for c in found}) == 130
    assert len(list(node.export_customers())) == 140


def test_export_customers_sends_a_built_query_as_the_whole_document(node: Node) -> None:
    # The hub refuses a bare query, as the hosted API expects {"name", "query"} (§5.1).
    from contacthub.models import Customer

    node.add_customer(externalId="a", base={"firstName": "Ada"})
    node.add_customer(externalId="b", base={"firstName": "Bea"})
    built = node.query(Customer).filter(Customer.base.firstName == "Ada")
    assert [c["externalId"] for c in node.export_customers(built)] == ["a"]
    assert len(list(node.export_customers(node.query(Customer)))) == 2  # no filter: all


def test_holds_compares_what_was_sent_with_the_normalised_document() -> None:
    stored = {
        "base": {"firstName": "Ada", "lastName": None, "jobs": []},
        "date": "2020-01-02T03:04:05.000+0000",
    }
    assert holds(stored, {"base": {"firstName": "Ada"}, "date": "2020-01-02T03:04:05Z"})
    assert holds(stored, {"base": {"lastName": None, "jobs": []}})
    assert not holds(stored, {"base": {"firstName": "Bob"}})
    assert not holds(stored, {"date": "2020-01-02T03:04:06Z"})
    # Every date-time form clients write compares as the same instant.
    assert holds(stored, {"date": "2020-01-02T05:04:05+02:00"})
    assert holds(stored, {"date": "2020-01-02T03:04:05.000000+0000"})


def test_a_run_gives_up_when_the_api_cannot_be_reached(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("contacthub.bulk.rounds.pause_delay", lambda round_number: 0.0)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nobody listens there once the socket is closed
    workspace = Workspace(
        hub.workspace_id, hub.token, f"http://127.0.0.1:{port}/hub/v1", retry=NO_RETRY
    )
    pulled = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal pulled
        for row in _customers(10_000):
            pulled += 1
            yield row

    with workspace:
        run = workspace.get_node(hub.node_id).bulk_add_customers(rows(), concurrency=2)
        outcomes = list(run)
    assert run.abandoned is not None
    assert "in a row got no answer from the API" in run.abandoned
    assert all(o.status == "failed" and o.status_code is None for o in outcomes)
    assert len(outcomes) == pulled < 100  # the rest of the input was never read


def test_a_run_gives_up_when_the_credentials_are_refused(hub: Hub) -> None:
    with Workspace(hub.workspace_id, "not-the-token", hub.base_url) as workspace:
        run = workspace.get_node(hub.node_id).bulk_add_customers(_customers(5_000), concurrency=2)
        outcomes = list(run)
    assert run.abandoned is not None
    assert "were refused with 401 (the credentials no longer work)" in run.abandoned
    assert {o.status_code for o in outcomes} == {401}
    assert len(outcomes) < 100


def test_lost_answers_of_events_dated_finer_than_milliseconds_are_found_not_resent(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The API keeps milliseconds: the recheck must look for the stored, truncated date.
    (owner,) = node.bulk_add_customers(_customers(1))
    dated = [
        {**event, "date": f"2024-02-03T04:05:{n:02d}.123456Z"}
        for n, event in enumerate(_events([str(owner.id)], 6))
    ]
    faults = _LoseAnswers(node, lose=3)  # every other item: 3 of the 6
    monkeypatch.setattr(faults.transport, "request", faults)
    outcomes = list(node.bulk_add_events(dated, concurrency=3))
    assert faults.lost == 3
    assert [o.status for o in outcomes] == ["created"] * 6
    assert sum(o.resolved for o in outcomes) == 3
    assert len(list(node.export_events())) == 6


def test_lost_answers_among_many_events_of_one_moment_are_found_across_pages(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 150 events share one date and type (three pages of the recheck's listing) while other
    # workers keep adding more: every lost answer is found, none resent.
    ids = [str(o.id) for o in node.bulk_add_customers(_customers(3)) if o.id]
    same_moment = [{**event, "date": "2024-02-03T04:05:06.000Z"} for event in _events(ids, 50)]
    faults = _LoseAnswers(node, lose=40)
    monkeypatch.setattr(faults.transport, "request", faults)
    outcomes = list(node.bulk_add_events(same_moment, concurrency=8))
    assert faults.lost == 40
    assert {o.status for o in outcomes} == {"created"}
    titles = [e["properties"]["title"] for e in node.export_events()]
    assert sorted(titles) == sorted(e["properties"]["title"] for e in same_moment)
