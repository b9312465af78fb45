"""The SDK against a real hub that fails a fraction of its requests on purpose.

The hub injects 503s and 429s (with Retry-After) and drops connections before or after
processing. Reads and PATCHes must succeed through the transport's retries; a POST whose
connection dropped is never resent (OutcomeUnknownError), so the caller checks and decides.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from contacthub import Customer, Node, OutcomeUnknownError, Workspace
from contacthub._http import RetryPolicy


@pytest.fixture
def faulty_node(tmp_path: Path) -> Iterator[Node]:
    from contacthub_server.runner import HubServer
    from contacthub_server.settings import HubSettings

    hub_settings = HubSettings(
        database_url=str(tmp_path / "faulty.db"), fault_rate=0.3, fault_seed=20261127
    )
    with HubServer(hub_settings) as server:
        credentials = server.provision()
        # Retry-After from the hub is honoured but capped low to keep the test quick.
        retry = RetryPolicy(attempts=10, backoff=0.01, max_backoff=0.05, retry_after_cap=0.05)
        with Workspace(
            credentials.workspace_id, credentials.token, base_url=server.base_url, retry=retry
        ) as workspace:
            yield workspace.get_node(credentials.node_id)


def add_exactly_once(node: Node, email: str) -> Customer:
    """Add a customer; when the outcome is unknown, look before adding again."""
    while True:
        try:
            return node.add_customer(base={"contacts": {"email": email}})
        except OutcomeUnknownError:
            existing = node.get_customer_by_email(email)
            if existing is not None:
                return existing


def test_reads_patches_and_deletes_succeed_through_injected_faults(
    faulty_node: Node, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="contacthub")
    node = faulty_node
    customers = [add_exactly_once(node, f"f{i}@example.com") for i in range(8)]
    for round_number in range(3):
        for customer in customers:
            node.update_customer(customer.id, base={"firstName": f"round{round_number}"})
            assert node.get_customer(id=customer.id).base.firstName == f"round{round_number}"
    listed = list(node.iter_customers(page_size=3))
    assert sorted(c.base.contacts.email for c in listed) == sorted(
        f"f{i}@example.com" for i in range(8)
    )
    assert all(c.base.firstName == "round2" for c in listed)
    for customer in customers[:4]:
        node.delete_customer(customer.id)  # a lost answer then a 404 on the retry counts as done
    remaining = sorted(c.base.contacts.email for c in node.iter_customers(page_size=3))
    assert remaining == sorted(f"f{i}@example.com" for i in range(4, 8))
    retries = [r for r in caplog.records if "retry" in r.getMessage()]
    assert retries, "the hub injected no fault the transport had to retry"
