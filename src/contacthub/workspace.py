"""The workspace: credentials, the API's base URL and the one connection pool of the SDK."""

from __future__ import annotations

import configparser
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

from contacthub import _wire
from contacthub._http import DEFAULT_BASE_URL, DEFAULT_POOL_SIZE, RetryPolicy, Timeouts, Transport
from contacthub.analytics import Analytics
from contacthub.configuration import Configuration
from contacthub.updates import UpdateFeed, last_offset

if TYPE_CHECKING:
    from contacthub.node import Node

__all__ = ["DEFAULT_BASE_URL", "Workspace"]

_INI_SECTION = "contacthub"


def normalize_base_url(base_url: str) -> str:
    """The API's base URL without ``/workspaces`` or a trailing slash.

    Both ``https://api.contactlab.it/hub/v1`` and ``https://api.contactlab.it/hub/v1/workspaces``
    (the original SDK's default), with or without a trailing slash, give
    ``https://api.contactlab.it/hub/v1``.
    """
    if not isinstance(base_url, str) or not base_url.strip():
        raise ValueError(f"base_url must be a non-empty URL string, not {base_url!r}")
    url = base_url.strip().rstrip("/")
    if url.endswith("/workspaces"):
        url = url[: -len("/workspaces")]
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"base_url must start with http:// or https://, not {base_url!r}")
    return url


class Workspace:
    """A ContactHub workspace: the first object to create, from which you get nodes.

    Args:
        workspace_id: the workspace's id, from the ContactHub dashboard.
        token: the API token, from the ContactHub dashboard.
        base_url: the API's base URL; ``.../hub/v1`` and ``.../hub/v1/workspaces`` both work.
        timeout: connect and read timeouts: a :class:`~contacthub.Timeouts`, one number
            for both, or a ``(connect, read)`` pair. Default 5 s to connect, 30 s to read,
            and 300 s for a whole call with its retries (``Timeouts(total=...)``).
        retry: when to resend a failed request: a :class:`~contacthub.RetryPolicy`
            (``NO_RETRY`` to never resend). Default: up to 5 tries on connection errors, 429,
            502, 503 and 504, with exponential backoff and ``Retry-After``.
        pool_size: connections kept open to the API (the bulk operations use several at once).
        session: a ``requests.Session`` to send requests with (you keep ownership of it).

    A workspace holds a pool of connections: close it when done, or use it as a context
    manager::

        with Workspace(workspace_id="ws", token="token") as workspace:
            node = workspace.get_node("node")
            ...
    """

    def __init__(
        self,
        workspace_id: str,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: Timeouts | float | tuple[float, float] | None = None,
        retry: RetryPolicy | None = None,
        pool_size: int = DEFAULT_POOL_SIZE,
        session: requests.Session | None = None,
    ) -> None:
        if not isinstance(workspace_id, str) or not workspace_id.strip():
            raise ValueError(f"workspace_id must be a non-empty string, not {workspace_id!r}")
        if not isinstance(token, str) or not token.strip():
            raise ValueError("token must be a non-empty string")
        self.workspace_id = workspace_id.strip()
        self.base_url = normalize_base_url(base_url)
        self.default_node_id: str | None = None
        self.transport = Transport(
            f"{self.base_url}/workspaces/{_wire.segment(self.workspace_id)}",
            token.strip(),
            timeouts=_timeouts(timeout),
            retry=retry,
            session=session,
            pool_size=pool_size,
        )
        self._token = token.strip()
        #: The workspace's configuration: event types, extended schema, matching policy, nodes,
        #: sources and the API's models (see :mod:`contacthub.configuration`).
        self.configuration = Configuration(self.transport)
        #: The workspace's analytics: counts of customers and events per node (`Analytics`).
        self.analytics = Analytics(self.transport)

    @property
    def token(self) -> str:
        """The API token (never shown by ``repr``)."""
        return self._token

    @property
    def url(self) -> str:
        """The workspace's URL: ``base_url + "/workspaces/" + workspace_id``."""
        return self.transport.base_url

    def __repr__(self) -> str:
        return f"Workspace(workspace_id={self.workspace_id!r}, base_url={self.base_url!r})"

    def get_node(self, node_id: str | None = None) -> Node:
        """The :class:`~contacthub.node.Node` with this id, for working on customers and events.

        ``node_id`` may be left out when the workspace was read from a configuration (INI file
        or environment) that names a node.
        """
        from contacthub.node import Node  # node.py imports this module

        if node_id is None:
            if self.default_node_id is None:
                raise ValueError(
                    "get_node() needs a node_id (this workspace's configuration names no node)"
                )
            node_id = self.default_node_id
        return Node(self, node_id)

    def me(self) -> dict[str, Any]:
        """Who the token is: ``{id, name, surname, groups}``, each group with its workspaces and
        each workspace with its nodes and the token's permission on them (``R``, ``RW``, ``W``)."""
        answer: dict[str, Any] = self.transport.request("GET", f"{self.base_url}/me")
        return answer

    @classmethod
    def from_ini_file(cls, file_path: str | os.PathLike[str]) -> Workspace:
        """A workspace from an INI file of ``key = value`` lines.

        The file holds ``workspace_id`` and ``token``, and optionally ``base_url`` and
        ``node_id`` (what :meth:`get_node` uses when called without an id), with or without a
        section header::

            workspace_id = 40b6195f-e4f7-4f50-a463-3fb8bcbe8221
            token = 97841617075b4b5f8ea88c30a8d2aec7...
            base_url = https://api.contactlab.it/hub/v1

        ``contacthub serve`` writes such a file. Raises ``FileNotFoundError`` when the file does
        not exist and ``ValueError`` naming the file and key when a key is missing or empty.
        """
        workspace_id, token, base_url, node_id = ini_credentials(file_path)
        workspace = cls(workspace_id, token, base_url)
        workspace.default_node_id = node_id
        return workspace

    # The guide spells it both ways.
    from_INI_file = from_ini_file

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Workspace:
        """A workspace from ``CONTACTHUB_WORKSPACE_ID`` and ``CONTACTHUB_TOKEN``.

        ``CONTACTHUB_BASE_URL`` (optional) overrides the API's base URL and
        ``CONTACTHUB_NODE_ID`` (optional) is the node :meth:`get_node` gives without an id.
        Raises ``ValueError`` naming the variable that is missing.
        """
        workspace_id, token, base_url, node_id = env_credentials(environ)
        workspace = cls(workspace_id, token, base_url)
        workspace.default_node_id = node_id
        return workspace

    def iter_updates(
        self,
        offset: int = 0,
        follow: bool = False,
        *,
        size: int = 4000,
        node_id: str | None = None,
        entity: str | None = None,
    ) -> UpdateFeed:
        """The workspace's changes after ``offset``, oldest first (an `UpdateFeed`).

        Each change is ``{"operation": "CREATE"|"UPDATE"|"DELETE", "entity": {"type":
        "CUSTOMER"|"EVENT", "data": {...}}}``. ``follow=True`` waits for new changes forever;
        the feed's ``offset`` attribute is where to resume later. ``entity`` and ``node_id``
        keep only changes of that kind or node.
        """
        return UpdateFeed(
            self.transport, offset=offset, follow=follow, size=size, node_id=node_id, entity=entity
        )

    def last_update_offset(self, node_id: str | None = None, entity: str | None = None) -> int:
        """The offset of the workspace's last change (0 before any)."""
        return last_offset(self.transport, node_id=node_id, entity=entity)

    def close(self) -> None:
        """Close the workspace's connections. Nodes of a closed workspace must not be used."""
        self.transport.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


Credentials = tuple[str, str, str, "str | None"]
"""``(workspace_id, token, base_url, node_id)`` read from an INI file or the environment."""


def ini_credentials(file_path: str | os.PathLike[str]) -> Credentials:
    """The credentials of an INI file (see :meth:`Workspace.from_ini_file`)."""
    path = Path(file_path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"ContactHub configuration file not found: {path}") from None
    except IsADirectoryError:
        raise ValueError(f"{path} is a directory, not a ContactHub configuration file") from None
    values = _parse_ini(text, str(path))
    return (
        _required(values, "workspace_id", str(path)),
        _required(values, "token", str(path)),
        values.get("base_url") or DEFAULT_BASE_URL,
        values.get("node_id") or None,
    )


def env_credentials(environ: Mapping[str, str] | None = None) -> Credentials:
    """The credentials of the ``CONTACTHUB_*`` variables (see :meth:`Workspace.from_env`)."""
    env = os.environ if environ is None else environ
    missing = [
        name for name in ("CONTACTHUB_WORKSPACE_ID", "CONTACTHUB_TOKEN") if not env.get(name)
    ]
    if missing:
        raise ValueError(f"environment variable {' and '.join(missing)} not set")
    return (
        env["CONTACTHUB_WORKSPACE_ID"],
        env["CONTACTHUB_TOKEN"],
        env.get("CONTACTHUB_BASE_URL") or DEFAULT_BASE_URL,
        env.get("CONTACTHUB_NODE_ID") or None,
    )


def timeouts_of(timeout: Timeouts | float | tuple[float, float] | None) -> Timeouts | None:
    """The :class:`Timeouts` a ``timeout=`` argument means (see :class:`Workspace`)."""
    return _timeouts(timeout)


def _timeouts(timeout: Timeouts | float | tuple[float, float] | None) -> Timeouts | None:
    if timeout is None or isinstance(timeout, Timeouts):
        return timeout
    if isinstance(timeout, tuple):
        if len(timeout) != 2:
            raise ValueError(f"timeout must be a (connect, read) pair, not {timeout!r}")
        return Timeouts(connect=timeout[0], read=timeout[1])
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        return Timeouts(connect=timeout, read=timeout)
    raise ValueError(
        f"timeout must be seconds, a (connect, read) pair or Timeouts, not {timeout!r}"
    )


def _parse_ini(text: str, source: str) -> dict[str, str]:
    """The keys of the first section holding ``workspace_id`` (or of a header-less file)."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        try:
            parser.read_string(text, source=source)
        except configparser.MissingSectionHeaderError:
            parser = configparser.ConfigParser(interpolation=None)
            parser.read_string(f"[{_INI_SECTION}]\n{text}", source=source)
    except configparser.Error as exc:
        raise ValueError(f"{source} is not a valid INI file: {exc}") from None
    sections = parser.sections()
    chosen = next((s for s in sections if parser.has_option(s, "workspace_id")), None)
    if chosen is None:
        chosen = _INI_SECTION if _INI_SECTION in sections else (sections[0] if sections else None)
    raw = dict(parser.items(chosen)) if chosen is not None else dict(parser.defaults())
    # Tolerate quoted values (workspace_id = "abc"), a common habit from other config formats.
    return {key: value.strip().strip("'\"").strip() for key, value in raw.items()}


def _required(values: dict[str, str], key: str, source: str) -> str:
    value = values.get(key)
    if not value:
        raise ValueError(f"{source}: missing '{key}' (expected a line '{key} = ...')")
    return value
