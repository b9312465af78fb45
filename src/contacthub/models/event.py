"""Event: something a customer did or received, in a context."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from contacthub.errors import OperationNotPermitted
from contacthub.models._sync import sync_only
from contacthub.models.properties import AttributeHolder, Properties, _make, _to_plain

if TYPE_CHECKING:
    from contacthub.node import Node

__all__ = ["Event"]

# Spellings of bringBackProperties.type that people write, mapped to the API's.
_BRING_BACK_TYPES = {
    "SESSION_ID": "SESSION_ID",
    "SESSIONID": "SESSION_ID",
    "EXTERNAL_ID": "EXTERNAL_ID",
    "EXTERNALID": "EXTERNAL_ID",
}


class Event(AttributeHolder):
    """An event of a node: a ``type`` of action, in a ``context``, with ``properties``.

    The owner is a customer (``customerId``) or, for a customer not known yet,
    ``bringBackProperties=Properties(type='SESSION_ID' | 'EXTERNAL_ID', value=...)``: the
    event is attached to the customer later (a session added to a customer, or the customer
    with that externalId). ``post()`` fills ``bringBackProperties.nodeId`` from the node and
    accepts the guide's ``type='externalId'`` spelling.

    Args:
        node: the Node the event belongs to.
        attributes: the event's fields (``customerId``, ``bringBackProperties``, ``type``,
            ``context``, ``contextInfo``, ``properties``, ``date``, ``tracking``).
    """

    __slots__ = ("_node",)
    _node: Node | None

    class TYPES:
        """Event types, with the API's spellings (e.g. ``ADDED_WISHLIST = 'addedWishlist'``).

        Each is ``Final``, so type checkers see its literal value (``contacthub.types.EventType``).
        """

        ABANDONED_CART: Final = "abandonedCart"
        ABANDONED_SESSION: Final = "abandonedSession"
        ADDED_COMPARE: Final = "addedCompare"
        ADDED_PRODUCT: Final = "addedProduct"
        ADDED_REWARD: Final = "addedReward"
        ADDED_WISHLIST: Final = "addedWishlist"
        CAMPAIGN_BLACKLISTED: Final = "campaignBlacklisted"
        CAMPAIGN_BOUNCED: Final = "campaignBounced"
        CAMPAIGN_LINK_CLICKED: Final = "campaignLinkClicked"
        CAMPAIGN_MARKED_SPAM: Final = "campaignMarkedSpam"
        CAMPAIGN_OPENED: Final = "campaignOpened"
        CAMPAIGN_OPTIN_REQUESTED: Final = "campaignOptinRequested"
        CAMPAIGN_SENT: Final = "campaignSent"
        CAMPAIGN_SUBSCRIBED: Final = "campaignSubscribed"
        CAMPAIGN_UNSUBSCRIBED: Final = "campaignUnsubscribed"
        CHANGED_SETTING: Final = "changedSetting"
        CLICKED_LINK: Final = "clickedLink"
        CLOSED_TICKET: Final = "closedTicket"
        COMPLETED_ORDER: Final = "completedOrder"
        EVENT_CONFIRMED: Final = "eventConfirmed"
        EVENT_DECLINED: Final = "eventDeclined"
        EVENT_ELIGIBLE: Final = "eventEligible"
        EVENT_INVITED: Final = "eventInvited"
        EVENT_NO_SHOW: Final = "eventNoShow"
        EVENT_NOT_INVITED: Final = "eventNotInvited"
        EVENT_PARTICIPATED: Final = "eventParticipated"
        EVENT_REGISTERED: Final = "eventRegistered"
        FORM_COMPILED: Final = "formCompiled"
        GENERIC_ACTIVE_EVENT: Final = "genericActiveEvent"
        GENERIC_PASSIVE_EVENT: Final = "genericPassiveEvent"
        GRANTED_COUPON: Final = "grantedCoupon"
        LOGGED_IN: Final = "loggedIn"
        LOGGED_OUT: Final = "loggedOut"
        OPENED_TICKET: Final = "openedTicket"
        ORDER_SHIPPED: Final = "orderShipped"
        REMOVED_COMPARE: Final = "removedCompare"
        REMOVED_PRODUCT: Final = "removedProduct"
        REMOVED_REWARD: Final = "removedReward"
        REMOVED_WISHLIST: Final = "removedWishlist"
        REPLIED_TICKET: Final = "repliedTicket"
        REVIEWED_PRODUCT: Final = "reviewedProduct"
        SEARCHED: Final = "searched"
        SERVICE_SUBSCRIBED: Final = "serviceSubscribed"
        SERVICE_UNSUBSCRIBED: Final = "serviceUnsubscribed"
        VIEWED_PAGE: Final = "viewedPage"
        VIEWED_PRODUCT: Final = "viewedProduct"
        VIEWED_PRODUCT_CATEGORY: Final = "viewedProductCategory"
        # The guide's names for two of the above (its values were misspelled; these are the
        # API's).
        ADDED_WISH_LIST: Final = "addedWishlist"
        REMOVED_WISH_LIST: Final = "removedWishlist"
        EVENT_PARTECIPATED: Final = "eventParticipated"

    class CONTEXTS:
        """Contexts in which an event happens."""

        CONTACT_CENTER: Final = "CONTACT_CENTER"
        DIGITAL_CAMPAIGN: Final = "DIGITAL_CAMPAIGN"
        ECOMMERCE: Final = "ECOMMERCE"
        IOT: Final = "IOT"
        MOBILE: Final = "MOBILE"
        OTHER: Final = "OTHER"
        RETAIL: Final = "RETAIL"
        SOCIAL: Final = "SOCIAL"
        WEB: Final = "WEB"

    # The guide's API reference also calls it Event.CONTEXT.
    CONTEXT = CONTEXTS

    class MODES:
        """Event modes: ACTIVE (the customer did it) and PASSIVE (the customer received it)."""

        ACTIVE = "ACTIVE"
        PASSIVE = "PASSIVE"

    class BRING_BACK_PROPERTIES_TYPES:
        """Values of ``bringBackProperties.type``."""

        SESSION_ID = "SESSION_ID"
        EXTERNAL_ID = "EXTERNAL_ID"

    def __init__(self, node: Node | None, **attributes: Any) -> None:
        data = {key: _to_plain(value, f"event.{key}") for key, value in attributes.items()}
        self._node = node
        self._props = _make(Properties, data, None, None, None, True, self)

    @classmethod
    def from_dict(cls, node: Node | None, attributes: dict[str, Any] | None = None) -> Event:
        """An Event over ``attributes`` (wrapped, not copied).

        Args:
            node: the Node of the event.
            attributes: the event's document, e.g. from the API; ``None`` for an empty one.
        """
        if attributes is None:
            attributes = {}
        elif not isinstance(attributes, dict):
            raise TypeError(
                f"Event.from_dict expects a dictionary, got {type(attributes).__name__}"
            )
        event = cls.__new__(cls)
        event._node = node
        event._props = _make(Properties, attributes, None, None, None, False, event)
        return event

    @property
    def node(self) -> Node | None:
        """The Node this event belongs to."""
        return self._node

    def to_dict(self) -> dict[str, Any]:
        """A new dictionary with every field of this event.

        ``bringBackProperties.type`` is written the API's way (``externalId`` becomes
        ``EXTERNAL_ID``, ``sessionId`` becomes ``SESSION_ID``) and its ``nodeId`` is filled
        from the node when missing.
        """
        body = super().to_dict()
        bring_back = body.get("bringBackProperties")
        if isinstance(bring_back, dict):
            kind = bring_back.get("type")
            if isinstance(kind, str):
                normalised = kind.replace("_", "").replace("-", "").upper()
                bring_back["type"] = _BRING_BACK_TYPES.get(normalised, kind)
            if not bring_back.get("nodeId"):
                node_id = getattr(self._node, "node_id", None)
                if node_id:
                    bring_back["nodeId"] = node_id
        return body

    def get_event(self, id: str) -> Event:
        """Another event of this event's node, by its id (the guide's ``event.get_event(id=...)``)."""
        if self._node is None:
            raise OperationNotPermitted("cannot get an event without a node")
        sync_only(self._node, "event.get_event()", "await node.get_event(id)")
        event: Event = self._node.get_event(id=id)
        return event

    def post(self) -> Event:
        """Add this event to the node; afterwards the object carries the event's id.

        The API queues events (202 Accepted), so an event may take a moment to show up in
        ``node.get_events``.
        """
        if self._node is None:
            raise OperationNotPermitted(
                "cannot post an event without a node: build it with Event(node=node, ...)"
            )
        sync_only(self._node, "event.post()", "await node.add_event(**event.to_dict())")
        body = self.to_dict()
        # Typed as Any: other Node implementations may answer with the id or the raw body.
        answer: Any = self._node.add_event(**body)
        if isinstance(answer, Event):
            data = {**body, **answer._props._data}
        elif isinstance(answer, dict):
            data = {**body, **answer}
        elif isinstance(answer, str):
            data = {**body, "id": answer}
        else:
            data = body
        self._props = _make(Properties, data, None, None, None, False, self)
        return self
