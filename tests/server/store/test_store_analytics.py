"""The analytics' SQL against Python's own time zone arithmetic, on both backends.

Events at random instants over three centuries (more zone transitions than one query's CASE
holds, so the span is counted in chunks) are grouped by local day, hour and weekday in SQL;
each count must equal what ``zoneinfo`` says of every instant.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect, text

from contacthub_server.schemas import dates, local_time
from contacthub_server.store import Store
from contacthub_server.store.analytics import MAX_TRANSITIONS, Scope, Unit
from contacthub_server.store.tables import SCHEMA_VERSION

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ZONES = [
    "Europe/Rome",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kolkata",
]


def store_events(store: Store, ws: str, instants: list[int]) -> None:
    with store.write() as tx:
        for instant in instants:
            moment = EPOCH + timedelta(milliseconds=instant)
            doc = {
                "id": str(uuid.uuid4()),
                "type": "viewedPage",
                "context": "WEB",
                "date": dates.format_datetime(moment),
                "properties": {},
            }
            tx.insert_event(ws, doc, "node-a")


@pytest.fixture
def instants(store: Store, ws: str) -> list[int]:
    rng = random.Random(20240331)
    low = int((datetime(1850, 1, 1, tzinfo=UTC) - EPOCH).total_seconds() * 1000)
    high = int((datetime(2150, 1, 1, tzinfo=UTC) - EPOCH).total_seconds() * 1000)
    chosen = [rng.randrange(low, high) // 1000 * 1000 for _ in range(400)]
    # And instants right around this century's transitions of each zone.
    for zone in ZONES:
        _first, changes = local_time.offsets_between(zone, 946684800000, 1893456000000)
        for at, _offset in changes[:: max(len(changes) // 10, 1)]:
            chosen += [at - 1000, at, at + 1000]
    store_events(store, ws, chosen)
    return chosen


@pytest.mark.parametrize("zone", ZONES)
def test_local_day_hour_and_weekday_counts_match_zoneinfo(
    store: Store, ws: str, instants: list[int], zone: str
) -> None:
    _first, changes = local_time.offsets_between(zone, min(instants), max(instants))
    if zone == "Europe/Rome":
        assert len(changes) > MAX_TRANSITIONS  # the span takes several chunks
    tz = ZoneInfo(zone)
    local = [(EPOCH + timedelta(milliseconds=i)).astimezone(tz) for i in instants]
    expected: dict[Unit, Counter[tuple[str, int]]] = {
        "day": Counter(("node-a", local_time.day_number(m.date())) for m in local),
        "hour": Counter(("node-a", m.hour) for m in local),
        "weekday": Counter(("node-a", m.weekday()) for m in local),
    }
    scope = Scope(ws, ("node-a", "node-b"))
    with store.read() as tx:
        for unit, counts in expected.items():
            assert tx.count_by_local_time("events", scope, zone, unit) == dict(counts), unit


def test_counts_respect_the_instant_range_and_filters(store: Store, ws: str) -> None:
    base = 1711800000000  # 2024-03-30T12:00:00Z
    store_events(store, ws, [base, base + 1, base + 2])
    scope = Scope(ws, ("node-a", "node-b"), start=base + 1, end=base + 2)
    with store.read() as tx:
        assert tx.count_by_node("events", scope) == {"node-a": 1}
        assert tx.count_by_node("events", Scope(ws, ("node-b",))) == {}
        kept = Scope(ws, ("node-a",), types=("completedOrder",))
        assert tx.count_by_node("events", kept) == {}
        assert tx.count_by_node("events", Scope(ws, ("node-a",), contexts=("WEB",))) == {
            "node-a": 3
        }


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        ("Europe/Rome", date(2024, 3, 31), "2024-03-30T23:00:00+00:00"),
        ("America/Santiago", date(2024, 9, 8), "2024-09-08T04:00:00+00:00"),  # no midnight
        ("Pacific/Chatham", date(2024, 1, 1), "2023-12-31T10:15:00+00:00"),
        ("Asia/Tokyo", date(1, 1, 1), None),
    ],
)
def test_day_start_is_the_first_instant_of_the_local_day(
    zone: str, day: date, expected: str | None
) -> None:
    start = local_time.day_start(zone, local_time.day_number(day))
    assert local_time.local_day(zone, start) == local_time.day_number(day)
    assert local_time.local_day(zone, start - 1) < local_time.day_number(day)
    if expected is not None:
        moment = EPOCH + timedelta(milliseconds=start)
        assert moment.isoformat() == expected


def test_a_version_8_database_gains_the_deletions_table_and_the_wider_events_index(
    tmp_path: Path,
) -> None:
    url = str(tmp_path / "v8.db")
    store = Store.connect(url)
    with store.write() as tx:  # back to what version 8 had
        tx._conn.execute(text("DROP TABLE customer_deletions"))
        tx._conn.execute(text("DROP INDEX ix_events_node_date"))
        tx._conn.execute(text("CREATE INDEX ix_events_node_date ON events (ws, node_id, date)"))
        tx._conn.execute(text("UPDATE schema_version SET version = 8"))
    store.close()
    store = Store.connect(url)
    try:
        with store.read() as tx:
            found = inspect(tx._conn)
            [index] = [i for i in found.get_indexes("events") if i["name"] == "ix_events_node_date"]
            assert index["column_names"] == ["ws", "node_id", "date", "type", "context"]
            assert found.has_table("customer_deletions")
            version = tx._conn.execute(text("SELECT version FROM schema_version")).scalar()
            assert version == SCHEMA_VERSION
    finally:
        store.close()
