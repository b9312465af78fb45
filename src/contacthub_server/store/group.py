"""Group commit: the SQLite writers of one process share a transaction, and one commit.

SQLite runs one write transaction at a time, and its commit (writing the changed pages to the
WAL) costs about a third of a customer create's CPU. Writers queue here anyway, so when a writer
finishes its block while others are already waiting, it leaves the transaction open for them;
the last writer of such a group commits for all (at most `MAX_GROUP` blocks), and every writer of
the group returns only after that commit succeeded. Durability is unchanged: no writer returns
before its changes are committed, and a failed commit fails every writer of the group.

Each block runs inside its own SAVEPOINT, so a block that raises undoes its own changes only, as
if it had its own transaction; the writers after it never see them.

A block may also hand work to the commit (`write(later=...)`: the change feed's entries): what a
block put in its `later` list joins the group only once the block succeeded, and `finish(conn,
items)` does the work of the whole group, in block order, right before the commit, in the same
transaction (its failure fails the group as a failed commit would). A block that hands nothing
over (the raw-table writes of the admin) commits the deferred work of the group before it first,
so that it sees, and may change, every row the blocks before it wrote.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from typing import Any

from sqlalchemy import Connection

#: The most blocks one commit covers: bounds how long the first writer of a group waits.
MAX_GROUP = 32
_SAVEPOINT = "contacthub_write"


class _Group:
    """The writers sharing one open transaction, and the outcome of its commit."""

    def __init__(self, transaction: AbstractContextManager[Connection]) -> None:
        self.transaction = transaction
        self.conn = transaction.__enter__()
        self.driver: Any = self.conn.connection.driver_connection
        self.blocks = 0
        self.later: list[Any] = []  # what the blocks so far handed to the commit, in order
        self.committed = threading.Event()
        self.error: BaseException | None = None


class GroupCommit:
    """Runs write blocks one at a time, committing groups of them together (see the module)."""

    def __init__(
        self,
        begin: Callable[[], AbstractContextManager[Connection]],
        finish: Callable[[Connection, Sequence[Any]], None] | None = None,
    ) -> None:
        """`begin()` opens a write transaction: a context manager giving its connection;
        `finish(conn, items)` does the work the group's blocks handed over (see the module)."""
        self._begin = begin
        self._finish = finish
        self._lock = threading.Lock()  # held by the writer running its block
        self._count_lock = threading.Lock()
        self._waiting = 0  # writers waiting for `_lock`
        self._group: _Group | None = None

    @contextmanager
    def write(self, later: list[Any] | None = None) -> Iterator[Connection]:
        """A connection inside a write transaction; returns once the block's changes are
        committed, and raises the block's own error (its changes undone) otherwise.

        `later`: a list the block fills with items for `finish`; they count only if the block
        succeeds. Without it, the group's deferred work is committed before the block runs.
        """
        with self._count_lock:
            self._waiting += 1
        self._lock.acquire()
        with self._count_lock:
            self._waiting -= 1
        group: _Group | None = None
        try:
            group = self._group
            if group is not None and later is None and group.later:
                # The commit of the group so far; this block starts the next group.
                self._commit(group)
                group = None
            if group is None:
                group = self._group = _Group(self._begin())
            # The first block needs no savepoint (undoing it is rolling the transaction back),
            # and a savepoint is not free: SQLite then journals the pages the block changes.
            first = group.blocks == 0
            if not first:
                group.driver.execute(f"SAVEPOINT {_SAVEPOINT}")
            try:
                yield group.conn
            except BaseException as exc:
                if first:
                    self._abandon(group, exc)
                else:
                    self._undo_block(group)
                raise
            if not first:
                group.driver.execute(f"RELEASE {_SAVEPOINT}")
            group.blocks += 1
            if later:
                group.later.extend(later)
        except BaseException:
            self._finish_after_failure(group)
            raise
        if self._hand_over(group):
            self._lock.release()
            group.committed.wait()
        else:
            try:
                self._commit(group)
            finally:
                self._lock.release()
        if group.error is not None:
            raise group.error

    def _hand_over(self, group: _Group) -> bool:
        """Whether to leave the transaction open for a writer already waiting (lock held)."""
        with self._count_lock:
            return self._waiting > 0 and group.blocks < MAX_GROUP

    def _commit(self, group: _Group) -> None:
        """Commit the group (lock held), recording the outcome for its writers."""
        if group.later and self._finish is not None:
            try:
                self._finish(group.conn, group.later)
            except BaseException as exc:
                self._abandon(group, exc)
                return
        self._group = None
        try:
            group.transaction.__exit__(None, None, None)
        except BaseException as exc:
            group.error = exc
        finally:
            group.committed.set()

    def _undo_block(self, group: _Group) -> None:
        """Undo the failed block's changes (lock held); abandon the group if that fails."""
        try:
            group.driver.execute(f"ROLLBACK TO {_SAVEPOINT}")
            group.driver.execute(f"RELEASE {_SAVEPOINT}")
        except BaseException as exc:
            # The database ended the transaction itself (e.g. an I/O error): nothing of the
            # group can be committed.
            self._abandon(group, exc)

    def _abandon(self, group: _Group, exc: BaseException) -> None:
        self._group = None
        group.error = exc
        # The rollback's own failure would add nothing the writers can use.
        with suppress(Exception):
            group.transaction.__exit__(type(exc), exc, exc.__traceback__)
        group.committed.set()

    def _finish_after_failure(self, group: _Group | None) -> None:
        """After a failed block (lock held): let the group go on, or commit it, then unlock."""
        try:
            if group is not None and self._group is group and not self._hand_over(group):
                if group.blocks:
                    self._commit(group)
                else:
                    self._abandon(group, RuntimeError("no block of this group succeeded"))
        finally:
            self._lock.release()
