"""Analytics latency at 100,000 customers: every endpoint, on each backend.

Loads the query benchmark's customers (`query_100k.make_customer`: registered over eight years,
genders, 60 cities, dates of birth 1950-2005), spread over two nodes, one event per customer
(5 types, 3 contexts, dates over the same eight years), deletes 1% of the customers, then times
each endpoint's answer at the rules' level (`service.analytics.answer`: parsing, the SQL, the
answer's assembly; no HTTP) and prints p50/p95 per backend.

    .venv/bin/python bench/analytics.py                       # 100,000 customers, both backends
    .venv/bin/python bench/analytics.py --customers 5000 --backend sqlite --repeat 5

PostgreSQL: a scratch database is created on CONTACTHUB_TEST_POSTGRES_URL (default the local
trust-auth server) and dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from contacthub_server.schemas.analytics import PARAMETERS
from contacthub_server.service import analytics
from contacthub_server.service.registry import Registry
from contacthub_server.store import Store
from query_100k import WS, canonical, database, make_customer

NODES = ("bench-node", "bench-node-2")
TYPES = ("viewedPage", "viewedProduct", "addedProduct", "completedOrder", "loggedIn")
CONTEXTS = ("WEB", "MOBILE", "ECOMMERCE")
EPOCH = datetime(2015, 1, 1, tzinfo=timezone.utc)

#: Each measured request: (path, query parameters).
REQUESTS: list[tuple[str, dict[str, str]]] = [
    ("customer/count", {}),
    ("trend/customer", {"mode": "DAILY", "startDate": "2022-10-01", "endDate": "2022-12-31"}),
    ("trend/customer", {"mode": "MONTHLY", "startDate": "2015-01-01", "endDate": "2022-12-31"}),
    ("trend/event", {"mode": "WEEKLY", "startDate": "2021-01-01", "endDate": "2022-12-31"}),
    ("composition/gender", {}),
    ("composition/age-range", {}),
    ("composition/geo/country", {}),
    ("composition/geo/city", {"country": "Italy"}),
    ("distribution/customer/node", {}),
    ("distribution/customer/source", {"startDate": "2020-01-01"}),
    ("distribution/customer/time", {"mode": "HOUROFDAY"}),
    ("distribution/customer/time", {"mode": "DAYOFMONTH", "timezone": "America/New_York"}),
    ("distribution/event/node", {"eventType": "completedOrder"}),
    ("distribution/event/source", {"context": "WEB"}),
    ("distribution/event/time", {"mode": "DAYOFWEEK"}),
]


def make_event(rng: random.Random, customer: dict[str, Any]) -> dict[str, Any]:
    moment = EPOCH + timedelta(seconds=rng.randrange(0, 8 * 365 * 86400))
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128))),
        "customerId": customer["id"],
        "type": rng.choice(TYPES),
        "context": rng.choice(CONTEXTS),
        "date": canonical(moment),
        "properties": {},
    }


def load(store: Store, count: int, seed: int) -> float:
    rng = random.Random(seed)
    docs = []
    for n in range(count):
        doc = make_customer(rng, n)
        doc["nodeId"] = NODES[n % 2]
        docs.append(doc)
    started = time.perf_counter()
    with store.write() as tx:
        for node in NODES:
            tx.ensure_node(WS, node, {})
    for start in range(0, count, 1000):
        with store.write() as tx:
            for doc in docs[start : start + 1000]:
                tx.insert_customer(WS, doc, doc["base"]["contacts"]["email"])
                tx.insert_event(WS, make_event(rng, doc), doc["nodeId"])
    with store.write() as tx:
        for doc in rng.sample(docs, count // 100):
            tx.delete_customer(WS, doc["id"])
    return time.perf_counter() - started


def run(backend: str, count: int, repeat: int, seed: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with database(backend) as url:
        store = Store.connect(url)
        try:
            store._feed = False  # the load is not what is measured
            results["load seconds"] = load(store, count, seed)
            store.analyze()
            results["load average"] = os.getloadavg()[0]
            registry = Registry(store)
            for path, params in REQUESTS:
                raw = {name: params.get(name) for name in PARAMETERS}
                analytics.answer(registry, WS, path, raw)  # warm: caches, zone transitions
                timings = []
                for _ in range(repeat):
                    began = time.perf_counter()
                    analytics.answer(registry, WS, path, raw)
                    timings.append((time.perf_counter() - began) * 1000)
                label = path + (f" {params['mode']}" if "mode" in params else "")
                cuts = statistics.quantiles(timings, n=20) if repeat > 1 else timings * 19
                results[label] = (statistics.median(timings), cuts[18])
        finally:
            store.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=20, help="runs of each request")
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        results = run(backend, args.customers, args.repeat, args.seed)
        print(f"\n{backend}, {args.customers} customers and events, {args.repeat} runs each")
        print(f"  load: {results.pop('load seconds'):.0f} s")
        print(f"  machine load average before the requests: {results.pop('load average'):.1f}")
        print(f"  {'endpoint':<40} {'p50 ms':>8} {'p95 ms':>8}")
        for label, (p50, p95) in results.items():
            print(f"  {label:<40} {p50:>8.1f} {p95:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
