"""Peak memory (RSS) of ``contacthub customers import`` for 10,000 and 100,000 customers.

Each import runs as its own process (``python -m contacthub.cli customers import FILE``) against
a hub in another process (no added latency, SQLite); the peak resident set size of the import
process comes from ``wait4``'s resource usage, so the hub's memory is not counted. Flat memory
means both peaks are about the same: the import reads, sends and forgets one window of rows at
a time, whatever the size of the file.

Run: ``./dev bench bulk_memory`` (options: --sizes 10000,100000, --concurrency N).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _hubproc import NODE_ID, TOKEN, WORKSPACE_ID, HubProcess


def write_customers(path: Path, count: int) -> None:
    """A CSV of ``count`` customers, the columns a typical CRM export has."""
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            [
                "externalId",
                "base.firstName",
                "base.lastName",
                "base.contacts.email",
                "base.address.city",
                "tags.manual",
                "extended.points:int",
            ]
        )
        for i in range(count):
            writer.writerow(
                [f"m-{i}", f"First{i}", f"Last{i}", f"m.{i}@example.com", "Milano", "a|b", i]
            )


def measure(hub: HubProcess, path: Path, concurrency: int) -> tuple[float, int, str]:
    """Import ``path``; return seconds, peak RSS in KiB, and the command's summary line."""
    command = [
        sys.executable,
        "-m",
        "contacthub.cli",
        "customers",
        "import",
        str(path),
        "--quiet",
        "--concurrency",
        str(concurrency),
        f"--workspace-id={WORKSPACE_ID}",
        f"--token={TOKEN}",
        f"--base-url={hub.base_url}",
        f"--node-id={NODE_ID}",
    ]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        text = out.read().decode()
    if process.returncode != 0:
        raise RuntimeError(f"the import failed ({process.returncode}):\n{text}")
    # Linux reports ru_maxrss in KiB.
    return seconds, usage.ru_maxrss, text.strip().splitlines()[0]


def main() -> None:
    """Import each size once and print the peaks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    print("| customers | CSV size | seconds | rows/s | peak RSS of the import |")
    print("|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for size in sizes:
            path = directory / f"customers-{size}.csv"
            write_customers(path, size)
            with HubProcess(directory) as hub:
                seconds, peak_kib, summary = measure(hub, path, args.concurrency)
            print(
                f"| {size:,} | {path.stat().st_size / 1e6:.1f} MB | {seconds:.0f} | "
                f"{size / seconds:,.0f} | {peak_kib / 1024:.1f} MiB |",
                flush=True,
            )
            print(f"  ({summary})", file=sys.stderr)


if __name__ == "__main__":
    main()
