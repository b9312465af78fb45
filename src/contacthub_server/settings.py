"""The hub's settings, and the TOML configuration file that declares workspaces, tokens and nodes.

Every default of the hub lives here, so that ``contacthub serve``, the test runner and the pytest
plugin agree on them.

The configuration file (``contacthub serve --config hub.toml``) looks like this::

    [workspaces.my-workspace]
    tokens = ["my-secret-token"]

    [workspaces.my-workspace.nodes.my-node]          # a node with the default settings

    [workspaces.my-workspace.nodes.shop.matching]    # every key optional; defaults shown
    policy = "BLOCK"                                 # BLOCK | MERGE | NO_CHECK
    properties = ["base.contacts.email"]             # what identifies a customer
    caseSensitive = false
    requireUniqueProperties = false

    [workspaces.my-workspace.nodes.shop.extendedSchema]   # optional JSON schema of `extended`
    type = "object"
    properties = { loyalty = { type = "integer" } }

    [workspaces.my-workspace.nodes.shop]
    mandatoryProperties = ["base.firstName"]         # every customer of the node needs them
    indexDelayMs = 300                               # optional; default: --index-delay-ms

    [workspaces.my-workspace.configuration]          # optional: GET …/configuration's values
    name = "My workspace"
    industry = "NotDefined"                          # GDO | Luxury | Automotive | NotDefined
    timezone = "Europe/Rome"
    currency = "EUR"

    [workspaces.my-workspace.events.campaignOpened]  # optional, per event type
    mode = "PASSIVE"                                 # ACTIVE | PASSIVE (default: the catalog's)
    enabled = false                                  # POST …/events refuses a disabled type
    [workspaces.my-workspace.nodes.shop.events]      # optional; the default shown
    strictProperties = true                          # false: events keep unknown keys in
                                                     # properties, contextInfo and tracking

A workspace may list several tokens and several nodes; the keys of a node table are the node
settings checked by :func:`contacthub_server.service.validation.validate_node_settings`. What
the file declares is the initial state: the configuration API changes it at run time, and a
start with an unchanged file keeps those changes (a node, the configuration table or the events
tables the file changes since the last start are applied again).

``indexDelayMs`` is a node's indexing delay, as on the hosted API, which indexes writes
asynchronously: a customer or event written through the node is readable by id at once but
reaches listings, queries, ``externalId`` look-ups, segment customers and event listings only
that many milliseconds later (an update hides it again for as long). Without it the node
follows the hub's ``--index-delay-ms`` (:attr:`HubSettings.index_delay_ms`, default 0: at once).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_DATABASE = "contacthub.db"
DEFAULT_MAX_BODY_BYTES = 1_048_576
DEFAULT_PORT = 8080
DEFAULT_INI = "contacthub.ini"
#: Seconds announced in the ``Retry-After`` header of injected 429 and 503 faults.
FAULT_RETRY_AFTER_SECONDS = 1
#: Requests kept by the request log (``GET /_hub/requests``), per hub process.
DEFAULT_REQUEST_LOG_SIZE = 1000
#: Bytes of each request and response body kept by the request log.
DEFAULT_REQUEST_LOG_BODY_BYTES = 16_384
#: The longest indexing delay accepted (``--index-delay-ms``, a node's ``indexDelayMs``): an hour.
MAX_INDEX_DELAY_MS = 3_600_000


@dataclass
class HubSettings:
    """How one hub process runs: where it stores data, and which faults it injects.

    ``database_url`` is a SQLAlchemy URL or a plain SQLite file path. ``latency_ms`` delays every
    answer; ``fault_rate`` (0..1) is the fraction of requests that fail on purpose (see
    ``contacthub serve --help``), drawn from a generator seeded by ``fault_seed`` when given.
    ``max_body_bytes`` bounds request bodies (413 above). ``config_path`` names a TOML file of
    workspaces, tokens and nodes (see this module's docstring). ``request_log_size`` is how many
    requests the request log keeps (0 turns it off), each body cut at ``request_log_body_bytes``.
    workspaces, tokens and nodes (see this module's docstring). ``index_delay_ms`` is the
    indexing delay of every node without an ``indexDelayMs`` of its own (see this module's
    docstring; 0 = writes show in listings at once).
    """

    database_url: str = DEFAULT_DATABASE
    latency_ms: int = 0
    fault_rate: float = 0.0
    fault_seed: int | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    config_path: str | None = None
    #: The admin key (console and admin API); None = the one kept in the database.
    admin_key: str | None = None
    request_log_size: int = DEFAULT_REQUEST_LOG_SIZE
    request_log_body_bytes: int = DEFAULT_REQUEST_LOG_BODY_BYTES
    #: Milliseconds before a write reaches listings and searches (nodes may set their own).
    index_delay_ms: int = 0


@dataclass(frozen=True)
class Credentials:
    """A workspace, one of its nodes and a token of that workspace: what a client needs."""

    workspace_id: str
    node_id: str
    token: str


@dataclass
class WorkspaceConfig:
    """One workspace declared by the configuration file."""

    workspace_id: str
    tokens: list[str] = field(default_factory=list)
    #: node id -> raw node settings (validated by the service when applied)
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: raw WorkspaceConfiguration values (validated when applied)
    configuration: dict[str, Any] = field(default_factory=dict)
    #: event type -> raw ``{mode, enabled}`` (validated when applied)
    events: dict[str, Any] = field(default_factory=dict)


class ConfigError(ValueError):
    """The configuration file is unreadable or declares something wrong; the message says where."""


def load_config(path: str | Path) -> list[WorkspaceConfig]:
    """Read and check the shape of a configuration file (node settings are checked on apply).

    Raises :class:`ConfigError` naming the file and the offending key.
    """
    where = str(path)
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{where}: no such configuration file") from None
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read the configuration file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None

    unknown = sorted(set(raw) - {"workspaces"})
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (expected only 'workspaces')")
    workspaces = raw.get("workspaces", {})
    if not isinstance(workspaces, dict):
        raise ConfigError(f"{where}: 'workspaces' must be a table of workspace tables")
    result: list[WorkspaceConfig] = []
    for ws_id, ws_table in workspaces.items():
        key = f"workspaces.{ws_id}"
        if not isinstance(ws_table, dict):
            raise ConfigError(f"{where}: '{key}' must be a table")
        extra = sorted(set(ws_table) - {"tokens", "nodes", "configuration", "events"})
        if extra:
            raise ConfigError(
                f"{where}: unknown key '{key}.{extra[0]}' "
                "(expected 'tokens', 'nodes', 'configuration' and 'events')"
            )
        tables: dict[str, dict[str, Any]] = {}
        for name in ("configuration", "events"):
            table = ws_table.get(name, {})
            if not isinstance(table, dict):
                raise ConfigError(f"{where}: '{key}.{name}' must be a table")
            tables[name] = dict(table)
        tokens = ws_table.get("tokens", [])
        if not isinstance(tokens, list) or not all(isinstance(t, str) and t for t in tokens):
            raise ConfigError(f"{where}: '{key}.tokens' must be a list of non-empty strings")
        nodes = ws_table.get("nodes", {})
        if not isinstance(nodes, dict):
            raise ConfigError(f"{where}: '{key}.nodes' must be a table of node tables")
        node_settings: dict[str, dict[str, Any]] = {}
        for node_id, node_table in nodes.items():
            if not isinstance(node_table, dict):
                raise ConfigError(f"{where}: '{key}.nodes.{node_id}' must be a table")
            node_settings[node_id] = dict(node_table)
        result.append(
            WorkspaceConfig(
                ws_id, list(tokens), node_settings, tables["configuration"], tables["events"]
            )
        )
    return result
