"""Imports that survive faults: a hub failing 20% of requests, a killed or interrupted import."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cliharness import Other, Run, credentials_of

from contacthub._http import RetryPolicy
from contacthub.workspace import Workspace
from contacthub_server.runner import HubServer
from contacthub_server.settings import HubSettings

pytestmark = pytest.mark.slow


def _write_customers(path: Path, count: int) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["externalId", "base.firstName", "base.contacts.email", "tags.manual"])
        for i in range(count):
            writer.writerow([f"row-{i}", f"Name {i}", f"row{i}@example.com", "imported|csv"])
    return path


def _stored_external_ids(creds: Other) -> list[str]:
    """Every customer of the node, listed page by page (through faults, if any)."""
    with Workspace(creds.workspace_id, creds.token, creds.base_url) as workspace:
        node = workspace.get_node(creds.node_id)
        return [str(c["externalId"]) for c in node.export_customers()]


def _provision(server: HubServer) -> Other:
    credentials = server.provision()
    return Other(credentials.workspace_id, credentials.node_id, credentials.token, server.base_url)


@pytest.fixture(scope="module")
def faulty_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubServer]:
    """A hub where 20% of requests fail: 503, 429, or a connection dropped before or after."""
    path = tmp_path_factory.mktemp("faulty") / "hub.db"
    settings = HubSettings(database_url=str(path), fault_rate=0.2, fault_seed=20260527)
    with HubServer(settings) as server:
        yield server


@pytest.fixture(scope="module")
def slow_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubServer]:
    """A hub answering every request after 25 ms, so an import lasts long enough to stop it."""
    path = tmp_path_factory.mktemp("slow") / "hub.db"
    with HubServer(HubSettings(database_url=str(path), latency_ms=25)) as server:
        yield server


def test_2000_customers_through_a_hub_failing_20_percent_arrive_exactly_once(
    run: Run, faulty_hub: HubServer, tmp_path: Path
) -> None:
    creds = _provision(faulty_hub)
    path = _write_customers(tmp_path / "customers.csv", 2000)
    rejects = tmp_path / "rejects.csv"
    result = run("customers", "import", str(path), "--rejects", str(rejects), creds=creds)
    assert result.code == 0, result.out + result.err
    assert "2000 created, 0 updated, 0 failed" in result.out
    assert "were checked against the hub (none sent twice)" in result.out
    assert "all 2000 rows imported" in result.out
    assert not rejects.exists()

    stored = _stored_external_ids(creds)
    assert len(stored) == 2000
    assert sorted(stored) == sorted(f"row-{i}" for i in range(2000))


def test_events_through_a_hub_failing_20_percent_arrive_exactly_once(
    run: Run, faulty_hub: HubServer, tmp_path: Path
) -> None:
    creds = _provision(faulty_hub)
    customers = _write_customers(tmp_path / "customers.csv", 20)
    assert run("customers", "import", str(customers), creds=creds).code == 0
    path = tmp_path / "events.csv"
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["externalId", "type", "context", "properties.title"])
        writer.writerows([f"row-{i % 20}", "viewedPage", "WEB", f"page {i}"] for i in range(600))
    result = run("events", "import", str(path), creds=creds)
    assert result.code == 0, result.out + result.err
    assert "600 created, 0 updated, 0 failed" in result.out
    # Some answers were lost on the way (dropped connections): those were checked, not resent.
    assert "were checked against the hub (none sent twice)" in result.out
    with Workspace(creds.workspace_id, creds.token, creds.base_url) as workspace:
        titles = [
            e["properties"]["title"] for e in workspace.get_node(creds.node_id).export_events()
        ]
    assert sorted(titles) == sorted(f"page {i}" for i in range(600))


def _start_import(
    path: Path, creds: Other, *extra: str, entity: str = "customers"
) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "contacthub.cli", entity, "import", str(path)]
    command += ["--concurrency", "4", "--quiet", *extra, *credentials_of(creds)]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=path.parent
    )


def _wait_for_done_rows(journal: Path, count: int, process: subprocess.Popen[str]) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if journal.exists():
            done = sum(1 for line in journal.read_text().splitlines() if line.startswith("D "))
            if done >= count:
                return done
        assert process.poll() is None, "the import ended before it could be interrupted"
        time.sleep(0.05)
    raise AssertionError("the import made no progress")


def test_resume_after_kill_9_sends_no_row_twice(
    run: Run, slow_hub: HubServer, tmp_path: Path
) -> None:
    creds = _provision(slow_hub)
    path = _write_customers(tmp_path / "customers.csv", 600)
    journal = tmp_path / "customers.csv.journal"
    process = _start_import(path, creds)
    _wait_for_done_rows(journal, 100, process)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert 0 < len(_stored_external_ids(creds)) < 600

    result = run("customers", "import", str(path), "--resume", creds=creds)
    assert result.code == 0, result.out + result.err
    assert "already imported (skipped)" in result.out
    # Rows sent just before the kill, with no outcome journaled, were checked, not resent.
    assert "were checked against the hub (none sent twice)" in result.out
    assert "all 600 rows imported" in result.out
    stored = _stored_external_ids(creds)
    assert sorted(stored) == sorted(f"row-{i}" for i in range(600))


def test_ctrl_c_stops_cleanly_and_resume_finishes(
    run: Run, slow_hub: HubServer, tmp_path: Path
) -> None:
    creds = _provision(slow_hub)
    path = _write_customers(tmp_path / "customers.csv", 600)
    journal = tmp_path / "my.journal"
    process = _start_import(path, creds, "--journal", str(journal))
    _wait_for_done_rows(journal, 50, process)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, out + err
    assert "run the same command with --resume" in out
    assert "Traceback" not in err
    # A graceful stop journals every row it sent: none is left to check.
    lines = journal.read_text().splitlines()[1:]
    sent = {int(n) for line in lines if line.startswith("S ") for n in line.split()[1:]}
    done = {int(line.split()[1]) for line in lines if line.startswith("D ")}
    assert sent == done
    assert len(_stored_external_ids(creds)) == len(done)

    result = run(
        "customers", "import", str(path), "--resume", "--journal", str(journal), creds=creds
    )
    assert result.code == 0, result.out + result.err
    assert f"{len(done)} already imported (skipped)" in result.out
    assert sorted(_stored_external_ids(creds)) == sorted(f"row-{i}" for i in range(600))


def test_resume_refuses_a_changed_input(run: Run, slow_hub: HubServer, tmp_path: Path) -> None:
    creds = _provision(slow_hub)
    path = _write_customers(tmp_path / "customers.csv", 3)
    assert run("customers", "import", str(path), creds=creds).code == 0
    _write_customers(path, 4)
    os.utime(path, ns=(0, 0))
    result = run("customers", "import", str(path), "--resume", creds=creds)
    assert result.code == 2
    assert "changed since the interrupted import" in result.err


def test_events_resume_after_kill_9_stores_each_event_once(
    run: Run, slow_hub: HubServer, tmp_path: Path
) -> None:
    creds = _provision(slow_hub)
    with Workspace(creds.workspace_id, creds.token, creds.base_url) as workspace:
        node = workspace.get_node(creds.node_id)
        (owner,) = node.bulk_add_customers([{"externalId": "owner"}])
    path = tmp_path / "events.csv"
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        # No date column: each event gets one when it is first read, kept in the journal.
        writer.writerow(["customerId", "type", "context", "properties.title"])
        writer.writerows([owner.id, "viewedPage", "WEB", f"page {i}"] for i in range(500))
    process = _start_import(path, creds, entity="events")
    _wait_for_done_rows(tmp_path / "events.csv.journal", 100, process)
    process.send_signal(signal.SIGKILL)
    process.communicate()

    result = run("events", "import", str(path), "--resume", creds=creds)
    assert result.code == 0, result.out + result.err
    assert "were checked against the hub (none sent twice)" in result.out
    with Workspace(creds.workspace_id, creds.token, creds.base_url) as workspace:
        titles = [
            e["properties"]["title"] for e in workspace.get_node(creds.node_id).export_events()
        ]
    assert sorted(titles) == sorted(f"page {i}" for i in range(500))


def test_an_import_stops_early_when_the_hub_goes_away_and_resume_finishes(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Waits between retries are what make a dead hub slow to detect; the test skips them.
    monkeypatch.setattr("contacthub.bulk.rounds.pause_delay", lambda round_number: 0.0)
    monkeypatch.setattr(RetryPolicy, "backoff_delay", lambda self, retry, rand=None: 0.0)
    database = tmp_path / "hub.db"
    path = _write_customers(tmp_path / "customers.csv", 3000)
    journal = tmp_path / "customers.csv.journal"
    server = HubServer(HubSettings(database_url=str(database), latency_ms=10))
    server.start()
    creds = _provision(server)

    def stop_after_some_rows() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if journal.exists() and journal.read_text().count("\nD ") >= 100:
                break
            time.sleep(0.02)
        server.stop()

    stopper = threading.Thread(target=stop_after_some_rows)
    stopper.start()
    try:
        result = run("customers", "import", str(path), "--concurrency", "4", creds=creds)
    finally:
        stopper.join()
        server.stop()
    assert result.code == 1, result.out + result.err
    assert "stopped early: " in result.out
    assert "got no answer from the API" in result.out
    assert "run the same command with --resume" in result.out

    # The hub comes back (same database, same port): --resume finishes the job.
    with HubServer(HubSettings(database_url=str(database)), port=server.port) as again:
        assert again.base_url == creds.base_url
        result = run("customers", "import", str(path), "--resume", creds=creds)
        assert result.code == 0, result.out + result.err
        stored = _stored_external_ids(creds)
    assert sorted(stored) == sorted(f"row-{i}" for i in range(3000))
