"""The documents the hub accepts and emits, described in our own words, and its OpenAPI document."""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _openapi() -> dict[str, Any]:
    from contacthub_server.schemas.openapi import build_openapi

    return build_openapi()


def load_openapi() -> dict[str, Any]:
    """The OpenAPI 3 document of the hub (a fresh copy the caller may change)."""
    return copy.deepcopy(_openapi())
