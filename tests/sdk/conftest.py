"""Fixtures of the SDK tests."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

import pytest


@pytest.fixture
def local_time_zone() -> Iterator[Callable[[str], None]]:
    """Call it with a zone (``"Europe/Rome"``) to make that the process's local time zone.

    Naive datetimes are local time (``datetime.astimezone()`` reads the C library's zone, which
    ``time.tzset()`` reloads from ``TZ``); the previous zone is restored when the test ends.
    """
    before = os.environ.get("TZ")

    def use(zone: str) -> None:
        os.environ["TZ"] = zone
        time.tzset()

    try:
        yield use
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()
