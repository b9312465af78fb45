"""What the vendor calls valid, the hub accepts: a generator of documents valid by the vendor's
API reference (v1.51) and JSON schemas, each of which must be accepted unless it is one of the
hub's documented refusals (docs/hub.md, "What the hub accepts and refuses"), each of those with
its evidence.

``MODEL`` below describes the customer, item, session and bring-back documents as the vendor
defines them (types, nullability, enums, formats, required keys, which objects are closed): facts
written in our own form, not the vendor's files. The generator walks it and builds, for every
property, documents that set it to each of its typical values, boundaries, ``null`` where allowed,
every enum value and every form its format allows (RFC 3339 date-times, RFC 5322 addresses, RFC
3986 URIs), with the other keys absent, plus objects with no keys, with unknown keys where the
object is open, and lists that are empty, long or repeat an id.

Every document is checked three ways: against the model (the oracle below checks the formats
strictly, so that no generated value is merely accepted by a lenient checker); against the
vendor's own schemas with ``jsonschema`` when the vendor's reference is at hand
(``../shared/reference`` next to the repository, or ``CONTACTHUB_VENDOR_REFERENCE``; draft 4,
the schemas' era, in which ``3.0`` is not an integer); and by the hub: in process through the
rules (``validate_*``, every document) and over HTTP on both backends (a sample of each family).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hubclient import Api, assert_error

from contacthub import Customer
from contacthub_server.schemas.normalise import normalise_customer
from contacthub_server.service.merge import merge_patch
from contacthub_server.service.validation import (
    ValidationFailed,
    validate_customer,
    validate_event,
    validate_item,
    validate_session,
)

# -- the vendor's model, as facts ---------------------------------------------------------


@dataclass(frozen=True)
class M:
    """One value of the vendor's model: its JSON ``kind`` and constraints."""

    kind: str  # string, number, integer, boolean, object, array, any
    nullable: bool = True
    enum: tuple[str, ...] = ()
    fmt: str | None = None  # date, date-time, email, uri
    pattern: str | None = None
    props: Mapping[str, M] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    closed: bool = True
    items: M | None = None

    def to_schema(self) -> dict[str, Any]:
        """This model as a draft-4 JSON schema (the oracle when the vendor's files are absent)."""
        kinds: list[str] = [] if self.kind == "any" else [self.kind]
        schema: dict[str, Any] = {}
        if kinds:
            schema["type"] = [*kinds, "null"] if self.nullable else kinds[0]
        if self.enum:  # as in the vendor's base schema: null is typed, yet not in the enum
            schema["enum"] = list(self.enum)
        if self.fmt:
            schema["format"] = self.fmt
        if self.pattern:
            schema["pattern"] = self.pattern
        if self.kind == "object":
            schema["properties"] = {k: v.to_schema() for k, v in self.props.items()}
            schema["additionalProperties"] = not self.closed
            if self.required:
                schema["required"] = list(self.required)
        if self.items is not None:
            schema["items"] = self.items.to_schema()
        return schema


def text(nullable: bool = True, **kwargs: Any) -> M:
    return M("string", nullable=nullable, **kwargs)


def number(nullable: bool = True) -> M:
    return M("number", nullable=nullable)


def integer(nullable: bool = True) -> M:
    return M("integer", nullable=nullable)


def flag(nullable: bool = True) -> M:
    return M("boolean", nullable=nullable)


def obj(
    props: Mapping[str, M], *, nullable: bool = True, closed: bool = True, required: Any = ()
) -> M:
    return M("object", nullable=nullable, props=props, closed=closed, required=tuple(required))


def array(items: M) -> M:
    return M("array", nullable=False, items=items)


TIMEZONES = tuple(sorted(v for k, v in vars(Customer.TIMEZONES).items() if k.isupper()))
_ITEM_ID = text(nullable=False)

# base.json: every object closed, every scalar nullable; the four item lists hold open objects
# that require a string id (the reference's item definitions require nothing).
_ITEMS: dict[str, dict[str, M]] = {
    "educations": {
        "id": _ITEM_ID,
        "schoolType": text(
            enum=("PRIMARY_SCHOOL", "SECONDARY_SCHOOL", "HIGH_SCHOOL", "COLLEGE", "OTHER")
        ),
        "schoolName": text(),
        "schoolConcentration": text(),
        "startYear": integer(),
        "endYear": integer(),
        "isCurrent": flag(),
    },
    "likes": {
        "id": _ITEM_ID,
        "category": text(),
        "name": text(),
        "createdTime": text(fmt="date-time"),
    },
    "jobs": {
        "id": _ITEM_ID,
        "companyIndustry": text(),
        "companyName": text(),
        "jobTitle": text(),
        "startDate": text(fmt="date"),
        "endDate": text(fmt="date"),
        "isCurrent": flag(),
    },
    "subscriptions": {
        "id": _ITEM_ID,
        "name": text(),
        "type": text(),
        "kind": text(enum=("DIGITAL_MESSAGE", "SERVICE", "OTHER")),
        "subscribed": flag(),
        "startDate": text(fmt="date-time"),
        "endDate": text(fmt="date-time"),
        "subscriberId": text(),
        "registeredAt": text(fmt="date-time"),
        "updatedAt": text(fmt="date-time"),
        "preferences": array(obj({"key": text(), "value": text()}, nullable=False, closed=False)),
    },
}


def _item_in_list(kind: str) -> M:
    return obj(_ITEMS[kind], nullable=False, closed=False, required=("id",))


BASE = obj(
    {
        "pictureUrl": text(fmt="uri"),
        "title": text(),
        "prefix": text(),
        "firstName": text(),
        "lastName": text(),
        "middleName": text(),
        "gender": text(),
        "dob": text(fmt="date"),
        "locale": text(pattern=r"^[a-z]{2}(_([a-zA-Z]{2}){1,2})?_[A-Z]{2}$"),
        "timezone": text(enum=TIMEZONES),
        "contacts": obj(
            {
                "email": text(fmt="email"),
                "fax": text(),
                "mobilePhone": text(),
                "phone": text(),
                "otherContacts": array(
                    obj(
                        {
                            "name": text(nullable=False),
                            "type": text(enum=("MOBILE", "PHONE", "EMAIL", "FAX", "OTHER")),
                            "value": text(nullable=False),
                        },
                        nullable=False,
                    )
                ),
                "mobileDevices": array(
                    obj(
                        {
                            "identifier": text(nullable=False),
                            "appId": text(nullable=False),
                            "name": text(nullable=False),
                            "type": text(enum=("IOS", "ANDROID", "WINDOWS_PHONE", "FIREOS")),
                            "notificationService": text(enum=("APN", "GCM", "WNS", "ADM", "SNS")),
                        },
                        nullable=False,
                    )
                ),
            }
        ),
        "address": obj(
            {
                "street": text(),
                "city": text(),
                "country": text(),
                "region": text(),
                "province": text(),
                "zip": text(),
                "geo": obj({"lat": number(), "lon": number()}),
            }
        ),
        "credential": obj({"password": text(), "username": text()}),
        "educations": array(_item_in_list("educations")),
        "likes": array(_item_in_list("likes")),
        "socialProfile": obj(
            {
                name: text()
                for name in ("facebook", "google", "instagram", "linkedin", "qzone", "twitter")
            }
        ),
        "jobs": array(_item_in_list("jobs")),
        "subscriptions": array(_item_in_list("subscriptions")),
    },
    nullable=False,
)

_CONSENT = obj({"status": flag(), "limitation": flag(), "objection": flag()})


def _consents(*names: str) -> M:
    return obj(dict.fromkeys(names, _CONSENT))


CONSENTS = obj(
    {
        "disclaimer": obj({"date": text(fmt="date-time"), "version": text()}),
        "marketing": obj(
            {
                "traditional": _consents("telephonic", "papery"),
                "automatic": _consents("sms", "email", "push", "im", "telephonic"),
            }
        ),
        "profiling": _consents("classic", "online"),
        "softSpam": _consents("email", "papery"),
        "thirdPartyTransfer": _consents("profiling", "marketing"),
    },
    nullable=False,
)
TAGS = obj(
    {"auto": array(text(nullable=False)), "manual": array(text(nullable=False))}, nullable=False
)

# The reference's PostCustomer: nodeId required, nothing nullable. (Its object does not close
# itself; the vendor's customer schema draft does: see REFUSALS, "unknown-top-level".)
CUSTOMER_POST = obj(
    {
        "nodeId": text(nullable=False),
        "externalId": text(nullable=False),
        "base": BASE,
        "consents": CONSENTS,
        "extended": M("object", nullable=False, closed=False),
        "extra": text(nullable=False),
        "tags": TAGS,
        "enabled": flag(nullable=False),
    },
    nullable=False,
    required=("nodeId",),
)
# PutCustomer adds what the server owns (accepted, and the server's values kept).
READ_ONLY = {
    "id": text(nullable=False),
    "registeredAt": text(nullable=False, fmt="date-time"),
    "updatedAt": text(nullable=False, fmt="date-time"),
    "sourceInfo": obj(
        {"registeredBy": text(nullable=False), "updatedBy": text(nullable=False)},
        nullable=False,
        closed=False,
    ),
}


def _item_body(kind: str) -> M:
    """The reference's item definition, the body of POST/PUT …/{kind}: open, nothing required,
    nothing nullable; the subscription flag is named ``enable`` there."""
    props = {key: replace(sub, nullable=False) for key, sub in _ITEMS[kind].items()}
    if kind == "subscriptions":
        props["enable"] = flag(nullable=False)
        props["preferences"] = array(
            obj(
                {"key": text(nullable=False), "value": text(nullable=False)},
                nullable=False,
                closed=False,
            )
        )
    return obj(props, nullable=False, closed=False)


ITEM_BODIES = {kind: _item_body(kind) for kind in _ITEMS}
SESSION = obj(
    {"id": text(nullable=False), "value": text(nullable=False)}, nullable=False, closed=False
)
BRING_BACK = obj(
    {
        "type": text(nullable=False, enum=("SESSION_ID", "EXTERNAL_ID")),
        "value": text(nullable=False),
        "nodeId": text(nullable=False),
    },
    nullable=False,
    closed=False,
)

# -- the values the generator tries -------------------------------------------------------

NODE = "node-a1b2"
_RANDOM_LONG = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(94))  # 6016


STRINGS: list[tuple[str, str]] = [
    ("typical", "Mario"),
    ("empty", ""),
    ("space", " "),
    ("unicode", "Zoë Ångström 日本語 🎉"),
    ("escapes", 'line\nbreak\ttab "quoted" \\ back'),
    ("control", "\u0001\u001f\u007f"),
    ("markup", "<b>O'Brien & Co</b>"),
    ("long", "x" * 5000),
    ("long-random", _RANDOM_LONG),
    ("nul", "a\u0000b"),
    ("surrogate", "\udc00"),
]
DATES: list[tuple[str, str]] = [
    ("date", "1980-05-10"),
    ("date-leap-day", "2000-02-29"),
    ("date-first", "0001-01-01"),
    ("date-last", "9999-12-31"),
    ("date-epoch", "1970-01-01"),
]
DATE_TIMES: list[tuple[str, str]] = [
    ("dt-z", "2017-03-08T10:18:17Z"),
    ("dt-millis", "2017-03-08T10:18:17.215Z"),
    ("dt-lower", "2017-03-08t10:18:17z"),
    ("dt-colon-offset", "2017-03-08T10:18:17+00:00"),
    ("dt-minus-zero", "2017-03-08T10:18:17-00:00"),
    ("dt-negative-offset", "2017-03-08T10:18:17-08:00"),
    ("dt-half-hour", "2017-03-08T10:18:17+05:30"),
    ("dt-max-offset", "2017-03-08T10:18:17+23:59"),
    ("dt-one-digit", "2017-03-08T10:18:17.1Z"),
    ("dt-micros", "2017-03-08T10:18:17.123456+01:00"),
    ("dt-nanos", "2017-03-08T10:18:17.123456789Z"),
    ("dt-twelve-digits", "2017-03-08T10:18:17.123456789012Z"),
    ("dt-leap-second", "2016-12-31T23:59:60Z"),
    ("dt-leap-second-offset", "1990-12-31T15:59:60-08:00"),
    ("dt-leap-day", "2000-02-29T12:00:00Z"),
    ("dt-first", "0001-01-01T00:00:00Z"),
    ("dt-last", "9999-12-31T23:59:59.999Z"),
    ("dt-before-first", "0001-01-01T00:00:00+01:00"),
    ("dt-after-last", "9999-12-31T23:30:00-01:00"),
    ("dt-year-zero", "0000-06-01T00:00:00Z"),
]
EMAILS: list[tuple[str, str]] = [
    ("email", "mario.rossi@example.com"),
    ("email-tag", "first.last+tag@mail.example.co.uk"),
    ("email-quoted", '"mario rossi"@example.com'),
    ("email-ip", "user@[192.168.0.1]"),
    ("email-local-host", "root@localhost"),
    ("email-apostrophe", "o'brien@example.ie"),
    ("email-symbols", "x!#$%&*=?^_`{|}~-@example.org"),
]
URIS: list[tuple[str, str]] = [
    ("uri", "https://example.com/me.png"),
    ("uri-plain", "http://example.com"),
    ("uri-query", "https://example.com/a%20b/c?q=1&r=%2F#frag"),
    ("uri-ipv6", "https://[2001:db8::1]:8443/x"),
    ("uri-ftp", "ftp://ftp.example.com/pub/file.txt"),
    ("uri-data", "data:image/png;base64,iVBORw0KGgo="),
    ("uri-urn", "urn:isbn:0451450523"),
    ("uri-mailto", "mailto:mario@example.com"),
    ("uri-file", "file:///tmp/picture.png"),
    ("uri-empty-path", "about:"),
]
LOCALES = [("locale", v) for v in ("it_IT", "en_US", "de_CH_DE", "zh_Hans_CN", "sr_Latn_RS")]
NUMBERS: list[tuple[str, Any]] = [
    ("zero", 0),
    ("negative-zero", -0.0),
    ("one", 1),
    ("minus-one", -1),
    ("fraction", 45.4642),
    ("minus-90", -90),
    ("plus-90", 90.0),
    ("minus-180", -180),
    ("plus-180", 180),
    ("beyond-90", 91.5),
    ("beyond-180", -181),
    ("huge", 1e300),
    ("tiny", 5e-324),
    ("int-2^53", 2**53),
    ("int64-max", 2**63 - 1),
    ("int-2^64", 2**64),
]
INTEGERS: list[tuple[str, Any]] = [
    ("zero", 0),
    ("one", 1),
    ("minus-one", -1),
    ("year", 1999),
    ("int-2^31", 2**31),
    ("int64-max", 2**63 - 1),
    ("int64-min", -(2**63)),
    ("int-2^63", 2**63),
    ("int-minus-2^63-1", -(2**63) - 1),
]
ITEM_IDS: list[tuple[str, str]] = [
    ("id", "e1"),
    ("id-empty", ""),
    ("id-uuid", "8b321dce-53c4-4029-8388-1938efa2090c"),
    ("id-unicode", "ìd-日本"),
    ("id-space", "my id"),
    ("id-dots", "a.b..c"),
    ("id-percent", "50%25off"),
    ("id-long", "i" * 300),
    ("id-dot", "."),
    ("id-dot-dot", ".."),
    ("id-slash", "a/b"),
]
SESSION_VALUES: list[tuple[str, str]] = [
    ("uuid", "0f8fad5b-d9cb-469f-a165-70867728950e"),
    ("one-char", "s"),
    ("empty", ""),
    ("unicode", "sessione-日本-🎉"),
    ("long-513", "s" * 513),
    ("long-random", _RANDOM_LONG),
    ("long-100k", "v" * 100_000),
]


def typical(m: M) -> Any:
    """A typical value of ``m``: what a client usually sends."""
    if m.enum:
        return m.enum[0]
    if m.kind == "string":
        return {
            "date": "1980-05-10",
            "date-time": "2017-03-08T10:18:17Z",
            "email": "mario.rossi@example.com",
            "uri": "https://example.com/me.png",
        }.get(m.fmt or "", "it_IT" if m.pattern else "Mario")
    if m.kind == "number":
        return 45.46
    if m.kind == "integer":
        return 1999
    if m.kind == "boolean":
        return True
    if m.kind == "array":
        return [minimal(m.items)] if m.items is not None else []
    if m.kind == "object":
        return {key: typical(sub) for key, sub in m.props.items()} if m.props else {"k": 1}
    return "value"


def minimal(m: M | None) -> Any:
    """The smallest valid value of ``m``: an object with its required keys only."""
    if m is None:
        return None
    if m.kind == "object":
        return {key: typical(m.props[key]) for key in m.required}
    if m.kind == "array":
        return []
    return typical(m)


def variants(m: M, key: str) -> list[tuple[str, Any]]:
    """Every value the generator tries for a property ``key`` described by ``m``."""
    found: list[tuple[str, Any]] = []
    if m.nullable and not m.enum:
        # (The vendor's base schema types its enums as nullable yet leaves null out of them,
        # which makes null invalid there: only the later schemas list it.)
        found.append(("null", None))
    if m.enum:
        found += [(f"enum-{value}", value) for value in m.enum]
    elif m.kind == "string" and key == "id":
        found += ITEM_IDS
    elif m.kind == "string":
        found += {"date": DATES, "date-time": DATE_TIMES, "email": EMAILS, "uri": URIS}.get(
            m.fmt or "", LOCALES if m.pattern else STRINGS
        )
    elif m.kind == "number":
        found += NUMBERS
    elif m.kind == "integer":
        found += INTEGERS
    elif m.kind == "boolean":
        found += [("true", True), ("false", False)]
    elif m.kind == "object":
        found.append(("no-keys", minimal(m)))
        if m.props:
            found.append(("all-typical", typical(m)))
            nulls = {
                k: (None if s.nullable and not s.enum else typical(s)) for k, s in m.props.items()
            }
            if any(s.nullable for s in m.props.values()):
                found.append(("all-null", nulls))
        if not m.closed:
            found.append(("unknown-key", {**minimal(m), "customKey": "kept"}))
            found.append(("unknown-nested", {**minimal(m), "custom": {"a": [1, None, "x"]}}))
        if not m.props:  # a free object (extended): shapes a workspace's schema may take
            found += FREE_OBJECTS
    elif m.kind == "array" and m.items is not None:
        one = typical(m.items)
        found.append(("one", [one]))
        if m.items.kind == "object" and "id" in m.items.props:
            found.append(("distinct-ids", [{**one, "id": f"i{n}"} for n in range(3)]))
            found.append(("repeated-id", [{**one, "id": "same"}, {**one, "id": "same"}]))
            found.append(("many", [{**one, "id": f"i{n}"} for n in range(100)]))
        else:
            found.append(("repeated", [one, one]))
            found.append(
                ("many", [f"{one}-{n}" if isinstance(one, str) else one for n in range(500)])
            )
    return found


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": True}
    for _ in range(depth):
        value = {"n": value}
    return value


FREE_OBJECTS: list[tuple[str, Any]] = [
    ("scalars", {"points": 120, "ratio": 0.5, "vip": False, "none": None, "name": "x"}),
    ("lists", {"history": [{"year": 2020, "spent": 99.5}], "codes": ["a", 1, None]}),
    ("odd-keys", {"": 1, "a.b": 2, "a/b": 3, "$x": 4, "~": 5, "日本": 6, "with space": 7}),
    ("nested-20", _nested(20)),
    ("nested-200", _nested(200)),
    ("big-int", {"n": 2**64}),
]

# -- where a value is placed ----------------------------------------------------------------

Path_ = tuple[str | int, ...]


def walk(m: M, path: Path_ = ()) -> Iterator[tuple[Path_, str, M]]:
    """Every property below ``m``: its path (0 for the first element of a list), key and model."""
    if m.kind == "object":
        for key, sub in m.props.items():
            yield (*path, key), key, sub
            yield from walk(sub, (*path, key))
    elif m.kind == "array" and m.items is not None:
        yield (*path, 0), "[]", m.items
        yield from walk(m.items, (*path, 0))


def placed(seed: dict[str, Any], model: M, path: Path_, value: Any) -> dict[str, Any]:
    """``seed`` with ``value`` at ``path``, parents created as their smallest valid values."""
    doc = copy.deepcopy(seed)
    target: Any = doc
    current = model
    for step in path[:-1]:
        child = current.props[step] if isinstance(step, str) else current.items
        assert child is not None
        if isinstance(step, str) and not isinstance(target.get(step), dict | list):
            target[step] = minimal(child) if child.kind == "object" else [minimal(child.items)]
        target = target[step]
        current = child
    target[path[-1]] = value
    return doc


@dataclass(frozen=True)
class Case:
    """One generated document of a family, the path and label of the value it exercises."""

    family: str
    path: Path_
    label: str
    doc: Any
    value: Any

    @property
    def pointer(self) -> str:
        return "".join("/" + str(step).replace("~", "~0").replace("/", "~1") for step in self.path)

    @property
    def hub_pointer(self) -> str:
        """Where the hub reports a problem of this case's value."""
        return ("/bringBackProperties" if self.family == "bring-back" else "") + self.pointer

    @property
    def name(self) -> str:
        return f"{self.family}:{self.pointer or '/'}={self.label}"


def generated(
    family: str, model: M, seed: dict[str, Any], *, whole: bool = False
) -> Iterator[Case]:
    """Every document of ``family``: the seed, then one per (property, value); with ``whole``
    also the root object's own variants (no keys, unknown keys)."""
    yield Case(family, (), "seed", seed, seed)
    if whole:
        for label, value in variants(model, ""):
            yield Case(family, (), label, value, value)
    for path, key, sub in walk(model):
        for label, value in variants(sub, key):
            yield Case(family, path, label, placed(seed, model, path, value), value)


CUSTOMER_SEED = {"nodeId": NODE, "externalId": "seed-1"}
ITEM_SEED: dict[str, Any] = {}


def customer_cases() -> list[Case]:
    cases = list(generated("customer", CUSTOMER_POST, CUSTOMER_SEED))
    cases.append(Case("customer", (), "only-base", {"nodeId": NODE, "base": {}}, None))
    cases.append(Case("customer", (), "only-extended", {"nodeId": NODE, "extended": {}}, None))
    full = {k: typical(v) for k, v in CUSTOMER_POST.props.items()}
    full["nodeId"] = NODE
    cases.append(Case("customer", (), "everything-typical", full, None))
    for key, value in (("extra", "x" * 64 * 1024), ("extra", "x" * (64 * 1024 + 1))):
        label = "64-KiB" if len(value) == 64 * 1024 else "over-64-KiB"
        cases.append(Case("customer", (key,), label, {**CUSTOMER_SEED, key: value}, value))
    for key, value in (("unknownKey", "x"), ("deleted", False), ("sources", {})):
        doc = {**CUSTOMER_SEED, key: value}
        cases.append(Case("customer", (key,), "unknown-top-level", doc, value))
    # PutCustomer's read-only properties, in every form they take.
    read_only = obj(READ_ONLY, nullable=False)
    for case in generated("customer", read_only, CUSTOMER_SEED):
        if case.path:
            cases.append(replace(case, family="customer-put"))
    return cases


def item_cases() -> list[Case]:
    return [
        case
        for kind, model in ITEM_BODIES.items()
        for case in generated(f"item-{kind}", model, ITEM_SEED, whole=True)
    ]


def session_cases() -> list[Case]:
    seed = {"value": "0f8fad5b-d9cb-469f-a165-70867728950e"}
    cases = [Case("session", (), "seed", seed, seed)]
    cases += [Case("session", ("value",), label, {"value": v}, v) for label, v in SESSION_VALUES]
    cases.append(Case("session", ("id",), "id-echoed", {**seed, "id": "whatever"}, "whatever"))
    cases.append(Case("session", ("extra",), "unknown-key", {**seed, "extra": 1}, 1))
    cases.append(Case("session", ("value",), "value-absent", {}, None))
    return cases


def bring_back_cases() -> list[Case]:
    seed = {"type": "SESSION_ID", "value": "0f8fad5b-d9cb-469f-a165-70867728950e", "nodeId": NODE}
    cases = [Case("bring-back", (), "seed", seed, seed)]
    for key in ("type", "value", "nodeId"):
        absent = {k: v for k, v in seed.items() if k != key}
        cases.append(Case("bring-back", (key,), "absent", absent, None))
    cases += [
        Case("bring-back", ("type",), f"enum-{v}", {**seed, "type": v}, v)
        for v in ("SESSION_ID", "EXTERNAL_ID")
    ]
    for label, v in SESSION_VALUES:
        cases.append(Case("bring-back", ("value",), label, {**seed, "value": v}, v))
    cases.append(Case("bring-back", ("extra",), "unknown-key", {**seed, "extra": 1}, 1))
    return cases


def event_with(bring_back: Any) -> dict[str, Any]:
    return {
        "bringBackProperties": bring_back,
        "type": "loggedIn",
        "context": "WEB",
        "properties": {},
    }


# -- the refusals the hub keeps, each with its evidence (docs/hub.md lists them) -------------


def refusal(case: Case) -> str | None:
    """The name of the documented refusal that applies to ``case``, or None (accepted)."""
    label, leaf = case.label, case.path[-1] if case.path else None
    if case.family == "customer-put" and case.path[:1] != ("nodeId",):
        return None  # what the server owns is ignored, whatever it holds
    if case.path == ("nodeId",) and label == "empty":
        return "unknown-node"  # no node has an empty id
    if label == "nul" or label == "surrogate":
        return "unstorable-text"  # PostgreSQL cannot store U+0000; a lone surrogate is no Unicode
    if label in ("int-2^64", "int-2^63", "int-minus-2^63-1", "big-int"):
        return "int64"  # the hub keeps integers exactly, in 64 bits
    if label in ("id-dot", "id-dot-dot", "id-slash") and case.family != "customer-put":
        return "id-segment"  # every client puts item ids in the URL path as they are
    if label in ("dt-before-first", "dt-after-last", "dt-year-zero"):
        return "instant-range"  # the hub's date-times are in years 0001 to 9999 UTC
    if label == "over-64-KiB":
        return "section-size"  # changelog 1.31: base, extended, extra at most 64 KB
    if label == "nested-200":
        return "nesting"  # 64 levels: a bound on every document's depth
    if label == "unknown-top-level":
        return "unknown-top-level"  # the vendor's customer schema draft closes the document
    if case.family == "session" and label == "value-absent":
        return "session-value"
    if case.family == "bring-back" and leaf in ("value", "nodeId") and label in ("absent", "empty"):
        return "bring-back-owner"
    if case.family == "bring-back" and label == "unknown-key":
        return "bring-back-closed"
    return None


# -- the oracle: the formats, checked strictly ----------------------------------------------

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))"
)
_FULL_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_EMAIL = re.compile(
    rf'(?:{_ATEXT}(?:\.{_ATEXT})*|"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*")'
    rf"@(?:{_ATEXT}(?:\.{_ATEXT})*|\[[\x21-\x5a\x5e-\x7e]*\])"
)
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")


def _valid_day(year: int, month: int, day: int) -> bool:
    if not 1 <= month <= 12:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return 1 <= day <= days


def is_rfc3339(value: str) -> bool:
    """RFC 3339 §5.6 date-time, with §5.7's ranges (a leap second only at 23:59:60 UTC)."""
    match = _RFC3339.fullmatch(value)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(match[i]) for i in range(1, 7))
    if not _valid_day(year, month, day) or hour > 23 or minute > 59 or second > 60:
        return False
    if match[9] is not None and (int(match[10]) > 23 or int(match[11]) > 59):
        return False
    if second == 60:
        offset = 0 if match[9] is None else (int(match[10]) * 60 + int(match[11]))
        offset *= -1 if match[9] == "-" else 1
        utc_minutes = (hour * 60 + minute - offset) % (24 * 60)
        return utc_minutes == 23 * 60 + 59
    return True


def _is_full_date(value: str) -> bool:
    match = _FULL_DATE.fullmatch(value)
    return match is not None and _valid_day(int(match[1]), int(match[2]), int(match[3]))


FORMATS = jsonschema.FormatChecker(formats=())
for _name, _check in (
    ("date-time", is_rfc3339),
    ("date", _is_full_date),
    ("email", lambda v: _EMAIL.fullmatch(v) is not None),
    ("uri", lambda v: _URI.fullmatch(v) is not None),
):
    # A format applies to strings only (JSON Schema): other types pass.
    FORMATS.checks(_name)(lambda v, check=_check: not isinstance(v, str) or check(v))


def utc_instant(value: str) -> tuple[int, ...]:
    """The UTC instant an RFC 3339 date-time names, to the millisecond, as a tuple (it may be
    outside Python's years, or a leap second: no ``datetime``)."""
    match = _RFC3339.fullmatch(value)
    assert match is not None
    year, month, day, hour, minute, second = (int(match[i]) for i in range(1, 7))
    millis = int(((match[7] or ".0")[1:] + "00")[:3])
    offset = 0 if match[9] is None else (int(match[10]) * 60 + int(match[11]))
    offset *= -1 if match[9] == "-" else 1
    leap = second == 60
    base = datetime(max(year, 1), month, day, hour, minute, 59 if leap else second)
    moment = base - timedelta(minutes=offset)
    return (*moment.timetuple()[:6], 999 if leap else millis)


# -- the vendor's own schemas, when at hand ---------------------------------------------------

_REFERENCE = Path(
    os.environ.get(
        "CONTACTHUB_VENDOR_REFERENCE", Path(__file__).resolve().parents[4] / "shared" / "reference"
    )
)


def _vendor_schemas() -> dict[str, dict[str, Any]] | None:
    """The vendor's schemas of each family's document, by family, or None when absent."""
    spec_file = _REFERENCE / "hub-api-1.51.yaml"
    if not spec_file.exists():
        return None
    import yaml

    definitions = yaml.safe_load(spec_file.read_text())["definitions"]

    def schema_of(name: str) -> dict[str, Any]:
        return {"$ref": f"#/definitions/{name}"}

    def section(name: str) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((_REFERENCE / "schemas" / name).read_text())
        loaded.pop("$schema", None)  # not a meta-schema: the schemas are of draft 4's era
        return loaded

    post = schema_of("PostCustomer")
    customer = {
        "allOf": [
            post,
            {
                "properties": {
                    "base": section("customer/base.json"),
                    "consents": section("customer/consents.json"),
                    "tags": section("customer/tags.json"),
                }
            },
        ]
    }
    put = {"allOf": [schema_of("PutCustomer"), customer["allOf"][1]]}
    families = {
        "customer": customer,
        "customer-put": put,
        "item-educations": schema_of("Education"),
        "item-likes": schema_of("Like"),
        "item-jobs": schema_of("Job"),
        "item-subscriptions": schema_of("Subscription"),
        "session": schema_of("Session"),
        "bring-back": schema_of("BringBackProperty"),
    }
    # References point into the reference's definitions: each schema carries them at its root.
    return {name: {**schema, "definitions": definitions} for name, schema in families.items()}


VENDOR = _vendor_schemas()
OURS = {
    "customer": CUSTOMER_POST,
    "customer-put": replace(CUSTOMER_POST, props={**CUSTOMER_POST.props, **READ_ONLY}),
    **{f"item-{kind}": model for kind, model in ITEM_BODIES.items()},
    "session": SESSION,
    "bring-back": BRING_BACK,
}


def vendor_valid(case: Case) -> bool:
    """Whether ``case.doc`` is valid by the vendor's schema (else by our model of it)."""
    schema = VENDOR[case.family] if VENDOR is not None else OURS[case.family].to_schema()
    validator = jsonschema.Draft4Validator(schema, format_checker=FORMATS)
    return validator.is_valid(case.doc)


ALL_CASES = [*customer_cases(), *item_cases(), *session_cases(), *bring_back_cases()]


# -- the hub's rules, in process --------------------------------------------------------------


def hub_check(case: Case) -> Any:
    """Run ``case`` through the rule the hub applies to its family; the canonical result."""
    if case.family in ("customer", "customer-put"):
        return validate_customer(case.doc)
    if case.family.startswith("item-"):
        return validate_item(case.family.removeprefix("item-"), case.doc)
    if case.family == "session":
        return validate_session(case.doc)
    return validate_event(event_with(case.doc))["bringBackProperties"]


@pytest.mark.skipif(VENDOR is None, reason=f"the vendor's reference is not at {_REFERENCE}")
def test_the_generator_builds_thousands_of_documents_valid_by_the_vendor() -> None:
    assert len(ALL_CASES) > 1500
    invalid = [case.name for case in ALL_CASES if not vendor_valid(case)]
    assert invalid == []


def test_the_generator_covers_every_property_of_the_model() -> None:
    for family in ("customer", *(f"item-{kind}" for kind in ITEM_BODIES)):
        exercised = {case.path for case in ALL_CASES if case.family == family}
        declared = {path for path, _key, _sub in walk(OURS[family])}
        assert declared <= exercised, declared - exercised


@pytest.mark.skipif(VENDOR is None, reason=f"the vendor's reference is not at {_REFERENCE}")
def test_the_model_matches_the_vendors_schemas() -> None:
    """Our model says what the vendor's files say (so the generator, built from the model, does
    not drift away from them): every property of the base, consents and tags schemas, with the
    same types, enums, formats and closure."""
    assert VENDOR is not None
    sections = VENDOR["customer"]["allOf"][1]["properties"]
    for name in ("base", "consents", "tags"):
        _same(sections[name], OURS["customer"].props[name], f"/{name}")


def _same(vendor: Mapping[str, Any], ours: M, where: str) -> None:
    kinds = vendor.get("type")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
    if kinds:
        assert [k for k in kinds if k != "null"] == [ours.kind], where
        assert ("null" in kinds) == ours.nullable, where
    assert sorted(v for v in vendor.get("enum", ()) if v is not None) == sorted(ours.enum), where
    assert vendor.get("format") == ours.fmt, where
    assert vendor.get("pattern") == ours.pattern, where
    if ours.kind == "object":
        assert set(vendor.get("properties", {})) == set(ours.props), where
        assert (vendor.get("additionalProperties", True) is False) == ours.closed, where
        assert tuple(vendor.get("required", ())) == ours.required, where
        for key, sub in ours.props.items():
            _same(vendor["properties"][key], sub, f"{where}/{key}")
    if ours.items is not None:
        _same(vendor["items"], ours.items, f"{where}/[]")


def _outcome(case: Case) -> tuple[bool, list[str]]:
    try:
        hub_check(case)
    except ValidationFailed as exc:
        return False, [error.path for error in exc.errors]
    return True, []


def test_every_vendor_valid_document_is_accepted_unless_refused_with_evidence() -> None:
    wrongly_refused, wrongly_accepted, misplaced = [], [], []
    for case in ALL_CASES:
        accepted, pointers = _outcome(case)
        reason = refusal(case)
        if reason is None and not accepted:
            wrongly_refused.append(f"{case.name}: {pointers}")
        elif reason is not None and accepted:
            wrongly_accepted.append(f"{case.name} ({reason})")
        elif reason is not None and not any(p.startswith(case.hub_pointer) for p in pointers):
            misplaced.append(f"{case.name} ({reason}): {pointers}")
    assert wrongly_refused == []
    assert wrongly_accepted == []
    assert misplaced == []


def _at(doc: Any, path: Path_) -> Any:
    for step in path:
        doc = doc[step]
    return doc


def _kept(sent: Any, kept: Any) -> bool:
    """Whether the hub kept ``sent`` in ``kept``: the same strings and numbers, date-times at the
    same instant (to the millisecond, in the hub's form), dates as the same day; objects may
    gain the keys the hub answers with null."""
    if isinstance(sent, dict):
        return isinstance(kept, dict) and all(
            key in kept and _kept(value, kept[key]) for key, value in sent.items()
        )
    if isinstance(sent, list):
        return (
            isinstance(kept, list)
            and len(sent) == len(kept)
            and all(_kept(a, b) for a, b in zip(sent, kept, strict=True))
        )
    if isinstance(sent, str) and is_rfc3339(sent):
        return (
            isinstance(kept, str)
            and kept.endswith("+0000")
            and utc_instant(kept.replace("+0000", "Z")) == utc_instant(sent)
        )
    return bool(kept == sent and type(kept) is type(sent))


def test_accepted_values_are_kept_as_sent() -> None:
    changed = []
    for case in ALL_CASES:
        if refusal(case) is not None or not case.path:
            continue
        if not case.family.startswith(("customer", "item-")) or case.family == "customer-put":
            continue  # sessions and bring-backs: over HTTP below; what PUT ignores is dropped
        kept = _at(hub_check(case), case.path)
        if not _kept(case.value, kept):
            changed.append(f"{case.name}: sent {case.value!r:.80}, kept {kept!r:.80}")
    assert changed == []


def test_unknown_keys_of_open_objects_are_kept() -> None:
    checked = 0
    for case in ALL_CASES:
        family = case.family == "customer" or case.family.startswith("item-")
        if case.label.startswith("unknown-") and family and refusal(case) is None:
            assert _at(hub_check(case), case.path) == case.value, case.name
            checked += 1
    assert checked > 10


def test_a_bring_back_without_type_is_a_session_id() -> None:
    body = {"value": "0f8fad5b-d9cb-469f-a165-70867728950e", "nodeId": NODE}
    assert validate_event(event_with(body))["bringBackProperties"] == {"type": "SESSION_ID", **body}


def test_every_patch_of_a_vendor_valid_property_is_accepted() -> None:
    """PatchCustomer: the same properties without nodeId, merged into a stored customer."""
    stored = normalise_customer({**validate_customer(CUSTOMER_SEED), "id": "c1"})
    refused = []
    for case in ALL_CASES:
        if case.family != "customer" or refusal(case) is not None or not case.path:
            continue
        patch = {k: v for k, v in case.doc.items() if k != "nodeId"}
        try:
            validate_customer(merge_patch(stored, patch))
        except ValidationFailed as exc:
            refused.append(f"{case.name}: {exc}")
    assert refused == []


def test_the_openapi_document_describes_what_the_hub_accepts() -> None:
    """Every accepted document satisfies its request schema in the hub's OpenAPI document, and
    every refused one (but the refusals that schemas cannot express) fails it."""
    from test_rules_openapi import check

    schemas = {
        "customer": "CustomerInput",
        "customer-put": "CustomerReplacement",
        "session": "SessionInput",
        "bring-back": "EventInput",
        **{f"item-{kind}": f"{kind[:-1].capitalize()}Input" for kind in ITEM_BODIES},
    }
    schemas["item-educations"] = "EducationInput"
    # What a JSON schema cannot say: storage (NUL, surrogates, 64-bit integers), sizes, depth,
    # instants, and what names no node.
    inexpressible = {"unstorable-text", "int64", "section-size", "nesting", "instant-range"}
    disagreements = []
    for case in ALL_CASES:
        doc = event_with(case.doc) if case.family == "bring-back" else case.doc
        reason = refusal(case)
        try:
            check(doc, schemas[case.family])
        except jsonschema.ValidationError as exc:
            if reason is None:
                disagreements.append(f"{case.name}: refused by the schema: {exc.message:.100}")
        else:
            if reason is not None and reason not in inexpressible | {"unknown-node"}:
                disagreements.append(f"{case.name}: accepted by the schema ({reason})")
    assert disagreements == []


# -- over HTTP, on both backends --------------------------------------------------------------


def _sample(cases: list[Case], every: int) -> list[Case]:
    """Every ``every``-th case, plus each case whose value could strain the store."""
    straining = ("long", "unicode", "many", "odd-keys", "nested", "64-KiB", "id-", "repeated")
    return [
        case
        for index, case in enumerate(cases)
        if index % every == 0 or case.label.startswith(straining)
    ]


def _expect(reply: Any, case: Case, success: tuple[int, ...]) -> None:
    reason = refusal(case)
    if case.label == "surrogate":
        reason = "unstorable-text"  # even where the rules would ignore it: see below
    if reason is None:
        assert reply.status_code in success, f"{case.name}: {reply.status_code} {reply.text:.300}"
    else:
        body = assert_error(reply, 400)
        pointers = [error["path"] for error in body["errors"]]
        if reason == "unstorable-text" and case.label == "surrogate":
            # No UTF-8 form: the JSON parser refuses the whole body before the rules see it.
            assert pointers == [""], (case.name, pointers)
        else:
            assert any(p.startswith(case.hub_pointer) for p in pointers), (case.name, pointers)


def _for_hub(doc: Any, api: Api) -> Any:
    """``doc`` with the test's node, wherever the generator wrote its placeholder."""
    return json.loads(json.dumps(doc).replace(NODE, api.hub.node_id))


def test_customers_over_http(api: Api) -> None:
    cases = [c for c in ALL_CASES if c.family in ("customer", "customer-put")]
    for case in _sample(cases, every=7):
        if case.path == ("nodeId",) and case.label != "empty":
            continue  # names no node of the workspace: a 404 (the rules accept any name)
        body = _for_hub(case.doc, api)
        if case.family == "customer-put":
            target = api.customer(externalId="put-target")
            _expect(api("PUT", f"/customers/{target['id']}", json=body), case, (200,))
            assert api("DELETE", f"/customers/{target['id']}").status_code == 200
            continue
        reply = api("POST", "/customers", json=body)
        _expect(reply, case, (201,))
        if reply.status_code != 201:
            continue
        stored = reply.json()
        assert api("GET", f"/customers/{stored['id']}").json() == stored
        patch = {k: v for k, v in body.items() if k != "nodeId"}
        patched = api("PATCH", f"/customers/{stored['id']}", json=patch)
        assert patched.status_code == 200, (case.name, patched.text[:300])
        assert api("DELETE", f"/customers/{stored['id']}").status_code == 200


def _segment(item_id: str) -> str:
    return urllib.parse.quote(item_id, safe="")


@pytest.mark.parametrize("kind", list(ITEM_BODIES))
def test_items_over_http(api: Api, kind: str) -> None:
    customer = api.customer(externalId="items")
    url = f"/customers/{customer['id']}/{kind}"
    success = (201,) if kind == "subscriptions" else (200,)
    for n, case in enumerate(c for c in ALL_CASES if c.family == f"item-{kind}"):
        body = dict(case.doc)
        if "id" not in body and n % 2:  # half of the cases name their item, half do not
            body["id"] = f"item-{n}"
        reply = api("POST", url, json=body)
        _expect(reply, case, success)
        if reply.status_code not in success:
            continue
        item = reply.json()
        assert isinstance(item["id"], str)
        if "id" in body:
            assert item["id"] == body["id"]
        assert api("GET", f"/customers/{customer['id']}").json()["base"][kind] == [item]
        if item["id"]:  # an empty id is reachable through the customer only
            assert api("GET", f"{url}/{_segment(item['id'])}").json() == item, case.name
        # Back to an empty list, so that the next case's id cannot collide.
        api("PATCH", f"/customers/{customer['id']}", json={"base": {kind: []}})


def test_an_item_posted_without_id_gets_one_and_is_reachable(api: Api) -> None:
    customer = api.customer(externalId="no-id")
    url = f"/customers/{customer['id']}/likes"
    first = api("POST", url, json={"name": "pizza"})
    second = api("POST", url, json={"name": "pasta"})
    assert first.status_code == second.status_code == 200
    ids = {first.json()["id"], second.json()["id"]}
    assert len(ids) == 2
    assert all(len(item_id) == 36 for item_id in ids)
    assert api("GET", f"{url}/{first.json()['id']}").json() == first.json()


def test_a_customer_with_repeated_item_ids_is_stored_and_its_items_reachable(api: Api) -> None:
    likes = [{"id": "same", "name": "first"}, {"id": "same", "name": "second"}]
    customer = api.customer(externalId="dup", base={"likes": likes})
    url = f"/customers/{customer['id']}/likes/same"
    assert [like["name"] for like in customer["base"]["likes"]] == ["first", "second"]
    assert api("GET", url).json()["name"] == "first"
    replaced = api("PUT", url, json={"name": "third"})
    assert replaced.status_code == 200
    names = [
        like["name"] for like in api("GET", f"/customers/{customer['id']}").json()["base"]["likes"]
    ]
    assert names == ["third", "second"]
    assert api("DELETE", url).status_code == 200
    assert api("GET", f"/customers/{customer['id']}").json()["base"]["likes"] == []
    conflict = api("POST", f"/customers/{customer['id']}/likes", json={"id": "x"})
    assert conflict.status_code == 200
    assert_error(api("POST", f"/customers/{customer['id']}/likes", json={"id": "x"}), 409)


def test_sessions_over_http(api: Api) -> None:
    for n, case in enumerate(c for c in ALL_CASES if c.family == "session"):
        customer = api.customer(externalId=f"sessions-{n}")
        reply = api("POST", f"/customers/{customer['id']}/sessions", json=case.doc)
        _expect(reply, case, (201,))
        if reply.status_code == 201:
            session = reply.json()
            assert set(session) == {"id", "value"}
            assert session["value"] == case.doc["value"]
            listed = api("GET", f"/customers/{customer['id']}/sessions").json()["elements"]
            assert listed == [session]
        # A value belongs to one customer of the node: free it for the next case.
        assert api("DELETE", f"/customers/{customer['id']}").status_code == 200


def test_bring_back_properties_over_http(api: Api) -> None:
    for case in (c for c in ALL_CASES if c.family == "bring-back"):
        reply = api("POST", "/events", json=_for_hub(event_with(case.doc), api))
        _expect(reply, case, (202,))
        if reply.status_code == 202:
            event = api("GET", f"/events/{reply.json()['id']}").json()
            expected = {"type": "SESSION_ID", **_for_hub(case.doc, api)}
            expected.pop("extra", None)
            assert event["bringBackProperties"] == expected


def test_a_long_session_value_reconciles_its_events(api: Api) -> None:
    value = _RANDOM_LONG
    bring_back = {"type": "SESSION_ID", "value": value, "nodeId": api.hub.node_id}
    posted = api("POST", "/events", json=event_with(bring_back))
    assert posted.status_code == 202
    customer = api.customer(externalId="long-session")
    assert (
        api("POST", f"/customers/{customer['id']}/sessions", json={"value": value}).status_code
        == 201
    )
    event = api("GET", f"/events/{posted.json()['id']}").json()
    assert event["customerId"] == customer["id"]
    other = api.customer(externalId="other")
    assert_error(api("POST", f"/customers/{other['id']}/sessions", json={"value": value}), 409)


def test_a_long_external_id_is_stored_and_found(api: Api) -> None:
    customer = api.customer(externalId=_RANDOM_LONG)
    found = api("GET", "/customers", params={"nodeId": api.hub.node_id, "externalId": _RANDOM_LONG})
    assert [c["id"] for c in found.json()["elements"]] == [customer["id"]]
