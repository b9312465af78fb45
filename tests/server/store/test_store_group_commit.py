"""Concurrent write transactions: each is committed before it returns, and failures stay apart.

On SQLite the writers of a process share commits (`store.group`); these tests hold on both
backends, and the last ones drive the group commit directly with an injected commit failure.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Connection
from store_documents import customer

from contacthub_server.store import Store
from contacthub_server.store.group import GroupCommit

WRITERS = 12
WRITES_EACH = 8


def _run_writers(store: Store, ws: str, fail_every: int = 0) -> tuple[list[str], list[str]]:
    """Concurrent writers each adding tokens; returns (tokens committed, tokens whose block failed).

    Every writer checks, right after its write returned, that a new read transaction sees it.
    """
    start = threading.Barrier(WRITERS)
    committed: list[str] = []
    failed: list[str] = []
    problems: list[str] = []

    def writer(n: int) -> None:
        start.wait()
        for i in range(WRITES_EACH):
            token = f"{ws}-{n}-{i}"
            fails = fail_every and (n * WRITES_EACH + i) % fail_every == 0
            try:
                with store.write() as tx:
                    tx.add_token(token, ws)
                    if fails:
                        raise ValueError(token)
            except ValueError as exc:
                if str(exc) != token:
                    problems.append(f"{token}'s block raised another's error: {exc}")
                failed.append(token)
                continue
            with store.read() as tx:
                if tx.workspace_of_token(token) != ws:
                    problems.append(f"{token} not visible after its write returned")
            committed.append(token)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert problems == []
    return committed, failed


def test_every_concurrent_write_is_committed_when_it_returns(store: Store, ws: str) -> None:
    committed, failed = _run_writers(store, ws)
    assert failed == []
    assert len(committed) == WRITERS * WRITES_EACH
    with store.read() as tx:
        assert all(tx.workspace_of_token(token) == ws for token in committed)


def test_a_failing_block_undoes_its_own_changes_only(store: Store, ws: str) -> None:
    committed, failed = _run_writers(store, ws, fail_every=3)
    assert len(failed) == len(range(0, WRITERS * WRITES_EACH, 3))
    assert len(committed) + len(failed) == WRITERS * WRITES_EACH
    with store.read() as tx:
        assert all(tx.workspace_of_token(token) == ws for token in committed)
        assert all(tx.workspace_of_token(token) is None for token in failed)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """A store on its own SQLite file, for driving the group commit directly."""
    opened = Store.connect(str(tmp_path / "group.db"))
    try:
        yield opened
    finally:
        opened.close()


def _insert(conn: Connection, token: str) -> None:
    conn.exec_driver_sql("INSERT INTO workspaces (ws) VALUES (?)", (token,))


def _workspaces(store: Store) -> set[str]:
    with store.read() as tx:
        rows = tx._conn.exec_driver_sql("SELECT ws FROM workspaces").all()
    return {str(row[0]) for row in rows}


def _group_of_writers(group: GroupCommit, names: list[str]) -> dict[str, str]:
    """Run one writer per name, the first holding its block until the others wait behind it.

    Returns each writer's outcome: "ok" or the text of the error it raised.
    """
    outcomes: dict[str, str] = {}
    first_inside = threading.Event()

    def writer(name: str) -> None:
        try:
            with group.write() as conn:
                _insert(conn, name)
                if name == names[0]:
                    first_inside.set()
                    time.sleep(0.3)  # the others queue meanwhile: they join this transaction
            outcomes[name] = "ok"
        except Exception as exc:
            outcomes[name] = str(exc)

    first = threading.Thread(target=writer, args=(names[0],))
    first.start()
    assert first_inside.wait(30)
    others = [threading.Thread(target=writer, args=(name,)) for name in names[1:]]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join(timeout=60)
    return outcomes


def test_a_failed_commit_fails_every_writer_of_the_group(sqlite_store: Store) -> None:
    commits: list[int] = []

    @contextmanager
    def failing_commit() -> Iterator[Connection]:
        with sqlite_store._transaction(write=True) as conn:
            yield conn
            commits.append(1)
            raise OSError("disk I/O error (injected)")  # rolls the transaction back

    names = [f"failing-{n}" for n in range(5)]
    outcomes = _group_of_writers(GroupCommit(failing_commit), names)
    assert outcomes == dict.fromkeys(names, "disk I/O error (injected)")
    assert len(commits) < len(names)  # they really shared a commit
    assert not _workspaces(sqlite_store) & set(names)


def test_writers_sharing_a_commit_all_return_after_it(sqlite_store: Store) -> None:
    commits: list[set[str]] = []

    @contextmanager
    def counted_commit() -> Iterator[Connection]:
        with sqlite_store._transaction(write=True) as conn:
            yield conn
            seen = conn.exec_driver_sql("SELECT ws FROM workspaces").all()
            commits.append({str(row[0]) for row in seen})

    names = [f"shared-{n}" for n in range(6)]
    outcomes = _group_of_writers(GroupCommit(counted_commit), names)
    assert outcomes == dict.fromkeys(names, "ok")
    assert len(commits) < len(names)
    assert set(names) <= _workspaces(sqlite_store)


def _feed_of(store: Store, ws: str) -> list[tuple[int, str, str]]:
    """Every feed entry of `ws`: (offset, operation, customer id), oldest first."""
    with store.read() as tx:
        entries, _next = tx.read_feed(ws, after=0, size=4000)
    return [(offset, op, orjson.loads(data)["id"]) for offset, op, _entity, data in entries]


def test_failing_blocks_among_concurrent_writers_leave_no_entry_and_no_gap(
    store: Store, ws: str
) -> None:
    start = threading.Barrier(WRITERS)
    acknowledged: dict[int, list[str]] = {n: [] for n in range(WRITERS)}
    refused: list[str] = []

    def writer(n: int) -> None:
        start.wait()
        for i in range(WRITES_EACH):
            doc = customer(externalId=f"w{n}-{i}")
            try:
                with store.write() as tx:
                    tx.insert_customer(ws, doc, None)
                    if (n * WRITES_EACH + i) % 3 == 0:
                        raise ValueError(doc["id"])
            except ValueError:
                refused.append(doc["id"])
                continue
            acknowledged[n].append(doc["id"])

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    entries = _feed_of(store, ws)
    committed = [cid for ids in acknowledged.values() for cid in ids]
    assert refused
    assert committed
    # Gapless from 1, one CREATE per acknowledged write, none of a refused one.
    assert [offset for offset, _op, _id in entries] == list(range(1, len(committed) + 1))
    assert sorted(cid for _offset, _op, cid in entries) == sorted(committed)
    assert {op for _offset, op, _id in entries} == {"CREATE"}
    # In order: each writer's creates come in the order it made them.
    position = {cid: offset for offset, _op, cid in entries}
    for ids in acknowledged.values():
        assert [position[cid] for cid in ids] == sorted(position[cid] for cid in ids)
    with store.read() as tx:
        assert tx.feed_last_offset(ws) == len(committed)


def test_a_group_appends_its_blocks_feed_entries_in_order_and_drops_a_failed_ones(
    sqlite_store: Store,
) -> None:
    ws = "ws-grouped"
    with sqlite_store.write() as tx:
        tx.ensure_node(ws, "node-a", {})
    names = [f"grouped-{n}" for n in range(6)]
    docs = {name: customer(externalId=name) for name in names}
    failing = names[3]
    order: list[str] = []
    first_inside = threading.Event()
    outcomes: dict[str, str] = {}

    def writer(name: str) -> None:
        try:
            with sqlite_store.write() as tx:
                tx.insert_customer(ws, docs[name], None)
                order.append(name)
                if name == names[0]:
                    first_inside.set()
                    time.sleep(0.3)  # the others queue meanwhile: they join this group
                if name == failing:
                    raise ValueError(name)
            outcomes[name] = "ok"
        except ValueError as exc:
            outcomes[name] = str(exc)

    first = threading.Thread(target=writer, args=(names[0],))
    first.start()
    assert first_inside.wait(30)
    others = [threading.Thread(target=writer, args=(name,)) for name in names[1:]]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join(timeout=60)

    assert outcomes == {name: (failing if name == failing else "ok") for name in names}
    expected = [docs[name]["id"] for name in order if name != failing]
    assert _feed_of(sqlite_store, ws) == [
        (offset, "CREATE", cid) for offset, cid in enumerate(expected, start=1)
    ]


def test_a_raw_table_write_sees_the_feed_entries_of_the_writers_before_it(
    sqlite_store: Store,
) -> None:
    ws = "ws-raw"
    with sqlite_store.write() as tx:
        tx.ensure_node(ws, "node-a", {})
    doc = customer(externalId="before-the-raw-write")
    first_inside = threading.Event()
    seen: list[int] = []

    def feed_writer() -> None:
        with sqlite_store.write() as tx:
            tx.insert_customer(ws, doc, None)
            first_inside.set()
            time.sleep(0.3)  # the raw writer queues meanwhile

    def raw_writer() -> None:
        with sqlite_store.tables_write() as conn:
            count = conn.exec_driver_sql(
                "SELECT count(*) FROM feed_entries WHERE ws = ?", (ws,)
            ).scalar_one()
            seen.append(int(count))
            conn.exec_driver_sql("DELETE FROM feed_entries WHERE ws = ?", (ws,))
            conn.exec_driver_sql("DELETE FROM feed_heads WHERE ws = ?", (ws,))

    first = threading.Thread(target=feed_writer)
    first.start()
    assert first_inside.wait(30)
    raw = threading.Thread(target=raw_writer)
    raw.start()
    for thread in (first, raw):
        thread.join(timeout=60)
    # The raw block ran after the feed writer's entry was appended, so it could remove it.
    assert seen == [1]
    assert _feed_of(sqlite_store, ws) == []
