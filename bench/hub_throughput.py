"""Hub throughput: customer creates/s, gets by id/s and event creates/s over loopback HTTP.

One hub process (``python -m contacthub_server serve`` on a fresh SQLite file, or ``--database``)
and, in this second process, concurrent keep-alive HTTP/1.1 connections driven by asyncio with a
minimal client (so that the client's own CPU use does not hide the hub's speed on a small
machine). Every phase sends a fixed number of requests and reports requests/s and latency.

    ./dev bench hub_throughput                      # defaults: 16 connections
    ./dev bench hub_throughput --creates 500 --gets 2000 --events 500
    ./dev bench hub_throughput --database postgresql://127.0.0.1/db --workers 2

With ``--workers N`` the hub runs as ``contacthub serve --workers N`` (PostgreSQL only): the hub
CPU figures then add up every process of the hub (the supervisor and its workers).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
import requests

WS, NODE, TOKEN = "bench-ws", "bench-node", "bench-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_hub(database: str, port: int, *extra: str) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "contacthub_server", "serve", "--port", str(port),
        "--database", database, "--workspace-id", WS, "--node-id", NODE, "--token", TOKEN,
        "--ini", os.devnull, "--log-level", "warning", *extra,
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"http://127.0.0.1:{port}/hub/v1/openapi.json", timeout=1)
            return process
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the hub did not start") from None
            time.sleep(0.1)


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) used so far by process ``pid`` and every live process below
    it (Linux: the workers of ``--workers N``), None elsewhere."""
    fields = _stat(pid)
    if fields is None:
        return None
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (other := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = (int(other[1]), other)
    tree, total = {pid}, 0.0
    total += int(fields[11]) + int(fields[12])
    grew = True
    while grew:
        grew = False
        for child, (parent, other) in parents.items():
            if parent in tree and child not in tree:
                tree.add(child)
                total += int(other[11]) + int(other[12])
                grew = True
    return total / os.sysconf("SC_CLK_TCK")


def _request(method: str, path: str, body: Any = None) -> bytes:
    payload = orjson.dumps(body) if body is not None else b""
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    writer.write(request)
    status = int((await reader.readline()).split()[1])
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length) if length else b""


def build(phase: str, i: int, ids: list[str], prefix: str) -> tuple[bytes, int]:
    """The request ``i`` of a phase and the status that means success."""
    path = f"/hub/v1/workspaces/{WS}"
    if phase == "creates":
        body = {
            "nodeId": NODE,
            "externalId": f"{prefix}-{i}",
            "base": {
                "firstName": "Bench",
                "lastName": f"User{i}",
                "contacts": {"email": f"{prefix}-{i}@example.com"},
            },
            "tags": {"auto": [], "manual": ["bench"]},
        }
        return _request("POST", f"{path}/customers", body), 201
    if phase == "gets":
        return _request("GET", f"{path}/customers/{ids[(i * 7919) % len(ids)]}"), 200
    body = {
        "customerId": ids[(i * 104729) % len(ids)],
        "type": "viewedPage",
        "context": "WEB",
        "properties": {"title": "Home", "url": "https://example.com/"},
    }
    return _request("POST", f"{path}/events", body), 202


async def _phase(
    port: int, phase: str, connections: int, total: int, ids: list[str]
) -> dict[str, Any]:
    prefix = uuid.uuid4().hex[:8]
    requests_ = [build(phase, i, ids, prefix) for i in range(total)]
    queue = iter(range(total))
    latencies: list[float] = []
    created: list[str] = []
    errors = 0

    async def connection() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for i in queue:
            request, expected = requests_[i]
            started = time.perf_counter()
            status, body = await _exchange(reader, writer, request)
            latencies.append(time.perf_counter() - started)
            if status != expected:
                errors += 1
            elif phase == "creates":
                created.append(orjson.loads(body)["id"])
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "phase": phase,
        "requests": len(latencies),
        "errors": errors,
        "per_second": round(len(latencies) / elapsed),
        "p50_ms": round(quantiles[49] * 1000, 1),
        "p95_ms": round(quantiles[94] * 1000, 1),
        "p99_ms": round(quantiles[98] * 1000, 1),
        "created": created,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument("--creates", type=int, default=3000)
    parser.add_argument("--gets", type=int, default=10000)
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--database", help="SQLAlchemy URL or SQLite path (default: a temp file)")
    parser.add_argument(
        "--index-delay-ms", type=int, default=0, help="the hub's indexing delay (0: none)"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="hub processes (above 1: PostgreSQL only)"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        database = args.database or str(Path(tmp) / "bench.db")
        port = free_port()
        extra = ["--index-delay-ms", str(args.index_delay_ms)] if args.index_delay_ms else []
        extra += ["--workers", str(args.workers)] if args.workers > 1 else []
        hub = start_hub(database, port, *extra)
        try:
            rows: list[dict[str, Any]] = []
            ids: list[str] = []
            for phase, count in (
                ("creates", args.creates),
                ("gets", args.gets),
                ("events", args.events),
            ):
                before = cpu_seconds(hub.pid)
                client_before = time.process_time()
                row = asyncio.run(_phase(port, phase, args.connections, count, ids))
                client_cpu = time.process_time() - client_before
                after = cpu_seconds(hub.pid)
                row["cpu_ms"] = (
                    round((after - before) / row["requests"] * 1000, 2)
                    if before is not None and after is not None
                    else "?"
                )
                # The client shares the cores with the hub: its cost bounds what the hub can get.
                row["client_cpu_ms"] = round(client_cpu / row["requests"] * 1000, 2)
                rows.append(row)
                ids = ids or row["created"]
        finally:
            hub.terminate()
            hub.wait(timeout=30)
    where = "SQLite (temp file)" if not args.database else args.database
    delay = f", indexing delay {args.index_delay_ms} ms" if args.index_delay_ms else ""
    processes = "one process" if args.workers == 1 else f"{args.workers} worker processes"
    print(f"hub: {processes} on {where}{delay}; clients: {args.connections} keep-alive connections")
    print(
        "| phase | requests | errors | req/s | p50 ms | p95 ms | p99 ms "
        "| hub CPU ms/request | client CPU ms/request |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['phase']} | {row['requests']} | {row['errors']} | {row['per_second']} "
            f"| {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} | {row['cpu_ms']} "
            f"| {row['client_cpu_ms']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
