"""Async bulk import against the threaded one, at 20 ms of hub latency: rate and client CPU.

A hub in a subprocess (SQLite, ``--latency-ms``, default 20) gets imports of fresh customers,
alternating in one run between:

- ``threads``: ``node.bulk_add_customers(rows)`` of the sync client (a thread per request in
  flight, ``requests``);
- ``async``: ``async for outcome in anode.bulk_add_customers(rows)`` of the async client (tasks on
  one event loop, ``httpx``);

both with the default adaptive window and pool (32). For each: customers/s (wall clock) and the
client's CPU per customer (``time.process_time`` of this process: the hub runs in its own).

    .venv/bin/python bench/async_bulk.py                     # 3 rounds of 2,000 customers
    .venv/bin/python bench/async_bulk.py --customers 5000 --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _hubproc import NODE_ID, TOKEN, WORKSPACE_ID, HubProcess
from contacthub.aio import AsyncWorkspace
from contacthub.workspace import Workspace


def hub_cpu(hub: HubProcess) -> float:
    """CPU seconds the hub process has used (user + system), from /proc."""
    assert hub._process is not None
    fields = Path(f"/proc/{hub._process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rows(prefix: str, count: int) -> Any:
    for i in range(count):
        yield {
            "externalId": f"{prefix}-{i}",
            "base": {"firstName": f"F{i}", "contacts": {"email": f"{prefix}.{i}@example.com"}},
        }


def threaded(hub: HubProcess, prefix: str, count: int) -> tuple[float, float, int]:
    """Customers/s, client CPU seconds per customer and window peak of one threaded import."""
    with Workspace(WORKSPACE_ID, TOKEN, hub.base_url) as workspace:
        node = workspace.get_node(NODE_ID)
        cpu, wall = time.process_time(), time.perf_counter()
        run = node.bulk_add_customers(rows(prefix, count))
        summary = run.run()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if summary.created != count:
        raise SystemExit(f"threads: {summary}")
    return count / wall, cpu / count, run.window.peak


def asynchronous(hub: HubProcess, prefix: str, count: int) -> tuple[float, float, int]:
    """The same figures for one import of the async client."""

    async def main() -> tuple[float, float, int]:
        async with AsyncWorkspace(WORKSPACE_ID, TOKEN, hub.base_url) as workspace:
            node = workspace.get_node(NODE_ID)
            cpu, wall = time.process_time(), time.perf_counter()
            run = node.bulk_add_customers(rows(prefix, count))
            summary = await run.run()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if summary.created != count:
            raise SystemExit(f"async: {summary}")
        return count / wall, cpu / count, run.window.peak

    return asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--latency-ms", type=int, default=20)
    args = parser.parse_args()
    results: dict[str, list[tuple[float, float, int, float]]] = {"threads": [], "async": []}
    with (
        tempfile.TemporaryDirectory() as tmp,
        HubProcess(Path(tmp), latency_ms=args.latency_ms) as hub,
    ):
        # Warm both paths (imports, connections, the hub's caches) before measuring.
        threaded(hub, "warm-t", 200)
        asynchronous(hub, "warm-a", 200)
        for number in range(args.rounds):
            order = ("threads", "async") if number % 2 == 0 else ("async", "threads")
            for kind in order:
                run = threaded if kind == "threads" else asynchronous
                before = hub_cpu(hub)
                rate, cpu, peak = run(hub, f"{kind}-{number}", args.customers)
                served = (hub_cpu(hub) - before) / args.customers
                results[kind].append((rate, cpu, peak, served))
                print(
                    f"round {number} {kind:7}: {rate:7,.0f} customers/s, "
                    f"{cpu * 1e6:5.0f} µs client CPU/customer, {served * 1e6:5.0f} µs hub "
                    f"CPU/customer, window peak {peak}",
                    flush=True,
                )
    print()
    print(
        f"hub latency {args.latency_ms} ms, {args.customers} customers a round, {args.rounds} rounds (median)"
    )
    print("| import | customers/s | client CPU µs/customer | hub CPU µs/customer | window peak |")
    print("|---|---:|---:|---:|---:|")
    medians = {}
    for kind, figures in results.items():
        rate = statistics.median(f[0] for f in figures)
        cpu = statistics.median(f[1] for f in figures)
        peak = max(f[2] for f in figures)
        served = statistics.median(f[3] for f in figures)
        medians[kind] = (rate, cpu)
        print(f"| {kind} | {rate:,.0f} | {cpu * 1e6:,.0f} | {served * 1e6:,.0f} | {peak} |")
    (t_rate, t_cpu), (a_rate, a_cpu) = medians["threads"], medians["async"]
    print(f"\nasync/threads: rate x{a_rate / t_rate:.2f}, client CPU x{a_cpu / t_cpu:.2f}")


if __name__ == "__main__":
    main()
