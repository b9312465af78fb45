"""Snapshot export and import at 100,000 customers and 200,000 events: rows/s and peak RSS.

Loads N customers (the query benchmark's documents) and 2N events into a fresh database through
the store, then, each in a fresh child process so that its peak RSS is its own, exports a
snapshot of the whole hub and imports it into another fresh database of the same backend.
Prints rows/s each way (every table's rows: customers, their documents and value index, events,
the change feed...) and the peak RSS of each child; run it at two sizes to see that the peak
stays flat (the snapshot streams in batches).

    .venv/bin/python bench/snapshot_100k.py                        # 100,000 customers, SQLite
    .venv/bin/python bench/snapshot_100k.py --customers 10000 --backend postgresql
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from contacthub_server.store import Store
from query_100k import NODE, WS, canonical, database, make_customer

TYPES = ("viewedPage", "viewedProduct", "addedProduct", "completedOrder", "loggedIn")


def load(url: str, customers: int, seed: int) -> float:
    """Load the customers and twice as many events; seconds taken."""
    rng = random.Random(seed)
    store = Store.connect(url)
    started = time.perf_counter()
    try:
        with store.write() as tx:
            tx.ensure_node(WS, NODE, {})
        for start in range(0, customers, 1000):
            batch = [make_customer(rng, n) for n in range(start, min(customers, start + 1000))]
            with store.write() as tx:
                for doc in batch:
                    tx.insert_customer(WS, doc, doc["base"]["contacts"]["email"])
                for doc in batch:
                    for k in range(2):
                        tx.insert_event(WS, event(rng, doc["id"], k), NODE)
    finally:
        store.close()
    return time.perf_counter() - started


def event(rng: random.Random, customer_id: str, k: int) -> dict[str, Any]:
    moment = canonical_moment(rng)
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128))),
        "customerId": customer_id,
        "bringBackProperties": None,
        "type": TYPES[(k + rng.randrange(5)) % 5],
        "context": "WEB",
        "date": moment,
        "properties": {"url": f"https://shop.example/p/{rng.randrange(10_000)}"},
        "contextInfo": {},
        "tracking": None,
        "registeredAt": moment,
    }


def canonical_moment(rng: random.Random) -> str:
    from datetime import datetime, timedelta, timezone

    base = datetime(2025, 1, 1, tzinfo=timezone.utc)
    return canonical(base + timedelta(seconds=rng.randrange(365 * 86400)))


def child(action: str, url: str, directory: str) -> None:
    """Run one export or import in this (child) process; print its figures as JSON."""
    from contacthub_server.admin import snapshot

    store = Store.connect(url)
    try:
        started = time.perf_counter()
        if action == "export":
            manifest = snapshot.export_snapshot(store, directory)
            rows = sum(table["rows"] for table in manifest["tables"])
        else:
            rows = sum(snapshot.import_snapshot(store, directory).values())
        elapsed = time.perf_counter() - started
    finally:
        store.close()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": rows, "seconds": elapsed, "peak_rss_mib": peak_kib / 1024}))


def in_child(action: str, url: str, directory: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", action, url, str(directory)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument(
        "--child", nargs=3, metavar=("ACTION", "URL", "DIR"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    with tempfile.TemporaryDirectory() as tmp, database(args.backend) as source:
        loaded = load(source, args.customers, args.seed)
        snap = Path(tmp) / "snapshot"
        exported = in_child("export", source, snap)
        size = sum(f.stat().st_size for f in snap.iterdir())
        with database(args.backend) as target:
            imported = in_child("import", target, snap)
    print(
        f"{args.backend}: {args.customers:,} customers and {2 * args.customers:,} events "
        f"(loaded in {loaded:.0f} s); snapshot {size / 2**20:.0f} MiB"
    )
    print("| direction | rows | seconds | rows/s | peak RSS MiB |")
    print("|---|---|---|---|---|")
    for name, figures in (("export", exported), ("import", imported)):
        print(
            f"| {name} | {figures['rows']:,} | {figures['seconds']:.1f} "
            f"| {figures['rows'] / figures['seconds']:,.0f} | {figures['peak_rss_mib']:.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
