"""Typed documents: the customer, item, event and session documents as ``TypedDict``s.

The SDK sends and receives plain JSON dictionaries; these types describe them, so that mypy,
pyright and editors complete their keys and check their values. ``Node.add_customer``,
``update_customer``, ``add_event``, ``update_event`` and the item methods take their keyword
arguments typed by them, and the session and source methods return them::

    from contacthub.types import CustomerDocument

    bruce: CustomerDocument = {
        "externalId": "wayne-001",
        "base": {"firstName": "Bruce", "contacts": {"email": "bruce@wayne.example"}},
    }
    node.add_customer(**bruce)          # mypy checks every key and value of `bruce`

They are types only: at run time they are ordinary dictionaries, and any ``dict`` is accepted
as before (a ``dict[str, Any]``, such as ``customer.to_dict()``, type-checks too). Keys are all
optional (``total=False``) except where the API requires them: an item's ``id``, an event's
``type``, ``context`` and ``properties``. Every property may be ``None`` (unset) except the lists
of ``base``. Dates and date-times may be ``date``/``datetime`` objects or ISO 8601 strings; the
top-level sections also take :class:`~contacthub.models.Properties` objects.

The shape follows the customer schema (``contacthub.models._shapes``, checked against the hub's in
``tests/test_shared_lists.py``) and the event schemas of each type (:data:`PROPERTIES_BY_TYPE`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, TypeAlias, TypedDict

from contacthub.models.properties import Properties

__all__ = [
    "PROPERTIES_BY_TYPE",
    "AbandonedCartProperties",
    "AbandonedSessionProperties",
    "AddedProductProperties",
    "Address",
    "Amount",
    "Base",
    "BringBackProperties",
    "CampaignBlacklistedProperties",
    "CampaignContent",
    "CampaignLinkClickedProperties",
    "CampaignOptinRequestedProperties",
    "CampaignProperties",
    "CampaignSentProperties",
    "CampaignSubscribedProperties",
    "CampaignUnsubscribedProperties",
    "ChangedSettingProperties",
    "Classification",
    "ClickedLinkProperties",
    "CompletedOrderProperties",
    "Consent",
    "Consents",
    "Contacts",
    "ContextInfo",
    "Credential",
    "CustomerDocument",
    "CustomerFields",
    "CustomerSource",
    "DateTimeValue",
    "DateValue",
    "Disclaimer",
    "EducationDocument",
    "EducationFields",
    "EventContext",
    "EventDocument",
    "EventFields",
    "EventInvitationProperties",
    "EventParticipatedProperties",
    "EventProperties",
    "EventType",
    "FormCompiledProperties",
    "GenericEventProperties",
    "Geo",
    "GrantedCouponProperties",
    "JobDocument",
    "JobFields",
    "LikeDocument",
    "LikeFields",
    "LoginProperties",
    "Marketing",
    "MobileDevice",
    "NewCustomer",
    "OrderLine",
    "OrderShippedProperties",
    "OtherContact",
    "Preference",
    "Product",
    "ProductProperties",
    "ReviewedProductProperties",
    "RewardProperties",
    "SearchedProperties",
    "ServiceProperties",
    "Session",
    "SocialProfile",
    "SourceInfo",
    "SubscriptionDocument",
    "SubscriptionFields",
    "Tags",
    "TicketProperties",
    "Tracking",
    "ViewedPageProperties",
    "ViewedProductCategoryProperties",
]

DateValue: TypeAlias = str | date
"""A calendar date: ``'1994-06-10'`` or a ``date`` (a ``datetime`` is written as one)."""
DateTimeValue: TypeAlias = str | datetime
"""An instant: ``'2017-03-08T10:18:17.000+0000'`` or a ``datetime``."""

# -- the customer ----------------------------------------------------------------------------


class Geo(TypedDict):
    """A point on Earth (both coordinates are required when the point is given)."""

    lat: float
    lon: float


class OtherContact(TypedDict, total=False):
    """One of ``base.contacts.otherContacts``: ``type`` is one of ``Customer.OTHER_CONTACT_TYPES``."""

    name: str | None
    type: str | None
    value: str | None


class MobileDevice(TypedDict, total=False):
    """One of ``base.contacts.mobileDevices``."""

    identifier: str | None
    appId: str | None
    name: str | None
    type: str | None
    """One of ``Customer.MOBILE_DEVICE_TYPES``."""
    notificationService: str | None
    """One of ``Customer.NOTIFICATION_SERVICES``."""


class Contacts(TypedDict, total=False):
    """``base.contacts``."""

    email: str | None
    fax: str | None
    mobilePhone: str | None
    phone: str | None
    otherContacts: list[OtherContact] | None
    mobileDevices: list[MobileDevice] | None


class Address(TypedDict, total=False):
    """``base.address``."""

    street: str | None
    city: str | None
    country: str | None
    province: str | None
    region: str | None
    zip: str | None
    geo: Geo | None


class Credential(TypedDict, total=False):
    """``base.credential``."""

    username: str | None
    password: str | None


class SocialProfile(TypedDict, total=False):
    """``base.socialProfile``: the customer's handle or URL on each network."""

    facebook: str | None
    google: str | None
    instagram: str | None
    linkedin: str | None
    qzone: str | None
    twitter: str | None


class _ItemId(TypedDict):
    id: str


class EducationFields(TypedDict, total=False):
    """An education without its ``id`` (the keyword arguments of ``Node.update_education``)."""

    schoolType: str | None
    """One of ``Education.SCHOOL_TYPES``."""
    schoolName: str | None
    schoolConcentration: str | None
    startYear: int | str | None
    """A year; a string of digits (``'1994'``, as the guide writes it) is taken as the number."""
    endYear: int | str | None
    isCurrent: bool | None


class EducationDocument(_ItemId, EducationFields):
    """One of ``base.educations``, with its ``id`` (required, chosen by you)."""


class LikeFields(TypedDict, total=False):
    """A like without its ``id`` (the keyword arguments of ``Node.update_like``)."""

    category: str | None
    name: str | None
    createdTime: DateTimeValue | None


class LikeDocument(_ItemId, LikeFields):
    """One of ``base.likes``, with its ``id``."""


class JobFields(TypedDict, total=False):
    """A job without its ``id`` (the keyword arguments of ``Node.update_job``)."""

    companyIndustry: str | None
    companyName: str | None
    jobTitle: str | None
    startDate: DateValue | None
    endDate: DateValue | None
    isCurrent: bool | None


class JobDocument(_ItemId, JobFields):
    """One of ``base.jobs``, with its ``id``."""


class Preference(TypedDict, total=False):
    """One of a subscription's ``preferences``."""

    key: str | None
    value: str | None


class SubscriptionFields(TypedDict, total=False):
    """A subscription without its ``id`` (the keyword arguments of ``Node.update_subscription``)."""

    name: str | None
    type: str | None
    kind: str | None
    """One of ``Subscription.KINDS``."""
    subscribed: bool | None
    startDate: DateTimeValue | None
    endDate: DateTimeValue | None
    subscriberId: str | None
    registeredAt: DateTimeValue | None
    updatedAt: DateTimeValue | None
    preferences: list[Preference] | None


class SubscriptionDocument(_ItemId, SubscriptionFields):
    """One of ``base.subscriptions``, with its ``id``."""


class Base(TypedDict, total=False):
    """A customer's ``base``: the standard profile. Its lists are never ``None``."""

    pictureUrl: str | None
    title: str | None
    prefix: str | None
    firstName: str | None
    lastName: str | None
    middleName: str | None
    gender: str | None
    dob: DateValue | None
    locale: str | None
    """Such as ``'it_IT'``."""
    timezone: str | None
    """One of ``Customer.TIMEZONES`` (an IANA name such as ``'Europe/Rome'``)."""
    contacts: Contacts | None
    address: Address | None
    credential: Credential | None
    educations: list[EducationDocument]
    likes: list[LikeDocument]
    socialProfile: SocialProfile | None
    jobs: list[JobDocument]
    subscriptions: list[SubscriptionDocument]


class Consent(TypedDict, total=False):
    """One consent: given (``status``), limited, objected to."""

    status: bool | None
    limitation: bool | None
    objection: bool | None


class Disclaimer(TypedDict, total=False):
    """The privacy disclaimer the customer accepted."""

    date: DateTimeValue | None
    version: str | None


class _TraditionalMarketing(TypedDict, total=False):
    telephonic: Consent | None
    papery: Consent | None


class _AutomaticMarketing(TypedDict, total=False):
    sms: Consent | None
    email: Consent | None
    push: Consent | None
    im: Consent | None
    telephonic: Consent | None


class Marketing(TypedDict, total=False):
    """``consents.marketing``."""

    traditional: _TraditionalMarketing | None
    automatic: _AutomaticMarketing | None


class _Profiling(TypedDict, total=False):
    classic: Consent | None
    online: Consent | None


class _SoftSpam(TypedDict, total=False):
    email: Consent | None
    papery: Consent | None


class _ThirdPartyTransfer(TypedDict, total=False):
    profiling: Consent | None
    marketing: Consent | None


class Consents(TypedDict, total=False):
    """A customer's privacy consents."""

    disclaimer: Disclaimer | None
    marketing: Marketing | None
    profiling: _Profiling | None
    softSpam: _SoftSpam | None
    thirdPartyTransfer: _ThirdPartyTransfer | None


class Tags(TypedDict, total=False):
    """Labels: ``manual`` set by you, ``auto`` by automations."""

    auto: list[str] | None
    manual: list[str] | None


class CustomerFields(TypedDict, total=False):
    """A customer document without its ``id``: the keyword arguments of ``update_customer``.

    ``nodeId`` is filled in by the node; ``registeredAt`` and ``updatedAt`` are the API's and
    ignored when sent (they are here because ``customer.to_dict()`` holds them).
    """

    nodeId: str
    externalId: str | None
    extra: str | None
    base: Base | Properties | None
    extended: dict[str, Any] | Properties | None
    """Your own properties (free-form, unless the node declares a schema)."""
    consents: Consents | Properties | None
    tags: Tags | Properties | None
    enabled: bool | None
    registeredAt: DateTimeValue | None
    updatedAt: DateTimeValue | None


class SourceInfo(TypedDict, total=False):
    """Which sources (nodes) registered a customer and changed it last (read-only)."""

    registeredBy: str | None
    updatedBy: str | None


class CustomerDocument(CustomerFields, total=False):
    """A whole customer document, as the API answers with it and ``Customer.to_dict()`` gives it."""

    id: str | None
    sourceInfo: SourceInfo | None


class NewCustomer(CustomerDocument, total=False):
    """The keyword arguments of ``Node.add_customer``: a customer, and the guide's ``forceUpdate``."""

    forceUpdate: bool


class CustomerSource(TypedDict, total=False):
    """The customer as one source of data recorded it (``Node.get_customer_sources``)."""

    id: str
    externalId: str | None
    nodeId: str
    base: Base | None
    extended: dict[str, Any] | None
    extra: str | None
    consents: Consents | None
    tags: Tags | None
    registeredAt: str | None
    updatedAt: str | None


class Session(TypedDict):
    """A session of a customer: the resource ``id`` and the session id (``value``)."""

    id: str
    value: str


# -- events ---------------------------------------------------------------------------------

EventType: TypeAlias = Literal[
    "abandonedCart",
    "abandonedSession",
    "addedCompare",
    "addedProduct",
    "addedReward",
    "addedWishlist",
    "campaignBlacklisted",
    "campaignBounced",
    "campaignLinkClicked",
    "campaignMarkedSpam",
    "campaignOpened",
    "campaignOptinRequested",
    "campaignSent",
    "campaignSubscribed",
    "campaignUnsubscribed",
    "changedSetting",
    "clickedLink",
    "closedTicket",
    "completedOrder",
    "eventConfirmed",
    "eventDeclined",
    "eventEligible",
    "eventInvited",
    "eventNoShow",
    "eventNotInvited",
    "eventParticipated",
    "eventRegistered",
    "formCompiled",
    "genericActiveEvent",
    "genericPassiveEvent",
    "grantedCoupon",
    "loggedIn",
    "loggedOut",
    "openedTicket",
    "orderShipped",
    "removedCompare",
    "removedProduct",
    "removedReward",
    "removedWishlist",
    "repliedTicket",
    "reviewedProduct",
    "searched",
    "serviceSubscribed",
    "serviceUnsubscribed",
    "viewedPage",
    "viewedProduct",
    "viewedProductCategory",
]
"""Every event type (the values of ``Event.TYPES``)."""

EventContext: TypeAlias = Literal[
    "WEB",
    "MOBILE",
    "ECOMMERCE",
    "RETAIL",
    "SOCIAL",
    "DIGITAL_CAMPAIGN",
    "CONTACT_CENTER",
    "IOT",
    "OTHER",
]
"""Every context of an event (the values of ``Event.CONTEXTS``)."""


class _EveryType(TypedDict, total=False):
    extraProperties: dict[str, Any] | None
    """Anything else you want to record with the event."""
    extended: dict[str, Any] | None


class Classification(TypedDict):
    """A key and value classifying a product."""

    key: str
    value: str


class _ProductCore(TypedDict, total=False):
    sku: str | None
    name: str | None
    shortDescription: str | None
    imageUrl: str | None
    price: float | None
    category: list[str] | None
    linkUrl: str | None
    classifications: list[Classification] | None


class _ProductBody(_ProductCore, total=False):
    vendor: str | None
    weight: float | None
    itemQuantity: float | None


class Product(_ProductBody, total=False):
    """A product, as product events and order lines describe it."""

    id: str | None


class ProductProperties(Product, _EveryType, total=False):
    """``addedCompare``, ``removedCompare``, ``addedWishlist``, ``removedWishlist``,
    ``viewedProduct``."""


class AddedProductProperties(ProductProperties, total=False):
    """``addedProduct``, ``removedProduct``."""

    quantity: float | None
    unitOfMeasure: str | None


class ReviewedProductProperties(_ProductCore, _EveryType, total=False):
    """``reviewedProduct`` (its product has no vendor, weight or quantity)."""

    id: str | None
    rating: str | None


class OrderLine(Product, total=False):
    """A line of an order or a cart."""

    quantity: float | None
    subtotal: float | None
    discount: float | None
    tax: float | None
    coupon: str | None
    type: Literal["sale", "return"] | None
    orderLineId: int | None
    unitOfMeasure: str | None


class _LocalCurrency(TypedDict, total=False):
    currency: str | None
    exchangeRate: float | None


class Amount(TypedDict, total=False):
    """The money of an order or a cart."""

    total: float | None
    revenue: float | None
    shipping: float | None
    tax: float | None
    discount: float | None
    local: _LocalCurrency | None


class _AbandonedProduct(Product, total=False):
    unitOfMeasure: str | None


class AbandonedCartProperties(_EveryType, total=False):
    """``abandonedCart``."""

    orderId: str | None
    abandonedCartUrl: str | None
    storeCode: str | None
    amount: Amount | None
    products: list[OrderLine] | None


class AbandonedSessionProperties(_EveryType, total=False):
    """``abandonedSession``."""

    abandonedSessionUrl: str | None
    products: list[_AbandonedProduct] | None


class CompletedOrderProperties(_EveryType, total=False):
    """``completedOrder``."""

    orderId: str | None
    storeCode: str | None
    shippingMethod: str | None
    type: Literal["sale", "return", "sale-return"] | None
    paymentMethod: Literal["cash", "creditcard", "debitcard", "paypal", "other"] | None
    amount: Amount | None
    products: list[OrderLine] | None


class OrderShippedProperties(_EveryType, total=False):
    """``orderShipped``."""

    orderId: str | None
    type: str | None
    carrier: str | None
    trackingCode: str | None
    trackingUrl: str | None
    weight: float | None
    packages: int | None


class _RewardRequired(TypedDict):
    rewardAmount: float
    rewardTypeId: str | None


class RewardProperties(_RewardRequired, _EveryType, total=False):
    """``addedReward``, ``removedReward``."""

    rewardType: str | None
    rewardDescription: str | None


class _CampaignFields(_EveryType, total=False):
    subscriberId: str | None
    campaignSubject: str | None
    campaignId: str | None
    campaignName: str | None
    campaignTags: list[str] | None


class _CampaignList(TypedDict, total=False):
    listName: str | None
    listId: str | None


class CampaignProperties(_CampaignFields, total=False):
    """``campaignBounced``, ``campaignMarkedSpam``, ``campaignOpened``."""

    channel: Literal["SMS", "EMAIL", "PUSH", "FAX"] | None


class CampaignBlacklistedProperties(CampaignProperties, _CampaignList, total=False):
    """``campaignBlacklisted``."""


class CampaignLinkClickedProperties(CampaignProperties, total=False):
    """``campaignLinkClicked``."""

    linkUrl: str | None
    linkId: str | None
    linkTags: list[str] | None


class _CampaignImProperties(_CampaignFields, total=False):
    channel: Literal["SMS", "EMAIL", "PUSH", "FAX", "IM"] | None
    channelType: str | None


class CampaignUnsubscribedProperties(_CampaignImProperties, _CampaignList, total=False):
    """``campaignUnsubscribed``."""


class _ContentRequired(TypedDict):
    type: Literal["CONTENT", "IMG", "OTHER"]


class _ContentProduct(_ItemId, _ProductBody, total=False):
    extraProperties: dict[str, Any] | None


class CampaignContent(_ContentRequired, total=False):
    """One content of a sent campaign."""

    subType: str | None
    name: str | None
    description: str | None
    url: str | None
    imgUrl: str | None
    currency: str | None
    price: float | None
    tags: list[str] | None
    products: list[_ContentProduct] | None


class CampaignSentProperties(_CampaignImProperties, total=False):
    """``campaignSent``."""

    contents: list[CampaignContent] | None


class CampaignOptinRequestedProperties(_EveryType, total=False):
    """``campaignOptinRequested``."""

    listId: str | None
    listName: str | None
    subscriberId: str | None
    channelType: str | None
    invitationChannelType: str | None
    channel: Literal["SMS", "EMAIL", "PUSH", "FAX", "IM"] | None
    invitationChannel: Literal["SMS", "EMAIL", "PUSH", "FAX", "IM"] | None


class CampaignSubscribedProperties(_EveryType, total=False):
    """``campaignSubscribed``."""

    subscriberId: str | None
    listId: str | None
    listName: str | None
    channelType: str | None
    channel: Literal["SMS", "EMAIL", "PUSH", "FAX", "IM"] | None


class ChangedSettingProperties(_EveryType, total=False):
    """``changedSetting``."""

    setting: (
        Literal["LANGUAGE", "TIMEZONE", "CURRENCY", "EMAIL", "PASSWORD", "USERNAME", "OTHER"] | None
    )
    oldValue: str | None
    newValue: str | None


class ClickedLinkProperties(_EveryType, total=False):
    """``clickedLink``."""

    path: str | None
    referer: str | None
    search: str | None
    title: str | None
    url: str | None
    linkTags: list[str] | None


class ViewedPageProperties(_EveryType, total=False):
    """``viewedPage``."""

    path: str | None
    referer: str | None
    search: str | None
    title: str | None
    url: str | None
    pageCategories: list[str] | None
    pageTags: list[str] | None


class ViewedProductCategoryProperties(_EveryType, total=False):
    """``viewedProductCategory``."""

    category: str | None


class SearchedProperties(_EveryType, total=False):
    """``searched``."""

    keyword: str | None
    resultCount: int | None


class _Area(TypedDict, total=False):
    city: str | None
    country: str | None
    province: str | None
    region: str | None
    zip: str | None
    geo: Geo | None


class _Place(_Area, total=False):
    street: str | None


class _EventLocation(TypedDict, total=False):
    type: (
        Literal[
            "STORE", "VENUE", "STADIUM", "MUSEUM", "HEADQUARTERS", "PALACE", "CLUB", "ROOM", "OTHER"
        ]
        | None
    )
    id: str | None
    name: str | None
    address: _Place | None


class EventInvitationProperties(_EveryType, total=False):
    """``eventConfirmed``, ``eventDeclined``, ``eventEligible``, ``eventInvited``, ``eventNoShow``,
    ``eventNotInvited``, ``eventRegistered``."""

    eventId: str | None
    eventName: str | None
    eventType: str | None
    eventDate: DateTimeValue | None
    eventLocation: _EventLocation | None


class _PersonContacts(TypedDict, total=False):
    email: str | None
    mobilePhone: str | None
    phone: str | None


class _Host(TypedDict, total=False):
    firstName: str | None
    lastName: str | None
    title: str | None
    contacts: _PersonContacts | None


class EventParticipatedProperties(EventInvitationProperties, total=False):
    """``eventParticipated``."""

    checkIn: DateTimeValue | None
    checkOut: DateTimeValue | None
    host: _Host | None


class FormCompiledProperties(_EveryType, total=False):
    """``formCompiled``."""

    formName: str | None
    formId: str | None
    data: dict[str, Any] | None


class GenericEventProperties(_EveryType, total=False):
    """``genericActiveEvent``, ``genericPassiveEvent``."""

    name: str | None


class _Delivery(_ItemId, total=False):
    name: str | None
    description: str | None


class _CouponRequired(TypedDict):
    startValidityDate: DateTimeValue
    totalAmount: float


class GrantedCouponProperties(_CouponRequired, _EveryType, total=False):
    """``grantedCoupon``."""

    code: str | None
    campaignId: str | None
    campaignName: str | None
    campaignDescription: str | None
    status: str | None
    type: str | None
    redeemDate: DateTimeValue | None
    redemptionDate: DateTimeValue | None
    redeemedAmount: float | None
    remainingAmount: float | None
    deliveryChannel: _Delivery | None
    deliveryMedium: _Delivery | None
    category: list[str] | None


class LoginProperties(_EveryType, total=False):
    """``loggedIn``, ``loggedOut``: nothing but the properties of every type."""


class TicketProperties(_EveryType, total=False):
    """``openedTicket``, ``repliedTicket``, ``closedTicket``."""

    ticketId: str | None
    subject: str | None
    text: str | None
    category: list[str] | None


class ServiceProperties(_EveryType, total=False):
    """``serviceSubscribed``, ``serviceUnsubscribed``."""

    subscriberId: str | None
    serviceId: str | None
    serviceName: str | None
    serviceType: str | None
    startDate: DateTimeValue | None
    endDate: DateTimeValue | None


EventProperties: TypeAlias = (
    AbandonedCartProperties
    | AbandonedSessionProperties
    | AddedProductProperties
    | CampaignLinkClickedProperties
    | CampaignOptinRequestedProperties
    | CampaignProperties
    | CampaignSentProperties
    | CampaignSubscribedProperties
    | CampaignUnsubscribedProperties
    | ChangedSettingProperties
    | ClickedLinkProperties
    | CompletedOrderProperties
    | EventInvitationProperties
    | EventParticipatedProperties
    | FormCompiledProperties
    | GenericEventProperties
    | GrantedCouponProperties
    | LoginProperties
    | OrderShippedProperties
    | ProductProperties
    | ReviewedProductProperties
    | RewardProperties
    | SearchedProperties
    | ServiceProperties
    | TicketProperties
    | ViewedPageProperties
    | ViewedProductCategoryProperties
)
"""The ``properties`` of an event of any type (annotate with the type's own for a precise check)."""

PROPERTIES_BY_TYPE: dict[str, type] = {
    "abandonedCart": AbandonedCartProperties,
    "abandonedSession": AbandonedSessionProperties,
    "addedCompare": ProductProperties,
    "addedProduct": AddedProductProperties,
    "addedReward": RewardProperties,
    "addedWishlist": ProductProperties,
    "campaignBlacklisted": CampaignBlacklistedProperties,
    "campaignBounced": CampaignProperties,
    "campaignLinkClicked": CampaignLinkClickedProperties,
    "campaignMarkedSpam": CampaignProperties,
    "campaignOpened": CampaignProperties,
    "campaignOptinRequested": CampaignOptinRequestedProperties,
    "campaignSent": CampaignSentProperties,
    "campaignSubscribed": CampaignSubscribedProperties,
    "campaignUnsubscribed": CampaignUnsubscribedProperties,
    "changedSetting": ChangedSettingProperties,
    "clickedLink": ClickedLinkProperties,
    "closedTicket": TicketProperties,
    "completedOrder": CompletedOrderProperties,
    "eventConfirmed": EventInvitationProperties,
    "eventDeclined": EventInvitationProperties,
    "eventEligible": EventInvitationProperties,
    "eventInvited": EventInvitationProperties,
    "eventNoShow": EventInvitationProperties,
    "eventNotInvited": EventInvitationProperties,
    "eventParticipated": EventParticipatedProperties,
    "eventRegistered": EventInvitationProperties,
    "formCompiled": FormCompiledProperties,
    "genericActiveEvent": GenericEventProperties,
    "genericPassiveEvent": GenericEventProperties,
    "grantedCoupon": GrantedCouponProperties,
    "loggedIn": LoginProperties,
    "loggedOut": LoginProperties,
    "openedTicket": TicketProperties,
    "orderShipped": OrderShippedProperties,
    "removedCompare": ProductProperties,
    "removedProduct": AddedProductProperties,
    "removedReward": RewardProperties,
    "removedWishlist": ProductProperties,
    "repliedTicket": TicketProperties,
    "reviewedProduct": ReviewedProductProperties,
    "searched": SearchedProperties,
    "serviceSubscribed": ServiceProperties,
    "serviceUnsubscribed": ServiceProperties,
    "viewedPage": ViewedPageProperties,
    "viewedProduct": ProductProperties,
    "viewedProductCategory": ViewedProductCategoryProperties,
}
"""The ``TypedDict`` of the ``properties`` of each event type."""


class _Localization(_Area, total=False):
    pass


class _Client(TypedDict, total=False):
    userAgent: str | None
    ip: str | None
    localization: _Localization | None


class _User(_ItemId, total=False):
    externalId: str | None
    username: str | None
    firstName: str | None
    lastName: str | None
    contacts: _PersonContacts | None


class _Device(TypedDict, total=False):
    bundleIdentifier: str | None
    versionNumber: str | None
    buildNumber: str | None
    identifierForVendor: str | None
    systemVersion: str | None
    model: str | None
    deviceVendor: str | None
    locale: str | None
    language: str | None


class _Store(_Place, total=False):
    id: str | None
    name: str | None
    website: str | None
    type: str | None


class _SalesAssistant(_ItemId, total=False):
    firstName: str | None
    lastName: str | None
    contacts: _PersonContacts | None


class ContextInfo(TypedDict, total=False):
    """Where the event happened: ``client`` and ``user`` in every context, ``device`` in MOBILE,
    ``store`` in ECOMMERCE and RETAIL, ``salesAssistant`` in RETAIL."""

    client: _Client | None
    user: _User | None
    device: _Device | None
    store: _Store | None
    salesAssistant: _SalesAssistant | None


class BringBackProperties(TypedDict, total=False):
    """The future owner of an anonymous event: ``type`` ``'SESSION_ID'`` or ``'EXTERNAL_ID'``
    (the guide's ``'externalId'``/``'sessionId'`` work too) and its ``value``; ``nodeId`` is
    filled in by the node."""

    type: str
    value: str
    nodeId: str


class _GoogleAnalytics(TypedDict, total=False):
    utm_source: str | None
    utm_medium: str | None
    utm_term: str | None
    utm_content: str | None
    utm_campaign: str | None


class Tracking(TypedDict, total=False):
    """Campaign tracking codes."""

    ga: _GoogleAnalytics | None


class _EventRequired(TypedDict):
    type: EventType
    context: EventContext
    properties: EventProperties | Properties


class EventFields(_EventRequired, total=False):
    """An event without its ``id``: the keyword arguments of ``Node.update_event``.

    ``type``, ``context`` and ``properties`` are required, and one owner: ``customerId`` or
    ``bringBackProperties``. ``registeredAt`` and ``updatedAt`` are the API's.
    """

    customerId: str | None
    bringBackProperties: BringBackProperties | Properties | None
    date: DateTimeValue | None
    """When it happened (by default, when the API received it)."""
    contextInfo: ContextInfo | Properties | None
    tracking: Tracking | Properties | None
    registeredAt: DateTimeValue | None
    updatedAt: DateTimeValue | None


class EventDocument(EventFields, total=False):
    """A whole event: the keyword arguments of ``Node.add_event``, what ``Event.to_dict()`` gives."""

    id: str | None
