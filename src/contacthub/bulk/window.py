"""How many requests a bulk run keeps in flight, adapted to what the server absorbs.

A fixed number cannot suit every link: at 20 ms of latency a hub that answers 1,000 requests a
second needs about 20 in flight to be kept busy, at 100 ms about 100, and beyond what it absorbs
more requests only wait in its queue. :class:`AdaptiveWindow` finds the number as TCP Vegas and
Netflix's concurrency limits do, from the latency itself: while the latency stays near the
lowest seen (nothing is queueing) the window grows; when it rises (requests queue in the server)
the window shrinks in proportion (it lets the latency reach three times the floor first: a
server that batches its writes, as the hub's group commit does, absorbs more with a queue); an answer saying the server is overloaded (429, 503) cuts it
by a third at once, at most once per round trip.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

#: Where an adaptive window starts, and its bounds.
INITIAL_WINDOW = 8
MIN_WINDOW = 1
MAX_WINDOW = 128


class AdaptiveWindow:
    """The number of requests to keep in flight; fed the latency of each finished request.

    Thread-safe. ``limit`` is the current window. The rule, per finished request: with ``short``
    the recent latency (an average over a few requests) and ``floor`` the lowest recent latency,
    ``gradient = clamp(tolerance * floor / short, 0.5, 1)`` and the window moves a fifth of the
    way towards ``limit * gradient + headroom``: it grows by about ``headroom / 5`` a request
    while nothing queues, and shrinks when queueing makes ``short`` exceed ``tolerance`` times
    the floor. The floor is forgotten slowly (it moves towards the recent latency with a time
    constant of ``memory`` seconds) so that a route that became slower for good is learnt,
    without the queue a full window builds being taken for the route's own latency.
    """

    def __init__(
        self,
        initial: int = INITIAL_WINDOW,
        *,
        minimum: int = MIN_WINDOW,
        maximum: int = MAX_WINDOW,
        tolerance: float = 3.0,
        headroom: float = 4.0,
        memory: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not minimum <= initial <= maximum:
            raise ValueError(
                f"need minimum <= initial <= maximum, got {minimum}, {initial}, {maximum}"
            )
        self.minimum = minimum
        self.maximum = maximum
        self._limit = float(initial)
        self._tolerance = tolerance
        self._headroom = headroom
        self._memory = memory
        self._seen = clock()
        self._clock = clock
        self._short: float | None = None
        self._floor: float | None = None
        self._last_cut = -1e9
        self._lock = threading.Lock()
        #: The largest window reached (for benchmarks and summaries).
        self.peak = initial

    @property
    def limit(self) -> int:
        """How many requests may be in flight now."""
        return max(self.minimum, min(self.maximum, int(self._limit)))

    def finished(self, latency: float, *, overloaded: bool = False) -> None:
        """Account for one finished request: its latency in seconds; ``overloaded`` for a 429
        or 503 answer (or a refused connection)."""
        with self._lock:
            now = self._clock()
            if overloaded:
                round_trip = self._short or latency
                if now - self._last_cut >= round_trip:
                    self._limit = max(float(self.minimum), self._limit * 2 / 3)
                    self._last_cut = now
                return
            if latency <= 0:
                return
            self._short = latency if self._short is None else self._short * 0.8 + latency * 0.2
            elapsed, self._seen = now - self._seen, now
            if self._floor is None or latency < self._floor:
                self._floor = latency
            else:
                self._floor += (self._short - self._floor) * min(1.0, elapsed / self._memory)
            gradient = max(0.5, min(1.0, self._tolerance * self._floor / self._short))
            target = self._limit * gradient + self._headroom
            self._limit += (target - self._limit) * 0.2
            self._limit = max(float(self.minimum), min(float(self.maximum), self._limit))
            self.peak = max(self.peak, self.limit)


class FixedWindow:
    """A window that does not move: ``concurrency=N`` given by the caller."""

    def __init__(self, size: int) -> None:
        self.limit = size
        self.peak = size
        self.minimum = self.maximum = size

    def finished(self, latency: float, *, overloaded: bool = False) -> None:
        """Nothing to learn."""
