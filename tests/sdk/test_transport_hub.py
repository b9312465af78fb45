"""The transport against a real hub: documents where they are due, and the overall deadline.

The faults a live hub cannot produce (bodies that are not JSON, cut short, redirects) are in
``test_transport_answers.py``; here the same code paths serve a well-behaved and a slow hub.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from contacthub import APIConnectionError, Node, OutcomeUnknownError, Timeouts, Workspace
from contacthub.testing import Hub


def test_documents_are_read_where_due_and_empty_answers_where_not(hub: Hub, node: Node) -> None:
    transport = node.transport
    created = transport.request(
        "POST",
        "/customers",
        json={"nodeId": hub.node_id, "base": {"firstName": "Ada"}},
        expect_body=True,
    )
    assert created["base"]["firstName"] == "Ada"
    path = f"/customers/{created['id']}"
    assert transport.request("GET", path, expect_body=True)["id"] == created["id"]
    patched = transport.request("PATCH", path, json={"base": {"lastName": "L"}}, expect_body=True)
    assert (patched["base"]["firstName"], patched["base"]["lastName"]) == ("Ada", "L")
    # The node's methods expect documents the same way; an event's 202 may be empty.
    event = node.add_event(
        type="viewedPage",
        context="WEB",
        customerId=created["id"],
        properties={"url": "https://example.com/"},
    )
    assert event.id
    assert node.get_customer(id=created["id"]).base.lastName == "L"
    transport.request("DELETE", path)  # no document is required of a DELETE's answer
    assert node.get_customers().total_elements == 0


@pytest.fixture
def slow_hub(tmp_path: Path) -> Iterator[tuple[str, str, str, str]]:
    from contacthub_server.runner import HubServer
    from contacthub_server.settings import HubSettings

    with HubServer(HubSettings(database_url=str(tmp_path / "slow.db"), latency_ms=400)) as server:
        credentials = server.provision()
        yield (
            server.base_url,
            credentials.workspace_id,
            credentials.token,
            credentials.node_id,
        )


def test_the_overall_deadline_ends_a_call_to_a_slow_hub(
    slow_hub: tuple[str, str, str, str],
) -> None:
    base_url, workspace_id, token, node_id = slow_hub
    hasty = Workspace(workspace_id, token, base_url=base_url, timeout=Timeouts(total=0.2))
    patient = Workspace(workspace_id, token, base_url=base_url, timeout=Timeouts(total=5))
    with hasty, patient:
        with pytest.raises(APIConnectionError) as caught:
            hasty.get_node(node_id).get_customers()
        assert not isinstance(caught.value, OutcomeUnknownError)
        assert "the call's deadline of 0.2 s (Timeouts.total)" in caught.value.message
        assert caught.value.status_code is None
        # A POST cut off by the deadline may or may not have been applied: never resent.
        with pytest.raises(OutcomeUnknownError) as unknown:
            hasty.get_node(node_id).add_customer(base={"contacts": {"email": "late@example.com"}})
        assert "timed out waiting for the answer" in unknown.value.message
        assert "may or may not have been applied" in unknown.value.message
        # With time enough, the same hub answers.
        node = patient.get_node(node_id)
        customer = node.add_customer(base={"contacts": {"email": "on-time@example.com"}})
        assert node.get_customer(id=customer.id).base.contacts.email == "on-time@example.com"
