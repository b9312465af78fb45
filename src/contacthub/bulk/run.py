"""A bulk run: items read lazily into an in-flight window, one outcome per item."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from contacthub.bulk.rounds import hopeless as _hopeless
from contacthub.bulk.window import INITIAL_WINDOW, AdaptiveWindow, FixedWindow
from contacthub.errors import APIError

OutcomeStatus = Literal["created", "updated", "present", "failed"]
# What a worker returns for one item: status, id, error, resolved.
WorkResult = tuple[OutcomeStatus, "str | None", "APIError | None", bool]
_WorkResult = WorkResult

#: ``concurrency=None`` (the default): the in-flight window adapts (`contacthub.bulk.window`).
DEFAULT_CONCURRENCY: int | None = None


@dataclass(frozen=True)
class BulkItem:
    """An item of a bulk import with a caller's key (what an outcome reports back).

    Plain dicts can be passed instead; their key is their position. ``recheck=True`` says an
    earlier attempt may have reached the hub (an interrupted import): the hub is checked before
    the item is sent, as after an unknown outcome.
    """

    document: Mapping[str, Any]
    key: Any = None
    recheck: bool = False


@dataclass(frozen=True)
class BulkOutcome:
    """What happened to one item of a bulk import."""

    #: Position of the item in the input (0-based).
    index: int
    #: The item's :class:`BulkItem` key, or its position for a plain dict.
    key: Any
    #: ``created``, ``updated`` (force update of an existing customer), ``present`` (a
    #: ``recheck`` item found in the hub as it is: an earlier run stored it, nothing was sent)
    #: or ``failed``.
    status: OutcomeStatus
    #: The id of the customer or event, when known.
    id: str | None = None
    #: Why it failed (for ``failed``).
    error: APIError | None = None
    #: True when an unknown outcome (or a ``recheck``) was settled by asking the hub.
    resolved: bool = False

    @property
    def ok(self) -> bool:
        """True unless the item failed."""
        return self.status != "failed"

    @property
    def status_code(self) -> int | None:
        """The HTTP status of the failure (None for no answer or no failure)."""
        return self.error.status_code if self.error is not None else None

    @property
    def message(self) -> str | None:
        """The API's message for the failure."""
        return self.error.message if self.error is not None else None

    @property
    def errors(self) -> list[Any]:
        """The API's per-field errors (``path``, ``message``) for the failure."""
        return self.error.errors if self.error is not None else []


@dataclass
class BulkSummary:
    """Counts of a bulk run so far, its elapsed time and rate."""

    total: int = 0
    created: int = 0
    updated: int = 0
    #: ``recheck`` items found already stored by an earlier run (nothing sent for them).
    present: int = 0
    failed: int = 0
    #: Unknown outcomes settled by asking the hub (counted in the other counts too).
    resolved: int = 0
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    def add(self, outcome: BulkOutcome) -> None:
        """Count one outcome."""
        self.total += 1
        if outcome.status == "created":
            self.created += 1
        elif outcome.status == "updated":
            self.updated += 1
        elif outcome.status == "present":
            self.present += 1
        else:
            self.failed += 1
        if outcome.resolved:
            self.resolved += 1

    @property
    def elapsed(self) -> float:
        """Seconds from the start to the end (or to now, while running)."""
        end = self.finished if self.finished is not None else time.monotonic()
        return end - self.started

    @property
    def rate(self) -> float:
        """Items done per second."""
        elapsed = self.elapsed
        return self.total / elapsed if elapsed > 0 else 0.0

    def __str__(self) -> str:
        return (
            f"{self.total} items: {self.created} created, {self.updated} updated, "
            f"{self.failed} failed in {self.elapsed:.1f} s ({self.rate:.0f}/s)"
        )


class BulkRun(Iterator[BulkOutcome]):
    """A running bulk import: iterate it for the outcomes as items finish.

    Items are read from the input only as room frees up in the in-flight window, so a generator
    over a huge file is never read ahead by more than the window. The window is ``concurrency``
    requests, or with ``concurrency=None`` adapts to the server (``window``: an
    :class:`~contacthub.bulk.window.AdaptiveWindow` between 1 and ``max_concurrency``). Stop early with
    :meth:`stop` (the items already sent still report their outcomes) or :meth:`close` (outcomes
    of items in flight are not reported). Use :meth:`run` to just wait for the summary.
    """

    def __init__(
        self,
        items: Iterable[Mapping[str, Any] | BulkItem],
        work: Callable[[BulkItem], _WorkResult],
        *,
        concurrency: int | None,
        before_send: Callable[[list[Any]], None] | None = None,
        max_concurrency: int = 64,
        overloaded: Callable[[APIError | None], bool] | None = None,
    ) -> None:
        if concurrency is not None and concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {concurrency}")
        self.summary = BulkSummary()
        self._items = iter(items)
        self._work = work
        self.window: AdaptiveWindow | FixedWindow = (
            FixedWindow(concurrency)
            if concurrency is not None
            else AdaptiveWindow(min(INITIAL_WINDOW, max_concurrency), maximum=max_concurrency)
        )
        self._overloaded = overloaded or _overloaded
        self._before_send = before_send
        self._stopping = threading.Event()
        #: Why the run stopped reading its input early, or None. Set when ``give_up_after``
        #: items in a row got no answer at all (the API is unreachable) or were refused with 401
        #: or 403 (the credentials stopped working): items not read yet get no outcome, so that
        #: a dead connection does not grind through the whole input.
        self.abandoned: str | None = None
        self.give_up_after = max(8, 2 * (concurrency or INITIAL_WINDOW))
        self._outcomes = self._generate()

    def __next__(self) -> BulkOutcome:
        return next(self._outcomes)

    def __iter__(self) -> BulkRun:
        return self

    def __enter__(self) -> BulkRun:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def stop(self) -> None:
        """Send no more items; iteration still yields the outcomes of the items in flight."""
        self._stopping.set()

    def close(self) -> None:
        """Stop now: no more items are sent, outcomes not yet reported are dropped."""
        self._stopping.set()
        self._outcomes.close()

    def run(self) -> BulkSummary:
        """Wait until every item is done and return the summary."""
        for _ in self:
            pass
        return self.summary

    def _guarded(self, item: BulkItem) -> _WorkResult:
        """The work on one item; an error that is not the API's fails the item, not the run."""
        try:
            return self._work(item)
        except Exception as exc:  # e.g. a document json cannot encode: that item's failure
            return guarded_failure(exc)

    def _generate(self) -> Generator[BulkOutcome, None, None]:
        # Refill the window in batches (once a quarter of it is free), so that the caller's
        # before_send (the journal's fsync) runs once per batch, not once per item.
        window = self.window
        position = 0
        exhausted = False
        in_flight = 0
        streak = HopelessStreak()
        # Finished futures arrive on a queue: waiting costs the same whatever the window's size.
        finished: queue.SimpleQueue[tuple[int, BulkItem, float, Future[_WorkResult]]] = (
            queue.SimpleQueue()
        )
        pool = ThreadPoolExecutor(window.maximum, thread_name_prefix="contacthub-bulk")

        def submit(index: int, item: BulkItem) -> None:
            began = time.monotonic()
            future = pool.submit(self._guarded, item)
            future.add_done_callback(lambda done: finished.put((index, item, began, done)))

        try:
            while True:
                free = window.limit - in_flight
                if (
                    not exhausted
                    and not self._stopping.is_set()
                    and free > 0
                    and (in_flight == 0 or free >= max(1, window.limit // 4))
                ):
                    batch: list[tuple[int, BulkItem]] = []
                    while len(batch) < free:
                        try:
                            raw = next(self._items)
                        except StopIteration:
                            exhausted = True
                            break
                        item = raw if isinstance(raw, BulkItem) else BulkItem(raw, position)
                        batch.append((position, item))
                        position += 1
                    if batch and self._before_send is not None:
                        self._before_send([item.key for _, item in batch])
                    for index, item in batch:
                        submit(index, item)
                    in_flight += len(batch)
                if not in_flight:
                    break
                try:
                    # A timeout, so that a signal handler (Ctrl-C) gets to run while waiting.
                    index, item, began, future = finished.get(timeout=0.5)
                except queue.Empty:
                    continue
                in_flight -= 1
                status, item_id, error, resolved = future.result()
                window.finished(time.monotonic() - began, overloaded=self._overloaded(error))
                outcome = BulkOutcome(index, item.key, status, item_id, error, resolved)
                self.summary.add(outcome)
                why = streak.see(outcome, self.give_up_after)
                if why is not None and self.abandoned is None:
                    self.abandoned = why
                    self._stopping.set()
                yield outcome
        finally:
            self.summary.finished = time.monotonic()
            pool.shutdown(wait=True, cancel_futures=True)


class HopelessStreak:
    """Items in a row failing in a way the next items will too (see ``rounds.hopeless``)."""

    def __init__(self) -> None:
        self.count = 0
        self.last: str | None = None

    def see(self, outcome: BulkOutcome, give_up_after: int) -> str | None:
        """Count ``outcome``; why the run should stop reading its input, once the streak
        reaches ``give_up_after`` (else None)."""
        hopeless = _hopeless(outcome.error)
        if hopeless is not None and hopeless == self.last:
            self.count += 1
        else:
            self.count = 1 if hopeless is not None else 0
        self.last = hopeless
        if self.count >= give_up_after:
            return f"{self.count} items in a row {hopeless} (last: {outcome.message})"
        return None


def guarded_failure(exc: Exception) -> WorkResult:
    """The outcome of an item whose work raised something other than an API error (e.g. a
    document JSON cannot encode): that item fails, not the run."""
    return "failed", None, APIError(f"{type(exc).__name__}: {exc}"), False


def overloaded(error: APIError | None) -> bool:
    """Whether a failure says the server is over its capacity (the window should shrink)."""
    return _overloaded(error)


def _overloaded(error: APIError | None) -> bool:
    """Whether a failure says the server is over its capacity (the window should shrink)."""
    return error is not None and error.status_code in (429, 503)
