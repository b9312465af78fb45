"""The adaptive in-flight window of bulk runs: it grows while nothing queues, shrinks when the
server queues or says it is overloaded, and a run without ``concurrency`` uses it end to end."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from contacthub import Node
from contacthub.bulk.window import AdaptiveWindow, FixedWindow


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def feed(window: AdaptiveWindow, clock: Clock, latency: float, count: int, **kw: Any) -> None:
    for _ in range(count):
        clock.now += latency / max(window.limit, 1)
        window.finished(latency, **kw)


def test_the_window_grows_while_the_latency_stays_at_its_floor() -> None:
    clock = Clock()
    window = AdaptiveWindow(8, maximum=128, clock=clock)
    feed(window, clock, 0.020, 400)
    assert window.limit == 128  # 20 ms, flat: nothing queues, so more in flight is better
    assert window.peak == 128


def test_the_window_settles_when_queueing_raises_the_latency() -> None:
    """A server that absorbs `capacity` requests a second: past capacity x base latency in
    flight, each extra request only waits in its queue (Little's law)."""
    clock = Clock()
    window = AdaptiveWindow(8, maximum=128, clock=clock)
    capacity, base = 1000.0, 0.020  # needs about 20 in flight
    for _ in range(3000):
        in_flight = window.limit
        latency = max(base, in_flight / capacity)
        clock.now += latency / in_flight
        window.finished(latency)
    # Enough to keep it busy (20) with the queue the tolerance allows (3 x 20), not the pool.
    assert 20 <= window.limit <= 100


def test_overload_answers_cut_the_window_once_per_round_trip() -> None:
    clock = Clock()
    window = AdaptiveWindow(8, maximum=128, clock=clock)
    feed(window, clock, 0.010, 300)
    before = window.limit
    window.finished(0.010, overloaded=True)
    after_one = window.limit
    window.finished(0.010, overloaded=True)  # the same round trip: no second cut
    assert after_one == pytest.approx(before * 2 / 3, abs=1)
    assert window.limit == after_one
    clock.now += 1.0
    window.finished(0.010, overloaded=True)
    assert window.limit < after_one
    for _ in range(50):
        window.finished(0.010, overloaded=True)
        clock.now += 1.0
    assert window.limit == window.minimum


def test_a_fixed_window_never_moves() -> None:
    window = FixedWindow(5)
    window.finished(10.0, overloaded=True)
    assert (window.limit, window.peak) == (5, 5)
    with pytest.raises(ValueError, match="minimum <= initial <= maximum"):
        AdaptiveWindow(0)


def test_a_run_without_concurrency_adapts_and_stores_everything(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Against the hub with 30 ms of added latency per request (injected in the transport), the
    window grows past its start and every customer is stored once."""
    transport = node.workspace.transport
    real = transport.request
    active = 0
    most = 0
    lock = threading.Lock()

    def slow(*args: Any, **kwargs: Any) -> Any:
        nonlocal active, most
        with lock:
            active += 1
            most = max(most, active)
        try:
            time.sleep(0.03)
            return real(*args, **kwargs)
        finally:
            with lock:
                active -= 1

    monkeypatch.setattr(transport, "request", slow)
    rows = [{"externalId": f"w-{n}", "base": {"firstName": f"W{n}"}} for n in range(400)]
    run = node.bulk_add_customers(rows)
    summary = run.run()
    assert summary.created == 400
    assert run.window.peak > 8  # it grew from where it started
    assert most <= transport.pool_size  # never more in flight than connections
    stored = {c["externalId"] for c in node.export_customers()}
    assert stored == {f"w-{n}" for n in range(400)}


def test_a_given_concurrency_is_kept(node: Node, monkeypatch: pytest.MonkeyPatch) -> None:
    transport = node.workspace.transport
    real = transport.request
    active = 0
    most = 0
    lock = threading.Lock()

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal active, most
        with lock:
            active += 1
            most = max(most, active)
        try:
            time.sleep(0.01)
            return real(*args, **kwargs)
        finally:
            with lock:
                active -= 1

    monkeypatch.setattr(transport, "request", counted)
    rows = [{"externalId": f"c-{n}"} for n in range(60)]
    run = node.bulk_add_customers(rows, concurrency=3)
    assert run.run().created == 60
    assert most == 3
    assert run.window.limit == 3
