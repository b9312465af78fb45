"""Where the ``contacthub`` command connects, and as whom."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from contacthub.cli.exits import (
    CliError,
)
from contacthub.errors import APIConnectionError, APIError

if TYPE_CHECKING:
    from contacthub.node import Node
    from contacthub.workspace import Workspace


DEFAULT_BASE_URL = "https://api.contactlab.it/hub/v1"
DEFAULT_INI = "contacthub.ini"


@dataclass(frozen=True)
class Credentials:
    """Where to connect and as whom, once flags, environment and INI file are merged."""

    workspace_id: str
    token: str
    base_url: str
    node_id: str


def _read_ini(path: Path) -> dict[str, str]:
    from contacthub.workspace import _parse_ini  # the SDK's reading of the guide's INI format

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(f"{path}: no such configuration file") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise CliError(f"{path}: cannot read the configuration file ({exc})") from None
    try:
        return _parse_ini(text, str(path))
    except ValueError as exc:
        raise CliError(str(exc)) from None


def resolve_credentials(
    args: argparse.Namespace, environ: dict[str, str] | os._Environ[str] | None = None
) -> Credentials:
    """Merge flags over ``CONTACTHUB_*`` variables over the INI file; say what is missing."""
    env = os.environ if environ is None else environ
    ini: dict[str, str] = {}
    source = "INI file"
    if args.config:
        ini = _read_ini(Path(args.config))
        source = args.config
    elif Path(DEFAULT_INI).is_file():
        ini = _read_ini(Path(DEFAULT_INI))
        source = DEFAULT_INI
    values: dict[str, str] = {}
    missing: list[str] = []
    for key, flag in (
        ("workspace_id", "--workspace-id"),
        ("token", "--token"),
        ("base_url", "--base-url"),
        ("node_id", "--node-id"),
    ):
        value = getattr(args, key, None) or env.get(f"CONTACTHUB_{key.upper()}") or ini.get(key)
        if not value and key == "base_url":
            value = DEFAULT_BASE_URL
        if not value:
            missing.append(
                f"{key} (pass {flag}, set CONTACTHUB_{key.upper()} or put '{key} = ...' in "
                f"{source if ini else 'an INI file given with --config'})"
            )
        else:
            values[key] = value.strip()
    if missing:
        raise CliError("missing " + "; ".join(missing))
    return Credentials(**values)


def connect(credentials: Credentials, concurrency: int = 1) -> tuple[Workspace, Node]:
    """Open the workspace and node, and check they answer (so bad credentials fail fast).

    The connection pool is made at least as large as ``concurrency``, so that every request in
    flight keeps its connection open between requests.
    """
    from contacthub._http import DEFAULT_POOL_SIZE
    from contacthub.workspace import Workspace

    try:
        workspace = Workspace(
            credentials.workspace_id,
            credentials.token,
            credentials.base_url,
            pool_size=max(DEFAULT_POOL_SIZE, concurrency),
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None
    node = workspace.get_node(credentials.node_id)
    try:
        workspace.transport.request(
            "GET", "/customers", params={"nodeId": credentials.node_id, "size": 1}
        )
    except APIConnectionError as exc:
        workspace.close()
        raise CliError(
            f"cannot reach ContactHub at {credentials.base_url}: {exc.message}"
        ) from None
    except APIError as exc:
        workspace.close()
        raise CliError(
            f"ContactHub refused node {credentials.node_id} of workspace "
            f"{credentials.workspace_id} at {credentials.base_url}: {exc.status_code} {exc.message}"
        ) from None
    return workspace, node
