"""Reading a workspace's change feed (`GET …/updates`): `UpdateFeed`, from `Workspace.iter_updates`.

The feed lists every create, update and delete of a customer or an event, oldest first. The
API gives offsets per page, not per change: `UpdateFeed.offset` is where a new reader resumes
to miss nothing and see nothing twice, once every change yielded so far has been handled.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from contacthub._http import Transport

#: The largest page the API serves.
MAX_PAGE_SIZE = 4000
#: Follow mode: first and longest wait between two polls of an idle feed, in seconds.
FOLLOW_MIN_WAIT = 0.02
FOLLOW_MAX_WAIT = 0.5


class UpdateFeed(Iterator[dict[str, Any]]):
    """An iterator of the feed's changes: ``{"operation", "entity": {"type", "data"}}`` dicts.

    ``offset`` is the next offset to ask from: it moves to a page's ``nextOffset`` when the
    last change of that page is yielded (``page_done`` is then True). With ``follow`` the
    iterator never ends: it polls an idle feed, waiting from `FOLLOW_MIN_WAIT` seconds, doubled
    up to ``max_wait``, back to the minimum as soon as changes come.
    """

    def __init__(
        self,
        transport: Transport,
        *,
        offset: int = 0,
        follow: bool = False,
        size: int = MAX_PAGE_SIZE,
        node_id: str | None = None,
        entity: str | None = None,
        max_wait: float = FOLLOW_MAX_WAIT,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._transport = transport
        self.offset = offset
        self.page_done = True
        self._follow = follow
        self._params: dict[str, Any] = {"size": size}
        if node_id is not None:
            self._params["nodeId"] = node_id
        if entity is not None:
            self._params["entity"] = entity
        self._max_wait = max_wait
        self._sleep = sleep
        self._page: list[dict[str, Any]] = []
        self._page_next = offset

    def __iter__(self) -> UpdateFeed:
        return self

    def __next__(self) -> dict[str, Any]:
        wait = FOLLOW_MIN_WAIT
        while not self._page:
            body = self._transport.request(
                "GET", "/updates", params={**self._params, "offset": self.offset}
            )
            self._page = list(body.get("updates") or [])
            self._page_next = int(body.get("nextOffset", self.offset))
            if not self._page:
                self.offset = max(self.offset, self._page_next)
                if not self._follow:
                    raise StopIteration
                self._sleep(wait)
                wait = min(wait * 2, self._max_wait)
        update = self._page.pop(0)
        self.page_done = not self._page
        if self.page_done:
            self.offset = self._page_next
        return update


def last_offset(
    transport: Transport, *, node_id: str | None = None, entity: str | None = None
) -> int:
    """The offset of the workspace's last change (0 before any)."""
    params = {k: v for k, v in (("nodeId", node_id), ("entity", entity)) if v is not None}
    body = transport.request("GET", "/updates/last-offset", params=params)
    return int(body["lastOffset"])
