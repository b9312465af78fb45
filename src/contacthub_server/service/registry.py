"""Workspaces, tokens and nodes: who may call the hub, and each node's settings.

Tokens and node settings are read on every request, so they are cached in memory once found.
Only positive answers are cached: a token or node created by another hub process sharing the
database is seen on its first use. A change made through this registry or the configuration API
of this process refreshes the cache at once; one made by another process is seen within
:data:`CACHE_SECONDS`, after which a cached node's settings (and a workspace's event types) are
read again.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from contacthub_server.schemas.configuration import WORKSPACE_INPUT
from contacthub_server.schemas.event_catalog import EVENT_TYPES
from contacthub_server.schemas.event_catalog import MODES as EVENT_MODES
from contacthub_server.schemas.spec import Bool, FieldError, Obj, Str
from contacthub_server.service.matching import (
    NO_CHECK,
    MatchingPolicy,
    match_key,
    policy_from_settings,
)
from contacthub_server.service.validation import (
    ValidationFailed,
    strict_events,
    validate_node_settings,
)
from contacthub_server.settings import ConfigError, Credentials, WorkspaceConfig
from contacthub_server.store import Store, Tx

#: Seconds a process trusts what it cached of a node's settings or a workspace's event types
#: before reading them again (another process sharing the database may have changed them).
CACHE_SECONDS = 1.0

#: A workspace's event types: type -> (mode, enabled).
EventTypes = dict[str, tuple[str, bool]]


@dataclass(frozen=True)
class NodeConfig:
    """A node of a workspace with its checked settings: matching policy, extended schema and
    the properties every customer of the node must have, and whether its events' sections
    follow the vendor's schemas (``strict_events``)."""

    workspace_id: str
    node_id: str
    settings: dict[str, Any]
    policy: MatchingPolicy
    extended_schema: dict[str, Any] | None
    mandatory: tuple[str, ...] = ()
    strict_events: bool = True
    #: The node's own indexing delay in ms; None = the hub's.
    index_delay_ms: int | None = None


def _node_config(ws: str, node_id: str, settings: dict[str, Any]) -> NodeConfig:
    schema = settings.get("extendedSchema")
    return NodeConfig(
        workspace_id=ws,
        node_id=node_id,
        settings=settings,
        policy=policy_from_settings(settings),
        extended_schema=schema if isinstance(schema, dict) else None,
        mandatory=tuple(settings.get("mandatoryProperties") or ()),
        strict_events=strict_events(settings),
        index_delay_ms=settings.get("indexDelayMs"),
    )


def _identity(policy: MatchingPolicy) -> tuple[Any, ...]:
    """What a policy's match keys depend on (BLOCK and MERGE give the same keys)."""
    if policy.mode == NO_CHECK:
        return (NO_CHECK,)
    return (policy.properties, policy.case_sensitive)


#: WorkspaceConfiguration keys a configuration file may not set: the uniqueness policy is each
#: node's ``matching.policy``, and the tier is read-only.
_UNDECLARABLE = ("customerUniquenessPolicy", "tier")


def _declared_workspace(
    ws: WorkspaceConfig, source: str
) -> tuple[dict[str, Any], dict[str, tuple[str | None, bool | None]]]:
    """The checked ``configuration`` and ``events`` tables of a workspace of the file."""
    key = f"workspaces.{ws.workspace_id}"
    errors: list[FieldError] = []
    configuration = WORKSPACE_INPUT.check(ws.configuration, "", errors)
    errors.extend(
        FieldError(f"/{name}", "not a setting of the file (see the nodes' matching.policy)")
        for name in _UNDECLARABLE
        if name in ws.configuration
    )
    if errors:
        raise _config_error(source, f"{key}.configuration", errors[0])
    events: dict[str, tuple[str | None, bool | None]] = {}
    for name, table in ws.events.items():
        where = f"{key}.events.{name}"
        if name not in EVENT_TYPES:
            raise ConfigError(f"{source}: '{where}': unknown event type")
        found = _EVENT_SETTING.check(table, "", errors)
        if errors:
            raise _config_error(source, where, errors[0])
        events[name] = (found.get("mode"), found.get("enabled"))
    return configuration, events


def _config_error(source: str, where: str, error: FieldError) -> ConfigError:
    """The error naming the file, the dotted key and what is wrong with it."""
    sub = error.path.strip("/").replace("/", ".")
    return ConfigError(
        f"{source}: '{where}.{sub}': {error.message}"
        if sub
        else f"{source}: '{where}': {error.message}"
    )


_EVENT_SETTING = Obj(
    {"mode": Str(nullable=False, enum=EVENT_MODES), "enabled": Bool(nullable=False)},
    nullable=False,
)


def _apply_declared(
    tx: Tx,
    ws: str,
    configuration: dict[str, Any],
    events: dict[str, tuple[str | None, bool | None]],
) -> None:
    """Apply a workspace's declared configuration and event types, each when it changed."""
    stored = tx.workspace_config(ws) or {}
    changed = False
    digest = settings_digest(configuration)
    if configuration and stored.get("declaredWorkspace") != digest:
        stored["workspace"] = {**stored.get("workspace", {}), **configuration}
        stored["declaredWorkspace"] = digest
        changed = True
    digest = settings_digest({name: list(state) for name, state in events.items()})
    if events and stored.get("declaredEvents") != digest:
        current = tx.event_type_settings(ws)
        for name, (mode, enabled) in events.items():
            now_mode, now_enabled = current.get(name, (EVENT_TYPES[name], True))
            mode = mode or now_mode
            enabled = now_enabled if enabled is None else enabled
            if mode == EVENT_TYPES[name] and enabled:
                tx.clear_event_type(ws, name)
            else:
                tx.set_event_type(ws, name, mode, enabled)
        stored["declaredEvents"] = digest
        changed = True
    if changed:
        tx.set_workspace_config(ws, stored)


def settings_digest(settings: dict[str, Any]) -> str:
    """A digest of checked node settings, to tell whether a configuration file changed them."""
    text = json.dumps(settings, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random bearer token."""
    return secrets.token_urlsafe(32)


class Registry:
    """The hub's view of workspaces, tokens and nodes, over the store, with an in-memory cache."""

    def __init__(
        self, store: Store, clock: Any = time.monotonic, *, index_delay_ms: int = 0
    ) -> None:
        self.store = store
        #: The hub's indexing delay (``--index-delay-ms``): a node's ``indexDelayMs`` overrides it.
        self.index_delay_ms = index_delay_ms
        self._lock = threading.Lock()
        self._clock = clock
        self._tokens: dict[str, str] = {}
        # Each with the clock's time when it was read.
        self._nodes: dict[tuple[str, str], tuple[NodeConfig, float]] = {}
        self._event_types: dict[str, tuple[EventTypes, float]] = {}

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
        cached = self._nodes.get((ws, node_id))
        if cached is not None and self._clock() - cached[1] < CACHE_SECONDS:
            return cached[0]
        read_at = self._clock()
        if tx is None:
            with self.store.read() as own:
                settings = own.node_settings(ws, node_id)
        else:
            settings = tx.node_settings(ws, node_id)
        if settings is None:
            return None
        config = _node_config(ws, node_id, dict(settings))
        with self._lock:
            self._nodes[(ws, node_id)] = (config, read_at)
        return config

    def event_types(self, ws: str, tx: Any = None) -> EventTypes:
        """Every event type of a workspace with its mode and enabled flag: the catalog's,
        changed by what the workspace configured. ``tx`` reuses an open transaction."""
        cached = self._event_types.get(ws)
        if cached is not None and self._clock() - cached[1] < CACHE_SECONDS:
            return cached[0]
        read_at = self._clock()
        if tx is None:
            with self.store.read() as own:
                changed = own.event_type_settings(ws)
        else:
            changed = tx.event_type_settings(ws)
        types: EventTypes = {name: (mode, True) for name, mode in EVENT_TYPES.items()}
        types.update((name, state) for name, state in changed.items() if name in types)
        with self._lock:
            self._event_types[ws] = (types, read_at)
        return types

    def index_delay(self, tx: Tx, ws: str, node_id: str | None) -> int:
        """The indexing delay in ms of a write through ``node_id`` (its ``indexDelayMs``, else
        the hub's); the store asks it on every write (``Store.index_delay``)."""
        if node_id is not None:
            node = self.node(ws, node_id, tx)
            if node is not None and node.index_delay_ms is not None:
                return node.index_delay_ms
        return self.index_delay_ms

    # -- administration -------------------------------------------------------------------
    def set_index_delay(
        self, ws: str, delay_ms: int | None, node_ids: Iterable[str] | None = None
    ) -> dict[str, int | None]:
        """Give nodes of ``ws`` (default: every node) the indexing delay ``delay_ms`` (None =
        the hub's); returns what each had before, to put it back. ValidationFailed for a
        delay out of range; unknown nodes are skipped."""
        before: dict[str, int | None] = {}
        with self.write() as tx:
            for node_id in list(node_ids) if node_ids is not None else tx.list_nodes(ws):
                settings = tx.node_settings(ws, node_id)
                if settings is None:
                    continue
                before[node_id] = settings.get("indexDelayMs")
                changed = {k: v for k, v in settings.items() if k != "indexDelayMs"}
                if delay_ms is not None:
                    changed["indexDelayMs"] = delay_ms
                tx.set_node_settings(ws, node_id, validate_node_settings(changed))
        self.forget_workspace(ws)
        return before

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
                self.replace_node_settings(tx, ws, node, checked)
            owner = tx.workspace_of_token(tok)
            if owner is None:
                tx.add_token(tok, ws)
            elif owner != ws:
                raise ValueError(f"token already belongs to another workspace ({owner})")
        self._forget_node(ws, node)
        return Credentials(ws, node, tok)

    def apply_config(self, workspaces: Iterable[WorkspaceConfig], source: str) -> None:
        """Create what a configuration file declares; ConfigError names the bad key.

        What the file declares is the initial state: a node's settings, the workspace's
        configuration and its event types are applied when the file declares something new of
        them (the first time, or after the file changed), so that a start with an unchanged file
        keeps what the configuration API changed since.
        """
        checked: list[tuple[WorkspaceConfig, dict[str, dict[str, Any]]]] = []
        declared: dict[str, tuple[dict[str, Any], dict[str, tuple[str | None, bool | None]]]] = {}
        for ws in workspaces:
            declared[ws.workspace_id] = _declared_workspace(ws, source)
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
                    # Applied when the file says something new of the node: a start with an
                    # unchanged file keeps what the configuration API changed since.
                    digest = settings_digest(settings)
                    if tx.declared_digest(ws.workspace_id, node_id) != digest:
                        self.replace_node_settings(tx, ws.workspace_id, node_id, settings)
                        tx.set_declared_digest(ws.workspace_id, node_id, digest)
                _apply_declared(tx, ws.workspace_id, *declared[ws.workspace_id])
                for token in ws.tokens:
                    owner = tx.workspace_of_token(token)
                    if owner is None:
                        tx.add_token(token, ws.workspace_id)
                    elif owner != ws.workspace_id:
                        raise ConfigError(
                            f"{source}: 'workspaces.{ws.workspace_id}.tokens': a token is "
                            f"already used by workspace {owner!r}"
                        )
        for ws, _nodes in checked:
            self.forget_workspace(ws.workspace_id)

    @staticmethod
    def replace_node_settings(tx: Tx, ws: str, node_id: str, settings: dict[str, Any]) -> None:
        """Give a node new (checked) settings in the write transaction ``tx``; when they change
        what identifies a customer, the node's customers get their match keys again (see
        ``Tx.rekey_customers``). Call :meth:`forget_workspace` once ``tx`` is committed."""
        before = tx.node_settings(ws, node_id)
        tx.set_node_settings(ws, node_id, settings)
        old, new = policy_from_settings(before), policy_from_settings(settings)
        if before is not None and _identity(old) != _identity(new):
            tx.rekey_customers(ws, node_id, lambda doc: match_key(new, doc))

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
            self._event_types.clear()

    def forget_workspace(self, ws: str) -> None:
        """Drop what is cached of a workspace's nodes and event types (its configuration
        changed), so that the next request reads them again."""
        with self._lock:
            for key in [key for key in self._nodes if key[0] == ws]:
                del self._nodes[key]
            self._event_types.pop(ws, None)

    def _forget_node(self, ws: str, node_id: str) -> None:
        with self._lock:
            self._nodes.pop((ws, node_id), None)
