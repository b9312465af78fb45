"""The data of a workspace's configuration and of the API's models, in our own words.

What ``…/configuration/*`` and ``…/models/*`` answer that does not depend on the workspace: the
labels of event types, the base properties, the event contexts, the merge policies of extended
properties and the providers of sources; and the specs of the configuration documents a client
may send (checked by :mod:`contacthub_server.service.configuration`, rendered in the OpenAPI
document).
"""

from __future__ import annotations

import re
from typing import Any

from contacthub_server.schemas import customer as customer_schema
from contacthub_server.schemas import event as event_schema
from contacthub_server.schemas.event_catalog import CONTEXTS, EVENT_TYPES, MODES
from contacthub_server.schemas.normalise import BASE_KEYS
from contacthub_server.schemas.spec import Bool, ListOf, Obj, Spec, Str
from contacthub_server.schemas.timezones import TIMEZONES

JSON_SCHEMA_DRAFT = "http://json-schema.org/draft-04/schema#"
"""The ``$schema`` of the JSON schemas answered (the draft the recorded configuration names)."""

INDUSTRIES: tuple[str, ...] = ("GDO", "Luxury", "Automotive", "NotDefined")
"""The industries a workspace may declare."""
UNIQUENESS_POLICIES: tuple[str, ...] = ("NO_CHECK", "BLOCK", "MERGE")
"""What a write matching an existing customer does (``customerUniquenessPolicy``)."""

WORKSPACE_DEFAULTS: dict[str, Any] = {
    "industry": "NotDefined",
    "logo": None,
    "timezone": "Europe/Rome",
    "currency": "EUR",
    "tier": None,
}
"""The WorkspaceConfiguration of a new workspace (its ``name`` defaults to its id, its
``customerUniquenessPolicy`` is its nodes' matching mode)."""

WORKSPACE_KEYS: tuple[str, ...] = (
    "name",
    "industry",
    "logo",
    "timezone",
    "currency",
    "customerUniquenessPolicy",
    "tier",
)
"""The keys of a WorkspaceConfiguration, in the order answered."""

# A property path of the matching policy: a dotted path into base, or externalId.
PROPERTY_PATH = r"(base\.[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*|externalId)"
# A mandatory property of an entry node: also a path into extended.
MANDATORY_PATH = (
    r"((base|extended)\.[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*|externalId)"
)
MAX_NAME = 256
MAX_TEXT = 4096

WORKSPACE_INPUT = Obj(
    {
        "name": Str(nullable=False, min_length=1, max_length=MAX_NAME),
        "industry": Str(nullable=False, enum=INDUSTRIES),
        "logo": Str(fmt="uri", max_length=MAX_TEXT),
        "timezone": Str(nullable=False, enum=TIMEZONES, noun="time zone"),
        "currency": Str(nullable=False, pattern="[A-Z]{3}"),
        "customerUniquenessPolicy": Str(nullable=False, enum=UNIQUENESS_POLICIES),
        "tier": Spec(),  # read-only: accepted and ignored
    },
    nullable=False,
)
"""A PUT of ``…/configuration``: the keys it names change, the others keep their values."""

EVENT_TYPE_INPUT = Obj(
    {
        "enabled": Bool(nullable=False),
        **{key: Spec() for key in ("id", "type", "mode", "label", "description")},
        "propertiesSchema": Spec(),
    },
    required=("enabled",),
    nullable=False,
)
"""A PUT of ``…/configuration/events/{id}``: only ``enabled`` is writable (the other keys are
read-only, accepted and ignored, so that a client may send back what it read)."""

MATCHING_INPUT = Obj(
    {
        "properties": ListOf(Str(nullable=False, pattern=PROPERTY_PATH), nullable=False),
        "caseSensitive": Bool(nullable=False),
    },
    nullable=False,
)
"""A PUT of ``…/configuration/unique-customer-matching-policy``."""

_ENTRY_FIELDS: dict[str, Spec] = {
    "name": Str(nullable=False, min_length=1, max_length=MAX_NAME),
    "description": Str(max_length=MAX_TEXT),
    "imageUrl": Str(fmt="uri", max_length=MAX_TEXT),
    "sourcePriority": ListOf(Str(nullable=False, min_length=1), nullable=False),
    "mandatoryProperties": ListOf(Str(nullable=False, pattern=MANDATORY_PATH), nullable=False),
}
ENTRY_NODE_INPUT = Obj({**_ENTRY_FIELDS, "id": Spec()}, required=("name",), nullable=False)
"""A POST of ``…/configuration/nodes/entries`` (``id`` is read-only: the hub picks it)."""
ENTRY_NODE_REPLACEMENT = Obj({**_ENTRY_FIELDS, "id": Spec()}, nullable=False)
"""A PUT of ``…/configuration/nodes/entries/{id}``: the keys it names change."""
ENTRY_NODE_KEYS: tuple[str, ...] = ("id", *_ENTRY_FIELDS)
"""The keys of an EntryNodeConfiguration, in the order answered."""

EVENT_TYPE_KEYS: tuple[str, ...] = (
    "id",
    "type",
    "mode",
    "label",
    "description",
    "propertiesSchema",
    "enabled",
)
"""The keys of an EventConfiguration, in the order answered."""

SOURCE_KEYS: tuple[str, ...] = (
    "id",
    "provider",
    "name",
    "description",
    "properties",
    "nodes",
    "enabled",
    "token",
)
"""The keys of a SourceConfiguration, in the order answered."""

MERGE_POLICIES: tuple[dict[str, Any], ...] = (
    {
        "id": "OBJ_PRIORITY",
        "label": "Priority",
        "description": "the value of the source with the highest priority wins",
        "supportedTypes": ["string", "number", "object", "array"],
    },
    {
        "id": "OBJ_CONCATENATE",
        "label": "Concatenate",
        "description": "the values of every source are joined together",
        "supportedTypes": ["string", "number", "array"],
    },
    {
        "id": "ARRAY_UNION",
        "label": "Union",
        "description": "the elements found in any source's array",
        "supportedTypes": ["array"],
    },
    {
        "id": "ARRAY_INTERSECTION",
        "label": "Intersection",
        "description": "the elements found in every source's array",
        "supportedTypes": ["array"],
    },
    {
        "id": "MATH_SUM",
        "label": "Sum",
        "description": "the sum of the sources' numbers",
        "supportedTypes": ["number"],
    },
    {
        "id": "MATH_AVG",
        "label": "Average",
        "description": "the mean of the sources' numbers",
        "supportedTypes": ["number"],
    },
    {
        "id": "MATH_DIFF",
        "label": "Difference",
        "description": "the first source's number minus the others'",
        "supportedTypes": ["number"],
    },
    {
        "id": "MATH_MIN",
        "label": "Minimum",
        "description": "the smallest of the sources' numbers",
        "supportedTypes": ["number"],
    },
    {
        "id": "MATH_MAX",
        "label": "Maximum",
        "description": "the largest of the sources' numbers",
        "supportedTypes": ["number"],
    },
)
"""How the values of one extended property from several sources combine (``mergePolicy``)."""
MERGE_POLICY_IDS: tuple[str, ...] = tuple(policy["id"] for policy in MERGE_POLICIES)

_STRINGS_OF = {"type": "array", "items": {"type": "string"}}
PROVIDERS: tuple[dict[str, Any], ...] = (
    {
        "id": "API",
        "label": "ContactHub API",
        "description": "an application calling the REST API with the source's token",
        "propertiesSchema": {
            "allowedIPs": {
                **_STRINGS_OF,
                "items": {"type": "string", "format": "ipv4"},
                "description": "the addresses allowed to use the source (none: any)",
            }
        },
    },
    {
        "id": "JavaScript",
        "label": "JavaScript web site",
        "description": "a web site sending data from the browser",
        "propertiesSchema": {
            "allowedURLs": {
                **_STRINGS_OF,
                "items": {"type": "string", "format": "uri"},
                "description": "the pages allowed to write through the source",
            }
        },
    },
    {"id": "MAGENTO", "label": "Magento", "description": "a Magento e-commerce store"},
    {"id": "CONTACTSEND", "label": "Contactsend", "description": "Contactlab's Contactsend"},
    {"id": "CONTACTPLAN", "label": "Contactplan", "description": "Contactlab's Contactplan"},
    {"id": "ANDROID_SDK", "label": "Android SDK", "description": "an Android application"},
    {"id": "OBJECTIVEC_SDK", "label": "Objective-C SDK", "description": "an iOS application"},
    {"id": "NODEJS_SDK", "label": "Node.js SDK", "description": "a Node.js application"},
    {"id": "JAVA_SDK", "label": "Java SDK", "description": "a Java application"},
    {"id": "SCALA_SDK", "label": "Scala SDK", "description": "a Scala application"},
    {"id": "DOTNET_SDK", "label": ".NET SDK", "description": "a .NET application"},
)
"""The kinds of source a workspace may have (``provider`` of a source)."""

_BASE_DESCRIPTIONS: dict[str, str] = {
    "pictureUrl": "where the customer's picture is",
    "title": "the customer's professional or academic title",
    "prefix": "what goes before the customer's name (Mr, Ms, Dr...)",
    "firstName": "the customer's given name",
    "lastName": "the customer's family name",
    "middleName": "the customer's middle name",
    "gender": "the customer's gender",
    "dob": "the customer's date of birth (YYYY-MM-DD)",
    "locale": "the customer's language and region (e.g. it_IT)",
    "timezone": "the customer's time zone (an IANA name such as Europe/Rome)",
    "contacts": "how to reach the customer: email, phones, fax, devices, other contacts",
    "address": "the customer's postal address and position",
    "credential": "the customer's user name and password on the client's site",
    "educations": "the schools the customer attended",
    "likes": "what the customer likes",
    "socialProfile": "the customer's social network profiles",
    "jobs": "the customer's jobs",
    "subscriptions": "what the customer subscribed to, with their preferences",
}
assert set(_BASE_DESCRIPTIONS) == set(BASE_KEYS)

_CONTEXT_DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "WEB": ("Web", "events of a web site"),
    "MOBILE": ("Mobile", "events of a mobile application"),
    "ECOMMERCE": ("E-commerce", "events of an online store"),
    "RETAIL": ("Retail", "events of a shop, with its sales assistant"),
    "SOCIAL": ("Social", "events of a social network"),
    "DIGITAL_CAMPAIGN": ("Digital campaign", "events of e-mail, SMS or push campaigns"),
    "CONTACT_CENTER": ("Contact center", "events of a call or contact center"),
    "IOT": ("Internet of things", "events of connected devices"),
    "OTHER": ("Other", "events of any other channel"),
}
assert set(_CONTEXT_DESCRIPTIONS) == set(CONTEXTS)

_CAMEL_STEP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def words(name: str) -> str:
    """A camelCase name as lower-case words: ``viewedProductCategory`` -> ``viewed product
    category``."""
    return _CAMEL_STEP.sub(" ", name).lower()


def label_of(name: str) -> str:
    """A camelCase name as a label: ``viewedProductCategory`` -> ``Viewed product category``."""
    text = words(name)
    return text[:1].upper() + text[1:]


def json_schema(openapi: Any) -> Any:
    """An OpenAPI 3.0 schema (as the specs render it) as a JSON schema: ``nullable`` becomes a
    ``null`` type, so that any JSON schema validator reads it."""
    if isinstance(openapi, list):
        return [json_schema(item) for item in openapi]
    if not isinstance(openapi, dict):
        return openapi
    result = {key: json_schema(value) for key, value in openapi.items() if key != "nullable"}
    if openapi.get("nullable"):
        if isinstance(result.get("type"), str):
            result["type"] = [result["type"], "null"]
        elif "type" not in result:
            return {"anyOf": [result, {"type": "null"}]}
    return result


def _document_schema(spec: Spec, **extra: Any) -> dict[str, Any]:
    schema = json_schema(spec.json_schema())
    if isinstance(schema.get("type"), list):
        schema["type"] = "object"  # the document itself is never null
    return {"$schema": JSON_SCHEMA_DRAFT, **schema, **extra}


def event_type_document(event_type: str, mode: str, enabled: bool) -> dict[str, Any]:
    """The EventConfiguration of one event type of a workspace."""
    return {
        "id": event_type,
        "type": event_type,
        "mode": mode,
        "label": label_of(event_type),
        "description": words(event_type),
        "propertiesSchema": _document_schema(event_schema.PROPERTIES[event_type]),
        "enabled": enabled,
    }


def base_properties() -> list[dict[str, Any]]:
    """The BasePropertyConfiguration of every base property (all enabled: the hub has no
    switch for them)."""
    return [
        {"name": key, "description": _BASE_DESCRIPTIONS[key], "enabled": True} for key in BASE_KEYS
    ]


def base_properties_model() -> dict[str, Any]:
    """The BasePropertyModel: the JSON schema of ``base``, each property with its
    ``contactlabProperties`` (label and enabled flag)."""
    schema = _document_schema(customer_schema.BASE)
    for key, property_schema in schema["properties"].items():
        property_schema["description"] = _BASE_DESCRIPTIONS[key]
        property_schema["contactlabProperties"] = {"label": label_of(key), "enabled": True}
    return {"schema": schema}


def contexts() -> list[dict[str, Any]]:
    """The Context of every event context, with the JSON schema of its ``contextInfo``."""
    return [
        {
            "id": context,
            "label": _CONTEXT_DESCRIPTIONS[context][0],
            "description": _CONTEXT_DESCRIPTIONS[context][1],
            "propertiesSchema": _document_schema(event_schema.CONTEXT_INFO[context]),
        }
        for context in CONTEXTS
    ]


def providers() -> list[dict[str, Any]]:
    """The Provider of every kind of source (``propertiesSchema``: the properties it takes)."""
    return [
        {**provider, "propertiesSchema": provider.get("propertiesSchema", {})}
        for provider in PROVIDERS
    ]


assert set(EVENT_TYPES.values()) <= set(MODES)
