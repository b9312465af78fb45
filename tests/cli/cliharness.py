"""Helpers shared by the command-line tests (imported by name: tests are not a package)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Result:
    """What one run of the command did."""

    code: int
    out: str
    err: str


Run = Callable[..., Result]


def credentials_of(hub: Any) -> list[str]:
    """The credential flags of a hub handle (the ``hub`` fixture or a provisioned one)."""
    # The `--flag=value` form: a generated token may start with "-".
    return [
        f"--workspace-id={hub.workspace_id}",
        f"--token={hub.token}",
        f"--base-url={hub.base_url}",
        f"--node-id={hub.node_id}",
    ]


@dataclass
class Other:
    """A second workspace and node on the same hub (round trips between nodes)."""

    workspace_id: str
    node_id: str
    token: str
    base_url: str
