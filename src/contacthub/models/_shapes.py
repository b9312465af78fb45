"""The shape of a customer document: which keys exist, which are objects, which are lists.

This is the SDK's one copy of the vendor's customer schema (``base``, ``consents``, ``tags``;
``extended`` is free-form). Two features read it:

- a section the API returned as ``null`` reads as an empty one that accepts writes
  (``customer.tags.manual == []``, ``customer.extended.points = 3``): the shape says whether an
  unset key is an object, a list or a value (:mod:`contacthub.models.properties`);
- a query field such as ``Customer.base.fristName`` is refused with a suggestion, because a
  misspelt property would otherwise match nothing (:mod:`contacthub.models.query.entity_field`).

A shape is ``VALUE`` (a string, number, boolean or date), ``FREE`` (an object with any keys),
a mapping of key to shape (an object with exactly those keys) or a one-element tuple holding the
shape of a list's items. Below ``FREE`` nothing is known: a ``null`` there stays ``None``. ``tests/test_shared_lists.py`` checks it against the hub's schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, TypeAlias

__all__ = [
    "BASE_SHAPE",
    "CONSENTS_SHAPE",
    "CUSTOMER_SHAPE",
    "FREE",
    "ITEM_SHAPES",
    "VALUE",
    "Shape",
]

Shape: TypeAlias = "Mapping[str, Shape] | tuple[Shape] | None"

VALUE: Final = None
"""A string, number, boolean, date or date-time."""

FREE: Final[Mapping[str, Shape]] = MappingProxyType({})
"""An object whose keys are free (``extended``): none is known, none is refused."""


def _obj(*values: str, **objects: Shape) -> Mapping[str, Shape]:
    shape: dict[str, Shape] = dict.fromkeys(values, VALUE)
    shape.update(objects)
    return MappingProxyType(shape)


def _list_of(item: Shape) -> tuple[Shape]:
    return (item,)


_GEO = _obj("lat", "lon")
_CONSENT = _obj("status", "limitation", "objection")


def _consents_of(*names: str) -> Mapping[str, Shape]:
    return _obj(**dict.fromkeys(names, _CONSENT))


ITEM_SHAPES: Final[Mapping[str, Mapping[str, Shape]]] = MappingProxyType(
    {
        "educations": _obj(
            "id",
            "schoolType",
            "schoolName",
            "schoolConcentration",
            "startYear",
            "endYear",
            "isCurrent",
        ),
        "likes": _obj("id", "category", "name", "createdTime"),
        "jobs": _obj(
            "id", "companyIndustry", "companyName", "jobTitle", "startDate", "endDate", "isCurrent"
        ),
        "subscriptions": _obj(
            "id",
            "name",
            "type",
            "kind",
            "subscribed",
            "startDate",
            "endDate",
            "subscriberId",
            "registeredAt",
            "updatedAt",
            preferences=_list_of(_obj("key", "value")),
        ),
    }
)
"""The items of each list of ``base`` that has its own endpoints."""

BASE_SHAPE: Final[Mapping[str, Shape]] = _obj(
    "pictureUrl",
    "title",
    "prefix",
    "firstName",
    "lastName",
    "middleName",
    "gender",
    "dob",
    "locale",
    "timezone",
    contacts=_obj(
        "email",
        "fax",
        "mobilePhone",
        "phone",
        otherContacts=_list_of(_obj("name", "type", "value")),
        mobileDevices=_list_of(_obj("identifier", "appId", "name", "type", "notificationService")),
    ),
    address=_obj("street", "city", "country", "province", "region", "zip", geo=_GEO),
    credential=_obj("username", "password"),
    educations=_list_of(ITEM_SHAPES["educations"]),
    likes=_list_of(ITEM_SHAPES["likes"]),
    socialProfile=_obj("facebook", "google", "instagram", "linkedin", "qzone", "twitter"),
    jobs=_list_of(ITEM_SHAPES["jobs"]),
    subscriptions=_list_of(ITEM_SHAPES["subscriptions"]),
)
"""The vendor's base schema of a customer."""

CONSENTS_SHAPE: Final[Mapping[str, Shape]] = _obj(
    disclaimer=_obj("date", "version"),
    marketing=_obj(
        traditional=_consents_of("telephonic", "papery"),
        automatic=_consents_of("sms", "email", "push", "im", "telephonic"),
    ),
    profiling=_consents_of("classic", "online"),
    softSpam=_consents_of("email", "papery"),
    thirdPartyTransfer=_consents_of("profiling", "marketing"),
)
"""The privacy consents of a customer."""

CUSTOMER_SHAPE: Final[Mapping[str, Shape]] = _obj(
    "id",
    "nodeId",
    "externalId",
    "extra",
    "enabled",
    "registeredAt",
    "updatedAt",
    base=BASE_SHAPE,
    extended=FREE,
    consents=CONSENTS_SHAPE,
    tags=_obj(auto=_list_of(VALUE), manual=_list_of(VALUE)),
    sourceInfo=_obj("registeredBy", "updatedBy"),
)
"""A whole customer document, as the API answers with it."""
