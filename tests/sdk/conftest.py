"""Fixtures of the SDK tests."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

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


# ---------------------------------------------------------------------- the async client
# Coroutine tests are marked `pytest.mark.anyio` (anyio's pytest plugin) and run on asyncio.


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def aworkspace(hub: Any) -> AsyncIterator[Any]:
    """An :class:`contacthub.AsyncWorkspace` on the ``hub`` fixture's fresh workspace."""
    from contacthub import AsyncWorkspace

    async with AsyncWorkspace(hub.workspace_id, hub.token, hub.base_url) as workspace:
        yield workspace


@pytest.fixture
def anode(aworkspace: Any, hub: Any) -> Any:
    """The :class:`contacthub.AsyncNode` of the ``hub`` fixture's fresh node."""
    return aworkspace.get_node(hub.node_id)
