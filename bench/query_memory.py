"""The hub's memory under many distinct query shapes (issue 8: RSS must stay bounded).

Starts `contacthub serve` on a fresh SQLite file (or a PostgreSQL URL), stores a few customers,
then sends N distinct queries of C conditions each (every query a different sequence of
operators, so that no two compile to the same SQL) and reads the hub process's resident set
size (VmRSS) before, during and after. Before the fix, each new shape kept its compiled
statement in SQLAlchemy's cache (2.5-5 MB for 100 conditions), without bound.

    .venv/bin/python bench/query_memory.py                       # 400 queries of 100 conditions
    .venv/bin/python bench/query_memory.py --queries 100 --conditions 50
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import requests

from _hubproc import NODE_ID, TOKEN, WORKSPACE_ID, HubProcess

_OPERATORS: list[tuple[str, Any]] = [
    ("EQUALS", "a"),
    ("NOT_EQUALS", "b"),
    ("IN", ["a", "b"]),
    ("NOT_IN", ["c"]),
    ("IS_NULL", None),
    ("IS_NOT_NULL", None),
    ("GT", 3),
    ("LT", 7),
    ("BETWEEN", [1, 9]),
]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def distinct_query(seed: int, conditions: int) -> dict[str, Any]:
    """`conditions` atomic conditions, and-ed, with operators and paths drawn from `seed`."""
    rng = random.Random(seed)
    atoms = []
    for n in range(conditions):
        operator, value = rng.choice(_OPERATORS)
        atom: dict[str, Any] = {
            "type": "atomic",
            "attribute": f"extended.f{rng.randrange(20)}" if n % 2 else "base.firstName",
            "operator": operator,
        }
        if value is not None:
            atom["value"] = value
        atoms.append(atom)
    return {
        "name": "bench",
        "query": {
            "type": "simple",
            "name": "bench",
            "are": {"condition": {"type": "composite", "conjunction": "or", "conditions": atoms}},
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--conditions", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory, HubProcess(Path(directory)) as hub:
        assert hub._process is not None
        pid = hub._process.pid
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {TOKEN}"
        url = f"{hub.base_url}/workspaces/{WORKSPACE_ID}/customers"
        for n in range(20):
            body = {"nodeId": NODE_ID, "base": {"firstName": "a" if n % 2 else "b"}}
            session.post(url, json=body).raise_for_status()
        session.get(url, params={"nodeId": NODE_ID}).raise_for_status()
        start = rss_mib(pid)
        print(f"hub RSS at start: {start:.1f} MiB")
        peak = start
        for n in range(args.queries):
            query = json.dumps(distinct_query(n, args.conditions))
            response = session.get(url, params={"nodeId": NODE_ID, "query": query})
            if response.status_code != 200:
                raise SystemExit(f"query {n}: {response.status_code} {response.text[:300]}")
            if (n + 1) % 50 == 0:
                now = rss_mib(pid)
                peak = max(peak, now)
                print(f"after {n + 1:4d} queries: {now:7.1f} MiB")
        end = rss_mib(pid)
        print(
            f"{args.queries} distinct {args.conditions}-condition queries: RSS {start:.1f} -> "
            f"{end:.1f} MiB (peak {max(peak, end):.1f} MiB)"
        )


if __name__ == "__main__":
    main()
