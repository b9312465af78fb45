"""What the SDK's transport costs per request, and what its pooled session gives under concurrency.

Against an embedded hub (SQLite in a temporary directory), one run measures:

1. sequential ``GET /customers/{id}`` through a bare keep-alive ``requests.Session``, through
   ``Transport.request`` (retry policy, error mapping, logging) and through ``node.get_customer``
   (plus building the Customer): the per-request overhead of each layer;
2. with the hub delaying every answer by ``--latency-ms``, the same GETs from 1 thread and from
   ``--threads`` threads sharing one Workspace: the speed-up the connection pool allows.

Usage: ./dev bench sdk_transport [--requests 300] [--latency-ms 20] [--threads 8]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from contacthub import Workspace
from contacthub_server.runner import HubServer
from contacthub_server.settings import HubSettings


def timed(calls: int, layers: dict[str, Callable[[], object]], repeat: int = 5) -> dict[str, float]:
    """For each layer, the best over ``repeat`` runs of the mean seconds per call.

    The layers take turns within each repeat, so that load from other processes on a shared
    machine hits them alike.
    """
    best = dict.fromkeys(layers, float("inf"))
    for _ in range(repeat):
        for name, call in layers.items():
            started = time.perf_counter()
            for _ in range(calls):
                call()
            best[name] = min(best[name], (time.perf_counter() - started) / calls)
    return best


def layers(requests_count: int, database: Path) -> None:
    with HubServer(HubSettings(database_url=str(database))) as hub:
        creds = hub.provision()
        with Workspace(creds.workspace_id, creds.token, base_url=hub.base_url) as workspace:
            node = workspace.get_node(creds.node_id)
            customer = node.add_customer(base={"contacts": {"email": "bench@example.com"}})
            url = workspace.transport.url(f"/customers/{customer.id}")
            raw = requests.Session()
            headers = {"Authorization": f"Bearer {creds.token}"}
            results = timed(
                requests_count,
                {
                    "bare requests.Session": lambda: raw.get(url, headers=headers).json(),
                    "Transport.request": lambda: workspace.transport.request(
                        "GET", f"/customers/{customer.id}"
                    ),
                    "node.get_customer": lambda: node.get_customer(id=customer.id),
                },
            )
            raw.close()
    base = results["bare requests.Session"]
    print(f"sequential GET of one customer, {requests_count} requests, best of 5 interleaved runs:")
    print("| layer | mean per request | requests/s | overhead vs bare session |")
    print("|---|---|---|---|")
    for name, seconds in results.items():
        print(
            f"| {name} | {seconds * 1e3:.2f} ms | {1 / seconds:.0f} | "
            f"{(seconds - base) * 1e6:+.0f} µs |"
        )


def concurrency(requests_count: int, latency_ms: int, threads: int, database: Path) -> None:
    settings = HubSettings(database_url=str(database), latency_ms=latency_ms)
    with HubServer(settings) as hub:
        creds = hub.provision()
        with Workspace(creds.workspace_id, creds.token, base_url=hub.base_url) as workspace:
            node = workspace.get_node(creds.node_id)
            customer = node.add_customer(base={"contacts": {"email": "bench@example.com"}})

            def one(_: int) -> str:
                return node.get_customer(id=customer.id).id

            rates = {}
            for workers in (1, threads):
                samples = []
                for _ in range(2):
                    started = time.perf_counter()
                    with ThreadPoolExecutor(max_workers=workers) as pool:
                        list(pool.map(one, range(requests_count)))
                    samples.append(requests_count / (time.perf_counter() - started))
                rates[workers] = max(samples)
    print(f"\nGET of one customer with {latency_ms} ms hub latency, {requests_count} requests:")
    print("| threads sharing one Workspace | requests/s |")
    print("|---|---|")
    for workers, rate in rates.items():
        print(f"| {workers} | {rate:.0f} |")
    print(f"speed-up: {rates[threads] / rates[1]:.1f}x (ideal {threads}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        layers(args.requests, Path(tmp) / "layers.db")
        concurrency(args.requests // 2, args.latency_ms, args.threads, Path(tmp) / "latency.db")


if __name__ == "__main__":
    main()
