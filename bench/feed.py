"""The change feed: what it costs writers, how fast it reads, how soon a reader sees a commit.

    ./dev bench feed                      # SQLite in a temporary directory
    ./dev bench feed --database postgresql://127.0.0.1/some_db

1. Customer creates/s through the hub's service (4 threads, no HTTP, so that the store's work
   dominates), rounds alternating the feed on and off in the same run (`Store._feed`, a switch
   for this benchmark only), best round of each kept.
2. Changes/s read through `Workspace.iter_updates` (size 4,000) over HTTP from an in-process hub.
3. Delay from a create's acknowledgement to a following `iter_updates(follow=True)` reader
   yielding it, with creates spaced 20-80 ms apart.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

from contacthub import Workspace
from contacthub_server.runner import HubServer
from contacthub_server.service import customers
from contacthub_server.settings import HubSettings


def creates_per_second(server: HubServer, ws: str, node: str, count: int, feed: bool) -> float:
    app = server.app
    assert app is not None
    app.store._feed = feed
    threads_n = 4
    tag = "on" if feed else "off"

    def work(n: int) -> None:
        for i in range(count // threads_n):
            body = {"nodeId": node, "externalId": f"{tag}-{n}-{i}-{random.random()}"}
            customers.create_customer(app.registry, ws, body)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(threads_n)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    app.store._feed = True
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default=None)
    parser.add_argument("--creates", type=int, default=2000, help="creates per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--delays", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or str(Path(tmp) / "feed.db")
        with HubServer(HubSettings(database_url=url)) as server:
            creds = server.provision()
            ws, node = creds.workspace_id, creds.node_id
            on: list[float] = []
            off: list[float] = []
            for _ in range(args.rounds):
                off.append(creates_per_second(server, ws, node, args.creates, feed=False))
                on.append(creates_per_second(server, ws, node, args.creates, feed=True))
            best_on, best_off = max(on), max(off)
            print(f"database: {server.app.store.dialect if server.app else '?'}")
            print(f"creates/s without feed (best of {args.rounds}): {best_off:,.0f}  {off}")
            print(f"creates/s with feed    (best of {args.rounds}): {best_on:,.0f}  {on}")
            print(f"feed cost: {100 * (1 - best_on / best_off):.1f}% slower")

            client = Workspace(workspace_id=ws, token=creds.token, base_url=server.base_url)
            total = client.last_update_offset()
            for _ in range(2):
                start = time.perf_counter()
                read = sum(1 for _ in client.iter_updates(size=4000))
                elapsed = time.perf_counter() - start
                print(f"iter_updates size 4000: {read:,} changes in {elapsed:.2f} s = "
                      f"{read / elapsed:,.0f} changes/s (feed holds {total:,})")  # fmt: skip

            seen: dict[str, float] = {}
            feed = client.iter_updates(offset=client.last_update_offset(), follow=True)
            wanted = args.delays

            def follow() -> None:
                for update in feed:
                    seen[update["entity"]["data"]["externalId"]] = time.perf_counter()
                    if len(seen) >= wanted:
                        return

            reader = threading.Thread(target=follow)
            reader.start()
            acked: dict[str, float] = {}
            app = server.app
            assert app is not None
            for i in range(wanted):
                time.sleep(random.uniform(0.02, 0.08))
                name = f"delay-{i}"
                customers.create_customer(app.registry, ws, {"nodeId": node, "externalId": name})
                acked[name] = time.perf_counter()
            reader.join(timeout=60)
            delays = sorted(1000 * (seen[k] - acked[k]) for k in acked if k in seen)
            p50 = statistics.median(delays)
            p95 = delays[int(len(delays) * 0.95) - 1]
            print(f"commit -> follower: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {delays[-1]:.1f} "
                  f"ms over {len(delays)} creates")  # fmt: skip
            client.close()


if __name__ == "__main__":
    main()
