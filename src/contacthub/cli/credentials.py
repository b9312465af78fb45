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


_KEYS = (
    ("workspace_id", "--workspace-id"),
    ("token", "--token"),
    ("base_url", "--base-url"),
    ("node_id", "--node-id"),
)


@dataclass(frozen=True)
class Credentials:
    """Where to connect and as whom, all four taken from one source (``source`` names it)."""

    workspace_id: str
    token: str
    base_url: str
    node_id: str
    source: str = "the command's flags"


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
    """The credentials, whole from ONE source; say what is missing there.

    The source is the INI file given with ``--config``; else the flags, when any is given; else
    the ``CONTACTHUB_*`` variables, when any is set; else ``./contacthub.ini``. Values are never
    mixed field by field across sources (a token from one place with the workspace of another
    would reach the wrong workspace, or fail in a way that names neither).
    """
    env = os.environ if environ is None else environ
    flags = {key: getattr(args, key, None) for key, _ in _KEYS}
    given = {key: value for key, value in flags.items() if value}
    variables = {key: env.get(f"CONTACTHUB_{key.upper()}") for key, _ in _KEYS}
    if args.config:
        if given:
            raise CliError(
                "give the credentials either as flags or with --config, not both: they must "
                f"all come from one source (flags given: {', '.join(sorted(given))})"
            )
        values, source = _read_ini(Path(args.config)), f"the INI file {args.config}"
        how = "put '{key} = ...' in " + args.config
    elif given:
        values, source = given, "the command's flags"
        how = "pass {flag} too (flags must give all of them)"
    elif any(variables.values()):
        values = {key: value for key, value in variables.items() if value}
        source = "the CONTACTHUB_* environment variables"
        how = "set {var} too (the variables must give all of them)"
    elif Path(DEFAULT_INI).is_file():
        values, source = _read_ini(Path(DEFAULT_INI)), f"the INI file {DEFAULT_INI}"
        how = "put '{key} = ...' in " + DEFAULT_INI
    else:
        raise CliError(
            "no credentials: pass --workspace-id, --token and --node-id (and --base-url), set "
            "CONTACTHUB_WORKSPACE_ID, CONTACTHUB_TOKEN and CONTACTHUB_NODE_ID, or give an INI "
            f"file with --config (./{DEFAULT_INI}, which `contacthub serve` writes, is read when "
            "present)"
        )
    found: dict[str, str] = {}
    missing: list[str] = []
    for key, flag in _KEYS:
        value = (values.get(key) or "").strip()
        if not value and key == "base_url":
            value = DEFAULT_BASE_URL
        if value:
            found[key] = value
        else:
            missing.append(
                f"{key} ({how.format(key=key, flag=flag, var='CONTACTHUB_' + key.upper())})"
            )
    if missing:
        raise CliError(f"missing in {source}: " + "; ".join(missing))
    return Credentials(**found, source=source)


#: The most requests an import keeps in flight when its window adapts (no --concurrency).
ADAPTIVE_MAX = 64


def connect(credentials: Credentials, concurrency: int | None = 1) -> tuple[Workspace, Node]:
    """Open the workspace and node, and check they answer (so bad credentials fail fast).

    The connection pool is made at least as large as ``concurrency`` (``ADAPTIVE_MAX`` for
    None: an adaptive window), so that every request in flight keeps its connection open.
    """
    from contacthub._http import DEFAULT_POOL_SIZE
    from contacthub.workspace import Workspace

    try:
        workspace = Workspace(
            credentials.workspace_id,
            credentials.token,
            credentials.base_url,
            pool_size=max(DEFAULT_POOL_SIZE, concurrency or ADAPTIVE_MAX),
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
        hint = ""
        if exc.status_code in (401, 403):
            hint = f" (the token and workspace came from {credentials.source})"
        raise CliError(
            f"ContactHub refused node {credentials.node_id} of workspace "
            f"{credentials.workspace_id} at {credentials.base_url}: {exc.status_code} "
            f"{exc.message}{hint}"
        ) from None
    return workspace, node
