"""Throughput of bulk import: ours against a plain loop over the original SDK, side by side.

Three runs, each against a hub of its own in a subprocess (``contacthub serve``, SQLite):

1. the original SDK (contacthub-sdk-python 0.2, in bench/.venv-original, built on first use by
   _original_sdk.py), a plain loop of ``node.add_customer(**c)`` then ``node.add_event(**e)``,
   against a hub with ``--latency-ms 20``;
2. ours, ``node.bulk_add_customers`` then ``node.bulk_add_events``, against the same kind of hub;
3. ours against a hub with no added latency: what the hub absorbs.

After each of our imports, every customer is exported back (``node.export_customers()``), once
fetching one page at a time and once with the default prefetch window.

The work: 2,000 customers (external id, names, email, tags) then 5,000 events (viewedPage with
properties, spread over those customers). A sequential loop's rate does not change with the
number of items, so by default the original loop runs on a fifth of them (``--original-share``)
to keep the run short on a shared machine; its rate is what is compared.

Run: ``./dev bench bulk_import`` (options: --customers, --events, --concurrency,
--latency-ms, --original-share).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _hubproc import NODE_ID, TOKEN, WORKSPACE_ID, HubProcess
from _original_sdk import original_python, run_python


def customer(prefix: str, i: int) -> dict[str, Any]:
    """One customer document of the benchmark."""
    return {
        "externalId": f"{prefix}-{i}",
        "base": {
            "firstName": f"First{i}",
            "lastName": f"Last{i}",
            "contacts": {"email": f"{prefix}.{i}@example.com"},
        },
        "tags": {"manual": ["bench", prefix]},
    }


def event(customer_id: str, i: int) -> dict[str, Any]:
    """One event document of the benchmark."""
    return {
        "customerId": customer_id,
        "type": "viewedPage",
        "context": "WEB",
        "date": f"2024-01-01T00:{(i // 60) % 60:02d}:{i % 60:02d}Z",
        "properties": {"title": f"Page {i}", "url": f"https://example.com/p/{i}"},
    }


ORIGINAL_WORKER = r"""
import json, sys, time
from contacthub import Workspace

base_url, workspace_id, token, node_id, customers, events, prefix = sys.argv[1:8]
customers, events = int(customers), int(events)
node = Workspace(workspace_id=workspace_id, token=token, base_url=base_url + "/workspaces").get_node(
    node_id=node_id
)
exec(open(sys.argv[8]).read())  # customer() and event(): the very documents ours sends

started = time.perf_counter()
ids = [node.add_customer(**customer(prefix, i)).id for i in range(customers)]
customer_seconds = time.perf_counter() - started
started = time.perf_counter()
for i in range(events):
    node.add_event(**event(ids[i % len(ids)], i))
event_seconds = time.perf_counter() - started
print(json.dumps({"customers": customers, "customer_seconds": customer_seconds,
                  "events": events, "event_seconds": event_seconds}))
"""


def run_original(hub: HubProcess, customers: int, events: int, directory: Path) -> dict[str, Any]:
    """The original SDK's plain loop, in its own interpreter."""
    documents = directory / "documents.py"
    source = Path(__file__).read_text(encoding="utf-8")
    start = source.index("def customer(")
    end = source.index("ORIGINAL_WORKER = ")
    documents.write_text("from typing import Any\n\n" + source[start:end], encoding="utf-8")
    out = run_python(
        original_python(),
        ORIGINAL_WORKER,
        hub.base_url,
        WORKSPACE_ID,
        TOKEN,
        NODE_ID,
        str(customers),
        str(events),
        "orig",
        str(documents),
        timeout=3600,
    )
    return dict(json.loads(out))


def run_ours(hub: HubProcess, customers: int, events: int, concurrency: int) -> dict[str, Any]:
    """Our bulk import, in this interpreter."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from contacthub.bulk import export as bulk
    from contacthub.workspace import Workspace

    # One pooled connection per worker: a smaller pool would open and discard connections.
    pool_size = max(32, concurrency)
    with Workspace(WORKSPACE_ID, TOKEN, hub.base_url, pool_size=pool_size) as workspace:
        node = workspace.get_node(NODE_ID)
        prefix = f"ours{hub.port}"
        started = time.perf_counter()
        run = node.bulk_add_customers(
            (customer(prefix, i) for i in range(customers)), concurrency=concurrency
        )
        ids = [str(o.id) for o in run if o.ok]
        customer_seconds = time.perf_counter() - started
        started = time.perf_counter()
        events_run = node.bulk_add_events(
            (event(ids[i % len(ids)], i) for i in range(events)), concurrency=concurrency
        )
        summary = events_run.run()
        event_seconds = time.perf_counter() - started
        # Export every customer back, pages fetched one at a time, then with prefetching.
        export_seconds = {}
        for prefetch in (1, bulk.EXPORT_PREFETCH):
            saved, bulk.EXPORT_PREFETCH = bulk.EXPORT_PREFETCH, prefetch
            started = time.perf_counter()
            exported = sum(1 for _ in node.export_customers())
            export_seconds[prefetch] = time.perf_counter() - started
            bulk.EXPORT_PREFETCH = saved
    return {
        "exported": exported,
        "export_seconds": export_seconds,
        "customers": customers,
        "customer_seconds": customer_seconds,
        "customer_failed": run.summary.failed,
        "events": events,
        "event_seconds": event_seconds,
        "event_failed": summary.failed,
    }


def _rates(result: dict[str, Any]) -> tuple[float, float]:
    return (
        result["customers"] / result["customer_seconds"],
        result["events"] / result["event_seconds"],
    )


def main() -> None:
    """Run the three imports and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--original-share", type=float, default=0.2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        share_c = max(1, int(args.customers * args.original_share))
        share_e = max(1, int(args.events * args.original_share))
        with HubProcess(directory, latency_ms=args.latency_ms) as hub:
            original = run_original(hub, share_c, share_e, directory)
        with HubProcess(directory, latency_ms=args.latency_ms) as hub:
            ours = run_ours(hub, args.customers, args.events, args.concurrency)
        with HubProcess(directory, latency_ms=0) as hub:
            capacity = run_ours(hub, args.customers, args.events, args.concurrency)

    o_c, o_e = _rates(original)
    u_c, u_e = _rates(ours)
    h_c, h_e = _rates(capacity)
    print(f"concurrency {args.concurrency}, hub latency {args.latency_ms} ms")
    print("| run | customers | customers/s | events | events/s |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| original SDK loop, {args.latency_ms} ms | {original['customers']} | {o_c:,.0f} | "
        f"{original['events']} | {o_e:,.0f} |"
    )
    print(
        f"| ours bulk, {args.latency_ms} ms | {ours['customers']} | {u_c:,.0f} | "
        f"{ours['events']} | {u_e:,.0f} |"
    )
    print(
        f"| ours bulk, 0 ms (hub capacity) | {capacity['customers']} | {h_c:,.0f} | "
        f"{capacity['events']} | {h_e:,.0f} |"
    )
    print(f"ours / original: customers {u_c / o_c:.1f}x, events {u_e / o_e:.1f}x")
    print(
        f"ours at {args.latency_ms} ms / hub capacity: customers {u_c / h_c:.0%}, events {u_e / h_e:.0%}"
    )
    for label, result in ((f"{args.latency_ms} ms", ours), ("0 ms", capacity)):
        timings = ", ".join(
            f"{result['exported'] / seconds:,.0f}/s with {prefetch} page(s) in flight"
            for prefetch, seconds in result["export_seconds"].items()
        )
        print(f"export of {result['exported']} customers, hub at {label}: {timings}")
    failed = ours["customer_failed"] + ours["event_failed"]
    failed += capacity["customer_failed"] + capacity["event_failed"]
    print(f"failed items (should be 0): {failed}")


if __name__ == "__main__":
    main()
