"""Bulk import without a concurrency setting: the share of the hub's capacity it reaches.

For each hub latency (``--latency-ms``, default 20 and 100), a hub in a subprocess (SQLite) gets
three imports of the same customers, side by side in one run:

- ``adaptive``: ``node.bulk_add_customers(rows)`` with no ``concurrency`` (the window adapts);
- ``fixed 16``: ``concurrency=16``, the former default;
- and once, with no added latency, ``concurrency=64``: what the hub absorbs (its capacity).

The share is the import's customers/s over the capacity's. The adaptive window's peak is shown.

    .venv/bin/python bench/bulk_window.py                 # 2,000 customers, 20 and 100 ms
    .venv/bin/python bench/bulk_window.py --customers 5000 --latency-ms 20
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _hubproc import NODE_ID, TOKEN, WORKSPACE_ID, HubProcess
from contacthub.workspace import Workspace


def rows(prefix: str, count: int) -> Any:
    for i in range(count):
        yield {
            "externalId": f"{prefix}-{i}",
            "base": {"firstName": f"F{i}", "contacts": {"email": f"{prefix}.{i}@example.com"}},
        }


def timed_import(
    hub: HubProcess, prefix: str, count: int, concurrency: int | None
) -> tuple[float, int]:
    """Customers/s of one import, and the window's peak."""
    with Workspace(WORKSPACE_ID, TOKEN, hub.base_url, pool_size=64) as workspace:
        node = workspace.get_node(NODE_ID)
        started = time.perf_counter()
        run = node.bulk_add_customers(rows(prefix, count), concurrency=concurrency)
        summary = run.run()
        elapsed = time.perf_counter() - started
        if summary.failed:
            raise SystemExit(f"{summary.failed} customers failed")
        return count / elapsed, run.window.peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--latency-ms", type=int, action="append")
    args = parser.parse_args()
    latencies = args.latency_ms or [20, 100]
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        with HubProcess(directory, latency_ms=0) as hub:
            capacity, _ = timed_import(hub, "cap", args.customers, 64)
        print(f"hub capacity (0 ms, 64 in flight): {capacity:,.0f} customers/s")
        print("| hub latency | import | customers/s | share of capacity | window peak |")
        print("|---|---|---:|---:|---:|")
        for latency in latencies:
            with HubProcess(directory, latency_ms=latency) as hub:
                for label, concurrency in (("adaptive", None), ("fixed 16", 16), ("fixed 64", 64)):
                    rate, peak = timed_import(
                        hub, f"{label.replace(' ', '')}-{latency}", args.customers, concurrency
                    )
                    print(
                        f"| {latency} ms | {label} | {rate:,.0f} | {rate / capacity:.0%} | {peak} |"
                    )


if __name__ == "__main__":
    main()
