"""A workspace's configuration: ``workspace.configuration`` (a :class:`Configuration`).

It reads and changes what ``…/configuration/*`` serves: the workspace's parameters, its event
types (each with its mode and an enabled flag: the API refuses events of a disabled type), the
JSON schema of the customers' ``extended`` properties, the matching policy (what makes two
customers the same), the entry nodes and the sources; and, under ``configuration.models``, the
API's models (the base properties' schema, event contexts, merge policies, source providers).

Documents come back as plain dicts, typed by the ``TypedDict`` classes of this module::

    settings = workspace.configuration
    settings.set_matching_policy(properties=["externalId"], case_sensitive=True)
    settings.update_event_type("campaignSent", enabled=False)
    shop = settings.add_node("shop", mandatory_properties=["base.lastName"])
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypedDict, cast

from contacthub._http import Transport

__all__ = [
    "BaseProperty",
    "Configuration",
    "Context",
    "EntryNode",
    "EventType",
    "MatchingPolicy",
    "MergePolicy",
    "Models",
    "Provider",
    "Source",
    "WorkspaceSettings",
]

#: The page size the listings are read with (the largest the API serves).
PAGE_SIZE = 50


class WorkspaceSettings(TypedDict):
    """The workspace's parameters (``GET …/configuration``)."""

    name: str
    industry: str  # GDO, Luxury, Automotive or NotDefined
    logo: str | None
    timezone: str
    currency: str
    customerUniquenessPolicy: str  # NO_CHECK, BLOCK or MERGE
    tier: int | None


class EventType(TypedDict):
    """An event type of the workspace (``…/configuration/events/{id}``)."""

    id: str
    type: str
    mode: str  # ACTIVE (the customer did it) or PASSIVE (the customer received it)
    label: str
    description: str
    propertiesSchema: dict[str, Any]  # the JSON schema of the event's properties
    enabled: bool


class BaseProperty(TypedDict):
    """A base property of customers (``…/configuration/properties/base``)."""

    name: str
    description: str
    enabled: bool


class MatchingPolicy(TypedDict):
    """What identifies a customer (``…/configuration/unique-customer-matching-policy``)."""

    properties: list[str]  # dotted paths such as base.contacts.email, or externalId
    caseSensitive: bool


class EntryNode(TypedDict):
    """A node of the workspace (``…/configuration/nodes/entries/{id}``)."""

    id: str
    name: str
    description: str | None
    imageUrl: str | None
    sourcePriority: list[str]
    mandatoryProperties: list[str]  # what every customer of the node must have


class Source(TypedDict):
    """A source of data of the workspace (``…/configuration/sources``)."""

    id: str
    provider: str
    name: str
    description: str | None
    properties: dict[str, Any]
    nodes: list[str]
    enabled: bool
    token: str


class Context(TypedDict):
    """An event context (``…/models/contexts``)."""

    id: str
    label: str
    description: str
    propertiesSchema: dict[str, Any]  # the JSON schema of contextInfo


class MergePolicy(TypedDict):
    """How the values of an extended property from several sources combine."""

    id: str
    label: str
    description: str
    supportedTypes: list[str]


class Provider(TypedDict):
    """A kind of source (``…/models/providers``)."""

    id: str
    label: str
    description: str
    propertiesSchema: dict[str, Any]


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


#: The default of the arguments of :meth:`Configuration.update_node`: "leave as it is" (None
#: would clear the value).
UNSET: Any = _Unset()


def _all_pages(transport: Transport, path: str) -> list[dict[str, Any]]:
    """Every element of a paged listing, page after page."""
    elements: list[dict[str, Any]] = []
    page = 0
    while True:
        answer = transport.request("GET", path, params={"page": page, "size": PAGE_SIZE})
        elements.extend(answer["elements"])
        if page + 1 >= int(answer["page"]["totalPages"]):
            return elements
        page += 1


class Models:
    """The API's models (``…/models/*``): ``workspace.configuration.models``."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def base_properties(self) -> dict[str, Any]:
        """The JSON schema of the customers' ``base``; each property carries its
        ``contactlabProperties`` (``label``, ``enabled``)."""
        answer = self._transport.request("GET", "/models/properties/base")
        return cast(dict[str, Any], answer["schema"])

    def contexts(self) -> list[Context]:
        """Every event context, with the JSON schema of its ``contextInfo``."""
        return cast(list[Context], self._transport.request("GET", "/models/contexts")["elements"])

    def merge_policies(self) -> list[MergePolicy]:
        """The merge policies an extended property may name in its ``contactlabProperties``."""
        answer = self._transport.request("GET", "/models/merge-policies")
        return cast(list[MergePolicy], answer["elements"])

    def providers(self) -> list[Provider]:
        """The kinds of source, with the properties each takes."""
        answer = self._transport.request("GET", "/models/providers")
        return cast(list[Provider], answer["elements"])


class Configuration:
    """The configuration of one workspace: ``workspace.configuration``.

    Every method is one or a few requests over the workspace's connection; a refusal raises
    :class:`~contacthub.APIError` (a 400 names each bad field in ``errors``).
    """

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        #: The API's models.
        self.models = Models(transport)

    def _get(self, path: str) -> Any:
        return self._transport.request("GET", path)

    def _put(self, path: str, body: Any) -> Any:
        return self._transport.request("PUT", path, json=body)

    # -- the workspace ----------------------------------------------------------------------
    def settings(self) -> WorkspaceSettings:
        """The workspace's parameters: name, industry, logo, timezone, currency, uniqueness
        policy and tier."""
        return cast(WorkspaceSettings, self._get("/configuration"))

    def update_settings(self, **values: Any) -> WorkspaceSettings:
        """Change the parameters named (API names: ``name``, ``industry``, ``logo``,
        ``timezone``, ``currency``, ``customerUniquenessPolicy``); the others keep their values.
        ``customerUniquenessPolicy`` (``NO_CHECK``, ``BLOCK``, ``MERGE``) applies to every node."""
        return cast(WorkspaceSettings, self._put("/configuration", values))

    # -- event types ------------------------------------------------------------------------
    def events(self) -> list[EventType]:
        """Every event type of the workspace, with its mode, label and enabled flag."""
        return cast(list[EventType], _all_pages(self._transport, "/configuration/events"))

    def get_event_type(self, id: str) -> EventType:
        """One event type (``id`` is the type's name, e.g. ``"completedOrder"``)."""
        return cast(EventType, self._get(f"/configuration/events/{Transport.quote(id)}"))

    def update_event_type(self, id: str, *, enabled: bool) -> EventType:
        """Enable or disable an event type: the API refuses events of a disabled type (400)."""
        path = f"/configuration/events/{Transport.quote(id)}"
        return cast(EventType, self._put(path, {"enabled": enabled}))

    # -- properties -------------------------------------------------------------------------
    def base_properties(self) -> list[BaseProperty]:
        """The base properties of customers, each with a description and an enabled flag."""
        return cast(list[BaseProperty], self._get("/configuration/properties/base")["elements"])

    def extended_schema(self) -> dict[str, Any]:
        """The JSON schema the customers' ``extended`` properties are checked against."""
        return cast(dict[str, Any], self._get("/configuration/properties/extended")["schema"])

    def set_extended_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Set the JSON schema of ``extended`` (checked on every later customer write). A
        property may carry ``contactlabProperties``: ``label``, ``enabled`` and a
        ``mergePolicy`` (see :meth:`Models.merge_policies`). Returns the schema stored."""
        answer = self._put("/configuration/properties/extended", {"schema": schema})
        return cast(dict[str, Any], answer["schema"])

    # -- matching policy --------------------------------------------------------------------
    def matching_policy(self) -> MatchingPolicy:
        """What makes two customers the same: ``{"properties": [...], "caseSensitive": ...}``."""
        return cast(MatchingPolicy, self._get("/configuration/unique-customer-matching-policy"))

    def set_matching_policy(
        self, properties: Iterable[str] | None = None, case_sensitive: bool | None = None
    ) -> MatchingPolicy:
        """Change what identifies a customer, on every node: ``properties`` (dotted paths such
        as ``"base.contacts.email"``, or ``"externalId"``) and/or ``case_sensitive``. What is
        left out keeps its value. Returns the policy now in force."""
        body: dict[str, Any] = {}
        if properties is not None:
            if isinstance(properties, str):
                raise TypeError("properties must be a list of paths, not one string")
            body["properties"] = list(properties)
        if case_sensitive is not None:
            body["caseSensitive"] = case_sensitive
        return cast(
            MatchingPolicy, self._put("/configuration/unique-customer-matching-policy", body)
        )

    # -- entry nodes ------------------------------------------------------------------------
    def nodes(self) -> list[EntryNode]:
        """Every node of the workspace, oldest first."""
        return cast(list[EntryNode], _all_pages(self._transport, "/configuration/nodes/entries"))

    def get_node(self, id: str) -> EntryNode:
        """One node's configuration (name, description, image, source priority, mandatory
        properties). For its customers and events, use :meth:`Workspace.get_node`."""
        return cast(EntryNode, self._get(f"/configuration/nodes/entries/{Transport.quote(id)}"))

    def add_node(
        self,
        name: str,
        *,
        description: str | None = None,
        image_url: str | None = None,
        source_priority: Iterable[str] | None = None,
        mandatory_properties: Iterable[str] | None = None,
    ) -> EntryNode:
        """Create a node (the API picks its id, in the answer) with the workspace's settings.
        ``mandatory_properties`` (dotted paths, e.g. ``"base.lastName"``) are then required of
        every customer of the node."""
        body: dict[str, Any] = {"name": name}
        for key, value in (
            ("description", description),
            ("imageUrl", image_url),
            ("sourcePriority", source_priority),
            ("mandatoryProperties", mandatory_properties),
        ):
            if value is not None:
                body[key] = value if isinstance(value, str) else list(value)
        answer = self._transport.request("POST", "/configuration/nodes/entries", json=body)
        return cast(EntryNode, answer)

    def update_node(
        self,
        id: str,
        *,
        name: str = UNSET,
        description: str | None = UNSET,
        image_url: str | None = UNSET,
        source_priority: Iterable[str] = UNSET,
        mandatory_properties: Iterable[str] = UNSET,
    ) -> EntryNode:
        """Change what is given of a node (``description=None`` clears it); the rest stays."""
        body: dict[str, Any] = {}
        for key, value in (
            ("name", name),
            ("description", description),
            ("imageUrl", image_url),
            ("sourcePriority", source_priority),
            ("mandatoryProperties", mandatory_properties),
        ):
            if value is not UNSET:
                body[key] = value if value is None or isinstance(value, str) else list(value)
        path = f"/configuration/nodes/entries/{Transport.quote(id)}"
        return cast(EntryNode, self._put(path, body))

    # -- sources ----------------------------------------------------------------------------
    def sources(self) -> list[Source]:
        """Every source of the workspace (a customer's ``sourceInfo`` names them)."""
        return cast(list[Source], _all_pages(self._transport, "/configuration/sources"))
