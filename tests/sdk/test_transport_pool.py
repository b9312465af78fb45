"""The workspace's one pooled session reuses connections, alone and under concurrency."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import pytest

from contacthub import Node
from contacthub.testing import Hub


def _connections_opened(node: Node) -> int:
    """Connections the workspace's pool has opened so far, over every host pool."""
    adapter = node.transport.session.get_adapter(node.transport.base_url)
    pools = adapter.poolmanager.pools  # type: ignore[attr-defined]
    # urllib3's pool container refuses plain iteration; keys() is its supported way.
    return sum(pools[key].num_connections for key in pools.keys())  # noqa: SIM118


def test_sequential_requests_share_one_connection(node: Node) -> None:
    customer = node.add_customer(base={"contacts": {"email": "pool@example.com"}})
    for _ in range(30):
        node.get_customer(id=customer.id)
    assert _connections_opened(node) == 1


def test_concurrent_requests_stay_within_the_pool(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="urllib3")
    node = hub.workspace().get_node(hub.node_id)
    ids = [
        node.add_customer(base={"contacts": {"email": f"c{i}@example.com"}}).id for i in range(8)
    ]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda i: node.get_customer(id=ids[i % 8]).id, range(80)))
    assert sorted(set(results)) == sorted(ids)
    assert _connections_opened(node) <= 8
    assert "Connection pool is full" not in caplog.text  # the pool (32) was big enough
