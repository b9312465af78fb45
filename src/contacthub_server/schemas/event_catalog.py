"""What an event may be: its types (with their mode), its contexts and its owner kinds.

ACTIVE means the customer did something (viewed a page, completed an order); PASSIVE means the
customer was the target of something (was sent a campaign). The mode belongs to the type, which is
how ``GET /events?mode=...`` filters.
"""

from __future__ import annotations

ACTIVE = "ACTIVE"
"""The mode of events the customer did."""
PASSIVE = "PASSIVE"
"""The mode of events the customer received."""

# Twenty of these modes come from a recorded event configuration of the real service; the others
# are inferred from the meaning of the type (contract §7.2).
EVENT_TYPES: dict[str, str] = {
    "abandonedCart": ACTIVE,
    "abandonedSession": ACTIVE,
    "addedCompare": ACTIVE,
    "addedProduct": ACTIVE,
    "addedReward": PASSIVE,
    "addedWishlist": ACTIVE,
    "campaignBlacklisted": PASSIVE,
    "campaignBounced": PASSIVE,
    "campaignLinkClicked": ACTIVE,
    "campaignMarkedSpam": ACTIVE,
    "campaignOpened": ACTIVE,
    "campaignOptinRequested": PASSIVE,
    "campaignSent": PASSIVE,
    "campaignSubscribed": ACTIVE,
    "campaignUnsubscribed": ACTIVE,
    "changedSetting": ACTIVE,
    "clickedLink": ACTIVE,
    "closedTicket": ACTIVE,
    "completedOrder": ACTIVE,
    "eventConfirmed": ACTIVE,
    "eventDeclined": ACTIVE,
    "eventEligible": PASSIVE,
    "eventInvited": PASSIVE,
    "eventNoShow": ACTIVE,
    "eventNotInvited": PASSIVE,
    "eventParticipated": ACTIVE,
    "eventRegistered": ACTIVE,
    "formCompiled": ACTIVE,
    "genericActiveEvent": ACTIVE,
    "genericPassiveEvent": PASSIVE,
    "grantedCoupon": PASSIVE,
    "loggedIn": ACTIVE,
    "loggedOut": ACTIVE,
    "openedTicket": ACTIVE,
    "orderShipped": PASSIVE,
    "removedCompare": ACTIVE,
    "removedProduct": ACTIVE,
    "removedReward": PASSIVE,
    "removedWishlist": ACTIVE,
    "repliedTicket": PASSIVE,
    "reviewedProduct": ACTIVE,
    "searched": ACTIVE,
    "serviceSubscribed": ACTIVE,
    "serviceUnsubscribed": ACTIVE,
    "viewedPage": ACTIVE,
    "viewedProduct": ACTIVE,
    "viewedProductCategory": ACTIVE,
}
"""Every event type the hub accepts, mapped to its mode (``ACTIVE`` or ``PASSIVE``)."""

MODES: tuple[str, ...] = (ACTIVE, PASSIVE)
"""The values of the ``mode`` filter of ``GET /events``."""

CONTEXTS: tuple[str, ...] = (
    "WEB",
    "MOBILE",
    "ECOMMERCE",
    "RETAIL",
    "SOCIAL",
    "DIGITAL_CAMPAIGN",
    "CONTACT_CENTER",
    "IOT",
    "OTHER",
)
"""Every context (the channel an event came through) the hub accepts."""

BRING_BACK_TYPES: tuple[str, ...] = ("SESSION_ID", "EXTERNAL_ID")
"""How an anonymous event names its future owner: by a session id or by an external id."""


def types_of_mode(mode: str) -> list[str]:
    """The event types whose mode is ``mode`` (``ACTIVE`` or ``PASSIVE``), sorted by name."""
    return sorted(name for name, kind in EVENT_TYPES.items() if kind == mode)
