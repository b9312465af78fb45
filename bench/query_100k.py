"""Customer search at 100,000 customers, at the store level (`Tx.search_customers`).

Loads N seeded, realistic customers into a fresh database, then times each query kind (page size
50, total count included) and prints p50/p95 per backend, plus the load rate.

    .venv/bin/python bench/query_100k.py                      # 100,000 customers, both backends
    .venv/bin/python bench/query_100k.py --customers 5000 --backend sqlite

PostgreSQL: a scratch database is created on CONTACTHUB_TEST_POSTGRES_URL (default the local
trust-auth server) and dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from contacthub_server.query import parse_query
from contacthub_server.store import Store

ADMIN_URL = os.environ.get(
    "CONTACTHUB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
WS, NODE = "bench-ws", "bench-node"
FIRST = [
    f"{a}{b}"
    for a in ("Mar", "Lu", "Gi", "An", "Fra", "Ele", "Sa", "Pao")
    for b in ("io", "ia", "co", "na", "ra", "lo", "no", "ta", "ria", "nna", "sco", "nde")
]
LAST = [
    f"{a}{b}"
    for a in ("Ros", "Bian", "Fer", "Espo", "Ric", "Col", "Gal", "Con")
    for b in ("si", "chi", "rari", "sito", "ci", "ombo", "lo", "ti")
]
CITIES = [f"City{i}" for i in range(60)]
TAGS = [f"tag{i}" for i in range(30)]
COMPANIES = [f"Company {i}" for i in range(300)]
EPOCH = datetime(2015, 1, 1, tzinfo=timezone.utc)


def canonical(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def make_customer(rng: random.Random, n: int) -> dict[str, Any]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    registered = EPOCH + timedelta(seconds=rng.randrange(0, 8 * 365 * 86400))
    dob = datetime(1950, 1, 1) + timedelta(days=rng.randrange(0, 55 * 365))
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128))),
        "nodeId": NODE,
        "externalId": f"ext-{n}" if rng.random() < 0.5 else None,
        "extra": None,
        "base": {
            "pictureUrl": None,
            "title": None,
            "prefix": None,
            "firstName": first,
            "lastName": last,
            "middleName": None,
            "gender": rng.choice(["male", "female", None]),
            "dob": dob.strftime("%Y-%m-%d"),
            "locale": "it_IT",
            "timezone": "Europe/Rome",
            "contacts": {
                "email": f"{first.lower()}.{last.lower()}.{n}@example.com",
                "fax": None,
                "mobilePhone": f"+39 3{rng.randrange(10**8, 10**9)}",
                "phone": None,
                "otherContacts": [],
                "mobileDevices": [],
            },
            "address": {
                "street": f"Via Roma {rng.randrange(1, 200)}",
                "city": rng.choice(CITIES),
                "country": "Italy",
                "province": None,
                "region": None,
                "zip": f"{rng.randrange(10000, 99999)}",
                "geo": None,
            },
            "credential": None,
            "educations": [],
            "likes": [],
            "socialProfile": None,
            "jobs": [
                {
                    "id": str(uuid.UUID(int=rng.getrandbits(128))),
                    "companyIndustry": None,
                    "companyName": rng.choice(COMPANIES),
                    "jobTitle": "Engineer",
                    "startDate": "2010-01-01",
                    "endDate": None,
                    "isCurrent": True,
                }
                for _ in range(rng.choice([0, 0, 1, 2]))
            ],
            "subscriptions": [],
        },
        "extended": {"score": rng.randrange(0, 1000), "segment": rng.choice("ABCDE")},
        "consents": None,
        "tags": {
            "auto": rng.sample(TAGS, rng.choice([0, 1, 2, 3])),
            "manual": rng.sample(TAGS, rng.choice([0, 0, 1])),
        },
        "enabled": True,
        "registeredAt": canonical(registered),
        "updatedAt": canonical(registered),
    }


def atomic(attribute: str, operator: str, value: Any) -> dict[str, Any]:
    return {"type": "atomic", "attribute": attribute, "operator": operator, "value": value}


def simple(condition: dict[str, Any]) -> dict[str, Any]:
    return {"type": "simple", "name": "query", "are": {"condition": condition}}


def container(query: dict[str, Any]) -> dict[str, Any]:
    return {"name": "query", "query": query}


def query_makers(emails: list[str]) -> dict[str, Callable[[random.Random], dict[str, Any]]]:
    """Each measured query kind, as a function drawing one concrete query."""

    def dob_between(rng: random.Random) -> dict[str, Any]:
        year = rng.randrange(1955, 2000)
        return atomic("base.dob", "BETWEEN", [f"{year}-01-01", f"{year}-12-31"])

    return {
        "email lookup": lambda rng: container(
            simple(atomic("base.contacts.email", "EQUALS", rng.choice(emails)))
        ),
        "tag IN": lambda rng: container(simple(atomic("tags.auto", "IN", rng.choice(TAGS)))),
        "firstName equality": lambda rng: container(
            simple(atomic("base.firstName", "EQUALS", rng.choice(FIRST)))
        ),
        "dob BETWEEN (1 year)": lambda rng: container(simple(dob_between(rng))),
        "3-clause and/or": lambda rng: container(
            simple(
                {
                    "type": "composite",
                    "conjunction": "and",
                    "conditions": [
                        atomic("base.address.city", "EQUALS", rng.choice(CITIES)),
                        {
                            "type": "composite",
                            "conjunction": "or",
                            "conditions": [
                                atomic("tags.auto", "IN", rng.choice(TAGS)),
                                atomic("extended.score", "GT", rng.randrange(800, 1000)),
                            ],
                        },
                    ],
                }
            )
        ),
        "UNION of two": lambda rng: container(
            {
                "type": "combined",
                "name": "query",
                "conjunction": "UNION",
                "queries": [
                    simple(atomic("base.firstName", "EQUALS", rng.choice(FIRST))),
                    simple(atomic("tags.manual", "IN", rng.choice(TAGS))),
                ],
            }
        ),
    }


@contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield str(Path(tmp) / "bench.db")
        return
    import psycopg

    name = f"contacthub_bench_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(ADMIN_URL, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN_URL.rpartition("/")[0] + "/" + name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def run(backend: str, count: int, repeat: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    docs = [make_customer(rng, n) for n in range(count)]
    emails = [doc["base"]["contacts"]["email"] for doc in docs]
    results: dict[str, Any] = {}
    with database(backend) as url:
        store = Store.connect(url)
        try:
            with store.write() as tx:
                tx.ensure_node(WS, NODE, {})
            started = time.perf_counter()
            for start in range(0, count, 1000):
                with store.write() as tx:
                    for doc in docs[start : start + 1000]:
                        tx.insert_customer(WS, doc, doc["base"]["contacts"]["email"])
            elapsed = time.perf_counter() - started
            results["load rate (customers/s)"] = count / elapsed
            # What the hub does by itself after a minute of writes (see Store.analyze), done now
            # so that the measurement does not depend on where that minute fell.
            store.analyze()
            results["load average"] = os.getloadavg()[0]
            qrng = random.Random(seed + 1)
            for label, make in query_makers(emails).items():
                timings, cpu, totals = [], [], []
                for _ in range(repeat):
                    query = parse_query(make(qrng))
                    began, began_cpu = time.perf_counter(), time.process_time()
                    with store.read() as tx:
                        _, total = tx.search_customers(WS, NODE, query=query, size=50)
                    timings.append((time.perf_counter() - began) * 1000)
                    cpu.append((time.process_time() - began_cpu) * 1000)
                    totals.append(total)
                cuts = statistics.quantiles(timings, n=20)
                results[label] = (
                    statistics.median(timings),
                    cuts[18],
                    statistics.median(cpu),
                    statistics.median(totals),
                )
        finally:
            store.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=40, help="runs of each query kind")
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        results = run(backend, args.customers, args.repeat, args.seed)
        print(f"\n{backend}, {args.customers} customers, page size 50, {args.repeat} runs each")
        print(f"  load: {results.pop('load rate (customers/s)'):,.0f} customers/s")
        print(f"  machine load average before the queries: {results.pop('load average'):.1f}")
        # CPU: this process only (all the work on SQLite; the client's share on PostgreSQL).
        print(f"  {'query':<22} {'p50 ms':>8} {'p95 ms':>8} {'CPU p50':>8} {'median total':>13}")
        for label, (p50, p95, cpu, total) in results.items():
            print(f"  {label:<22} {p50:>8.1f} {p95:>8.1f} {cpu:>8.1f} {total:>13,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
