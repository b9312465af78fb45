"""Two versions of the hub side by side: customer creates and gets, the same run, alternating.

Two hubs (``python -m contacthub_server serve``), each started with its own source tree on
``PYTHONPATH`` (``--before`` and ``--after``: e.g. an export of ``main`` and this checkout) and its
own fresh database: a SQLite file in a temporary directory, or, with ``--database`` naming a
PostgreSQL server, a database created (and dropped) on it for each hub. Rounds of creates, then
gets of the customers created, alternate between the hubs (before, after, after, before, ...),
so that the noise of a shared machine falls on both alike. Each round reports requests/s and the
hub's CPU per request (user + system of every process of the hub, from ``/proc``).

    ./dev bench side_by_side --before /tmp/main/src --after src
    ./dev bench side_by_side --before /tmp/main/src --after src \\
        --database postgresql://postgres@127.0.0.1:5432 --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from hub_throughput import _phase, cpu_seconds, free_port, start_hub


def _postgres(server: str, name: str, create: bool) -> str:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        if create:
            admin.execute(f'CREATE DATABASE "{name}"')
        else:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return f"{server}/{name}"


def one_round(
    hub: Any, port: int, phase: str, count: int, connections: int, ids: list[str]
) -> dict[str, Any]:
    before = cpu_seconds(hub.pid)
    row = asyncio.run(_phase(port, phase, connections, count, ids))
    after = cpu_seconds(hub.pid)
    assert row["errors"] == 0, f"{row['errors']} {phase} failed"
    row["cpu_ms"] = (after - before) / row["requests"] * 1000 if before and after else None
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--before", required=True, help="source tree of the first hub")
    parser.add_argument("--after", required=True, help="source tree of the second hub")
    parser.add_argument(
        "--database", help="a PostgreSQL server URL (no database name); default: SQLite files"
    )
    parser.add_argument("--workers", type=int, default=1, help="processes per hub (PostgreSQL)")
    parser.add_argument("--rounds", type=int, default=6, help="rounds on each hub (6)")
    parser.add_argument("--creates", type=int, default=1500, help="creates per round (1500)")
    parser.add_argument("--gets", type=int, default=3000, help="gets per round (3000)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients (16)")
    args = parser.parse_args(argv)

    names = ("before", "after")
    sources = {"before": args.before, "after": args.after}
    results: dict[str, dict[str, list[dict[str, Any]]]] = {
        name: {"creates": [], "gets": []} for name in names
    }
    created: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        hubs: dict[str, tuple[Any, int]] = {}
        databases: list[str] = []
        try:
            for name in names:
                if args.database:
                    db_name = f"bench_{name}_{uuid.uuid4().hex[:8]}"
                    database = _postgres(args.database.rstrip("/"), db_name, create=True)
                    databases.append(db_name)
                else:
                    database = str(Path(tmp) / f"{name}.db")
                os.environ["PYTHONPATH"] = str(Path(sources[name]).resolve())
                port = free_port()
                hubs[name] = (start_hub(database, port, args.workers), port)
            # A warm-up round each (imports, caches, statement preparation), not counted.
            for hub, port in hubs.values():
                row = one_round(hub, port, "creates", 300, args.connections, [])
                one_round(hub, port, "gets", 300, args.connections, row["created"])
            for i in range(args.rounds):
                for name in names if i % 2 == 0 else names[::-1]:
                    hub, port = hubs[name]
                    row = one_round(hub, port, "creates", args.creates, args.connections, [])
                    results[name]["creates"].append(row)
                    created = row["created"]
                    gets = one_round(hub, port, "gets", args.gets, args.connections, created)
                    results[name]["gets"].append(gets)
        finally:
            for hub, _port in hubs.values():
                hub.terminate()
                hub.wait(timeout=30)
            for db_name in databases:
                _postgres(args.database.rstrip("/"), db_name, create=False)

    backend = "PostgreSQL" if args.database else "SQLite"
    print(
        f"{backend}; {args.workers} process(es) per hub; {args.connections} connections; "
        f"{args.rounds} rounds of {args.creates} creates + {args.gets} gets per hub, alternating"
    )
    print(
        "| hub | phase | req/s per round | median req/s | hub CPU ms/request per round | median |"
    )
    print("|---|---|---|---|---|---|")
    medians: dict[tuple[str, str], float] = {}
    for name in names:
        for phase in ("creates", "gets"):
            rows = results[name][phase]
            rates = [row["per_second"] for row in rows]
            cpu = [row["cpu_ms"] for row in rows if row["cpu_ms"] is not None]
            medians[(name, phase)] = statistics.median(cpu) if cpu else float("nan")
            print(
                f"| {name} | {phase} | {', '.join(map(str, rates))} | "
                f"{statistics.median(rates):.0f} | {', '.join(f'{c:.2f}' for c in cpu)} | "
                f"{medians[(name, phase)]:.2f} |"
            )
    for phase in ("creates", "gets"):
        change = (medians[("after", phase)] / medians[("before", phase)] - 1) * 100
        print(f"hub CPU per {phase[:-1]}: {change:+.1f}% (after vs before, medians)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
