"""The request log's cost on customer creates: the same run, the log on and off, side by side.

Two hub processes (``python -m contacthub_server serve``, each on its own fresh SQLite file),
one with the request log at its default size (1,000 entries, bodies up to 16 KB) and one with
``--request-log-size 0``. Rounds of customer creates over 16 keep-alive connections alternate
between them (on, off, off, on, ...) so that the noise of a shared machine falls on both alike;
each round reports creates/s and the hub's CPU per request. Target: the log costs ≤ 5%.

    ./dev bench request_log                       # 6 rounds of 1,500 creates on each hub
    ./dev bench request_log --rounds 8 --creates 2000
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
from pathlib import Path
from typing import Any

import requests

from hub_throughput import NODE, TOKEN, WS, _phase, cpu_seconds, free_port

ADMIN_KEY = "bench-admin-key"


def start_hub(database: str, port: int, log_size: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "contacthub_server", "serve", "--port", str(port),
        "--database", database, "--workspace-id", WS, "--node-id", NODE, "--token", TOKEN,
        "--ini", os.devnull, "--log-level", "warning", "--request-log-size", str(log_size),
        "--admin-key", ADMIN_KEY,
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"http://127.0.0.1:{port}/_hub/health", timeout=1)
            return process
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the hub did not start") from None
            time.sleep(0.1)


def one_round(hub: subprocess.Popen[bytes], port: int, creates: int, connections: int) -> Any:
    before = cpu_seconds(hub.pid)
    row = asyncio.run(_phase(port, "creates", connections, creates, []))
    after = cpu_seconds(hub.pid)
    assert row["errors"] == 0, f"{row['errors']} creates failed"
    cpu = (after - before) / row["requests"] * 1000 if before is not None and after else None
    return row["per_second"], cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=6, help="rounds on each hub (6)")
    parser.add_argument("--creates", type=int, default=1500, help="creates per round (1500)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument(
        "--log-size", type=int, default=1000, help="the 'on' hub's log size (0: an A/A run)"
    )
    args = parser.parse_args(argv)

    results: dict[str, list[tuple[int, float | None]]] = {"on": [], "off": []}
    with tempfile.TemporaryDirectory() as tmp:
        hubs = {}
        for name, size in (("on", args.log_size), ("off", 0)):
            port = free_port()
            hubs[name] = (start_hub(str(Path(tmp) / f"{name}.db"), port, size), port)
        try:
            # A warm-up round each (imports, caches, the SQLite file growing), not counted.
            for process, port in hubs.values():
                one_round(process, port, min(300, args.creates), args.connections)
            for i in range(args.rounds):
                order = ("on", "off") if i % 2 == 0 else ("off", "on")
                for name in order:
                    process, port = hubs[name]
                    results[name].append(one_round(process, port, args.creates, args.connections))
            on_log = requests.get(
                f"http://127.0.0.1:{hubs['on'][1]}/_hub/requests",
                params={"limit": 1},
                headers={"Authorization": f"Bearer {ADMIN_KEY}"},
                timeout=10,
            )
        finally:
            for process, _ in hubs.values():
                process.terminate()
                process.wait(timeout=30)

    print(
        f"one hub process each on SQLite; {args.connections} connections; "
        f"{args.rounds} rounds of {args.creates} creates per hub, alternating"
    )
    print("| request log | creates/s per round | median | best | hub CPU ms/create (median) |")
    print("|---|---|---|---|---|")
    medians = {}
    cpus = {}
    for name in ("on", "off"):
        rates = [rate for rate, _ in results[name]]
        cpu = [c for _, c in results[name] if c is not None]
        medians[name] = statistics.median(rates)
        cpus[name] = statistics.median(cpu) if cpu else float("nan")
        label = "on (1,000 entries)" if name == "on" else "off (size 0)"
        print(
            f"| {label} | {', '.join(map(str, rates))} | {medians[name]:.0f} | {max(rates)} "
            f"| {cpus[name]:.3f} |"
        )
    overhead_us = recorder_overhead_us()
    throughput_cost = (1 - medians["on"] / medians["off"]) * 100
    cpu_cost = (cpus["on"] / cpus["off"] - 1) * 100
    print(f"cost of the log: {throughput_cost:.1f}% of creates/s, {cpu_cost:.1f}% more hub CPU")
    print(f"(the log held entries: {on_log.status_code == 200 and on_log.json()['recorded']})")
    share = overhead_us / 1000 / cpus["off"] * 100
    print(
        f"recorder alone, in process on a stub app: {overhead_us:.1f} µs per create-sized request "
        f"= {share:.1f}% of the hub's CPU per create without the log"
    )
    return 0


def recorder_overhead_us(calls: int = 50_000) -> float:
    """What the recorder alone adds to one request (µs): a stub app answering a create-sized
    request (130-byte body in, 650 bytes out), with and without the recorder, best of 5."""
    from contacthub_server.admin.request_log import RequestLog, RequestRecorder

    body = (
        b'{"nodeId": "bench-node", "externalId": "b-1", "base": {"firstName": "Bench", '
        b'"lastName": "User1", "contacts": {"email": "b-1@example.com"}}}'
    )
    answer = body * 5
    headers = [
        (b"host", b"127.0.0.1"),
        (b"authorization", b"Bearer bench-token"),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        start = {"type": "http.response.start", "status": 201, "headers": headers[2:]}
        await send(start)
        await send({"type": "http.response.body", "body": answer})

    async def receive() -> Any:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Any) -> None:
        return None

    async def timed(target: Any) -> float:
        started = time.perf_counter()
        for _ in range(calls):
            scope = {
                "type": "http",
                "method": "POST",
                "path": f"/hub/v1/workspaces/{WS}/customers",
                "query_string": b"",
                "headers": headers,
            }
            await target(scope, receive, send)
        return (time.perf_counter() - started) / calls * 1e6

    async def best() -> float:
        recorder = RequestRecorder(app, RequestLog(1000))
        return min([await timed(recorder) - await timed(app) for _ in range(5)])

    return asyncio.run(best())


if __name__ == "__main__":
    sys.exit(main())
