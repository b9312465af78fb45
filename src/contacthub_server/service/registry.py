"""Workspaces, tokens and nodes: who may call the hub, and each node's settings.

Tokens and node settings are read on every request, so they are cached in memory once found.
Only positive answers are cached: a token or node created by another hub process sharing the
database is seen on its first use. Node settings change only through this registry (at start-up,
from ``--config`` or :meth:`Registry.provision`), which refreshes the cache.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from contacthub_server.service.matching import MatchingPolicy, policy_from_settings
from contacthub_server.service.validation import (
    ValidationFailed,
    strict_events,
    validate_node_settings,
)
from contacthub_server.settings import ConfigError, Credentials, WorkspaceConfig
from contacthub_server.store import Store, Tx


@dataclass(frozen=True)
class NodeConfig:
    """A node of a workspace with its checked settings: matching policy, extended schema and
    whether its events' sections follow the vendor's schemas (``strict_events``)."""

    workspace_id: str
    node_id: str
    settings: dict[str, Any]
    policy: MatchingPolicy
    extended_schema: dict[str, Any] | None
    strict_events: bool = True


def _node_config(ws: str, node_id: str, settings: dict[str, Any]) -> NodeConfig:
    schema = settings.get("extendedSchema")
    return NodeConfig(
        workspace_id=ws,
        node_id=node_id,
        settings=settings,
        policy=policy_from_settings(settings),
        extended_schema=schema if isinstance(schema, dict) else None,
        strict_events=strict_events(settings),
    )


def new_token() -> str:
    """A fresh random bearer token."""
    return secrets.token_urlsafe(32)


class Registry:
    """The hub's view of workspaces, tokens and nodes, over the store, with an in-memory cache."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._tokens: dict[str, str] = {}
        self._nodes: dict[tuple[str, str], NodeConfig] = {}

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """A write transaction of the store (committed when the block exits cleanly).

        The store queues a process's SQLite writers itself (on a lock, rather than SQLite's busy
        handler, which polls with sleeps of up to 100 ms) and lets them share commits.
        """
        with self.store.write() as tx:
            yield tx

    # -- lookups (hot path) ---------------------------------------------------------------
    def workspace_of_token(self, token: str) -> str | None:
        """The workspace a token belongs to, or None for an unknown token."""
        ws = self._tokens.get(token)
        if ws is not None:
            return ws
        with self.store.read() as tx:
            ws = tx.workspace_of_token(token)
        if ws is not None:
            with self._lock:
                self._tokens[token] = ws
        return ws

    def cached_workspace_of_token(self, token: str) -> str | None:
        """The workspace of a token if already cached (no database access), else None."""
        return self._tokens.get(token)

    def node(self, ws: str, node_id: str, tx: Any = None) -> NodeConfig | None:
        """A node's configuration, or None when the workspace has no such node.

        ``tx`` reuses an open transaction on a cache miss.
        """
        config = self._nodes.get((ws, node_id))
        if config is not None:
            return config
        if tx is None:
            with self.store.read() as own:
                settings = own.node_settings(ws, node_id)
        else:
            settings = tx.node_settings(ws, node_id)
        if settings is None:
            return None
        config = _node_config(ws, node_id, dict(settings))
        with self._lock:
            self._nodes[(ws, node_id)] = config
        return config

    # -- administration -------------------------------------------------------------------
    def provision(
        self,
        workspace_id: str | None = None,
        node_id: str | None = None,
        token: str | None = None,
        node_settings: dict[str, Any] | None = None,
    ) -> Credentials:
        """Ensure a workspace, a node and a token exist (random ones for None) and return them.

        ``node_settings`` (checked, ValidationFailed otherwise) replace the node's settings when
        given; an existing node otherwise keeps its own.
        """
        ws = workspace_id or str(uuid.uuid4())
        node = node_id or str(uuid.uuid4())
        tok = token or new_token()
        checked = validate_node_settings(node_settings) if node_settings is not None else None
        with self.write() as tx:
            tx.ensure_workspace(ws)
            tx.ensure_node(ws, node, checked if checked is not None else validate_node_settings({}))
            if checked is not None:
                tx.set_node_settings(ws, node, checked)
            owner = tx.workspace_of_token(tok)
            if owner is None:
                tx.add_token(tok, ws)
            elif owner != ws:
                raise ValueError(f"token already belongs to another workspace ({owner})")
        self._forget_node(ws, node)
        return Credentials(ws, node, tok)

    def apply_config(self, workspaces: Iterable[WorkspaceConfig], source: str) -> None:
        """Create what a configuration file declares; ConfigError names the bad key."""
        checked: list[tuple[WorkspaceConfig, dict[str, dict[str, Any]]]] = []
        for ws in workspaces:
            nodes: dict[str, dict[str, Any]] = {}
            for node_id, raw in ws.nodes.items():
                key = f"workspaces.{ws.workspace_id}.nodes.{node_id}"
                try:
                    nodes[node_id] = validate_node_settings(raw)
                except ValidationFailed as exc:
                    first = exc.errors[0]
                    sub = first.path.strip("/").replace("/", ".")
                    where = f"{key}.{sub}" if sub else key
                    raise ConfigError(f"{source}: '{where}': {first.message}") from None
            checked.append((ws, nodes))
        with self.write() as tx:
            for ws, nodes in checked:
                tx.ensure_workspace(ws.workspace_id)
                for node_id, settings in nodes.items():
                    tx.ensure_node(ws.workspace_id, node_id, settings)
                    tx.set_node_settings(ws.workspace_id, node_id, settings)
                for token in ws.tokens:
                    owner = tx.workspace_of_token(token)
                    if owner is None:
                        tx.add_token(token, ws.workspace_id)
                    elif owner != ws.workspace_id:
                        raise ConfigError(
                            f"{source}: 'workspaces.{ws.workspace_id}.tokens': a token is "
                            f"already used by workspace {owner!r}"
                        )
        for ws, nodes in checked:
            for node_id in nodes:
                self._forget_node(ws.workspace_id, node_id)

    def default_credentials(self) -> Credentials | None:
        """The first workspace, node and token the database got (None for a new database)."""
        with self.store.read() as tx:
            found = tx.default_credentials()
        return Credentials(*found) if found else None

    def forget_all(self) -> None:
        """Drop every cached token and node (after the admin reset or loaded a snapshot)."""
        with self._lock:
            self._tokens.clear()
            self._nodes.clear()

    def _forget_node(self, ws: str, node_id: str) -> None:
        with self._lock:
            self._nodes.pop((ws, node_id), None)
