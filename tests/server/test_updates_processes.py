"""The change feed with several hub processes on one database, one of them killed with SIGKILL
mid-write: a reader paging by offset meanwhile sees every acknowledged change exactly once, in
the order of the feed, and nothing that was not committed."""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from test_serve import serve

pytestmark = pytest.mark.slow


def test_two_hubs_one_killed_mid_write_feed_a_reader_exactly_once_in_order(
    tmp_path: Path, database_url: str
) -> None:
    db = database_url if database_url.startswith("postgresql") else str(tmp_path / "hub.db")
    ws, node, token = (f"{name}-{uuid.uuid4().hex[:8]}" for name in ("ws", "node", "tok"))
    creds = ("--workspace-id", ws, "--node-id", node, "--token", token, "--log-level", "warning")
    headers = {"Authorization": f"Bearer {token}"}
    acknowledged: set[str] = set()
    lock = threading.Lock()
    stop_writing = threading.Event()
    stop_reading = threading.Event()
    read: list[dict[str, Any]] = []
    offsets: list[int] = []

    def writer(base: str, n: int) -> None:
        url = f"{base}/workspaces/{ws}"
        with requests.Session() as session:
            session.headers.update(headers)
            i = 0
            while not stop_writing.is_set():
                i += 1
                body = {"nodeId": node, "externalId": f"w{n}-{i}"}
                try:
                    reply = session.post(f"{url}/customers", json=body, timeout=10)
                except requests.RequestException:
                    return  # that hub died under us: this write was not acknowledged
                if reply.status_code == 201:
                    with lock:
                        acknowledged.add(reply.json()["id"])

    def reader(base: str) -> None:
        offset = 0
        with requests.Session() as session:
            session.headers.update(headers)
            while True:
                last_round = stop_reading.is_set()
                reply = session.get(
                    f"{base}/workspaces/{ws}/updates",
                    params={"offset": offset, "size": 13},
                    timeout=30,
                )
                body = reply.json()
                read.extend(body["updates"])
                offset = body["nextOffset"]
                offsets.append(offset)
                if last_round and not body["updates"]:
                    return

    with (
        serve("--database", db, *creds, cwd=tmp_path) as (victim, base_a),
        serve("--database", db, *creds, cwd=tmp_path) as (_survivor, base_b),
    ):
        threads = [threading.Thread(target=writer, args=(base_a, n)) for n in range(4)]
        threads += [threading.Thread(target=writer, args=(base_b, n + 4)) for n in range(4)]
        follower = threading.Thread(target=reader, args=(base_b,))
        follower.start()
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(victim.pid, signal.SIGKILL)  # its writers are mid-request
        victim.wait(timeout=30)
        time.sleep(0.5)  # the survivor keeps writing meanwhile
        stop_writing.set()
        for thread in threads:
            thread.join(timeout=30)
        stop_reading.set()
        follower.join(timeout=120)
        final = requests.get(
            f"{base_b}/workspaces/{ws}/updates", params={"size": 4000}, headers=headers, timeout=30
        ).json()["updates"]

    assert len(acknowledged) >= 100
    created = [u["entity"]["data"]["id"] for u in read]
    assert all(u["operation"] == "CREATE" for u in read)
    assert len(created) == len(set(created))  # exactly once
    assert acknowledged <= set(created)  # nothing acknowledged is missing
    assert read == final  # in the feed's order, which is the commit order
    assert offsets == sorted(offsets)
    assert offsets[-1] == len(final)  # offsets without gaps: nothing rolled back shows
