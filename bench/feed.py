"""The change feed: what it costs writers, how fast it reads, how soon a reader sees a commit.

    ./dev bench feed                      # SQLite in a temporary directory
    ./dev bench feed --database postgresql://127.0.0.1/some_db

1. Customer creates/s through the hub's service (4 threads, no HTTP, so that the store's work
   dominates), rounds alternating the feed on and off in the same run (`Store._feed`, a switch
   for this benchmark only; off/on, then on/off, ...), best round and median of each kept; with
   the process's CPU per create (user + system of all its threads), which the other jobs of a
   shared machine disturb less than the rates.
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


def creates_per_second(
    server: HubServer, ws: str, node: str, count: int, feed: bool
) -> tuple[float, float]:
    """(creates/s, process CPU µs per create) of one round."""
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
    start, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    app.store._feed = True
    cpu_us = (time.process_time() - cpu) / count * 1e6
    return count / (time.perf_counter() - start), cpu_us


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default=None)
    parser.add_argument("--creates", type=int, default=2000, help="creates per round")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--delays", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or str(Path(tmp) / "feed.db")
        with HubServer(HubSettings(database_url=url)) as server:
            creds = server.provision()
            ws, node = creds.workspace_id, creds.node_id
            rounds: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
            creates_per_second(server, ws, node, min(400, args.creates), feed=True)  # warm-up
            for i in range(args.rounds):
                for feed_on in (False, True) if i % 2 == 0 else (True, False):
                    result = creates_per_second(server, ws, node, args.creates, feed=feed_on)
                    rounds[feed_on].append(result)
            print(f"database: {server.app.store.dialect if server.app else '?'}")
            rate: dict[bool, tuple[float, float]] = {}
            cpu: dict[bool, float] = {}
            for feed_on in (False, True):
                rates = [r for r, _ in rounds[feed_on]]
                cpu[feed_on] = statistics.median(c for _, c in rounds[feed_on])
                rate[feed_on] = (max(rates), statistics.median(rates))
                label = "with feed   " if feed_on else "without feed"
                print(
                    f"creates/s {label}: best {rate[feed_on][0]:,.0f}, median "
                    f"{rate[feed_on][1]:,.0f} ({', '.join(f'{r:.0f}' for r in rates)}); "
                    f"CPU per create (median) {cpu[feed_on]:.0f} us"
                )
            best = 100 * (1 - rate[True][0] / rate[False][0])
            median = 100 * (1 - rate[True][1] / rate[False][1])
            more_cpu = 100 * (cpu[True] / cpu[False] - 1)
            print(
                f"feed cost: {best:.1f}% slower (best rounds), {median:.1f}% (medians), "
                f"{more_cpu:.1f}% more CPU per create"
            )

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
