"""`Store`: the hub's database, SQLite (default) or PostgreSQL, behind one interface.

SQLite runs in WAL mode with `synchronous=NORMAL`: readers never block the writer, and a killed
process loses nothing that was committed. Write transactions start with `BEGIN IMMEDIATE`, so two
writers queue on the busy timeout instead of deadlocking on a lock upgrade. Connections are
shared across the hub's handler threads through a pool.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import select as io_select
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event, select, text
from sqlalchemy.exc import DisconnectionError

from . import feed
from .group import GroupCommit
from .migrations import migrate
from .tx import IndexDelay, Tx

#: Seconds a SQLite writer waits for the write lock before giving up.
SQLITE_BUSY_TIMEOUT_S = 30
#: Oldest SQLite the store's SQL runs on.
SQLITE_MIN_VERSION = (3, 35, 0)
#: Seconds of writes between two refreshes of the planner statistics (see `Store.analyze`).
MAINTENANCE_EVERY_S = 60
#: SQLite page cache per connection, in KiB.
SQLITE_CACHE_KIB = 65536
#: Connection pool sizes (per process). The hub's thread pool is larger than the pool: handlers
#: wait for a connection rather than open unbounded ones.
POOL_SIZE = 10
POOL_MAX_OVERFLOW = 20
# Any fixed number: PostgreSQL sessions migrating the schema take this advisory lock in turn.
logger = logging.getLogger(__name__)
_MIGRATION_LOCK = 0x0C0_7AC7


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def normalize_url(url: str) -> str:
    """The SQLAlchemy URL for `url`: a plain path means a SQLite file; PostgreSQL uses psycopg 3."""
    if "://" not in url:
        return "sqlite:///" + os.path.abspath(url)
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_engine(url: str) -> Engine:
    if sqlite3.sqlite_version_info < SQLITE_MIN_VERSION:
        # RETURNING and MATERIALIZED common table expressions came with SQLite 3.35.
        raise RuntimeError(
            f"the hub needs SQLite {'.'.join(map(str, SQLITE_MIN_VERSION))} or newer; this "
            f"Python has {sqlite3.sqlite_version}: use a newer Python or PostgreSQL"
        )
    engine = create_engine(
        url,
        hide_parameters=True,  # an error's text must not carry customers' data into the log
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
        pool_size=POOL_SIZE,
        max_overflow=POOL_MAX_OVERFLOW,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_conn: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below): the driver must not start transactions on its own.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # ANALYZE samples this many rows per index: statistics in milliseconds, not seconds.
        cursor.execute("PRAGMA analysis_limit=1000")
        # A larger page cache (grown on demand, per connection): searches that match thousands of
        # customers re-read the same table and index pages, which the default 2 MB cannot hold.
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    return engine


def _postgres_engine(url: str) -> Engine:
    # SQLite needs nothing installed; PostgreSQL needs the driver of the `postgres` extra. Say
    # so, instead of SQLAlchemy's bare "No module named 'psycopg'".
    if importlib.util.find_spec("psycopg") is None:
        raise ValueError(
            "a postgresql:// database needs the PostgreSQL driver psycopg, which is not "
            "installed: pip install 'contacthub[server,postgres]' (or use a SQLite path)"
        )
    engine = create_engine(
        url,
        hide_parameters=True,  # an error's text must not carry customers' data into the log
        # work_mem: room for the hashed sets of IN / NOT IN sub-selects over a large value index;
        # without it PostgreSQL falls back to re-running the sub-select for every customer.
        # plan_cache_mode: psycopg prepares statements run often, and PostgreSQL would then plan
        # them once for any value; but "tag = vip" and "firstName is not null" need opposite
        # plans, so every execution is planned for its own values.
        connect_args={"options": "-c work_mem=64MB -c plan_cache_mode=force_custom_plan"},
        pool_size=POOL_SIZE,
        max_overflow=POOL_MAX_OVERFLOW,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
    )

    @event.listens_for(engine, "checkout")
    def _check_alive(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        # Instead of a pre-ping (a round trip to the server on every checkout, measured at a
        # tenth of a customer create's CPU): a pooled connection is idle, so the server has
        # nothing to say on it unless it is going away (a restart or an administrator's
        # termination sends an error, then closes). A dead or speaking connection is replaced:
        # the pool then opens a new one, as after a failed ping.
        if not _idle_and_quiet(dbapi_conn):
            raise DisconnectionError("the pooled PostgreSQL connection was closed")

    return engine


def _idle_and_quiet(dbapi_conn: Any) -> bool:
    """Whether a pooled psycopg connection is open, idle, and has nothing unread on its socket."""
    if dbapi_conn.closed or dbapi_conn.broken:
        return False
    from psycopg.pq import TransactionStatus  # the driver of the `postgres` extra

    if dbapi_conn.info.transaction_status != TransactionStatus.IDLE:
        return False
    try:
        fd = dbapi_conn.fileno()
        if hasattr(io_select, "poll"):
            poller = io_select.poll()
            poller.register(fd, io_select.POLLIN)
            return not poller.poll(0)
        readable, _, _ = io_select.select([fd], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


class Store:
    """The hub's storage: open with `Store.connect(url)`, use `read()`/`write()` transactions."""

    dialect: str

    def __init__(self, engine: Engine) -> None:
        """Wrap an engine made by `connect`; prefer `Store.connect`."""
        self._engine = engine
        self.dialect = engine.dialect.name
        self._sqlite = self.dialect == "sqlite"
        # SQLite: this process's writers queue on one lock and share commits (see `group`);
        # PostgreSQL writes concurrently, each transaction on its own.
        # The feed entries of a group's blocks are appended once for the group, before its commit.
        self._group = (
            GroupCommit(partial(self._transaction, write=True), self._append_feed)
            if self._sqlite
            else None
        )
        # Whether writes append to the change feed: always, except in the benchmark that
        # measures what the feed costs (bench/feed.py); no setting or API changes it.
        self._feed = True
        #: The opt-in indexing delay of each write: `(tx, ws, node_id) -> ms` (the app installs
        #: its registry's); None = no delay, every write shows in listings at once.
        self.index_delay: IndexDelay | None = None
        self._maintained_at = time.monotonic()
        self._maintenance_lock = threading.Lock()
        self._maintenance_thread: threading.Thread | None = None

    @classmethod
    def connect(cls, url: str) -> Store:
        """Open the database at `url` (a SQLAlchemy URL or a SQLite file path) and migrate it.

        Safe to call from several processes at once: the migration is serialised.
        """
        full_url = normalize_url(url)
        if full_url.startswith("sqlite"):
            engine = _sqlite_engine(full_url)
        elif full_url.startswith("postgresql"):
            engine = _postgres_engine(full_url)
        else:
            raise ValueError(
                f"unsupported database URL {url!r}: use a SQLite path or postgresql://"
            )
        store = cls(engine)
        try:
            store._migrate()
        except Exception:
            engine.dispose()
            raise
        store._start_maintenance()
        return store

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Connection]:
        """A connection in a transaction, committed when the block exits cleanly.

        The SQLite driver runs in autocommit mode (see `_sqlite_engine`), so the transaction
        starts here: BEGIN IMMEDIATE for writers, which then queue for the write lock rather
        than deadlock on a lock upgrade. It goes straight to the driver's connection: an engine
        "begin" listener would cost a full SQLAlchemy execution per transaction, and any engine
        listener makes SQLAlchemy dispatch events around every statement (a third of a
        customer read's CPU, measured). PostgreSQL's driver begins transactions by itself.
        """
        with self._engine.connect() as conn, conn.begin():
            if self._sqlite:
                driver: Any = conn.connection.driver_connection
                driver.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield conn

    def _migrate(self) -> None:
        with self._transaction(write=True) as conn:
            if self.dialect == "postgresql":
                conn.execute(select(text(f"pg_advisory_xact_lock({_MIGRATION_LOCK})")))
            migrate(conn, self.dialect)

    def analyze(self) -> None:
        """Refresh the query planner's statistics now (after a bulk load, for example).

        SQLite: a sampled ANALYZE (milliseconds). PostgreSQL: VACUUM (ANALYZE) of the hub's
        tables, which also lets the value indexes answer without visiting table rows. The store
        does this by itself on start and then after every `MAINTENANCE_EVERY_S` seconds of
        writes (in the background on PostgreSQL), as a server without autovacuum needs.
        """
        self._maintained_at = time.monotonic()
        if self._group is not None:
            with self._group.write() as conn:
                conn.exec_driver_sql("ANALYZE")
            return
        # VACUUM cannot run inside a transaction block.
        with self._engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(
                "VACUUM (ANALYZE) customers, customer_docs, customer_values, events, sessions, "
                "feed_entries, consent_logs, customer_deletions"
            )

    def _maintain(self) -> None:
        try:
            self.analyze()
        except Exception:  # never fatal: the next round tries again
            logger.warning("refreshing planner statistics failed", exc_info=True)
        finally:
            self._maintenance_lock.release()

    def _start_maintenance(self) -> None:
        # Without statistics the planners scan a node's customers instead of looking up the few
        # that a value index names (PostgreSQL, with rows estimated at 1, can even loop over
        # every customer); the database changes as the hub writes, so keep statistics fresh.
        if not self._maintenance_lock.acquire(blocking=False):
            return  # already running
        self._maintained_at = time.monotonic()
        if self.dialect == "sqlite":
            self._maintain()
            return
        self._maintenance_thread = threading.Thread(
            target=self._maintain, name="contacthub-store-maintenance", daemon=True
        )
        self._maintenance_thread.start()

    def close(self) -> None:
        """Wait for a running maintenance round, then close every pooled connection."""
        thread = self._maintenance_thread
        if thread is not None:
            thread.join(timeout=60)
        self._engine.dispose()

    def _append_feed(self, conn: Connection, pending: Sequence[feed.Pending]) -> None:
        feed.append(conn, self.dialect, pending)

    @contextmanager
    def tables_read(self) -> Iterator[Connection]:
        """A read transaction on the raw tables, every statement seeing one snapshot (admin
        snapshots: REPEATABLE READ on PostgreSQL; a SQLite read transaction already is one)."""
        if self._sqlite:
            with self._transaction(write=False) as conn:
                yield conn
            return
        with (
            self._engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn,
            conn.begin(),
        ):
            yield conn

    @contextmanager
    def tables_write(self) -> Iterator[Connection]:
        """A write transaction on the raw tables (admin reset and snapshot import); committed
        when the block exits cleanly. Documents written here bypass `Tx`: only for copying
        rows that a `Tx` wrote before."""
        if self._group is not None:
            with self._group.write() as conn:
                yield conn
        else:
            with self._transaction(write=True) as conn:
                yield conn

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A read transaction."""
        with self._transaction(write=False) as conn:
            yield Tx(conn, self.dialect)

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """A write transaction, committed when the block exits cleanly, rolled back otherwise.

        Returns only once the block's changes are committed. On SQLite, the blocks of concurrent
        writers run one after the other and may share one commit (`group.GroupCommit`); a block
        that raises has its own changes undone and never affects the others.
        """
        if self._group is not None:
            later: list[feed.Pending] = []
            with self._group.write(later) as conn:
                tx = Tx(conn, self.dialect, with_feed=self._feed, index_delay=self.index_delay)
                yield tx
                # Appended by `_append_feed` with those of the group's other blocks.
                later.extend(tx.take_feed())
        else:
            with self._transaction(write=True) as conn:
                tx = Tx(conn, self.dialect, with_feed=self._feed, index_delay=self.index_delay)
                yield tx
                # Last, so that the feed's head row is locked only from here to the commit (a
                # create that is the transaction's first write appends its own entry: `Tx`).
                tx.flush_feed()
        if time.monotonic() - self._maintained_at >= MAINTENANCE_EVERY_S:
            self._start_maintenance()
