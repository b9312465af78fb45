"""Injected faults and latency (``--fault-rate``, ``--fault-seed``, ``--latency-ms``)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import requests
from hubclient import assert_error

from contacthub_server.runner import HubServer
from contacthub_server.settings import Credentials, HubSettings


@pytest.fixture
def clean(database_url: str) -> Iterator[HubServer]:
    """A fault-free hub on the test database, to see what the faulty one committed."""
    with HubServer(HubSettings(database_url=database_url)) as server:
        yield server


def outcomes(server: HubServer, creds: Credentials, count: int) -> list[tuple[str, str]]:
    """POST ``count`` customers through ``server``; for each, (what the client saw, externalId)."""
    seen: list[tuple[str, str]] = []
    url = f"{server.base_url}/workspaces/{creds.workspace_id}/customers"
    headers = {"Authorization": f"Bearer {creds.token}"}
    for _ in range(count):
        external_id = str(uuid.uuid4())
        body = {"nodeId": creds.node_id, "externalId": external_id}
        try:
            reply = requests.post(url, json=body, headers=headers, timeout=10)
        except requests.ConnectionError:
            seen.append(("dropped", external_id))
            continue
        if reply.status_code in (429, 503):
            assert reply.headers["Retry-After"] == "1"
            assert_error(reply, reply.status_code)
        seen.append((str(reply.status_code), external_id))
    return seen


def committed(server: HubServer, creds: Credentials, external_id: str) -> bool:
    url = f"{server.base_url}/workspaces/{creds.workspace_id}/customers"
    reply = requests.get(
        url,
        params={"nodeId": creds.node_id, "externalId": external_id},
        headers={"Authorization": f"Bearer {creds.token}"},
        timeout=10,
    )
    assert reply.status_code == 200
    return bool(reply.json()["elements"])


def test_fault_rate_one_yields_every_fault_kind_repeatably(
    database_url: str, clean: HubServer
) -> None:
    creds = clean.provision()
    settings = HubSettings(database_url=database_url, fault_rate=1.0, fault_seed=7)
    with HubServer(settings) as faulty:
        first = outcomes(faulty, creds, 40)
    kinds: set[str] = set()
    for seen, external_id in first:
        was_written = committed(clean, creds, external_id)
        if seen == "dropped":
            kinds.add("drop-after" if was_written else "drop-before")
        else:
            assert seen in ("429", "503")
            assert not was_written  # refused requests are not processed
            kinds.add(seen)
    assert kinds == {"429", "503", "drop-before", "drop-after"}

    with HubServer(settings) as again:  # the same seed draws the same faults
        second = outcomes(again, creds, 40)
    assert [s for s, _ in second] == [s for s, _ in first]


def test_fault_rate_zero_injects_nothing(database_url: str, clean: HubServer) -> None:
    creds = clean.provision()
    assert {seen for seen, _ in outcomes(clean, creds, 10)} == {"201"}


def test_latency_delays_every_answer(database_url: str, clean: HubServer) -> None:
    creds = clean.provision()
    with HubServer(HubSettings(database_url=database_url, latency_ms=300)) as slow:
        url = f"{slow.base_url}/workspaces/{creds.workspace_id}/customers/none"
        started = time.monotonic()
        reply = requests.get(url, headers={"Authorization": f"Bearer {creds.token}"}, timeout=10)
        assert time.monotonic() - started >= 0.3
    assert_error(reply, 404)


def test_bad_fault_settings_are_refused(database_url: str) -> None:
    with pytest.raises(ValueError, match="fault rate"):
        HubServer(HubSettings(database_url=database_url, fault_rate=1.5)).start()
