"""Event creates/s on SQLite and PostgreSQL, side by side: the cost of validating events.

For each backend, one hub process (``python -m contacthub_server serve``, a fresh SQLite file or
a fresh PostgreSQL database) and, in this process, concurrent keep-alive HTTP/1.1 connections
driven by asyncio with the minimal client of ``hub_throughput.py``. The events are a realistic
mix (pages with a web context, orders with products and amounts, products, campaigns, services
with dates, logins), every one valid under the vendor's per-type and per-context schemas, so
each phase measures accepted creates (202). Rounds alternate between the node modes named by
``--modes``:

- ``default``: a node with the default settings (strict event properties, issue 8);
- ``relaxed``: a node with ``events = { strictProperties = false }`` (the older, lenient checks).

Each round reports events/s and the hub's CPU time per event (user + system of the hub process,
steadier than wall time on a shared machine); the summary keeps the best round of each.

    ./dev bench event_creates                                   # both backends, both modes
    ./dev bench event_creates --events 2000 --rounds 3 --backends sqlite
    ./dev bench event_creates --modes default                   # a hub without the setting
"""

from __future__ import annotations

import argparse
import asyncio
import os
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

from hub_throughput import _exchange, cpu_seconds, free_port

WS, TOKEN = "bench-ws", "bench-token"
NODES = {"default": "bench-strict", "relaxed": "bench-relaxed"}
POSTGRES_ADMIN_URL = os.environ.get(
    "CONTACTHUB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def config_text(modes: list[str]) -> str:
    """The hub's TOML configuration: the workspace, its token and one node per mode."""
    lines = [f"[workspaces.{WS}]", f'tokens = ["{TOKEN}"]', ""]
    for mode in modes:
        lines.append(f"[workspaces.{WS}.nodes.{NODES[mode]}]")
        if mode == "relaxed":
            lines.append("events = { strictProperties = false }")
        lines.append("")
    return "\n".join(lines)


def start_hub(database: str, port: int, config: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "contacthub_server", "serve", "--port", str(port),
        "--database", database, "--config", str(config), "--ini", os.devnull,
        "--log-level", "warning",
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


def _request(method: str, path: str, body: Any) -> bytes:
    payload = orjson.dumps(body)
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


def _product(i: int) -> dict[str, Any]:
    return {
        "id": f"p-{i % 97}",
        "sku": f"SKU{i % 97:05d}",
        "name": "Espresso cup",
        "price": 12.5,
        "category": ["kitchen", "coffee"],
        "linkUrl": f"https://shop.example.com/p/{i % 97}",
        "imageUrl": f"https://cdn.example.com/p/{i % 97}.jpg",
        "classifications": [{"key": "colour", "value": "white"}],
    }


def event(customer_id: str, i: int) -> dict[str, Any]:
    """Event ``i`` of the mix: six kinds in turn, each valid under the vendor's schemas."""
    web = {
        "client": {"userAgent": "Mozilla/5.0", "ip": "192.0.2.10"},
        "user": {"id": f"u-{i}", "contacts": {"email": f"user{i}@example.com"}},
    }
    date = f"2024-01-01T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}Z"
    kind = i % 6
    if kind == 0:
        body = {
            "type": "viewedPage",
            "context": "WEB",
            "contextInfo": web,
            "properties": {
                "title": f"Page {i}",
                "url": f"https://example.com/p/{i}",
                "path": f"/p/{i}",
                "pageCategories": ["news"],
            },
        }
    elif kind == 1:
        line = {**_product(i), "quantity": 2, "subtotal": 25.0, "type": "sale", "orderLineId": 1}
        body = {
            "type": "completedOrder",
            "context": "ECOMMERCE",
            "contextInfo": {**web, "store": {"id": "s1", "name": "Web shop", "type": "ECOMMERCE"}},
            "properties": {
                "orderId": f"o-{i}",
                "type": "sale",
                "paymentMethod": "creditcard",
                "amount": {"total": 25.0, "tax": 4.5, "local": {"currency": "EUR"}},
                "products": [line, {**line, "id": "p-extra", "orderLineId": 2}],
            },
        }
    elif kind == 2:
        body = {
            "type": "addedProduct",
            "context": "MOBILE",
            "contextInfo": {"device": {"model": "Pixel", "systemVersion": "14"}},
            "properties": {**_product(i), "quantity": 1},
        }
    elif kind == 3:
        body = {
            "type": "campaignSent",
            "context": "DIGITAL_CAMPAIGN",
            "properties": {
                "campaignId": f"c-{i % 11}",
                "campaignName": "Spring sale",
                "campaignTags": ["spring"],
                "channel": "EMAIL",
                "subscriberId": f"sub-{i}",
            },
        }
    elif kind == 4:
        body = {
            "type": "serviceSubscribed",
            "context": "OTHER",
            "properties": {
                "serviceId": "svc-1",
                "serviceName": "Newsletter",
                "startDate": "2024-01-01T00:00:00Z",
                "extraProperties": {"plan": "free"},
            },
        }
    else:
        body = {"type": "loggedIn", "context": "WEB", "contextInfo": web, "properties": {}}
    return {"customerId": customer_id, "date": date, **body}


async def _send_all(
    port: int, requests_: list[tuple[bytes, int]], connections: int
) -> dict[str, Any]:
    queue = iter(range(len(requests_)))
    latencies: list[float] = []
    answers: list[bytes] = []
    errors: list[str] = []

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for i in queue:
            request, expected = requests_[i]
            started = time.perf_counter()
            status, body = await _exchange(reader, writer, request)
            latencies.append(time.perf_counter() - started)
            if status != expected:
                errors.append(f"{status} {body[:300]!r}")
            answers.append(body)
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "requests": len(latencies),
        "errors": errors,
        "per_second": len(latencies) / elapsed,
        "p50_ms": quantiles[49] * 1000,
        "p95_ms": quantiles[94] * 1000,
        "answers": answers,
    }


def create_customers(port: int, node: str, count: int) -> list[str]:
    prefix = uuid.uuid4().hex[:8]
    path = f"/hub/v1/workspaces/{WS}/customers"
    batch = [
        (
            _request(
                "POST",
                path,
                {"nodeId": node, "base": {"contacts": {"email": f"{prefix}-{i}@example.com"}}},
            ),
            201,
        )
        for i in range(count)
    ]
    result = asyncio.run(_send_all(port, batch, 8))
    if result["errors"]:
        raise SystemExit(f"creating customers failed: {result['errors'][0]}")
    return [orjson.loads(answer)["id"] for answer in result["answers"]]


def event_round(
    port: int, pid: int, ids: list[str], count: int, connections: int, offset: int
) -> dict[str, Any]:
    path = f"/hub/v1/workspaces/{WS}/events"
    batch = [
        (_request("POST", path, event(ids[(i * 7919) % len(ids)], offset + i)), 202)
        for i in range(count)
    ]
    before = cpu_seconds(pid)
    result = asyncio.run(_send_all(port, batch, connections))
    after = cpu_seconds(pid)
    if result["errors"]:
        raise SystemExit(f"{len(result['errors'])} events refused, e.g. {result['errors'][0]}")
    result["cpu_ms"] = (
        (after - before) / count * 1000 if before is not None and after is not None else None
    )
    return result


def postgres_database() -> tuple[str, Any]:
    import psycopg

    admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    name = f"contacthub_bench_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
    return f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1), (admin, name)


def run_backend(backend: str, args: argparse.Namespace, tmp: Path) -> list[dict[str, Any]]:
    dropper = None
    if backend == "sqlite":
        database = str(tmp / f"bench-{uuid.uuid4().hex[:6]}.db")
    else:
        database, dropper = postgres_database()
    config = tmp / "hub.toml"
    config.write_text(config_text(args.modes))
    port = free_port()
    hub = start_hub(database, port, config)
    rows: list[dict[str, Any]] = []
    try:
        ids = {mode: create_customers(port, NODES[mode], args.customers) for mode in args.modes}
        for mode in args.modes:  # warm-up: connections, caches, the planner's statistics
            event_round(port, hub.pid, ids[mode], args.warmup, args.connections, 0)
        offset = args.warmup
        for round_number in range(args.rounds):
            for mode in args.modes:
                row = event_round(port, hub.pid, ids[mode], args.events, args.connections, offset)
                offset += args.events
                row.update(backend=backend, mode=mode, round=round_number + 1)
                rows.append(row)
                print(
                    f"  {backend:10} {mode:8} round {round_number + 1}: "
                    f"{row['per_second']:.0f} events/s, hub CPU {row['cpu_ms']:.2f} ms/event",
                    flush=True,
                )
    finally:
        hub.terminate()
        hub.wait(timeout=30)
        if dropper is not None:
            admin, name = dropper
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument("--customers", type=int, default=200, help="owners of the events (200)")
    parser.add_argument("--events", type=int, default=1500, help="events per round (1500)")
    parser.add_argument("--warmup", type=int, default=300, help="events sent first, unmeasured")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per mode (3)")
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite,postgresql")
    parser.add_argument("--modes", default="default,relaxed", help="default,relaxed")
    args = parser.parse_args(argv)
    args.modes = [mode for mode in args.modes.split(",") if mode]
    if not args.modes or any(mode not in NODES for mode in args.modes):
        parser.error(f"--modes takes {', '.join(NODES)}")
    backends = [backend for backend in args.backends.split(",") if backend]
    if not backends or any(backend not in ("sqlite", "postgresql") for backend in backends):
        parser.error("--backends takes sqlite, postgresql")

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            rows.extend(run_backend(backend, args, Path(tmp)))
    print(
        f"\n{args.connections} keep-alive connections, {args.rounds} rounds of "
        f"{args.events} events per mode (best round; all rounds' events/s in brackets)"
    )
    print("| backend | node | events/s | hub CPU ms/event | p50 ms | p95 ms | rounds (events/s) |")
    print("|---|---|---|---|---|---|---|")
    for backend in backends:
        for mode in args.modes:
            mine = [row for row in rows if row["backend"] == backend and row["mode"] == mode]
            best = max(mine, key=lambda row: row["per_second"])
            cpu = min(row["cpu_ms"] for row in mine if row["cpu_ms"] is not None)
            every = ", ".join(f"{row['per_second']:.0f}" for row in mine)
            print(
                f"| {backend} | {mode} | {best['per_second']:.0f} | {cpu:.2f} "
                f"| {best['p50_ms']:.1f} | {best['p95_ms']:.1f} | {every} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
