"""The models' methods that talk to the API are for the sync client.

A model built by the async client (``AsyncNode``) holds that node, whose methods are coroutines:
``customer.post()`` would get a coroutine back, never run it, and take "no answer" for the
stored state. So each such method calls :func:`sync_only` first, which says what to await
instead.
"""

from __future__ import annotations

from typing import Any

from contacthub.errors import OperationNotPermitted


def sync_only(node: Any, method: str, instead: str) -> None:
    """Raise :class:`OperationNotPermitted` when ``node`` is an async node."""
    if getattr(node, "is_async", False):
        raise OperationNotPermitted(
            f"{method} sends its request synchronously, and this object belongs to an "
            f"AsyncNode: use {instead}"
        )
