"""The async bulk import and export against the hub over HTTP.

Answers lost after the hub applied a POST (what the hub cannot do on demand) are injected at
httpx's transport: the request is forwarded to the hub, then a read timeout is raised.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from contacthub import NO_RETRY, AsyncNode, AsyncWorkspace, Node
from contacthub.bulk import BulkItem, BulkOutcome
from contacthub.bulk.async_bulk import AsyncBulkRun, AsyncPagedExport
from contacthub.errors import OutcomeUnknownError
from contacthub.testing import Hub

pytestmark = pytest.mark.anyio


def _customers(count: int, start: int = 0) -> Iterator[dict[str, Any]]:
    for i in range(start, start + count):
        yield {
            "externalId": f"ext-{i}",
            "base": {"firstName": f"Name{i}", "contacts": {"email": f"user{i}@example.com"}},
        }


class Faulty(httpx.AsyncBaseTransport):
    """httpx's transport to the hub, losing the answers of some POSTs and counting what is in
    flight."""

    def __init__(self, *, lose: int = 0, times: int = 1, before: bool = False) -> None:
        self.real = httpx.AsyncHTTPTransport()
        self.lose = lose
        self.times = times
        self.before = before
        self.lost_items: dict[bytes, int] = {}
        self.posts = 0
        self.lost = 0
        self.in_flight = 0
        self.peak = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            if request.method == "POST":
                self.posts += 1
                body = await request.aread()
                key = body
                if key not in self.lost_items and len(self.lost_items) < self.lose:
                    self.lost_items[key] = 0
                if key in self.lost_items and self.lost_items[key] < self.times:
                    self.lost_items[key] += 1
                    self.lost += 1
                    if not self.before:
                        answer = await self.real.handle_async_request(request)
                        await answer.aread()
                    raise httpx.ReadTimeout("answer lost (injected)", request=request)
            return await self.real.handle_async_request(request)
        finally:
            self.in_flight -= 1

    async def aclose(self) -> None:
        await self.real.aclose()


async def _workspace(
    hub: Hub, transport: httpx.AsyncBaseTransport, **kwargs: Any
) -> AsyncWorkspace:
    return AsyncWorkspace(hub.workspace_id, hub.token, hub.base_url, transport=transport, **kwargs)


async def test_bulk_add_customers_creates_each_once_with_an_outcome_per_item(
    anode: AsyncNode, node: Node
) -> None:
    run = anode.bulk_add_customers(_customers(120), concurrency=8)
    assert isinstance(run, AsyncBulkRun)
    outcomes = sorted([o async for o in run], key=lambda o: o.index)
    assert [o.index for o in outcomes] == list(range(120))
    assert all(isinstance(o, BulkOutcome) and o.status == "created" and o.id for o in outcomes)
    assert (run.summary.total, run.summary.created, run.summary.failed) == (120, 120, 0)
    stored = list(node.export_customers())
    assert sorted(c["id"] for c in stored) == sorted(o.id for o in outcomes if o.id)


async def test_failures_conflicts_and_force_update(anode: AsyncNode, node: Node) -> None:
    first = await anode.bulk_add_customers(_customers(3)).run()
    assert first.created == 3
    rows = [
        {"externalId": "ext-0", "base": {"contacts": {"email": "user0@example.com"}}},
        {"base": {"contacts": {"email": "not an email"}}},
        {"base": {"firstName": "Odd", "contacts": {"email": "user1@example.com"}}},
    ]
    outcomes = sorted([o async for o in anode.bulk_add_customers(rows)], key=lambda o: o.index)
    assert [o.status for o in outcomes] == ["failed", "failed", "failed"]
    assert [o.status_code for o in outcomes] == [409, 400, 409]
    forced = [o async for o in anode.bulk_add_customers(rows[2:], force_update=True)]
    assert [o.status for o in forced] == ["updated"]
    assert node.get_customer(id=forced[0].id).base.firstName == "Odd"
    unsendable = [o async for o in anode.bulk_add_customers([{"base": {"x": object()}}])]
    assert unsendable[0].status == "failed"
    assert "JSON" in (unsendable[0].message or "")


async def test_async_input_coroutine_before_send_and_a_bounded_window(hub: Hub) -> None:
    faulty = Faulty()
    workspace = await _workspace(hub, faulty)
    node = workspace.get_node(hub.node_id)
    pulled = 0
    batches: list[list[Any]] = []

    async def rows() -> AsyncIterator[BulkItem]:
        nonlocal pulled
        for row in _customers(60):
            pulled += 1
            yield BulkItem(row, key=row["externalId"])

    async def journal(keys: list[Any]) -> None:
        await asyncio.sleep(0)
        batches.append(keys)

    run = node.bulk_add_customers(rows(), concurrency=5, before_send=journal)
    seen = 0
    async for outcome in run:
        seen += 1
        assert outcome.key.startswith("ext-")
        # Never read ahead of the window by more than the window.
        assert pulled <= seen + 5
    await workspace.aclose()
    assert seen == 60
    assert faulty.peak <= 5
    assert sorted(k for batch in batches for k in batch) == sorted(f"ext-{i}" for i in range(60))


@pytest.mark.parametrize("before", [False, True], ids=["processed", "not-processed"])
async def test_unknown_outcomes_of_customers_are_settled_without_duplicates(
    hub: Hub, node: Node, before: bool
) -> None:
    faulty = Faulty(lose=10, before=before)
    workspace = await _workspace(hub, faulty)
    run = workspace.get_node(hub.node_id).bulk_add_customers(_customers(30), concurrency=4)
    outcomes = [o async for o in run]
    await workspace.aclose()
    assert faulty.lost == 10
    assert {o.status for o in outcomes} == {"created"}
    assert run.summary.resolved == 10
    stored = list(node.export_customers())
    assert len(stored) == 30
    assert len({c["externalId"] for c in stored}) == 30


async def test_a_customer_that_cannot_be_looked_up_is_not_resent(hub: Hub, node: Node) -> None:
    faulty = Faulty(lose=1)
    workspace = await _workspace(hub, faulty)
    run = workspace.get_node(hub.node_id).bulk_add_customers([{"base": {"firstName": "Anon"}}])
    (outcome,) = [o async for o in run]
    await workspace.aclose()
    assert outcome.status == "failed"
    assert isinstance(outcome.error, OutcomeUnknownError)
    assert "not sent again" in (outcome.message or "")
    assert faulty.posts == 1
    assert len(list(node.export_customers())) == 1


async def test_recheck_items_found_stored_are_present(anode: AsyncNode) -> None:
    await anode.bulk_add_customers(_customers(2)).run()
    items = [BulkItem(row, key=i, recheck=True) for i, row in enumerate(_customers(3))]
    outcomes = sorted([o async for o in anode.bulk_add_customers(items)], key=lambda o: o.index)
    assert [o.status for o in outcomes] == ["present", "present", "created"]
    assert all(o.resolved for o in outcomes)


async def test_events_import_with_lost_answers_and_export(hub: Hub, node: Node) -> None:
    customer = node.add_customer(base={"contacts": {"email": "ev@example.com"}})
    faulty = Faulty(lose=5)
    workspace = await _workspace(hub, faulty)
    anode = workspace.get_node(hub.node_id)
    rows = [
        {
            "customerId": customer.id,
            "type": "viewedPage",
            "context": "WEB",
            "properties": {"url": f"https://example.com/{i}"},
        }
        for i in range(20)
    ]
    run = anode.bulk_add_events(rows, concurrency=4)
    outcomes = [o async for o in run]
    assert faulty.lost == 5
    assert {o.status for o in outcomes} == {"created"}
    assert run.summary.resolved == 5
    export = anode.export_events([customer.id])
    assert isinstance(export, AsyncPagedExport)
    urls = sorted([e["properties"]["url"] async for e in export])
    assert urls == sorted(f"https://example.com/{i}" for i in range(20))
    everything = anode.export_events(page_size=7)
    assert len([e async for e in everything]) == 20
    assert everything.total == 20
    await workspace.aclose()


async def test_export_customers_pages_ahead_and_stops_early(anode: AsyncNode) -> None:
    await anode.bulk_add_customers(_customers(23)).run()
    from contacthub import Customer

    export = anode.export_customers(page_size=5, sort="externalId")
    ids = [c["externalId"] async for c in export]
    assert export.total == 23
    assert ids == sorted(f"ext-{i}" for i in range(23))
    query = anode.query(Customer).filter(Customer.base.firstName == "Name7")
    assert [c["externalId"] async for c in anode.export_customers(query)] == ["ext-7"]
    early = anode.export_customers(page_size=5)
    first = await early.__anext__()
    assert first["externalId"]
    await early.aclose()
    events_of_query = anode.export_events(query=query)
    assert [e async for e in events_of_query] == []


async def test_a_run_gives_up_when_the_api_cannot_be_reached(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("contacthub.bulk.rounds.pause_delay", lambda round_number: 0.0)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nobody listens there once the socket is closed
    workspace = AsyncWorkspace(
        hub.workspace_id, hub.token, f"http://127.0.0.1:{port}/hub/v1", retry=NO_RETRY
    )
    pulled = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal pulled
        for row in _customers(10_000):
            pulled += 1
            yield row

    try:
        run = workspace.get_node(hub.node_id).bulk_add_customers(rows(), concurrency=4)
        outcomes = [o async for o in run]
    finally:
        await workspace.aclose()
    assert run.abandoned is not None
    assert "got no answer" in run.abandoned
    assert pulled < 100
    assert len(outcomes) == pulled
    assert all(o.status == "failed" for o in outcomes)
