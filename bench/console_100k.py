"""The console at 100,000 customers: server time of its main pages, and the first load's weight.

Loads the query benchmark's customers (`bench/query_100k.py`) into a fresh database, serves a
hub on it, logs in to the console and times, over loopback HTTP (so the figure is the server's
time plus a loopback round trip): the customer list (newest first, and sorted by last name), a
customer page, and a query from the builder (the three-clause and/or of the query benchmark).
Page weight: the bytes of the first load after logging in (the home page with its stylesheet
and script), and of a customer list page.

Then the later pages: with one event per customer (`--events-per-customer`, dated over the last
twelve months) and 30 segments, the segment listing, a segment's page (its customers now: a city
EQUALS), the change feed (newest, one entity, and an "older" page from the middle of the feed) and
the dashboard (the last 30 days, the default, and every year).

    .venv/bin/python bench/console_100k.py                        # 100,000 customers, SQLite
    .venv/bin/python bench/console_100k.py --customers 5000 --backend postgresql
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import requests

from contacthub_server.runner import HubServer
from contacthub_server.schemas.dates import format_datetime
from contacthub_server.settings import HubSettings
from contacthub_server.store import Store
from query_100k import CITIES, NODE, TAGS, WS, database, make_customer

KEY = "bench-admin-key"


SEGMENTS = 30


def make_event(rng: random.Random, customer_id: str, now: datetime) -> dict[str, Any]:
    """An event of the customer, dated in the twelve months before ``now``."""
    moment = format_datetime(now - timedelta(seconds=rng.randrange(365 * 86400)))
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128))),
        "customerId": customer_id,
        "bringBackProperties": None,
        "type": rng.choice(["viewedPage", "viewedProduct", "addedProduct", "searched"]),
        "context": "WEB",
        "date": moment,
        "properties": {},
        "contextInfo": {},
        "tracking": None,
        "registeredAt": moment,
        "updatedAt": moment,
    }


def make_segment(n: int) -> dict[str, Any]:
    """A segment of the customers of one city."""
    condition = {
        "type": "atomic",
        "attribute": "base.address.city",
        "operator": "EQUALS",
        "value": CITIES[n % len(CITIES)],
    }
    now = format_datetime(datetime.now(UTC))
    return {
        "id": str(uuid.UUID(int=n + 1)),
        "name": f"City {n}",
        "query": {"type": "simple", "name": "query", "are": {"condition": condition}},
        "enabled": True,
        "createdAt": now,
        "updatedAt": now,
    }


def load(url: str, count: int, seed: int, events_per_customer: int) -> list[str]:
    rng = random.Random(seed)
    events_rng = random.Random(seed + 2)
    now = datetime.now(UTC)
    ids = []
    store = Store.connect(url)
    try:
        with store.write() as tx:
            tx.ensure_node(WS, NODE, {})
            for n in range(SEGMENTS):
                tx.insert_segment(WS, make_segment(n))
        for start in range(0, count, 1000):
            with store.write() as tx:
                batch = []
                for n in range(start, min(start + 1000, count)):
                    doc = make_customer(rng, n)
                    tx.insert_customer(WS, doc, doc["base"]["contacts"]["email"])
                    ids.append(doc["id"])
                    batch.append(doc["id"])
                for customer_id in batch:
                    for _ in range(events_per_customer):
                        tx.insert_event(WS, make_event(events_rng, customer_id, now), NODE)
        store.analyze()
    finally:
        store.close()
    return ids


def timed(session: requests.Session, url: str, params: dict[str, str], repeat: int) -> list[float]:
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        response = session.get(url, params=params)
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.text[:300])
    return timings


def run(backend: str, count: int, repeat: int, seed: int, events: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with database(backend) as url:
        started = time.perf_counter()
        ids = load(url, count, seed, events)
        results["load s"] = time.perf_counter() - started
        with HubServer(HubSettings(database_url=url, admin_key=KEY)) as server:
            session = requests.Session()
            assert session.post(f"{server.url}/console/login", data={"key": KEY}).ok
            home = session.get(f"{server.url}/console/")
            assets = [
                session.get(f"{server.url}/console/static/{name}")
                for name in ("console.css", "console.js")
            ]
            results["first load KB"] = (
                len(home.content) + sum(len(a.content) for a in assets)
            ) / 1024
            w = f"{server.url}/console/w/{WS}"
            rng = random.Random(seed + 1)
            listing = timed(session, f"{w}/customers", {}, repeat)
            results["customer list page"] = listing
            results["customer list, by last name"] = timed(
                session, f"{w}/customers", {"sort": "base.lastName", "dir": "asc"}, repeat
            )
            results["list page KB"] = len(session.get(f"{w}/customers").content) / 1024
            customer_times = []
            for _ in range(repeat):
                customer_times += timed(session, f"{w}/customers/{rng.choice(ids)}", {}, 1)
            results["customer page"] = customer_times
            query_times = []
            for _ in range(repeat):
                form = {
                    "node": NODE,
                    "combine": "INTERSECT",
                    "run": "1",
                    "g0.conj": "and",
                    "g0.r0.attr": "base.address.city",
                    "g0.r0.op": "EQUALS",
                    "g0.r0.value": rng.choice(CITIES),
                    "g0.r1.attr": "tags.auto",
                    "g0.r1.op": "IN",
                    "g0.r1.value": rng.choice(TAGS),
                }
                query_times += timed(session, f"{w}/query", form, 1)
            results["query from the builder"] = query_times
            results["home page (counts)"] = timed(
                session, f"{server.url}/console/", {}, max(5, repeat // 4)
            )
            results["segments page"] = timed(session, f"{w}/segments", {}, repeat)
            segment_times = []
            for _ in range(repeat):
                segment = str(uuid.UUID(int=rng.randrange(SEGMENTS) + 1))
                segment_times += timed(session, f"{w}/segments/{segment}", {}, 1)
            results["a segment (its customers)"] = segment_times
            results["feed, newest"] = timed(session, f"{w}/feed", {}, repeat)
            results["feed, events only"] = timed(session, f"{w}/feed", {"entity": "EVENT"}, repeat)
            head = count * (1 + events)
            results["feed, older (mid-feed)"] = timed(
                session, f"{w}/feed", {"before": str(head // 2)}, repeat
            )
            results["dashboard, 30 days"] = timed(session, f"{w}/dashboard", {}, repeat)
            results["dashboard, 12 months"] = timed(
                session, f"{w}/dashboard", {"period": "12m"}, repeat
            )
            results["dashboard, every year"] = timed(
                session, f"{w}/dashboard", {"period": "all"}, repeat
            )
            results["dashboard KB"] = len(session.get(f"{w}/dashboard").content) / 1024
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--events-per-customer", type=int, default=1)
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        results = run(backend, args.customers, args.repeat, args.seed, args.events_per_customer)
        events = args.customers * args.events_per_customer
        print(
            f"\n{backend}, {args.customers:,} customers, {events:,} events, "
            f"{args.repeat} requests each"
        )
        print(f"  load: {results.pop('load s'):.0f} s")
        print(f"  first load after login: {results.pop('first load KB'):.1f} KB")
        print(f"  customer list page: {results.pop('list page KB'):.1f} KB")
        print(f"  dashboard page: {results.pop('dashboard KB'):.1f} KB")
        print(f"  {'page':<30} {'p50 ms':>8} {'p95 ms':>8}")
        for label, timings in results.items():
            p95 = statistics.quantiles(timings, n=20)[18] if len(timings) >= 20 else max(timings)
            print(f"  {label:<30} {statistics.median(timings):>8.1f} {p95:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
