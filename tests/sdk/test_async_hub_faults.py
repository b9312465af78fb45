"""The async client against a real hub that fails a fraction of its requests on purpose.

The same faults as tests/sdk/test_hub_faults.py (503s and 429s with Retry-After, connections
dropped before or after processing), the same expectations: reads, PATCHes and DELETEs succeed
through the retries; a POST whose connection dropped is never resent (OutcomeUnknownError); a
bulk import stores every customer exactly once.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from contacthub import AsyncNode, AsyncWorkspace, Customer, OutcomeUnknownError
from contacthub._http import RetryPolicy

pytestmark = pytest.mark.anyio


@pytest.fixture
def faulty_hub(tmp_path: Path) -> Iterator[Any]:
    from contacthub_server.runner import HubServer
    from contacthub_server.settings import HubSettings

    hub_settings = HubSettings(
        database_url=str(tmp_path / "faulty.db"), fault_rate=0.3, fault_seed=20261128
    )
    with HubServer(hub_settings) as server:
        yield server, server.provision()


@pytest.fixture
async def faulty_node(faulty_hub: Any) -> AsyncIterator[AsyncNode]:
    server, credentials = faulty_hub
    retry = RetryPolicy(attempts=10, backoff=0.01, max_backoff=0.05, retry_after_cap=0.05)
    async with AsyncWorkspace(
        credentials.workspace_id, credentials.token, server.base_url, retry=retry
    ) as workspace:
        yield workspace.get_node(credentials.node_id)


async def add_exactly_once(node: AsyncNode, email: str) -> Customer:
    """Add a customer; when the outcome is unknown, look before adding again."""
    while True:
        try:
            return await node.add_customer(base={"contacts": {"email": email}})
        except OutcomeUnknownError:
            existing = await node.get_customer_by_email(email)
            if existing is not None:
                return existing


async def test_reads_patches_and_deletes_succeed_through_injected_faults(
    faulty_node: AsyncNode, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="contacthub")
    node = faulty_node
    customers = [await add_exactly_once(node, f"f{i}@example.com") for i in range(8)]
    for round_number in range(3):
        for customer in customers:
            await node.update_customer(customer.id, base={"firstName": f"round{round_number}"})
            stored = await node.get_customer(id=customer.id)
            assert stored.base.firstName == f"round{round_number}"
    listed = [c async for c in node.iter_customers(page_size=3)]
    assert sorted(c.base.contacts.email for c in listed) == sorted(
        f"f{i}@example.com" for i in range(8)
    )
    assert all(c.base.firstName == "round2" for c in listed)
    for customer in customers[:4]:
        await node.delete_customer(customer.id)
    remaining = sorted([c.base.contacts.email async for c in node.iter_customers(page_size=3)])
    assert remaining == sorted(f"f{i}@example.com" for i in range(4, 8))
    retries = [r for r in caplog.records if "retry" in r.getMessage()]
    assert retries, "the hub injected no fault the transport had to retry"


async def test_a_bulk_import_through_faults_stores_each_customer_once(
    faulty_node: AsyncNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("contacthub.bulk.rounds.pause_delay", lambda round_number: 0.0)
    rows = (
        {"externalId": f"e{i}", "base": {"contacts": {"email": f"e{i}@example.com"}}}
        for i in range(60)
    )
    run = faulty_node.bulk_add_customers(rows, concurrency=6)
    outcomes = [o async for o in run]
    assert len(outcomes) == 60
    assert {o.status for o in outcomes} == {"created"}, [o.message for o in outcomes if not o.ok]
    exported = [c async for c in faulty_node.export_customers()]
    assert sorted(c["externalId"] for c in exported) == sorted(f"e{i}" for i in range(60))
