"""The vendor's rules for an event's ``properties`` (per type), ``contextInfo`` (per context) and
``tracking``, in the hub's own spec vocabulary: what a node with strict event properties (the
default) accepts.

The facts come from the vendor's JSON schemas (``event/<type>.json`` and ``context/<name>.json``
of the reference, v1.51's companions): which keys each object has, their JSON types, which of
them may be ``null`` (only those the schema types as ``[..., "null"]``), required keys, enums,
bounds, the ``uri``, ``email``, ``ipv4`` and ``date-time`` formats, and which objects are closed
(``additionalProperties: false``: an unknown key is refused) or open (an unknown key is kept, of
any value). A JSON Schema ``integer`` is a JSON integer here: a string of digits is refused.

Where the hub departs from those files, it says so in :data:`LATER_KEYS` (keys the vendor's
later schemas added) and in :data:`READINGS` (how a schema that is not valid JSON Schema is
read); ``tests/server/rules/test_rules_event_schemas.py`` compares this module with the vendor's
files, type by type and context by context, and fails on any other difference.
"""

from __future__ import annotations

from collections.abc import Mapping

from contacthub_server.schemas.event_catalog import CONTEXTS, EVENT_TYPES
from contacthub_server.schemas.spec import (
    AnyObject,
    DateTime,
    ListOf,
    Num,
    Obj,
    Spec,
    Str,
)

# -- the vocabulary, with the vendor's defaults: not nullable unless said ------------------


def _string(
    fmt: str | None = None, *, null: bool = False, enum: tuple[str, ...] | None = None
) -> Str:
    return Str(nullable=null, fmt=fmt, enum=enum)


def _number(
    *, null: bool = False, minimum: float | None = None, maximum: float | None = None
) -> Num:
    return Num(nullable=null, minimum=minimum, maximum=maximum)


def _integer() -> Num:
    return Num(nullable=False, integer=True, accept_digits=False, expected="an integer")


def _strings(*names: str, null: bool = False) -> dict[str, Spec]:
    return {name: _string(null=null) for name in names}


def _list(item: Spec) -> ListOf:
    return ListOf(item, nullable=False)


def _closed(fields: Mapping[str, Spec], *required: str, null: bool = False) -> Obj:
    return Obj(fields, required=required, closed=True, nullable=null)


def _open(fields: Mapping[str, Spec], *required: str, null: bool = False) -> Obj:
    return Obj(fields, required=required, closed=False, nullable=null)


_DATE_TIME = DateTime(nullable=False, time_required=True)
_URI = _string("uri")
_TAGS = _list(_string())
_ANY_OBJECT = AnyObject(nullable=False)
_EXTENDED = AnyObject(nullable=True)
_LAT = _number(minimum=-90, maximum=90)
_LON = _number(minimum=-180, maximum=180)
_POINT = _closed({"lat": _LAT, "lon": _LON}, "lat", "lon")
"""A point whose two coordinates are required (a store's, an event location's)."""

# -- contextInfo ------------------------------------------------------------------------------

STORE_TYPES = (
    "AIRPORT",
    "ECOMMERCE",
    "FLAGSHIP",
    "FREE-STANDING",
    "MALL",
    "OUTLET",
    "RESORT",
    "SIS",
    "WAREHOUSE",
    "NOT-DEFINED",
)
"""The kinds of ``contextInfo.store.type``."""

_CLIENT = _open(
    {
        "userAgent": _string(null=True),
        "ip": _string("ipv4"),
        "localization": _open(
            {
                **_strings("city", "country", "region", "province", "zip"),
                "geo": _open({"lat": _LAT, "lon": _LON}),
            },
            null=True,
        ),
    }
)
_USER = _open(
    {
        "id": _string(),
        **_strings("externalId", "username", "firstName", "lastName", null=True),
        "contacts": _open(
            {"email": _string("email", null=True), **_strings("mobilePhone", "phone", null=True)},
            null=True,
        ),
    },
    "id",
)
_DEVICE = _open(
    _strings(
        "bundleIdentifier",
        "versionNumber",
        "buildNumber",
        "identifierForVendor",
        "systemVersion",
        "model",
        "deviceVendor",
        "locale",
        "language",
    )
)
_STORE = _open(
    {
        **_strings("id", "name"),
        "type": _string(enum=STORE_TYPES),
        **_strings("street", "city", "country", "province", "region", "zip"),
        "geo": _POINT,
        "website": _string(),
    }
)
_SALES_ASSISTANT = _closed(
    {
        "id": _string(),
        **_strings("firstName", "lastName", null=True),
        "contacts": _closed(
            {"email": _string("email", null=True), **_strings("mobilePhone", "phone", null=True)},
            null=True,
        ),
    },
    "id",
    null=True,
)

_EVERY_CONTEXT: dict[str, Spec] = {"client": _CLIENT, "user": _USER}
CONTEXT_INFO: dict[str, Obj] = {context: _closed(_EVERY_CONTEXT) for context in CONTEXTS}
"""The ``contextInfo`` of an event, per context (closed at its root in every context)."""
CONTEXT_INFO["MOBILE"] = _closed({**_EVERY_CONTEXT, "device": _DEVICE})
CONTEXT_INFO["ECOMMERCE"] = _closed({**_EVERY_CONTEXT, "store": _STORE})
CONTEXT_INFO["RETAIL"] = _closed(
    {**_EVERY_CONTEXT, "store": _STORE, "salesAssistant": _SALES_ASSISTANT}
)

TRACKING = _closed(
    {
        "ga": _closed(
            _strings("utm_source", "utm_medium", "utm_term", "utm_content", "utm_campaign")
        )
    },
    null=True,
)
"""Campaign tracking codes (Google Analytics UTM parameters). The reference's ``Tracking`` lists
the keys; the vendor's tracking schema closes both objects and types every code as a string."""

# -- properties, per type ---------------------------------------------------------------------

_CLASSIFICATIONS = _list(_closed(_strings("key", "value")))
_PRODUCT: dict[str, Spec] = {
    **_strings("id", "sku", "name", "shortDescription"),
    "vendor": _string(null=True),
    "price": _number(),
    "category": _TAGS,
    "imageUrl": _URI,
    "linkUrl": _URI,
    "weight": _number(null=True),
    "itemQuantity": _number(null=True),
    "classifications": _CLASSIFICATIONS,
}
"""A product as the product events describe it (viewed, compared, wished, added, removed)."""
_LINE: dict[str, Spec] = {
    **_PRODUCT,
    **{name: _number() for name in ("quantity", "subtotal", "discount", "tax")},
    "coupon": _string(),
    "type": _string(enum=("sale", "return")),
    "orderLineId": _integer(),
    "unitOfMeasure": _string(null=True),
}
"""A line of an order or a cart: a product with its quantity and amounts."""
_AMOUNT = _closed(
    {
        **{name: _number() for name in ("total", "revenue", "shipping", "tax", "discount")},
        "local": _closed({"currency": _string(), "exchangeRate": _number()}),
    }
)
_CAMPAIGN: dict[str, Spec] = {
    **_strings("subscriberId", "campaignSubject", "campaignId", "campaignName"),
    "campaignTags": _TAGS,
    "channel": _string(enum=("SMS", "EMAIL", "PUSH", "FAX")),
}
_CHANNELS_IM = ("SMS", "EMAIL", "PUSH", "FAX", "IM")
_LIST = _strings("listId", "listName")
_LOCATION_TYPES = (
    "STORE",
    "VENUE",
    "STADIUM",
    "MUSEUM",
    "HEADQUARTERS",
    "PALACE",
    "CLUB",
    "ROOM",
    "OTHER",
)
_EVENT_INFO: dict[str, Spec] = {
    **_strings("eventId", "eventName"),
    "eventDate": _DATE_TIME,
    "eventType": _string(),
    "eventLocation": _open(
        {
            # Typed string-or-null, but its enum leaves null out: JSON Schema refuses null.
            "type": _string(enum=_LOCATION_TYPES),
            **_strings("id", "name"),
            "address": _closed(
                {
                    **_strings("street", "city", "country", "province", "region", "zip", null=True),
                    "geo": _closed({"lat": _LAT, "lon": _LON}, "lat", "lon", null=True),
                },
                null=True,
            ),
        },
        null=True,
    ),
}
"""The event (a concert, a fair...) that the event* types are about."""
_TICKET: dict[str, Spec] = {
    "ticketId": _string(),
    "category": _TAGS,
    **_strings("subject", "text"),
}
_SERVICE: dict[str, Spec] = {
    **_strings("subscriberId", "serviceId", "serviceName", "serviceType"),
    "startDate": _DATE_TIME,
    "endDate": _DATE_TIME,
}
_REWARD: dict[str, Spec] = {
    "rewardAmount": _number(minimum=0),
    **_strings("rewardDescription", "rewardType", "rewardTypeId"),
}
_DELIVERY = _closed({**_strings("id", "name", "description")}, "id")
_CONTENT = _closed(
    {
        "type": _string(enum=("CONTENT", "IMG", "OTHER")),
        **_strings("subType", "name", "description"),
        "url": _URI,
        "imgUrl": _URI,
        "price": _number(minimum=0),
        "currency": _string(),
        "tags": _TAGS,
        "products": _list(
            _open(
                {
                    **_PRODUCT,
                    "price": _number(minimum=0),
                    "weight": _number(null=True, minimum=0),
                    "itemQuantity": _number(null=True, minimum=0),
                    "classifications": _list(_closed(_strings("key", "value"), "key", "value")),
                    "extraProperties": _ANY_OBJECT,
                },
                "id",
            )
        ),
    },
    "type",
)
"""One content of a sent campaign (the vendor's later campaignSent schema)."""

# Each type: its fields (extraProperties and extended are added to all) and required keys.
_PROPERTIES: dict[str, tuple[dict[str, Spec], tuple[str, ...]]] = {
    "abandonedCart": (
        {
            "orderId": _string(),
            "abandonedCartUrl": _URI,
            "storeCode": _string(),
            "amount": _AMOUNT,
            "products": _list(_closed(_LINE)),
        },
        (),
    ),
    "abandonedSession": (
        {
            "abandonedSessionUrl": _URI,
            "products": _list(
                _closed(
                    {
                        **_PRODUCT,
                        "classifications": _list(_closed(_strings("key", "value"), "key", "value")),
                        "unitOfMeasure": _string(null=True),
                    }
                )
            ),
        },
        (),
    ),
    "addedProduct": (
        {**_PRODUCT, "quantity": _number(), "unitOfMeasure": _string(null=True)},
        (),
    ),
    "addedReward": (_REWARD, ("rewardAmount", "rewardTypeId")),
    "campaignBlacklisted": ({**_CAMPAIGN, **_LIST}, ()),
    "campaignBounced": (_CAMPAIGN, ()),
    "campaignLinkClicked": (
        {**_CAMPAIGN, "linkUrl": _URI, "linkId": _string(), "linkTags": _TAGS},
        (),
    ),
    "campaignOptinRequested": (
        {
            **_LIST,
            "subscriberId": _string(),
            "channel": _string(enum=_CHANNELS_IM),
            "channelType": _string(),
            "invitationChannel": _string(enum=_CHANNELS_IM),
            "invitationChannelType": _string(),
        },
        (),
    ),
    "campaignSent": (
        {
            **_CAMPAIGN,
            "channel": _string(enum=_CHANNELS_IM),
            "channelType": _string(),
            "contents": _list(_CONTENT),
        },
        (),
    ),
    "campaignSubscribed": (
        {
            **_strings("subscriberId", "listId", "listName"),
            "channel": _string(enum=_CHANNELS_IM),
            "channelType": _string(),
        },
        (),
    ),
    "campaignUnsubscribed": (
        {**_CAMPAIGN, **_LIST, "channel": _string(enum=_CHANNELS_IM), "channelType": _string()},
        (),
    ),
    "changedSetting": (
        {
            "setting": _string(
                enum=("LANGUAGE", "TIMEZONE", "CURRENCY", "EMAIL", "PASSWORD", "USERNAME", "OTHER")
            ),
            **_strings("oldValue", "newValue"),
        },
        (),
    ),
    "clickedLink": (
        {**_strings("path", "referer", "search", "title"), "url": _URI, "linkTags": _TAGS},
        (),
    ),
    "completedOrder": (
        {
            "orderId": _string(),
            "type": _string(enum=("sale", "return", "sale-return")),
            "storeCode": _string(),
            "paymentMethod": _string(enum=("cash", "creditcard", "debitcard", "paypal", "other")),
            "shippingMethod": _string(),
            "amount": _AMOUNT,
            "products": _list(_closed(_LINE)),
        },
        (),
    ),
    "eventParticipated": (
        {
            **_EVENT_INFO,
            "checkIn": _DATE_TIME,
            "checkOut": _DATE_TIME,
            "host": _closed(
                {
                    **_strings("firstName", "lastName", "title"),
                    "contacts": _closed(
                        {"email": _string("email"), **_strings("phone", "mobilePhone")}
                    ),
                }
            ),
        },
        (),
    ),
    "formCompiled": ({**_strings("formName", "formId"), "data": _ANY_OBJECT}, ()),
    "genericActiveEvent": (_strings("name"), ()),
    "grantedCoupon": (
        {
            "code": _string(),
            "redeemDate": _DATE_TIME,
            "startValidityDate": _DATE_TIME,
            "redemptionDate": _DATE_TIME,
            **_strings("campaignId", "campaignName", "campaignDescription", "status", "type"),
            **{
                name: _number(minimum=0)
                for name in ("redeemedAmount", "totalAmount", "remainingAmount")
            },
            "deliveryChannel": _DELIVERY,
            "deliveryMedium": _DELIVERY,
            "category": _TAGS,
        },
        ("totalAmount", "startValidityDate"),
    ),
    "loggedIn": ({}, ()),
    "openedTicket": (_TICKET, ()),
    "orderShipped": (
        {
            **_strings("orderId", "type", "carrier", "trackingCode"),
            "trackingUrl": _URI,
            "weight": _number(),
            "packages": _integer(),
        },
        (),
    ),
    "reviewedProduct": (
        {
            key: spec
            for key, spec in _PRODUCT.items()
            if key not in ("vendor", "weight", "itemQuantity")
        }
        | {"rating": _string()},
        (),
    ),
    "searched": ({"keyword": _string(), "resultCount": _number()}, ()),
    "serviceSubscribed": (_SERVICE, ()),
    "viewedPage": (
        {
            **_strings("path", "referer", "search", "title"),
            "url": _URI,
            "pageCategories": _TAGS,
            "pageTags": _TAGS,
        },
        (),
    ),
    "viewedProductCategory": (_strings("category"), ()),
}
for _name in (
    "addedCompare",
    "removedCompare",
    "addedWishlist",
    "removedWishlist",
    "viewedProduct",
):
    _PROPERTIES[_name] = (_PRODUCT, ())
for _name in ("campaignMarkedSpam", "campaignOpened"):
    _PROPERTIES[_name] = _PROPERTIES["campaignBounced"]
for _name in (
    "eventConfirmed",
    "eventDeclined",
    "eventEligible",
    "eventInvited",
    "eventNoShow",
    "eventNotInvited",
    "eventRegistered",  # no reference file: the shape of its siblings, as the later schemas show
):
    _PROPERTIES[_name] = (_EVENT_INFO, ())
_PROPERTIES["removedProduct"] = _PROPERTIES["addedProduct"]
_PROPERTIES["removedReward"] = _PROPERTIES["addedReward"]
_PROPERTIES["genericPassiveEvent"] = _PROPERTIES["genericActiveEvent"]
_PROPERTIES["loggedOut"] = _PROPERTIES["loggedIn"]
_PROPERTIES["repliedTicket"] = _PROPERTIES["openedTicket"]
_PROPERTIES["closedTicket"] = _PROPERTIES["openedTicket"]
_PROPERTIES["serviceUnsubscribed"] = _PROPERTIES["serviceSubscribed"]

PROPERTIES: dict[str, Obj] = {
    name: Obj(
        {**fields, "extraProperties": _ANY_OBJECT, "extended": _EXTENDED},
        required=required,
        closed=True,
        nullable=False,
    )
    for name, (fields, required) in _PROPERTIES.items()
}
"""The ``properties`` of an event, per type: closed objects (every type of the catalog)."""

assert set(PROPERTIES) == set(EVENT_TYPES), set(EVENT_TYPES) ^ set(PROPERTIES)

LATER_KEYS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(EVENT_TYPES, ("/extended",)),
    "orderShipped": ("/extended", "/extraProperties"),
    "campaignSent": ("/extended", "/contents"),
}
"""Keys of :data:`PROPERTIES` that the reference's file of the type lacks (JSON pointers,
``[]`` for the items of an array), because the vendor's later event schemas (2019, as the .NET
client downloaded them from the API) have them: ``extended`` (null or an object), the
``extraProperties`` of orderShipped, and the ``contents`` of a sent campaign."""

READINGS: dict[str, str] = {
    "completedOrder/products[]/weight": "typed 'number/null' (not a JSON type): read as "
    "number or null, as the same key of every other product type is typed",
    "completedOrder/products[]/itemQuantity": "typed 'number/null': read as number or null",
    "eventParticipated/eventLocation/address/geo": "a reference to the vendor's "
    "GeographicLocation: read as the point the sibling event types spell out (lat and lon "
    "required, within their bounds)",
    "eventRegistered": "no file in the reference: the shape of eventConfirmed and its siblings",
}
"""How the hub reads the places where a vendor schema is not plain JSON Schema."""
