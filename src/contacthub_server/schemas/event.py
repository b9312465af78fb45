"""The event document a client posts (contract §7): owner, context information and properties.

Event type, context and owner are always checked strictly. ``contextInfo``, ``properties`` and
``tracking`` follow the vendor's JSON schemas by default (:mod:`.event_schemas`, re-exported here
as :data:`CONTEXT_INFO`, :data:`PROPERTIES` and :data:`TRACKING`): closed objects, required keys,
types, nullability and formats. A node whose settings say ``events.strictProperties = false``
gets the lenient rules of this module instead (:data:`RELAXED_CONTEXT_INFO`,
:data:`RELAXED_PROPERTIES`, :data:`RELAXED_TRACKING`): keys the contract lists must have the right
type and required keys must be there, but keys it does not list are kept, for workspaces whose
events carry properties of their own.
"""

from __future__ import annotations

from contacthub_server.schemas.customer import GEO
from contacthub_server.schemas.event_catalog import BRING_BACK_TYPES, CONTEXTS, EVENT_TYPES
from contacthub_server.schemas.event_schemas import CONTEXT_INFO, PROPERTIES, STORE_TYPES, TRACKING
from contacthub_server.schemas.spec import AnyObject, DateTime, Int, ListOf, Num, Obj, Spec, Str

__all__ = [
    "BRING_BACK",
    "CONTEXT_INFO",
    "EVENT_FIELDS",
    "PROPERTIES",
    "READ_ONLY_FIELDS",
    "RELAXED_CONTEXT_INFO",
    "RELAXED_PROPERTIES",
    "RELAXED_TRACKING",
    "TRACKING",
]


def _open(fields: dict[str, Spec], *required: str) -> Obj:
    return Obj(fields, required=required, closed=False)


def _strings(*names: str) -> dict[str, Spec]:
    return {name: Str() for name in names}


_CONTACTS = _open(_strings("email", "mobilePhone", "phone"))
_PLACE = {**_strings("street", "city", "country", "province", "region", "zip"), "geo": GEO}

_CLIENT = _open(
    {
        "userAgent": Str(),
        "ip": Str(fmt="ip"),
        "localization": _open(_PLACE),
    }
)
_USER = _open(
    {
        "id": Str(nullable=False),
        **_strings("externalId", "username", "firstName", "lastName"),
        "contacts": _CONTACTS,
    },
    "id",
)
_STORE = _open(
    {**_strings("id", "name", "website"), "type": Str(enum=STORE_TYPES), **_PLACE},
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
_SALES_ASSISTANT = _open(
    {"id": Str(nullable=False), **_strings("firstName", "lastName"), "contacts": _CONTACTS},
    "id",
)

_COMMON_CONTEXT: dict[str, Spec] = {"client": _CLIENT, "user": _USER}
RELAXED_CONTEXT_INFO: dict[str, Obj] = {context: _open(_COMMON_CONTEXT) for context in CONTEXTS}
"""The lenient ``contextInfo`` of an event, per context (unknown keys kept)."""
RELAXED_CONTEXT_INFO["MOBILE"] = _open({**_COMMON_CONTEXT, "device": _DEVICE})
RELAXED_CONTEXT_INFO["ECOMMERCE"] = _open({**_COMMON_CONTEXT, "store": _STORE})
RELAXED_CONTEXT_INFO["RETAIL"] = _open(
    {**_COMMON_CONTEXT, "store": _STORE, "salesAssistant": _SALES_ASSISTANT}
)

BRING_BACK = Obj(
    {
        "type": Str(nullable=False, enum=BRING_BACK_TYPES),
        "value": Str(nullable=False, min_length=1),
        "nodeId": Str(nullable=False, min_length=1),
    },
    required=("value", "nodeId"),
)
"""How an anonymous event names its future owner: ``value`` and ``nodeId`` required (the
vendor's definition of 2019 requires them, and both are needed to find the owner); ``type``
may be left out, as the reference gives it a default (see BRING_BACK_DEFAULT_TYPE)."""
BRING_BACK_DEFAULT_TYPE = "SESSION_ID"
"""The ``type`` of a ``bringBackProperties`` that names none (the reference's default)."""

RELAXED_TRACKING = _open(
    {"ga": _open(_strings("utm_source", "utm_medium", "utm_term", "utm_content", "utm_campaign"))}
)
"""Lenient campaign tracking codes (Google Analytics UTM parameters; unknown keys kept)."""

# -- properties, per type -------------------------------------------------------------------
_STRING_LIST = ListOf(Str())
_MONEY = Num()
_COUNT = Num(minimum=0)
_PRODUCT: dict[str, Spec] = {
    **_strings("id", "sku", "name", "shortDescription", "imageUrl", "vendor"),
    "price": _MONEY,
    "category": _STRING_LIST,
    "linkUrl": Str(fmt="uri"),
    "weight": Num(),
    "itemQuantity": Num(),
    "classifications": ListOf(
        _open({"key": Str(nullable=False), "value": Str(nullable=False)}, "key", "value")
    ),
}
_LINE: dict[str, Spec] = {
    **_PRODUCT,
    "quantity": Num(),
    "subtotal": _MONEY,
    "discount": _MONEY,
    "tax": _MONEY,
    "coupon": Str(),
    "type": Str(enum=("sale", "return")),
    "orderLineId": Int(),
    "unitOfMeasure": Str(),
    "extended": AnyObject(),
}
_AMOUNT = _open(
    {
        "total": _MONEY,
        "revenue": _MONEY,
        "shipping": _MONEY,
        "tax": _MONEY,
        "discount": _MONEY,
        "local": _open({"currency": Str(pattern=r"[A-Z]{3}"), "exchangeRate": Num()}),
    }
)
_CHANNELS = ("SMS", "EMAIL", "PUSH", "FAX")
_CHANNELS_IM = (*_CHANNELS, "IM")
_CAMPAIGN: dict[str, Spec] = {
    **_strings(
        "subscriberId",
        "campaignSubject",
        "campaignId",
        "campaignName",
        "listName",
        "listId",
        "mailDomain",
        "recipient",
        "sendImmediateId",
    ),
    "campaignTags": _STRING_LIST,
    "userdbId": Int(),
    "channel": Str(enum=_CHANNELS),
}
_CAMPAIGN_IM: dict[str, Spec] = {
    **_CAMPAIGN,
    "channel": Str(enum=_CHANNELS_IM),
    "channelType": Str(),
}
_DEVICE_FLAGS: dict[str, Spec] = {
    name: Int() for name in ("isWirelessDevice", "isMobile", "isTablet")
}
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
    **_strings("eventId", "eventName", "eventType"),
    "eventDate": DateTime(),
    "eventLocation": _open(
        {
            "type": Str(enum=_LOCATION_TYPES),
            **_strings("id", "name"),
            "address": _open(_PLACE),
        }
    ),
}
_TICKET: dict[str, Spec] = {**_strings("ticketId", "subject", "text"), "category": _STRING_LIST}
_SERVICE: dict[str, Spec] = {
    **_strings("subscriberId", "serviceId", "serviceName", "serviceType"),
    "startDate": DateTime(),
    "endDate": DateTime(),
}
_REWARD: dict[str, Spec] = {
    "rewardAmount": Num(nullable=False, minimum=0),
    **_strings("rewardTypeId", "rewardType", "rewardDescription"),
}
_DELIVERY = _open({"id": Str(nullable=False), **_strings("name", "description")}, "id")
_CONTENT = _open(
    {
        "type": Str(nullable=False, enum=("CONTENT", "IMG", "OTHER")),
        **_strings("subType", "name", "description", "url", "imgUrl", "currency"),
        "price": _COUNT,
        "tags": _STRING_LIST,
        "products": ListOf(_open({**_PRODUCT, "id": Str(nullable=False)}, "id")),
    },
    "type",
)

# Fields every type accepts, and which of them each type requires.
_EVERY_TYPE: dict[str, Spec] = {"extraProperties": AnyObject(), "extended": AnyObject()}
_PROPERTIES: dict[str, tuple[dict[str, Spec], tuple[str, ...]]] = {
    "abandonedCart": (
        {
            **_strings("orderId", "abandonedCartUrl", "storeCode"),
            "amount": _AMOUNT,
            "products": ListOf(_open(_LINE)),
        },
        (),
    ),
    "abandonedSession": (
        {
            "abandonedSessionUrl": Str(),
            "products": ListOf(_open({**_PRODUCT, "unitOfMeasure": Str()})),
        },
        (),
    ),
    "addedProduct": ({**_PRODUCT, "quantity": Num(), "unitOfMeasure": Str()}, ()),
    "addedReward": (_REWARD, ("rewardAmount", "rewardTypeId")),
    "campaignLinkClicked": (
        {
            **_CAMPAIGN,
            **_DEVICE_FLAGS,
            **_strings("linkUrl", "linkId"),
            "linkTags": _STRING_LIST,
        },
        (),
    ),
    "campaignOptinRequested": (
        {
            **_strings(
                "listId",
                "listName",
                "subscriberId",
                "channelType",
                "invitationChannelType",
            ),
            "channel": Str(enum=_CHANNELS_IM),
            "invitationChannel": Str(enum=_CHANNELS_IM),
        },
        (),
    ),
    "campaignSent": ({**_CAMPAIGN_IM, "contents": ListOf(_CONTENT)}, ()),
    "campaignSubscribed": (
        {
            **_strings("subscriberId", "listId", "listName", "channelType"),
            "channel": Str(enum=_CHANNELS_IM),
        },
        (),
    ),
    "campaignUnsubscribed": (_CAMPAIGN_IM, ()),
    "changedSetting": (
        {
            "setting": Str(
                enum=("LANGUAGE", "TIMEZONE", "CURRENCY", "EMAIL", "PASSWORD", "USERNAME", "OTHER")
            ),
            **_strings("oldValue", "newValue"),
        },
        (),
    ),
    "clickedLink": (
        {**_strings("path", "referer", "search", "title", "url"), "linkTags": _STRING_LIST},
        (),
    ),
    "completedOrder": (
        {
            **_strings("orderId", "storeCode", "shippingMethod"),
            "type": Str(enum=("sale", "return", "sale-return")),
            "paymentMethod": Str(enum=("cash", "creditcard", "debitcard", "paypal", "other")),
            "amount": _AMOUNT,
            "products": ListOf(_open(_LINE)),
        },
        (),
    ),
    "eventParticipated": (
        {
            **_EVENT_INFO,
            "checkIn": DateTime(),
            "checkOut": DateTime(),
            "host": _open({**_strings("firstName", "lastName", "title"), "contacts": _CONTACTS}),
        },
        (),
    ),
    "formCompiled": ({**_strings("formName", "formId"), "data": AnyObject()}, ()),
    "genericActiveEvent": (_strings("name"), ()),
    "grantedCoupon": (
        {
            **_strings(
                "code",
                "campaignId",
                "campaignName",
                "campaignDescription",
                "status",
                "type",
            ),
            "redeemDate": DateTime(),
            "startValidityDate": DateTime(nullable=False),
            "redemptionDate": DateTime(),
            "redeemedAmount": _COUNT,
            "totalAmount": Num(nullable=False, minimum=0),
            "remainingAmount": _COUNT,
            "deliveryChannel": _DELIVERY,
            "deliveryMedium": _DELIVERY,
            "category": _STRING_LIST,
        },
        ("startValidityDate", "totalAmount"),
    ),
    "loggedIn": ({}, ()),
    "openedTicket": (_TICKET, ()),
    "orderShipped": (
        {
            **_strings("orderId", "type", "carrier", "trackingCode", "trackingUrl"),
            "weight": Num(),
            "packages": Int(),
        },
        (),
    ),
    "reviewedProduct": (
        {
            **_PRODUCT,
            "rating": Str(),
        },
        (),
    ),
    "searched": ({"keyword": Str(), "resultCount": Int()}, ()),
    "serviceSubscribed": (_SERVICE, ()),
    "viewedPage": (
        {
            **_strings("path", "referer", "search", "title", "url"),
            "pageCategories": _STRING_LIST,
            "pageTags": _STRING_LIST,
        },
        (),
    ),
    "viewedProductCategory": (_strings("category"), ()),
}
# Types that share a shape with another.
for _name in (
    "addedCompare",
    "removedCompare",
    "addedWishlist",
    "removedWishlist",
    "viewedProduct",
):
    _PROPERTIES[_name] = (_PRODUCT, ())
_PROPERTIES["removedProduct"] = _PROPERTIES["addedProduct"]
_PROPERTIES["removedReward"] = _PROPERTIES["addedReward"]
for _name in ("campaignBlacklisted", "campaignBounced", "campaignMarkedSpam", "campaignOpened"):
    _PROPERTIES[_name] = ({**_CAMPAIGN, **_DEVICE_FLAGS}, ())
_PROPERTIES["serviceUnsubscribed"] = _PROPERTIES["serviceSubscribed"]
for _name in (
    "eventConfirmed",
    "eventDeclined",
    "eventEligible",
    "eventInvited",
    "eventNoShow",
    "eventNotInvited",
    "eventRegistered",
):
    _PROPERTIES[_name] = (_EVENT_INFO, ())
_PROPERTIES["genericPassiveEvent"] = _PROPERTIES["genericActiveEvent"]
_PROPERTIES["loggedOut"] = _PROPERTIES["loggedIn"]
_PROPERTIES["repliedTicket"] = _PROPERTIES["openedTicket"]
_PROPERTIES["closedTicket"] = _PROPERTIES["openedTicket"]

RELAXED_PROPERTIES: dict[str, Obj] = {
    name: Obj({**fields, **_EVERY_TYPE}, required=required, closed=False, nullable=False)
    for name, (fields, required) in _PROPERTIES.items()
}
"""The lenient ``properties`` of an event, per type (every type of the catalog has one)."""

assert set(RELAXED_PROPERTIES) == set(EVENT_TYPES), set(EVENT_TYPES) ^ set(RELAXED_PROPERTIES)

EVENT_FIELDS: dict[str, Spec] = {
    "customerId": Str(min_length=1),
    "bringBackProperties": BRING_BACK,
    "type": Str(nullable=False, enum=tuple(EVENT_TYPES), noun="event type"),
    "context": Str(nullable=False, enum=CONTEXTS),
    "date": DateTime(time_required=True),
}
"""The top-level properties of a posted event checked on their own (``contextInfo`` and
``properties`` depend on ``context`` and ``type``, and with ``tracking`` on the node's
settings)."""

READ_ONLY_FIELDS: tuple[str, ...] = ("id", "registeredAt", "updatedAt")
"""Top-level properties the server owns: dropped from input."""
