"""The writable customer document (contract §6): what a client may send, field by field.

As in the vendor's base, consents and tags schemas, every object of ``base`` (and ``base`` itself,
``consents`` and ``tags``) is closed, an unknown key an error, except the items of the four lists
(educations, likes, jobs, subscriptions) and a subscription's preferences, which those schemas
leave open: their unknown keys are kept. ``extended`` is free unless the node configures a JSON
schema for it. Every property may be ``null`` (unset), except where the vendor's base schema
types it as a string, an object or a list without ``null``: the lists of ``base`` and
``base.contacts``, ``preferences`` of a subscription, the items of all of them, an item's ``id``,
and ``name``, ``value`` of other contacts and ``identifier``, ``appId``, ``name`` of mobile devices.
"""

from __future__ import annotations

from dataclasses import replace

from contacthub_server.schemas.spec import (
    AnyObject,
    Bool,
    Date,
    DateTime,
    Int,
    ListOf,
    Num,
    Obj,
    Spec,
    Str,
)
from contacthub_server.schemas.timezones import TIMEZONES

MAX_SECTION_BYTES = 64 * 1024
"""The largest ``base``, ``extended`` or ``extra`` (as compact UTF-8 JSON) the hub accepts."""

LOCALE_PATTERN = r"[a-z]{2}(_([a-zA-Z]{2}){1,2})?_[A-Z]{2}"
"""A locale such as ``it_IT`` or ``de_DE``."""

OTHER_CONTACT_TYPES = ("MOBILE", "PHONE", "EMAIL", "FAX", "OTHER")
"""The kinds of ``base.contacts.otherContacts[].type``."""
MOBILE_DEVICE_TYPES = ("IOS", "ANDROID", "WINDOWS_PHONE", "FIREOS")
"""The kinds of ``base.contacts.mobileDevices[].type``."""
NOTIFICATION_SERVICES = ("APN", "GCM", "WNS", "ADM", "SNS")
"""The push services of ``base.contacts.mobileDevices[].notificationService``."""
SCHOOL_TYPES = ("PRIMARY_SCHOOL", "SECONDARY_SCHOOL", "HIGH_SCHOOL", "COLLEGE", "OTHER")
"""The kinds of ``base.educations[].schoolType``."""
SUBSCRIPTION_KINDS = ("DIGITAL_MESSAGE", "SERVICE", "OTHER")
"""The kinds of ``base.subscriptions[].kind``."""

GEO = Obj({"lat": Num(), "lon": Num()})
"""A customer's point on Earth: two numbers, each may be null or absent, with no bounds (the
vendor's base schemas, 2018 and 2019, bound only the points of event contexts)."""

CONTACTS = Obj(
    {
        "email": Str(fmt="email"),
        "fax": Str(),
        "mobilePhone": Str(),
        "phone": Str(),
        "otherContacts": ListOf(
            Obj(
                {
                    "name": Str(nullable=False),
                    "type": Str(enum=OTHER_CONTACT_TYPES),
                    "value": Str(nullable=False),
                },
                nullable=False,
            ),
            nullable=False,
        ),
        "mobileDevices": ListOf(
            Obj(
                {
                    "identifier": Str(nullable=False),
                    "appId": Str(nullable=False),
                    "name": Str(nullable=False),
                    "type": Str(enum=MOBILE_DEVICE_TYPES),
                    "notificationService": Str(enum=NOTIFICATION_SERVICES),
                },
                nullable=False,
            ),
            nullable=False,
        ),
    }
)
"""A customer's ``base.contacts``: email, phones, fax, other contacts, mobile devices."""

ADDRESS = Obj(
    {
        "street": Str(),
        "city": Str(),
        "country": Str(),
        "province": Str(),
        "region": Str(),
        "zip": Str(),
        "geo": GEO,
    }
)
"""A customer's ``base.address``, with an optional geographic point."""

# Any string, even empty (the base schema's "id": string), but one URL path segment: every
# client puts the id in the item's URL as it is (docs/hub.md).
_ID = Str(nullable=False, fmt="segment")

ITEMS: dict[str, Obj] = {
    "educations": Obj(
        {
            "id": _ID,
            "schoolType": Str(enum=SCHOOL_TYPES),
            "schoolName": Str(),
            "schoolConcentration": Str(),
            "startYear": Int(),
            "endYear": Int(),
            "isCurrent": Bool(),
        },
        required=("id",),
        closed=False,
    ),
    "likes": Obj(
        {"id": _ID, "category": Str(), "name": Str(), "createdTime": DateTime()},
        required=("id",),
        closed=False,
    ),
    "jobs": Obj(
        {
            "id": _ID,
            "companyIndustry": Str(),
            "companyName": Str(),
            "jobTitle": Str(),
            "startDate": Date(),
            "endDate": Date(),
            "isCurrent": Bool(),
        },
        required=("id",),
        closed=False,
    ),
    "subscriptions": Obj(
        {
            "id": _ID,
            "name": Str(),
            "type": Str(),
            "kind": Str(enum=SUBSCRIPTION_KINDS),
            "subscribed": Bool(),
            "startDate": DateTime(),
            "endDate": DateTime(),
            "subscriberId": Str(),
            "registeredAt": DateTime(),
            "updatedAt": DateTime(),
            "preferences": ListOf(
                Obj({"key": Str(), "value": Str()}, closed=False, nullable=False), nullable=False
            ),
        },
        required=("id",),
        closed=False,
    ),
}
"""Each kind of customer item (the lists of ``base`` with their own endpoints), as it is kept
in ``base.<kind>``: its ``id`` required, unknown keys kept."""

ITEM_BODIES: dict[str, Obj] = {kind: replace(spec, required=()) for kind, spec in ITEMS.items()}
"""The body of ``POST``/``PUT …/customers/{id}/{kind}``: the reference's item definitions
require nothing, so the ``id`` may be left out (the hub then gives the item one)."""


def _item_list(kind: str) -> ListOf:
    """A list of ``base``: never null, nor any of its items (the vendor's base schema types
    them as arrays of objects; a null item would have no id for its endpoints to reach). Ids
    may repeat, as the schema allows: an item endpoint reaches the first item of an id."""
    return ListOf(replace(ITEMS[kind], nullable=False), nullable=False)


BASE = Obj(
    {
        "pictureUrl": Str(fmt="uri"),
        "title": Str(),
        "prefix": Str(),
        "firstName": Str(),
        "lastName": Str(),
        "middleName": Str(),
        "gender": Str(),
        "dob": Date(),
        "locale": Str(pattern=LOCALE_PATTERN),
        "timezone": Str(enum=TIMEZONES, noun="IANA time zone name"),
        "contacts": CONTACTS,
        "address": ADDRESS,
        "credential": Obj({"username": Str(), "password": Str()}),
        "educations": _item_list("educations"),
        "likes": _item_list("likes"),
        "socialProfile": Obj(
            {
                key: Str()
                for key in ("facebook", "google", "instagram", "linkedin", "qzone", "twitter")
            }
        ),
        "jobs": _item_list("jobs"),
        "subscriptions": _item_list("subscriptions"),
    }
)
"""The base properties of a customer (contract §6.2)."""

_CONSENT = Obj({"status": Bool(), "limitation": Bool(), "objection": Bool()})


def _consents_of(*names: str) -> Obj:
    return Obj(dict.fromkeys(names, _CONSENT))


CONSENTS = Obj(
    {
        "disclaimer": Obj({"date": DateTime(), "version": Str()}),
        "marketing": Obj(
            {
                "traditional": _consents_of("telephonic", "papery"),
                "automatic": _consents_of("sms", "email", "push", "im", "telephonic"),
            }
        ),
        "profiling": _consents_of("classic", "online"),
        "softSpam": _consents_of("email", "papery"),
        "thirdPartyTransfer": _consents_of("profiling", "marketing"),
    }
)
"""The privacy consents of a customer (contract §6.4)."""

TAGS = Obj(
    {
        # Lists of strings, never null: the vendor's tags schema types them so (send [] to empty).
        "auto": ListOf(Str(nullable=False), nullable=False),
        "manual": ListOf(Str(nullable=False), nullable=False),
    }
)
"""Machine-assigned (``auto``) and user-assigned (``manual``) tags."""

CUSTOMER_FIELDS: dict[str, Spec] = {
    "nodeId": Str(nullable=False, min_length=1),
    "externalId": Str(),
    "extra": Str(),
    "base": BASE,
    "extended": AnyObject(),
    "consents": CONSENTS,
    "tags": TAGS,
    "enabled": Bool(),
}
"""The writable top-level properties of a customer."""

READ_ONLY_FIELDS: tuple[str, ...] = ("id", "registeredAt", "updatedAt", "sourceInfo")
"""Top-level properties the server owns: dropped from input, never an error (clients echo them)."""

CUSTOMER = Obj(CUSTOMER_FIELDS, required=("nodeId",), nullable=False)
"""The whole writable customer document."""
