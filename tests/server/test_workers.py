"""Several hub processes on one PostgreSQL database (``contacthub serve --workers N``).

Two real hub processes race on the same database; every uniqueness rule must hold across them
because the database enforces it: the matching policy's unique properties, a session value per
node, a customer's item ids. Each race is run many times, every request pair released together.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from test_serve import parse_ini, serve

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROUNDS = 20


@pytest.fixture
def two_hubs(postgres_url: str, tmp_path: Path) -> Iterator[tuple[str, str, dict[str, str]]]:
    """Two separate ``contacthub serve`` processes on one PostgreSQL database."""
    url = postgres_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with serve("--database", url, "--ini", "a.ini", cwd=tmp_path) as (_a, base_a):
        ini = parse_ini(tmp_path / "a.ini")
        with serve("--database", url, "--ini", "b.ini", cwd=tmp_path) as (_b, base_b):
            assert parse_ini(tmp_path / "b.ini")["token"] == ini["token"]
            yield base_a, base_b, ini


def race(first: Callable[[], Any], second: Callable[[], Any]) -> list[Any]:
    """Run both at the same instant (a barrier), each in its own thread; their results."""
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def run(index: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _headers(ini: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {ini['token']}", "Content-Type": "application/json"}


def _post(base: str, ini: dict[str, str], path: str, body: Any) -> requests.Response:
    return requests.post(
        f"{base}/workspaces/{ini['workspace_id']}/{path}",
        json=body,
        headers=_headers(ini),
        timeout=30,
    )


def test_one_customer_per_unique_email_across_processes(
    two_hubs: tuple[str, str, dict[str, str]],
) -> None:
    base_a, base_b, ini = two_hubs
    for _ in range(ROUNDS):
        body = {
            "nodeId": ini["node_id"],
            "base": {"contacts": {"email": f"{uuid.uuid4().hex}@example.com"}},
        }
        replies = race(
            lambda b=body: _post(base_a, ini, "customers", b),
            lambda b=body: _post(base_b, ini, "customers", b),
        )
        assert sorted(r.status_code for r in replies) == [201, 409], [r.text for r in replies]
        created = next(r for r in replies if r.status_code == 201).json()
        conflict = next(r for r in replies if r.status_code == 409).json()
        assert conflict["data"]["customer"]["id"] == created["id"]


def test_a_session_value_goes_to_one_customer_across_processes(
    two_hubs: tuple[str, str, dict[str, str]],
) -> None:
    base_a, base_b, ini = two_hubs
    ids = [
        _post(base_a, ini, "customers", {"nodeId": ini["node_id"], "externalId": str(i)}).json()[
            "id"
        ]
        for i in range(2)
    ]
    for _ in range(ROUNDS):
        value = str(uuid.uuid4())
        replies = race(
            lambda v=value: _post(base_a, ini, f"customers/{ids[0]}/sessions", {"value": v}),
            lambda v=value: _post(base_b, ini, f"customers/{ids[1]}/sessions", {"value": v}),
        )
        assert sorted(r.status_code for r in replies) == [201, 409], [r.text for r in replies]
        winner = ids[[r.status_code for r in replies].index(201)]
        holders = []
        for customer_id in ids:
            listed = requests.get(
                f"{base_a}/workspaces/{ini['workspace_id']}/customers/{customer_id}/sessions",
                headers=_headers(ini),
                timeout=30,
            ).json()["elements"]
            if any(s["value"] == value for s in listed):
                holders.append(customer_id)
        assert holders == [winner]


def test_an_item_id_is_added_once_across_processes(
    two_hubs: tuple[str, str, dict[str, str]],
) -> None:
    base_a, base_b, ini = two_hubs
    cid = _post(base_a, ini, "customers", {"nodeId": ini["node_id"], "externalId": "x"}).json()[
        "id"
    ]
    for round_ in range(ROUNDS):
        like = {"id": f"like-{round_}", "name": "a like", "category": "c"}
        replies = race(
            lambda like=like: _post(base_a, ini, f"customers/{cid}/likes", like),
            lambda like=like: _post(base_b, ini, f"customers/{cid}/likes", like),
        )
        # The item endpoints answer 200 to a POST (as the recorded API does).
        assert sorted(r.status_code for r in replies) == [200, 409], [r.text for r in replies]
    stored = requests.get(
        f"{base_b}/workspaces/{ini['workspace_id']}/customers/{cid}",
        headers=_headers(ini),
        timeout=30,
    ).json()
    assert sorted(like["id"] for like in stored["base"]["likes"]) == sorted(
        f"like-{i}" for i in range(ROUNDS)
    )


def test_workers_serve_one_port_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    url = postgres_url.replace("postgresql+psycopg://", "postgresql://", 1)
    node = str(uuid.uuid4())  # the database is shared with the other tests: count a new node
    with serve("--database", url, "--workers", "2", "--node-id", node, cwd=tmp_path) as (
        _process,
        base,
    ):
        ini = parse_ini(tmp_path / "contacthub.ini")
        made = [
            _post(base, ini, "customers", {"nodeId": ini["node_id"], "externalId": str(i)})
            for i in range(20)
        ]
        assert [r.status_code for r in made] == [201] * 20
        listed = requests.get(
            f"{base}/workspaces/{ini['workspace_id']}/customers",
            params={"nodeId": ini["node_id"], "size": 50},
            headers=_headers(ini),
            timeout=30,
        ).json()
        assert listed["page"]["totalElements"] == 20
